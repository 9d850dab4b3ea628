"""Required fields written blank (``key:``) are reported as ``to-fill``
(尚未填写：标签), once each, and nothing else is said about them."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from sheetgen.checking import check
from tests.conftest import SHANGHAI_SPEC, TIANJIN_DEFAULTS, TIANJIN_SPEC


def blank(spec: str, *keys: str) -> str:
    for key in keys:
        spec, count = re.subn(rf"^(\s*{key}):.*$", r"\1:", spec, count=1, flags=re.M)
        assert count == 1, key
    return spec


def test_blank_shanghai_fields_are_to_fill(unit_dir: Callable[..., Path]) -> None:
    keys = ("category", "start_date", "government_purchase", "overview", "total", "current_year")
    folder = unit_dir(specs={"01-a.yaml": blank(SHANGHAI_SPEC, *keys)})
    report = check([folder])
    assert {d.code for d in report.diagnostics} == {"to-fill"}
    found = {d.yaml_path: d for d in report.diagnostics}
    assert set(found) == {
        "category",
        "start_date",
        "government_purchase",
        "overview",
        "budget.total",
        "budget.current_year",
    }
    assert found["overview"].message == "尚未填写：项目概况" and found["overview"].label == "项目概况"
    assert found["budget.total"].message == "尚未填写：项目总预算"
    assert found["overview"].line == 7 and found["overview"].col == 1


def test_blank_tianjin_fields_are_to_fill(unit_dir: Callable[..., Path]) -> None:
    spec = blank(TIANJIN_SPEC, "total", "fiscal", "purpose").replace(
        "targets:\n  - 对遭受侵害导致生活困难的被害人进行救助。\n", "targets:\n"
    )
    folder = unit_dir(defaults=TIANJIN_DEFAULTS, specs={"01-a.yaml": spec})
    report = check([folder])
    assert sorted((d.code, d.yaml_path) for d in report.diagnostics) == [
        ("to-fill", "budget.fiscal"),
        ("to-fill", "budget.total"),
        ("to-fill", "purpose"),
        ("to-fill", "targets"),
    ]


def test_blank_year_and_unit_name_in_defaults(unit_dir: Callable[..., Path]) -> None:
    folder = unit_dir(defaults="jurisdiction: shanghai\nyear:\nunit:\n  name:\n")
    report = check([folder])
    assert sorted((d.code, d.yaml_path, d.path.endswith("_defaults.yaml")) for d in report.diagnostics) == [
        ("to-fill", "unit.name", True),
        ("to-fill", "year", True),
    ]


def test_optional_blank_fields_and_missing_keys_are_not_to_fill(unit_dir: Callable[..., Path]) -> None:
    spec = blank(SHANGHAI_SPEC, "last_year", "last_year_spent").replace("overview: 概况\n", "")
    report = check([unit_dir(specs={"01-a.yaml": spec})])
    assert [(d.code, d.yaml_path) for d in report.diagnostics] == [("missing-field", "overview")]


def test_empty_text_is_still_an_emptiness_error(unit_dir: Callable[..., Path]) -> None:
    report = check([unit_dir(specs={"01-a.yaml": SHANGHAI_SPEC.replace("category: 经常性专项业务费", 'category: ""')})])
    assert [(d.code, d.yaml_path) for d in report.diagnostics] == [("empty", "category")]
