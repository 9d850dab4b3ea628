"""A new province's format without code: ``sheetgen templates copy`` a
built-in folder, edit its files (an extra header field, an extra indicator
column), and the values flow from the spec to the Word and Excel output: the
simplest case of docs/guide.md §9, whose whole worked example (a Hunan-style
format) is tests/authoring/test_copied_format.py."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import yaml
from docx import Document
from docx.shared import Cm

from sheetgen.authoring.templates_cmd import copy_jurisdiction, list_jurisdictions, override_dirs
from sheetgen.build.runner import BuildOptions, run_build
from sheetgen.checking import check
from sheetgen.cli import main
from sheetgen.errors import SheetgenError

SPEC = """\
name: 2026年检察业务经费项目
funding_source: 中央财政转移支付
budget:
  total: 20.00
  fiscal: 20.00
  other:
purpose: 用于检察业务
targets:
  - 保障办案工作顺利开展。
indicators:
  产出指标:
    数量指标:
      办案数量:
        description: 全年办理案件数
        standard: 计划标准
        value: ≥500件
    时效指标:
      办结及时率: ≥95%
  满意度指标:
    服务对象满意度指标:
      干警满意度:
        description: 检察干警满意度
        standard: 行业标准
        value: ≥90%
"""


def make_hebei(specs: Path) -> Path:
    """Copy tianjin to specs/templates/hebei and edit it as the guide says; return the folder."""
    folder = specs / "templates" / "hebei"
    assert main(["templates", "copy", "tianjin", str(folder), "--specs", str(specs)]) == 0

    description = yaml.safe_load((folder / "jurisdiction.yaml").read_text(encoding="utf-8"))
    description["title"] = "河北省项目绩效目标表"
    description["format_year"] = 2026
    columns = description["indicator_columns"]
    columns.insert(len(columns) - 1, {"key": "standard", "label": "绩效标准"})
    (folder / "jurisdiction.yaml").write_text(
        yaml.safe_dump(description, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )

    schema = yaml.safe_load((folder / "schema.yaml").read_text(encoding="utf-8"))
    schema["fields"]["funding_source"] = {
        "type": "string",
        "required": True,
        "nullable": True,
        "meta": {"label": "资金来源"},
    }
    schema["indicator"]["standard"] = {"type": "string", "nullable": True, "meta": {"label": "绩效标准"}}
    (folder / "schema.yaml").write_text(yaml.safe_dump(schema, allow_unicode=True, sort_keys=False), encoding="utf-8")

    document = Document(str(folder / "table.docx"))
    header, table = document.tables
    row = header.add_row()
    row.cells[0].text = "资金来源"
    merged = row.cells[1].merge(row.cells[2])
    merged.text = "{{ project.funding_source }}"
    table.add_column(Cm(2.5))
    table.rows[0].cells[-1].text = "绩效标准"
    data_row = next(r for r in table.rows if "{{ row.value }}" in "".join(c.text for c in r.cells))
    data_row.cells[-1].text = "{{ row.standard }}"
    document.save(str(folder / "table.docx"))

    book = openpyxl.load_workbook(folder / "table.xlsx")
    sheet = book.active
    assert sheet["E9"].value == "指标值" and sheet["E11"].value == "{{ row.value }}"
    sheet["F9"] = "绩效标准"
    sheet["F11"] = "{{ row.standard }}"
    sheet["A13"] = "资金来源"
    sheet["B13"] = "{{ project.funding_source }}"
    sheet.merge_cells("B13:F13")
    sheet.column_dimensions["F"].width = 12
    book.save(folder / "table.xlsx")
    return folder


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    unit = tmp_path / "specs" / "hb-unit"
    unit.mkdir(parents=True)
    (unit / "_defaults.yaml").write_text(
        "jurisdiction: hebei\nyear: 2026\nunit:\n  name: 河北省某检察院\n", encoding="utf-8"
    )
    (unit / "01-经费.yaml").write_text(SPEC, encoding="utf-8")
    return tmp_path / "specs"


def test_copied_and_edited_jurisdiction_prints_the_new_field_and_column(specs: Path, tmp_path: Path) -> None:
    make_hebei(specs)
    entries = {e.name: e for e in list_jurisdictions(override_dirs(specs))}
    assert entries["hebei"].title == "河北省项目绩效目标表" and not entries["hebei"].builtin
    assert entries["hebei"].format_year == "2026" and entries["tianjin"].builtin

    report = check([specs])
    assert report.errors == 0 and report.warnings == 0, [d.format() for d in report.diagnostics]

    out = tmp_path / "out"
    summary = run_build(BuildOptions(paths=(specs,), output=out, formats=("docx", "xlsx"), jobs=1))
    assert (summary.built, summary.failed) == (1, 0), summary.failures

    document = Document(str(out / "hb-unit" / "01-经费.docx"))
    header, table = document.tables
    assert [c.text for c in header.rows[-1].cells][:2] == ["资金来源", "中央财政转移支付"]
    texts = [[c.text for c in row.cells] for row in table.rows]
    assert texts[0][-1] == "绩效标准"
    by_name = {row[2]: row for row in texts[1:]}
    assert by_name["办案数量"][-1] == "计划标准" and by_name["办案数量"][-2] == "≥500件"
    assert by_name["干警满意度"][-1] == "行业标准"
    assert by_name["办结及时率"][-1] == ""  # a compact row has no 绩效标准: the cell stays empty

    sheet = openpyxl.load_workbook(out / "hb-unit" / "01-经费.xlsx").active
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert sheet.cell(cells["绩效标准"].row, 6).value == "绩效标准"
    assert sheet.cell(cells["办案数量"].row, 6).value == "计划标准"
    assert sheet.cell(cells["干警满意度"].row, 6).value == "行业标准"
    assert sheet.cell(cells["资金来源"].row, 2).value == "中央财政转移支付"
    assert cells["资金来源"].row > cells["干警满意度"].row


def test_new_field_is_validated_and_to_fill_when_blank(specs: Path) -> None:
    make_hebei(specs)
    spec = specs / "hb-unit" / "01-经费.yaml"
    spec.write_text(
        SPEC.replace("funding_source: 中央财政转移支付", "funding_source:").replace(
            "standard: 计划标准", "standrd: 计划标准"
        ),
        encoding="utf-8",
    )
    found = sorted((d.code, d.yaml_path) for d in check([specs]).diagnostics)
    assert found == [("to-fill", "funding_source"), ("unknown-field", "indicators.产出指标.数量指标.办案数量.standrd")]


def test_copy_refuses_to_overwrite_and_says_where_it_must_live(specs: Path, tmp_path: Path) -> None:
    make_hebei(specs)
    with pytest.raises(SheetgenError, match="已存在"):
        copy_jurisdiction("tianjin", specs / "templates" / "hebei", override_dirs(specs))
    elsewhere = copy_jurisdiction("shanghai", tmp_path / "somewhere" / "sh2", override_dirs(specs))
    assert any("templates/" in note for note in elsewhere.notes)
    assert (tmp_path / "somewhere" / "sh2" / "table.docx").is_file()
    with pytest.raises(SheetgenError, match="找不到格式"):
        copy_jurisdiction("nosuch", tmp_path / "x", override_dirs(specs))
    assert main(["templates", "copy", "tianjin", str(specs / "templates" / "hebei"), "--specs", str(specs)]) == 1


def test_list_shows_overrides(specs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy_jurisdiction("shanghai", specs / "templates" / "shanghai", override_dirs(specs))
    assert main(["templates", "list", "--specs", str(specs)]) == 0
    lines = capsys.readouterr().out.splitlines()
    shanghai = next(line for line in lines if line.startswith("shanghai"))
    assert "（与内置的相同）" in shanghai and "templates/shanghai" in shanghai
    (specs / "templates" / "shanghai" / "jurisdiction.yaml").write_text(
        "extends: shanghai\ntitle: 上海（本单位）\n", encoding="utf-8"
    )
    assert main(["templates", "list", "--specs", str(specs)]) == 0
    shanghai = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("shanghai"))
    assert "上海（本单位）" in shanghai and "代替内置的同名格式" in shanghai and "基于 shanghai" in shanghai
    assert any(line.startswith("tianjin") and "来源：内置" in line for line in lines)
