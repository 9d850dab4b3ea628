"""A label column merged over the whole indicator block (本年度绩效指标 down the left, as Hunan
and Hubei print it), in Word and Excel: the merge stretches with the rows however many there
are, and where a page breaks it continues on the new page with its label."""

from __future__ import annotations

import io
import itertools
import sys
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from docx.table import Table

from sheetgen import jurisdiction as jurisdictions
from sheetgen.errors import TemplateError
from sheetgen.jurisdiction import Jurisdiction
from sheetgen.render.docx import compile_docx
from sheetgen.render.xlsx import compile_xlsx

sys.path.insert(0, str(Path(__file__).parent))

from test_docx_engine import raw_rows, vmerge
from test_pages import stress_project
from test_xlsx_support import SHANGHAI_TREE, project, shanghai_header

LABEL = "本年度绩效指标"
HEADER = ["一级目标", "二级目标", "三级目标", "指标目标值"]
CELLS = {
    "A1": "{{ project.name }}",
    "A2": LABEL, "B2": HEADER[0], "C2": HEADER[1], "D2": HEADER[2], "E2": HEADER[3],
    "B3": "{%tr for row in rows %}",
    "B4": "{%vm row.level1 %}", "C4": "{%vm row.level2 %}", "D4": "{{ row.name }}", "E4": "{{ row.value }}",
    "B5": "{%tr endfor %}",
    "A6": "共 {{ rows|length }} 项",
}


def labelled(tmp_path: Path, label_rows: str = "A2:A4") -> Jurisdiction:
    """Return a format extending shanghai whose templates have a label column: in Excel
    ``label_rows`` merged (across the loop marker row), in Word the first column merged down
    from the header row over the loop rows."""
    folder = tmp_path / "templates" / "labelled"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "jurisdiction.yaml").write_text("extends: shanghai\n", encoding="utf-8")
    book = openpyxl.Workbook()
    sheet = book.active
    for ref, text in CELLS.items():
        sheet[ref] = text
    sheet.merge_cells(label_rows)
    book.save(folder / "table.xlsx")

    document = Document()
    document.add_paragraph("{{ project.name }}")
    table = document.add_table(rows=4, cols=5)
    table.rows[0].cells[0].merge(table.rows[3].cells[0])  # merge first: Word moves merged cells' text up
    from docx.oxml import OxmlElement

    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    texts = [[LABEL, *HEADER], ["", "{%tr for row in rows %}"],
             ["", "{%vm row.level1 %}", "{%vm row.level2 %}", "{{ row.name }}", "{{ row.value }}"],
             ["", "{%tr endfor %}"]]
    for row, line in zip(table.rows, texts, strict=True):
        for index, text in enumerate(line):
            if index and text:
                row.cells[index].text = text
    table.rows[0].cells[0].paragraphs[0].text = LABEL
    document.add_paragraph("共 {{ rows|length }} 项")
    document.save(str(folder / "table.docx"))
    return jurisdictions.load("labelled", jurisdictions.search_path([tmp_path / "templates"]))


def merged_ranges(sheet: openpyxl.worksheet.worksheet.Worksheet, col: int) -> list[tuple[int, int]]:
    return sorted((m.min_row, m.max_row) for m in sheet.merged_cells.ranges if m.min_col == col == m.max_col)


def test_excel_label_column_stretches_over_every_indicator_row(tmp_path: Path) -> None:
    jurisdiction = labelled(tmp_path)
    item = project(shanghai_header(), SHANGHAI_TREE)
    count = len(list(item.iter_rows()))
    sheet = openpyxl.load_workbook(io.BytesIO(compile_xlsx(jurisdiction).render([item], jurisdiction))).active
    assert merged_ranges(sheet, 1) == [(2, 2 + count)]
    assert sheet["A2"].value == LABEL and [sheet.cell(2, c).value for c in range(2, 6)] == HEADER
    assert [sheet.cell(3 + i, 4).value for i in range(count)] == [r.name for r in item.iter_rows()]
    assert sheet.cell(3 + count, 1).value == f"共 {count} 项"  # what follows the loop moves below it
    few = project(shanghai_header(), {"投入与管理": {"投入管理": {"预算执行率": "=100%"}}})
    sheet = openpyxl.load_workbook(io.BytesIO(compile_xlsx(jurisdiction).render([few], jurisdiction))).active
    assert merged_ranges(sheet, 1) == [(2, 3)] and sheet["A4"].value == "共 1 项"


def test_excel_label_column_ending_below_the_loop_stretches_too(tmp_path: Path) -> None:
    jurisdiction = labelled(tmp_path, "A2:A5")  # down to the {%tr endfor %} row
    item = project(shanghai_header(), SHANGHAI_TREE)
    count = len(list(item.iter_rows()))
    sheet = openpyxl.load_workbook(io.BytesIO(compile_xlsx(jurisdiction).render([item], jurisdiction))).active
    assert merged_ranges(sheet, 1) == [(2, 2 + count)]


def test_excel_label_column_continues_with_its_label_on_every_page(tmp_path: Path) -> None:
    jurisdiction = labelled(tmp_path)
    item = stress_project()
    count = len(list(item.iter_rows()))
    sheet = openpyxl.load_workbook(io.BytesIO(compile_xlsx(jurisdiction).render([item], jurisdiction))).active
    starts = sorted(b.id + 1 for b in sheet.row_breaks.brk)
    assert len(starts) >= 3
    pieces = merged_ranges(sheet, 1)
    assert pieces[0][0] == 2 and pieces[-1][1] == 2 + count  # together they cover the block
    assert all(b[0] == a[1] + 1 for a, b in itertools.pairwise(pieces))
    assert [first for first, _ in pieces[1:]] == [s for s in starts if s > 2]  # cut exactly at the breaks
    assert all(sheet.cell(first, 1).value == LABEL for first, _ in pieces)
    # the 二级 groups still move to the next page whole (the label column does not keep the block together)
    rows = list(item.iter_rows())
    assert all(rows[s - 3].level2.start or rows[s - 3].level2.text.startswith("数量") for s in starts if s > 2)


def word_indicator_tables(blob: bytes) -> list[Table]:
    return [t for t in Document(io.BytesIO(blob)).tables if raw_rows(t)[0][0].text == LABEL]


def test_word_label_column_stretches_over_every_indicator_row(tmp_path: Path) -> None:
    jurisdiction = labelled(tmp_path)
    item = project(shanghai_header(), SHANGHAI_TREE)
    (table,) = word_indicator_tables(compile_docx(jurisdiction).render([item], jurisdiction))
    rows = raw_rows(table)
    assert len(rows) == 1 + len(list(item.iter_rows()))
    assert vmerge(rows[0][0]) == "restart" and all(vmerge(r[0]) == "continue" for r in rows[1:])


def test_word_label_column_continues_from_the_repeated_header_on_every_page(tmp_path: Path) -> None:
    jurisdiction = labelled(tmp_path)
    item = stress_project()
    tables = word_indicator_tables(compile_docx(jurisdiction).render([item], jurisdiction))
    assert len(tables) >= 3
    names = []
    for table in tables:
        rows = raw_rows(table)
        assert [c.text for c in rows[0]] == [LABEL, *HEADER]
        # the label restarts in the header row only: a second restart would print it twice
        assert vmerge(rows[0][0]) == "restart" and all(vmerge(r[0]) == "continue" for r in rows[1:])
        assert vmerge(rows[1][1]) == "restart" and rows[1][1].text  # the 一级 merge restarts with its label
        names += [r[3].text for r in rows[1:]]
    assert names == [r.name for r in item.iter_rows()]


@pytest.mark.parametrize("merge", ["A4:A6"])
def test_excel_merge_from_inside_the_loop_past_its_end_is_refused(tmp_path: Path, merge: str) -> None:
    with pytest.raises(TemplateError, match="循环里面开始"):
        compile_xlsx(labelled(tmp_path, merge))
