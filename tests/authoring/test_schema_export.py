"""``sheetgen schema``: the JSON Schema generated from the Cerberus schema data
accepts every seed spec (merged with its defaults, and each file on its own)
and refuses known-bad specs, the way an editor would see them."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from sheetgen import jurisdiction as jurisdictions
from sheetgen.authoring.schema_export import any_schema, modeline, spec_schema, unsupported_rules
from sheetgen.cli import main
from sheetgen.spec.files import discover, read_spec
from sheetgen.validation.schema import build_schema
from tests.conftest import REPO

BUILTIN = ("shanghai", "tianjin")


def plain(value: Any) -> Any:
    """Return ``value`` as the YAML language server sees it: dates as ISO text, amounts as numbers."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def validator(schema: dict[str, Any]) -> jsonschema.Draft7Validator:
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def seed_specs() -> list[tuple[str, dict[str, Any]]]:
    specs, _ = discover([REPO / "specs"])
    out = []
    for spec in specs:
        loaded = read_spec(spec)
        assert loaded.data is not None
        out.append((spec.path.name, plain(loaded.data)))
    return out


SEEDS = seed_specs()


@pytest.fixture(scope="module")
def schemas() -> dict[str, jsonschema.Draft7Validator]:
    found = {name: jurisdictions.load(name) for name in BUILTIN}
    out = {name: validator(spec_schema(j)) for name, j in found.items()}
    out.update({f"{name}/complete": validator(spec_schema(j, complete=True)) for name, j in found.items()})
    out["any"] = validator(any_schema(list(found.values())))
    out["any/complete"] = validator(any_schema(list(found.values()), complete=True))
    return out


def errors(v: jsonschema.Draft7Validator, data: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(data)]


@pytest.mark.parametrize(("name", "data"), SEEDS, ids=[name for name, _ in SEEDS])
def test_every_merged_seed_spec_is_valid(
    schemas: dict[str, jsonschema.Draft7Validator], name: str, data: dict[str, Any]
) -> None:
    own = data["jurisdiction"]
    for key in (own, f"{own}/complete", "any", "any/complete"):
        assert errors(schemas[key], data) == [], key
    other = next(j for j in BUILTIN if j != own)
    assert errors(schemas[other], data), "a spec of one jurisdiction must not pass the other's schema"


def test_every_seed_file_on_its_own_is_valid(schemas: dict[str, jsonschema.Draft7Validator]) -> None:
    """What the editor sees: one file, defaults not merged in (nothing is required)."""
    for path in sorted((REPO / "specs").rglob("*.yaml")):
        data = plain(yaml.safe_load(path.read_text(encoding="utf-8")))
        unit = "shanghai" if path.parent.name.startswith("sh-") else "tianjin"
        assert errors(schemas[unit], data) == [], path
        assert errors(schemas["any"], data) == [], path


def mutated(data: dict[str, Any], *steps: tuple[tuple[str, ...], Any]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    for path, value in steps:
        target = out
        for key in path[:-1]:
            target = target[key]
        if value is KeyError:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return out


SH = next(data for name, data in SEEDS if data["jurisdiction"] == "shanghai")
TJ = next(data for name, data in SEEDS if data["jurisdiction"] == "tianjin")
BAD = {
    "unknown top-level key": (SH, [(("overveiw",), "概况")]),
    "unknown budget key": (SH, [(("budget", "totl"), 1)]),
    "unknown unit key": (TJ, [(("unit", "adress"), "x")]),
    "year as text": (SH, [(("year",), "二〇二〇")]),
    "year out of range": (SH, [(("year",), 1900)]),
    "date that is no date": (SH, [(("start_date",), "2020-13-01")]),
    "date in words": (SH, [(("end_date",), "年底")]),
    "yes/no as text": (SH, [(("government_purchase",), "也许")]),
    "amount as words": (SH, [(("budget", "total"), "两百万")]),
    "negative amount": (TJ, [(("budget", "fiscal"), -1)]),
    "money unit": (TJ, [(("budget", "unit"), "美元")]),
    "name empty": (SH, [(("name",), "")]),
    "targets not a list": (TJ, [(("targets",), {"a": 1})]),
    "level-1 name not in the vocabulary": (SH, [(("indicators", "产出指标"), {"数量": {"a": "=1"}})]),
    "level-2 name not in the vocabulary": (SH, [(("indicators", "产出目标", "数目"), {"a": "=1"})]),
    "empty level-1 group": (SH, [(("indicators", "产出目标"), {})]),
    "row as a list": (SH, [(("indicators", "产出目标", "数量", "完成率"), ["a"])]),
    "unknown row column": (TJ, [(("indicators", "产出指标", "数量指标", "x"), {"value": "1", "standard": "计划标准"})]),
    "include of a number": (SH, [(("indicators", "include"), 3)]),
    "indicators not a mapping": (SH, [(("indicators",), "很多")]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_known_bad_specs_fail(schemas: dict[str, jsonschema.Draft7Validator], case: str) -> None:
    base, steps = BAD[case]
    data = mutated(base, *steps)
    own = data["jurisdiction"]
    assert errors(schemas[own], data), case
    assert errors(schemas["any"], data), case


def test_complete_schema_requires_what_a_merged_spec_needs(schemas: dict[str, jsonschema.Draft7Validator]) -> None:
    for key in (("name",), ("indicators",), ("budget", "total"), ("unit",), ("category",)):
        data = mutated(SH, (key, KeyError))
        assert errors(schemas["shanghai/complete"], data), key
        assert not errors(schemas["shanghai"], data), key


def test_blank_required_fields_and_includes_are_accepted(schemas: dict[str, jsonschema.Draft7Validator]) -> None:
    data = mutated(
        SH,
        (("overview",), None),
        (("budget", "total"), None),
        (("year",), None),
        (("indicators", "投入与管理", "include"), "../_blocks/投入与管理.yaml"),
        (("indicators", "include"), ["../_blocks/a.yaml", "../_blocks/b.yaml"]),
    )
    assert errors(schemas["shanghai"], data) == []


def test_amounts_dates_and_yes_no_in_their_other_spellings(schemas: dict[str, jsonschema.Draft7Validator]) -> None:
    data = mutated(SH, (("budget", "total"), "2,468,000"), (("government_purchase",), "是"))
    assert errors(schemas["shanghai"], data) == []


def walk(schema: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(schema, dict):
        for key, prop in (schema.get("properties") or {}).items():
            yield f"{path}/{key}", prop
        for key, value in schema.items():
            if key != "properties":
                yield from walk(value, f"{path}/{key}")
        for key, value in (schema.get("properties") or {}).items():
            yield from walk(value, f"{path}/{key}")
    elif isinstance(schema, list):
        for item in schema:
            yield from walk(item, path)


@pytest.mark.parametrize("name", BUILTIN)
def test_every_field_has_a_chinese_title_and_description(name: str) -> None:
    schema = spec_schema(jurisdictions.load(name))
    fields = list(walk(schema))
    assert len(fields) > 20
    for where, prop in fields:
        if "$ref" in prop:
            continue
        assert prop.get("title") and prop.get("description"), where
    props = schema["properties"]
    assert props["name"]["title"] == "项目名称"
    assert props["budget"]["properties"]["total"]["title"] == ("项目总预算" if name == "shanghai" else "预算数")
    row = schema["definitions"][f"{name}.row"]["oneOf"][1]["properties"]
    assert row["value"]["title"] == ("指标目标值" if name == "shanghai" else "指标值")


def test_schema_follows_the_cerberus_data(tmp_path: Path) -> None:
    """A field added to a jurisdiction's schema.yaml shows up with its label: no second copy to keep."""
    folder = tmp_path / "templates" / "tianjin"
    folder.mkdir(parents=True)
    (folder / "jurisdiction.yaml").write_text("extends: tianjin\n", encoding="utf-8")
    (folder / "schema.yaml").write_text(
        "fields:\n  funding_source: {type: string, meta: {label: 资金来源}}\n"
        "indicator:\n  standard: {type: string, nullable: true, meta: {label: 绩效标准}}\n",
        encoding="utf-8",
    )
    found = jurisdictions.load("tianjin", jurisdictions.search_path([tmp_path / "templates"]))
    assert list(unsupported_rules(build_schema(found))) == []
    schema = spec_schema(found)
    assert schema["properties"]["funding_source"]["title"] == "资金来源"
    row = schema["definitions"]["tianjin.row"]["oneOf"][1]["properties"]
    assert row["standard"]["title"] == "绩效标准"
    data = mutated(
        TJ,
        (("funding_source",), "中央"),
        (("indicators", "产出指标", "数量指标", "x"), {"value": "1", "standard": "计划标准"}),
    )
    assert errors(validator(schema), data) == []


@pytest.mark.parametrize("name", BUILTIN)
def test_every_cerberus_rule_of_the_builtins_is_exported(name: str) -> None:
    assert list(unsupported_rules(build_schema(jurisdictions.load(name)))) == []


def test_cli_prints_and_writes_the_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--jurisdiction", "tianjin"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["title"].startswith("绩效目标表项目说明")
    target = tmp_path / "specs" / "sheetgen.schema.json"
    assert main(["schema", "-o", str(target)]) == 0
    written = json.loads(target.read_text(encoding="utf-8"))
    assert len(written["anyOf"]) == 2
    assert main(["schema", "--jurisdiction", "hebei"]) == 1
    assert "找不到格式“hebei”" in capsys.readouterr().err


def test_modeline_points_from_the_spec_folder_to_the_schema(tmp_path: Path) -> None:
    unit = tmp_path / "specs" / "unit"
    unit.mkdir(parents=True)
    line = modeline(tmp_path / "specs" / "sheetgen.schema.json", unit)
    assert line == "# yaml-language-server: $schema=../sheetgen.schema.json"


def test_year_end_data_is_in_the_schema(schemas: dict[str, jsonschema.Draft7Validator]) -> None:
    """The editor knows the 自评 fields: the fixture specs with year-end data pass, each file on
    its own, and a misspelt year-end key or a wrong value is flagged."""
    fixture = REPO / "tests" / "fixtures" / "selfeval"
    paths = sorted(fixture.rglob("[0-9]*.yaml"))
    assert len(paths) == 5
    for path in paths:
        data = plain(yaml.safe_load(path.read_text(encoding="utf-8")))
        unit = "shanghai" if path.parent.name.startswith("sh-") else "tianjin"
        assert errors(schemas[unit], data) == [], path
        assert data.get("year_end")
    tianjin = next(p for p in paths if p.name.startswith("01-2025"))
    data = plain(yaml.safe_load(tianjin.read_text(encoding="utf-8")))
    row = ("indicators", "产出指标", "数量指标", "软件维护次数")
    assert errors(schemas["tianjin"], mutated(data, ((*row, "actaul"), "180次")))
    assert errors(schemas["tianjin"], mutated(data, ((*row, "points"), "很多")))
    assert errors(schemas["tianjin"], mutated(data, (("year_end", "spnet"), {"total": 1})))
    assert errors(schemas["tianjin"], mutated(data, ((*row, "not_applicable"), "也许")))
