"""A typo in a copied jurisdiction.yaml or schema.yaml is a Chinese message naming the file,
its line and the key -- never a traceback -- whichever command reads the jurisdiction."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from sheetgen import jurisdiction as jurisdictions
from sheetgen.checking import check
from sheetgen.cli import main
from sheetgen.errors import Diagnostic, JurisdictionError
from sheetgen.jurisdiction import shape
from sheetgen.spec.yamlload import Positions, load_yaml
from tests.conftest import REPO, SHANGHAI_SPEC


def copied(specs: Path, name: str = "shanghai") -> Path:
    """Return a copy of a built-in jurisdiction in ``specs/templates`` (overriding the built-in)."""
    folder = specs / "templates" / name
    shutil.copytree(REPO / "templates" / name, folder)
    return folder


def edit(path: Path, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` in ``path``; return the line the edit is on."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def problems(folder: Path) -> list[Diagnostic]:
    return check([folder]).diagnostics


def in_file(found: list[Diagnostic], name: str) -> list[Diagnostic]:
    return [d for d in found if Path(d.path).name == name]


@pytest.fixture
def unit(unit_dir: Callable[..., Path]) -> Path:
    return unit_dir(specs={"01-a.yaml": SHANGHAI_SPEC, "02-b.yaml": SHANGHAI_SPEC})


def test_a_type_typo_names_schema_yaml_its_line_and_the_key(unit: Path) -> None:
    schema = copied(unit.parent) / "schema.yaml"
    line = edit(schema, "category:\n    {type: string,", "category:\n    {type: strin,") + 1
    found = problems(unit)
    d, = in_file(found, "schema.yaml")
    assert d.is_error and d.line == line and d.path.endswith("templates/shanghai/schema.yaml")
    assert d.yaml_path == "fields.category.type" and "strin" in d.message and "string" in d.message
    assert all(not s.ok for s in check([unit]).specs), "no spec is checked against a broken format"
    spec_side, = [x for x in found if x.code == "jurisdiction-invalid"]  # where the unit names its format
    assert Path(spec_side.path).name == "_defaults.yaml" and "schema.yaml" in spec_side.message


def test_a_section_that_is_not_a_mapping(unit: Path) -> None:
    schema = copied(unit.parent) / "schema.yaml"
    text = schema.read_text(encoding="utf-8")
    body = text[text.index("fields:"): text.index("budget:")]
    schema.write_text(text.replace(body, "fields: 5\n"), encoding="utf-8")
    d, = in_file(problems(unit), "schema.yaml")
    assert d.line == text[: text.index("fields:")].count("\n") + 1 and d.yaml_path == "fields"
    assert "映射" in d.message and "“5”" in d.message


@pytest.mark.parametrize(("old", "new", "path", "words"), [
    ("{type: date, required: true,", "{typ: date, required: true,", "fields.start_date.typ", ("不认识的规则", "type")),
    ("{type: boolean, required: true,", "{type: boolean, required: yes,", "fields.government_purchase.required",
     ("true", "false")),
    ("total: {type: decimal, required: true, nullable: true, min: 0,",
     "total: {type: decimal, required: true, nullable: true, min: 零,", "budget.total.min", ("数字",)),
    ("current_year: {type: decimal,", "current_year: {type: decimal, coerce: mony,", "budget.current_year.coerce",
     ("mony", "money")),
    ("meta: {label: 项目概况, long_text: true}", "meta: {label: [项目, 概况], long_text: true}",
     "fields.overview.meta.label", ("文字",)),
])
def test_rule_typos_in_schema_yaml(unit: Path, old: str, new: str, path: str, words: tuple[str, ...]) -> None:
    schema = copied(unit.parent) / "schema.yaml"
    line = edit(schema, old, new)
    d, = in_file(problems(unit), "schema.yaml")
    assert d.is_error and d.line == line and d.yaml_path == path, d.format()
    assert all(w in d.message for w in words), d.message


@pytest.mark.parametrize(("old", "new", "path", "words"), [
    ("levels:\n  level1:", "levles:\n  level1:", "levles", ("不认识", "levels")),
    ("  level1: [投入与管理, 产出目标, 效果目标, 影响力目标]", "  level1: 投入与管理", "levels.level1", ("列表",)),
    ('  unit: 元            # 金额单位', '  unit: 圆            # 金额单位', "money.unit", ("元", "万元")),
    ("format_year: 2020", "format_year: 二〇二〇", "format_year", ("整数",)),
    ("  - {key: value, label: 指标目标值}", "  - {key: value, lable: 指标目标值}", "indicator_columns.1.lable",
     ("label",)),
])
def test_typos_in_jurisdiction_yaml(unit: Path, old: str, new: str, path: str, words: tuple[str, ...]) -> None:
    description = copied(unit.parent) / "jurisdiction.yaml"
    line = edit(description, old, new)
    found = in_file(problems(unit), "jurisdiction.yaml")
    d = next(x for x in found if x.yaml_path == path)
    assert d.is_error and d.line == line, d.format()
    assert all(w in d.message for w in words), d.message


def test_yaml_syntax_error_in_a_jurisdiction_file(unit: Path) -> None:
    description = copied(unit.parent) / "jurisdiction.yaml"
    line = edit(description, "title: 上海市财政项目支出绩效目标表", "title: [上海市财政项目支出绩效目标表")
    d, = in_file(problems(unit), "jurisdiction.yaml")
    assert d.is_error and d.line >= line and d.code.startswith("yaml")


def test_a_budget_rule_naming_a_field_that_does_not_exist(unit_dir: Callable[..., Path]) -> None:
    from tests.conftest import TIANJIN_DEFAULTS, TIANJIN_SPEC

    folder = unit_dir(TIANJIN_DEFAULTS, {"01-t.yaml": TIANJIN_SPEC}, name="tj")
    schema = copied(folder.parent, "tianjin") / "schema.yaml"
    line = edit(schema, "budget_sum: {total: total, parts: [fiscal, other]}",
                "budget_sum: {total: total, parts: [fiscl, other]}")
    d, = in_file(problems(folder), "schema.yaml")
    assert d.line == line and "fiscl" in d.message and "fiscal" in d.message


def test_every_command_reports_a_broken_jurisdiction_without_a_traceback(
        unit: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    specs = unit.parent
    schema = copied(specs) / "schema.yaml"
    edit(schema, "category:\n    {type: string,", "category:\n    {type: strin,")
    with pytest.raises(JurisdictionError) as raised:
        jurisdictions.load("shanghai", jurisdictions.search_path([specs / "templates"]))
    assert "schema.yaml" in str(raised.value) and "strin" in str(raised.value)
    assert raised.value.diagnostics and raised.value.diagnostics[0].yaml_path == "fields.category.type"
    codes = [
        main(["check", str(specs)]),
        main(["build", str(specs), "-o", str(tmp_path / "out"), "-j", "1"]),
        main(["schema", "--specs", str(specs), "--jurisdiction", "shanghai"]),
        main(["new", "新项目", "-o", str(unit)]),
        main(["templates", "list", "--specs", str(specs)]),
    ]
    printed = capsys.readouterr()
    assert "Traceback" not in printed.out + printed.err
    assert codes[:4] == [1, 1, 1, 1] and codes[4] in (0, 1)
    assert "strin" in printed.err + printed.out and not list((tmp_path / "out").rglob("*.xlsx"))


def test_the_built_in_jurisdictions_have_no_problems() -> None:
    """Loading skips the shape check of sheetgen's own description files (folders.shipped):
    this is where they are checked."""
    for name in jurisdictions.available([jurisdictions.builtin_dir()]):
        jurisdictions.load(name)
        folder = jurisdictions.builtin_dir() / name
        for filename in (jurisdictions.DESCRIPTION, jurisdictions.SCHEMA):
            loaded = load_yaml((folder / filename).read_bytes(), str(folder / filename))
            assert not loaded.diagnostics and shape.problems(filename, loaded.data, loaded.positions) == []


def test_only_a_users_description_files_are_shape_checked_as_they_load(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []
    real = shape.problems

    def counted(filename: str, data: object, positions: Positions) -> list[Diagnostic]:
        checked.append(positions.file)
        return real(filename, data, positions)

    monkeypatch.setattr(shape, "problems", counted)
    builtin = jurisdictions.load("shanghai")
    assert checked == [] and jurisdictions.shipped(builtin.folder)
    copy = copied(tmp_path)
    # a copy never edited holds sheetgen's own files, byte for byte: checked by this suite already
    unedited = jurisdictions.load("shanghai", jurisdictions.search_path([copy.parent]))
    assert unedited.folder == copy and checked == [] and jurisdictions.shipped(copy) and unedited.shipped
    with (copy / jurisdictions.SCHEMA).open("a", encoding="utf-8") as schema:
        schema.write("# 本地修改\n")
    own = jurisdictions.load("shanghai", jurisdictions.search_path([copy.parent]))
    assert [Path(f).name for f in checked] == [jurisdictions.DESCRIPTION, jurisdictions.SCHEMA]
    assert not jurisdictions.shipped(own.folder) and own.fields == builtin.fields
    assert builtin.shipped and not own.shipped


@pytest.mark.parametrize("change", ["one byte", "a file more", "a file less", "another name"])
def test_a_folder_is_sheetgens_own_only_with_its_files_byte_for_byte(change: str, tmp_path: Path) -> None:
    copy = copied(tmp_path)
    assert jurisdictions.shipped(copy)
    if change == "one byte":
        data = bytearray((copy / "table.docx").read_bytes())
        data[-1] ^= 1
        (copy / "table.docx").write_bytes(bytes(data))
    elif change == "a file more":
        (copy / "说明.txt").write_text("本地格式", encoding="utf-8")
    elif change == "a file less":
        (copy / "skeletons.yaml").unlink()
    else:
        copy = copy.rename(copy.parent / "shanghai2")
    assert not jurisdictions.shipped(copy)


def test_a_limit_naming_a_field_that_does_not_exist(unit: Path) -> None:
    schema = copied(unit.parent) / "schema.yaml"
    line = edit(schema, "{field: budget.current_year, limit: budget.total}",
                "{field: budget.current_year, limit: budget.totl}")
    d, = in_file(problems(unit), "schema.yaml")
    assert d.line == line and d.yaml_path == "rules.at_most.0.limit" and "budget.total" in d.message


def test_a_plausible_range_without_a_unit(unit: Path) -> None:
    description = copied(unit.parent) / "jurisdiction.yaml"
    line = edit(description, "plausible: {min: 1000元, max: 10亿元}", "plausible: {min: 1000元, max: 1000000000}")
    d, = in_file(problems(unit), "jurisdiction.yaml")
    assert d.line == line and d.yaml_path == "money.plausible.max" and "10亿元" in d.message
