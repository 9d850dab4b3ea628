"""The model of a validated spec: amounts in the unit the table prints."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from tests.conftest import SHANGHAI_SPEC, TIANJIN_DEFAULTS, TIANJIN_SPEC
from tests.support import load_projects


def test_amounts_given_in_wan_print_in_yuan(unit_dir: Callable[..., Path]) -> None:
    spec = SHANGHAI_SPEC.replace("  total: 100000\n  current_year: 100000\n",
                                 "  unit: 万元\n  total: 246.8\n  current_year: 10\n")
    (project,) = load_projects(unit_dir(specs={"01-a.yaml": spec}))
    budget = project.header["budget"]
    assert budget["unit"] == "元" and budget["total"] == Decimal("2468000") and budget["current_year"] == 100000


def test_amounts_given_in_yuan_print_in_wan(unit_dir: Callable[..., Path]) -> None:
    spec = TIANJIN_SPEC.replace("  total: 10.00\n  fiscal: 10.00\n", "  unit: 元\n  total: 100000\n  fiscal: 100000\n")
    (project,) = load_projects(unit_dir(TIANJIN_DEFAULTS, {"01-t.yaml": spec}, name="tj"))
    assert project.header["budget"]["unit"] == "万元" and project.header["budget"]["total"] == Decimal("10")


def test_amounts_in_the_table_unit_keep_their_digits(unit_dir: Callable[..., Path]) -> None:
    (project,) = load_projects(unit_dir(TIANJIN_DEFAULTS, {"01-t.yaml": TIANJIN_SPEC}, name="tj"))
    assert str(project.header["budget"]["total"]) == "10.00"
