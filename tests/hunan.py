"""A new province's format made the way docs/guide.md tells a format author to: ``sheetgen
templates copy tianjin``, then edits to its files -- a Hunan-style 项目支出绩效目标表 with an
extra header field (主管部门), an extra indicator column (备注), a label column 本年度绩效指标
merged down the left of the whole indicator block, 一级 printed on every row (unmerged), and
empty 二级 groups in its specs.  python-docx and openpyxl stand in for Word and Excel; each
step is one a person does there (insert a row or column, merge cells, type a tag).  (The Tianjin
Word template carries no page footer to remove.)

Holds no tests itself: tests/authoring/test_copied_format.py and the import tests use it.
"""

from __future__ import annotations

import copy
from pathlib import Path

import openpyxl
import yaml
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.table import Table
from openpyxl.worksheet.worksheet import Worksheet

from sheetgen.cli import main

LABEL = "本年度绩效指标"
DEFAULTS = "jurisdiction: hunan\nyear: 2026\nunit:\n  code: \"430101\"\n  name: 湖南省某县人民检察院\n"
SPEC = """\
name: 2026年检察业务经费项目
department: 湖南省人民检察院
budget:
  total: 20.00
  fiscal: 18.00
  other: 2.00
purpose: 用于检察业务
targets:
  - 保障办案工作顺利开展。
  - 提升办案质量。
indicators:
  产出指标:
    数量指标:
      办案数量:
        description: 全年办理案件数
        value: ≥500件
        note: 以案管系统统计为准
      培训人次:
        description: 业务培训人次
        value: ≥60人次
    质量指标:
      案件质量合格率:
        description: 案件质量评查合格率
        value: ≥95%
    时效指标:
      办结及时率:
        description: 案件按期办结率
        value: ≥95%
    成本指标:
      项目总成本:
        description: 项目总成本
        value: ≤20万元
  效益指标:
    经济效益指标:
    社会效益指标:
      司法公信力:
        description: 群众对司法工作的认可程度
        value: 稳步提升
        note: 以年度测评为准
    生态效益指标: {}
    可持续影响指标:
  满意度指标:
    服务对象满意度指标:
      干警满意度:
        description: 检察干警满意度
        value: ≥90%
"""
SECOND = """\
name: 2026年检察信息化运维项目
department: 湖南省人民检察院
budget:
  total: 12.50
  fiscal: 12.50
  other:
purpose: 用于信息化运维
targets:
  - 保障信息系统正常运行。
indicators:
  产出指标:
    数量指标:
      运维次数:
        description: 全年运维次数
        value: ≥12次
    时效指标:
      故障响应时间:
        description: 故障响应时间
        value: ≤24小时
  效益指标:
    经济效益指标:
    社会效益指标:
      办案效率:
        description: 信息化对办案效率的提升
        value: 提升
    生态效益指标:
    可持续影响指标:
  满意度指标:
    服务对象满意度指标:
      干警满意度:
        description: 检察干警满意度
        value: ≥95%
"""
#: Column widths (mm) of the rebuilt Word indicator table: label, 一级, 二级, 三级, 描述, 指标值, 备注.
WORD_WIDTHS = (12, 18, 24, 28, 32, 24, 22)
EXCEL_WIDTHS = (6.5, 9.0, 11.0, 13.0, 16.0, 12.0, 11.0)


def make_hunan(specs: Path) -> Path:
    """Return specs/templates/hunan after copying tianjin there and editing it as the guide does."""
    folder = specs / "templates" / "hunan"
    assert main(["templates", "copy", "tianjin", str(folder), "--specs", str(specs)]) == 0
    _description(folder)
    _schema(folder)
    _word(folder / "table.docx")
    _excel(folder / "table.xlsx")
    return folder


def make_unit(specs: Path, name: str = "hn-unit") -> Path:
    """Return a unit folder of two Hunan projects under ``specs``."""
    unit = specs / name
    unit.mkdir(parents=True)
    (unit / "_defaults.yaml").write_text(DEFAULTS, encoding="utf-8")
    (unit / "01-经费.yaml").write_text(SPEC, encoding="utf-8")
    (unit / "02-运维.yaml").write_text(SECOND, encoding="utf-8")
    return unit


# ----------------------------------------------------------------------------- the two description files


def _description(folder: Path) -> None:
    path = folder / "jurisdiction.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["title"] = "湖南省项目支出绩效目标表"
    data["format_year"] = 2026
    data["indicator_columns"].append({"key": "note", "label": "备注"})
    data["field_order"] = ["department", *data["field_order"]]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _schema(folder: Path) -> None:
    path = folder / "schema.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["fields"] = {"department": {"type": "string", "required": True, "nullable": True,
                                     "meta": {"label": "主管部门"}}, **data["fields"]}
    data["indicator"]["note"] = {"type": "string", "nullable": True, "meta": {"label": "备注"}}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


# ----------------------------------------------------------------------------- Word


def _cells(tr: object) -> list:  # the w:tc elements of a w:tr
    return tr.findall(qn("w:tc"))  # type: ignore[attr-defined]


def _insert_left_column(table: Table) -> None:
    """Insert an empty column on the left, as Word's 在左侧插入列 does."""
    grid = table._tbl.tblGrid
    grid.insert(0, copy.deepcopy(grid[0]))
    for tr in table._tbl.tr_lst:
        first = _cells(tr)[0]
        cell = copy.deepcopy(first)
        tc_pr = cell.find(qn("w:tcPr"))
        for tag in ("w:gridSpan", "w:vMerge", "w:shd"):
            for node in tc_pr.findall(qn(tag)):
                tc_pr.remove(node)
        for paragraph in cell.findall(qn("w:p"))[1:]:
            cell.remove(paragraph)
        for run in cell.findall(qn("w:p"))[0].findall(qn("w:r")):
            run.getparent().remove(run)
        first.addprevious(cell)


def _set_widths(table: Table, widths_mm: tuple[float, ...]) -> None:
    """Give the grid and every cell the column widths ``widths_mm`` (a merged cell: their sum)."""
    twips = [int(Mm(w).twips) for w in widths_mm]
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), twips, strict=True):
        col.set(qn("w:w"), str(width))
    for tr in table._tbl.tr_lst:
        at = 0
        for tc in _cells(tr):
            span_node = tc.find(qn("w:tcPr")).find(qn("w:gridSpan"))
            span = int(span_node.get(qn("w:val"))) if span_node is not None else 1
            tc_w = tc.find(qn("w:tcPr")).find(qn("w:tcW"))
            tc_w.set(qn("w:w"), str(sum(twips[at : at + span])))
            tc_w.set(qn("w:type"), "dxa")
            at += span


def _word(path: Path) -> None:
    document = Document(str(path))
    header, table = document.tables
    # a header field: a new row 主管部门 under 项目名称
    row = header.add_row()
    row.cells[0].text = "主管部门"
    row.cells[1].merge(row.cells[2]).text = "{{ project.department }}"
    header.rows[0]._tr.addnext(row._tr)
    # the indicator table rebuilt: label column on the left, 备注 on the right, 一级 on every row
    _insert_left_column(table)
    table.add_column(Mm(20))
    _set_widths(table, WORD_WIDTHS)
    table.cell(0, 0).merge(table.cell(3, 0))  # merge first, then type: Word moves merged text up
    table.cell(0, 0).paragraphs[0].add_run(LABEL)
    table.cell(0, 6).paragraphs[0].add_run("备注")
    data = table.rows[2]
    data.cells[6].paragraphs[0].add_run("{{ row.note }}")
    for paragraph in data.cells[1].paragraphs:
        for run in paragraph.runs:
            run.text = run.text.replace("{%vm row.level1 %}", "{{ row.level1 }}")
    document.save(str(path))


# ----------------------------------------------------------------------------- Excel


def _move(ws: Worksheet, ref: str, rows: int = 0, cols: int = 0) -> None:
    """Move the cells of ``ref`` with their merges, as cutting and pasting in Excel does."""
    box = openpyxl.utils.cell.range_boundaries(ref)
    inside = [str(m) for m in ws.merged_cells.ranges
              if box[0] <= m.min_col and m.max_col <= box[2] and box[1] <= m.min_row and m.max_row <= box[3]]
    for merged in inside:
        ws.unmerge_cells(merged)
    ws.move_range(ref, rows=rows, cols=cols)
    for merged in inside:
        c1, r1, c2, r2 = openpyxl.utils.cell.range_boundaries(merged)
        ws.merge_cells(start_row=r1 + rows, start_column=c1 + cols, end_row=r2 + rows, end_column=c2 + cols)


def _style(ws: Worksheet, target: str, source: str) -> None:
    ws[target]._style = copy.copy(ws[source]._style)


def _excel(path: Path) -> None:
    book = openpyxl.load_workbook(path)
    ws = book.active
    # a header field: insert a row 主管部门 under 项目名称 (row 3)
    _move(ws, "A4:E12", rows=1)
    ws["A4"], ws["B4"] = "主管部门", "{{ project.department }}"
    for col in "ABCDE":
        _style(ws, f"{col}4", f"{col}3")
    ws.merge_cells("B4:E4")
    # the indicator block (header 10, loop 11-13) moves one column right for the label column
    _move(ws, "A10:E13", cols=1)
    ws["A10"] = LABEL
    for row in (10, 11, 12):
        _style(ws, f"A{row}", "B10")
    ws.merge_cells("A10:A12")  # across the {%tr for %} row: it stretches with the rows
    ws["G10"], ws["G12"] = "备注", "{{ row.note }}"
    _style(ws, "G10", "F10")
    _style(ws, "G12", "E12")
    ws["B12"] = "{{ row.level1 }}"  # 一级 on every row, not merged
    # everything above the table now spans seven columns
    for merged in [m for m in ws.merged_cells.ranges if m.max_col == 5 and m.max_row < 10]:
        ref = str(merged)
        ws.unmerge_cells(ref)
        ws.merge_cells(start_row=merged.min_row, start_column=merged.min_col, end_row=merged.max_row, end_column=7)
    for row in range(3, 10):
        for col in "FG":
            _style(ws, f"{col}{row}", f"E{row}")
    for letter, width in zip("ABCDEFG", EXCEL_WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    ws.print_title_rows = "10:10"
    book.save(path)


def long_spec(per_group: int = 9) -> str:
    """Return the first project with ``per_group`` more rows in each group that has rows, long
    enough to print on several pages."""
    data = yaml.safe_load(SPEC)
    for groups in data["indicators"].values():
        for level2, rows in groups.items():
            for i in range(per_group if rows else 0):
                rows[f"{level2}第{i + 1}项"] = {"description": f"{level2}的第{i + 1}项，说明较长，在格子里换行",
                                              "value": "≥95%"}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
