"""What a clerk typed where text belongs prints exactly as typed, whatever YAML would make of it.

YAML reads ``0100`` as the number 100, ``007`` as 7, ``true`` as a boolean,
``~`` as nothing and ``2020-01-01 09:00:00`` as a timestamp.  Indicator names,
values and columns and the text header fields are text: the tables must show
the characters of the file.  Each test builds with the real command and reads
the .xlsx back with openpyxl and the .docx with python-docx.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import openpyxl
from docx import Document

from sheetgen.checking import check
from sheetgen.cli import main
from tests.conftest import SHANGHAI_SPEC, TIANJIN_DEFAULTS, TIANJIN_SPEC
from tests.validation.test_bad_input import line_of, only, replace

SHANGHAI_ROWS = """\
indicators:
  投入与管理:
    投入管理:
      预算编制合理性: 0100
      007: 合理
      true: 是
      null: 空值
      千分位: 1_000
      带时间: 2020-01-01 09:00:00
      正号: +5
      小数: 26.50
      指数: 1.5e3
      是否: True
      日期: 2020-01-01
      八进制: 0o17
"""
#: (三级目标, 指标目标值) exactly as the lines above write them
SHANGHAI_PRINTED = [
    ("预算编制合理性", "0100"), ("007", "合理"), ("true", "是"), ("null", "空值"), ("千分位", "1_000"),
    ("带时间", "2020-01-01 09:00:00"), ("正号", "+5"), ("小数", "26.50"), ("指数", "1.5e3"), ("是否", "True"),
    ("日期", "2020-01-01"), ("八进制", "0o17"),
]


def build(folder: Path, out: Path) -> None:
    assert main(["build", str(folder), "-o", str(out), "-j", "1", "-q"]) == 0


def xlsx_rows(path: Path) -> list[tuple[str, ...]]:
    sheet = openpyxl.load_workbook(path).active
    return [tuple("" if v is None else v for v in row) for row in sheet.iter_rows(values_only=True)]


def docx_texts(path: Path) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for table in Document(str(path)).tables for row in table.rows]


def shanghai_with_rows(rows: str = SHANGHAI_ROWS) -> str:
    return SHANGHAI_SPEC[: SHANGHAI_SPEC.index("indicators:")] + rows


def test_indicator_names_and_values_print_as_typed(unit_dir: Callable[..., Path], tmp_path: Path) -> None:
    folder = unit_dir(specs={"01-a.yaml": shanghai_with_rows()})
    assert [d.format() for d in check([folder]).diagnostics] == []
    build(folder, tmp_path / "out")
    rows = xlsx_rows(tmp_path / "out" / "unit" / "01-a.xlsx")
    pairs = [(r[2], r[3]) for r in rows if len(r) >= 4]
    assert [p for p in pairs if p in SHANGHAI_PRINTED] == SHANGHAI_PRINTED
    values = [r[3] for r in rows if len(r) >= 4 and (r[2], r[3]) in SHANGHAI_PRINTED]
    assert all(isinstance(v, str) for v in values), "an indicator value is text, never a number cell"
    words = [(r[2], r[3]) for r in docx_texts(tmp_path / "out" / "unit" / "01-a.docx") if len(r) >= 4]
    assert [p for p in words if p in SHANGHAI_PRINTED] == SHANGHAI_PRINTED


def test_text_header_fields_and_columns_print_as_typed(unit_dir: Callable[..., Path], tmp_path: Path) -> None:
    defaults = replace(TIANJIN_DEFAULTS, 'code: "263101"', "code: 0263101")
    spec = replace(TIANJIN_SPEC, "purpose: 用于司法救助", "purpose: 2020-01-01 09:00:00")
    spec = replace(spec, "  - 对遭受侵害导致生活困难的被害人进行救助。", "  - 0100\n  - true")
    spec = replace(spec, "description: 司法救助金总金额", "description: 1_000")
    folder = unit_dir(defaults, {"01-t.yaml": spec}, name="tj")
    assert [d.format() for d in check([folder]).diagnostics] == []
    build(folder, tmp_path / "out")
    rows = xlsx_rows(tmp_path / "out" / "tj" / "01-t.xlsx")
    texts = [v for row in rows for v in row if isinstance(v, str)]
    assert any("0263101" in t for t in texts), "单位编码 keeps its leading 0"
    assert "2020-01-01 09:00:00" in texts
    assert "1.0100\n2.true" in texts
    assert any(r[3] == "1_000" for r in rows), "绩效指标描述 as typed"
    document = tmp_path / "out" / "tj" / "01-t.docx"
    words = [t for row in docx_texts(document) for t in row] + [p.text for p in Document(str(document)).paragraphs]
    assert "2020-01-01 09:00:00" in words and any("0263101" in w for w in words) and "1_000" in words


def test_project_name_that_yaml_reads_as_a_number_is_text(unit_dir: Callable[..., Path], tmp_path: Path) -> None:
    spec = replace(SHANGHAI_SPEC, "name: 检察业务保障费", "name: 2020")
    folder = unit_dir(specs={"01-a.yaml": spec})
    assert [d.format() for d in check([folder]).diagnostics] == []
    build(folder, tmp_path / "out")
    assert any(row[1] == "2020" for row in xlsx_rows(tmp_path / "out" / "unit" / "01-a.xlsx"))


def test_a_tilde_value_is_reported_at_its_line_as_empty(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "预算执行率: =100%", "预算执行率: ~")
    d = only(check([unit_dir(specs={"01-a.yaml": spec})]).diagnostics, "empty-value")
    assert d.line == line_of(spec, "预算执行率: ~") and "“~”" in d.message and "引号" in d.message


def test_a_tilde_name_prints_as_typed(unit_dir: Callable[..., Path], tmp_path: Path) -> None:
    spec = replace(SHANGHAI_SPEC, "预算执行率: =100%", "~: =100%")
    folder = unit_dir(specs={"01-a.yaml": spec})
    assert check([folder]).errors == 0
    build(folder, tmp_path / "out")
    assert ("~", "=100%") in [(r[2], r[3]) for r in xlsx_rows(tmp_path / "out" / "unit" / "01-a.xlsx")]


def test_typed_fields_keep_their_types(unit_dir: Callable[..., Path], tmp_path: Path) -> None:
    """Amounts stay numbers, dates dates, 是/否 booleans: only text fields keep the written characters."""
    folder = unit_dir(specs={"01-a.yaml": shanghai_with_rows()})
    build(folder, tmp_path / "out")
    rows = xlsx_rows(tmp_path / "out" / "unit" / "01-a.xlsx")
    values = [v for row in rows for v in row]
    assert 100000 in values and 704000 in values
    assert dt.datetime(2020, 1, 1) in values and dt.datetime(2020, 12, 31) in values
    assert "否" in values  # government_purchase: false


# ----------------------------------------------------------------------------- invisible differences

def test_names_that_differ_only_by_invisible_characters_are_duplicates(unit_dir: Callable[..., Path]) -> None:
    for twin in ("预算执行率 ", "预算执行率\u00a0", "预算\u200b执行率", "\u3000预算执行率", "预算执行率\ufeff"):
        spec = replace(SHANGHAI_SPEC, "      预算执行率: =100%\n", f"      预算执行率: =100%\n      {twin}: =90%\n")
        d = only(check([unit_dir(specs={"01-a.yaml": spec})]).diagnostics, "duplicate-indicator")
        assert d.is_error and d.line == line_of(spec, "=90%"), repr(twin)
        assert "预算执行率" in d.message and f"第 {line_of(spec, '=100%')} 行" in d.message


def test_group_names_that_differ_only_by_invisible_characters_are_duplicates(unit_dir: Callable[..., Path]) -> None:
    twin = "  投入与管理\u00a0:\n    财务管理:\n      资金使用规范性: 规范\n"
    spec = replace(SHANGHAI_SPEC, "  效果目标:\n", twin + "  效果目标:\n")
    d = only(check([unit_dir(specs={"01-a.yaml": spec})]).diagnostics, "duplicate-key")
    assert d.is_error and d.line == line_of(spec, "投入与管理\u00a0")


def test_a_row_from_a_block_and_its_invisible_twin_in_the_spec_are_duplicates(
        unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "    投入管理:\n", "    include: ../_block.yaml\n    投入管理:\n")
    spec = replace(spec, "      预算执行率: =100%\n", "      预算执行率\u200b: =100%\n")
    folder = unit_dir(specs={"01-a.yaml": spec})
    (folder.parent / "_block.yaml").write_text("投入管理:\n  预算执行率: =95%\n", encoding="utf-8")
    found = check([folder]).diagnostics
    d = only(found, "duplicate-indicator")
    assert d.is_error and "预算执行率" in d.message
