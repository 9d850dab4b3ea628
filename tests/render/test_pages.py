"""Page breaks and text measurement, without a printer: where sheetgen breaks pages
(sheetgen/render/pages.py) and how the Word and Excel files carry those breaks.
What LibreOffice then prints is checked in tests/clients/test_printed_pages.py."""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from sheetgen import jurisdiction as jurisdictions
from sheetgen.model import Category, Group, Indicator, Project
from sheetgen.render import metrics, pages
from sheetgen.render.docx import compile_docx
from sheetgen.render.xlsx import compile_xlsx

sys.path.insert(0, str(Path(__file__).parent))

from test_docx_engine import indicator_pieces, is_header, raw_rows, vmerge
from test_xlsx_support import shanghai_header

# ----------------------------------------------------------------------------- pages.breaks


def test_rows_fill_a_page_then_break() -> None:
    assert pages.breaks([10.0] * 10, pages.Page(35, 35)) == [3, 6, 9]


def test_a_group_that_does_not_fit_moves_whole() -> None:
    # rows 2-4 are a group: it would straddle the end of page 1, so page 2 starts with it
    assert pages.breaks([10.0] * 6, pages.Page(35, 35), together=[(2, 4)]) == [2, 5]


def test_a_group_longer_than_a_page_breaks_between_its_rows() -> None:
    # it fills the page it starts on, then breaks between its rows
    assert pages.breaks([10.0] * 8, pages.Page(35, 35), together=[(1, 7)]) == [3, 6]


def test_keep_with_next_moves_the_heading_along() -> None:
    # row 2 is a heading kept with the group 3-4 that follows it
    assert pages.breaks([10.0] * 5, pages.Page(35, 35), together=[(3, 4)], keep_next=[2]) == [2]


def test_repeated_header_takes_room_on_later_pages() -> None:
    page = pages.Page(35, 35, repeats=((0, 99, 10.0),))  # row 0 repeats on every later page
    assert pages.breaks([10.0] * 8, page, keep_next=[0]) == [3, 5, 7]


def test_forced_breaks_start_a_page_without_being_placed() -> None:
    assert pages.breaks([10.0] * 6, pages.Page(35, 35), forced=[2]) == [5]


# ----------------------------------------------------------------------------- measuring


TEXTS = ["同名项目上年预算执行数（元）：", "服务对象满意度指标（含第三方测评）。", "预算执行率≥95%，且全年"]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("width", [45.0, 60.0, 80.0])  # at least as wide as the widest unbreakable piece
def test_lines_never_start_with_closing_punctuation(text: str, width: float) -> None:
    lines = metrics.wrap(text, width, 10.5)
    assert "".join(lines) == text
    assert not any(line[:1] in metrics.NO_START for line in lines[1:]), lines
    assert not any(line[-1:] in metrics.NO_END for line in lines[:-1]), lines
    assert metrics.line_count(text, width, 10.5) == len(lines)


def test_latin_words_and_numbers_stay_whole() -> None:
    assert metrics.wrap("budget 2,468,000 yuan", 60, 10.5) == ["budget", "2,468,000", "yuan"]


def test_widths_come_from_the_fonts() -> None:
    # a CJK character is one em; Latin letters are narrower, and W wider than i
    assert metrics.text_width("预算", 10) == 20
    assert metrics.text_width("i", 10) < metrics.text_width("0", 10) < metrics.text_width("W", 10)


def test_labels_break_evenly_or_after_their_colon() -> None:
    assert metrics.balance("预算规模及资金用途", 8 * 10.5, 10.5) == "预算规模及\n资金用途"
    assert metrics.balance("其中：财政资金", 6 * 10.5, 10.5) == "其中：\n财政资金"
    assert metrics.balance("项目名称", 10 * 10.5, 10.5) == "项目名称"


# ----------------------------------------------------------------------------- both formats


LONG_GROUP = "数量"
LONG_NAME = "：关于信息化设备运行维护的及时性与有效性综合评价"
LONG_VALUE = "≥95%，且全年累计故障时长不超过48小时"


def stress_project() -> Project:
    """Return a Shanghai project whose table fills pages: many groups, one longer than a page."""
    tree = (
        ("投入与管理", (("投入管理", 3), ("财务管理", 4), ("实施管理", 5))),
        ("产出目标", ((LONG_GROUP, 45), ("质量", 3), ("时效", 6))),
        ("效果目标", (("社会效益", 5), ("满意度", 4))),
        ("影响力目标", (("长效管理", 3), ("人力资源", 6))),
    )
    categories = tuple(
        Category(level1, tuple(
            Group(level2, tuple(
                Indicator(f"{level2}指标{i + 1}" + (LONG_NAME if i % 3 == 0 else ""),
                          LONG_VALUE if i % 2 == 0 else "≥95%")
                for i in range(count)))
            for level2, count in groups))
        for level1, groups in tree
    )
    return Project(key="stress", jurisdiction="shanghai", number=1, header=shanghai_header(), indicators=categories)


def test_word_table_split_at_pages_restarts_merges_with_labels() -> None:
    jurisdiction = jurisdictions.load("shanghai")
    project = stress_project()
    doc = Document(io.BytesIO(compile_docx(jurisdiction).render([project], jurisdiction)))
    pieces = indicator_pieces(doc)
    assert len(pieces) >= 4
    rows = list(project.iter_rows())
    assert [r[2].text for piece in pieces for r in piece] == [row.name for row in rows]
    tables = list(doc.tables)[-len(pieces):]
    at = 0
    for table, piece in zip(tables, pieces, strict=True):
        header = raw_rows(table)[0]
        assert is_header(header[0]) and header[0].text == "一级目标"  # every piece starts with the header
        first = rows[at]
        assert vmerge(piece[0][0]) == "restart" and piece[0][0].text == first.level1.text
        assert vmerge(piece[0][1]) == "restart" and piece[0][1].text == first.level2.text
        if at and first.level2.text != LONG_GROUP:
            assert first.level2.start  # a page starts a 二级 group unless the group is longer than a page
        at += len(piece)


def test_excel_breaks_at_groups_and_cuts_merges_there() -> None:
    jurisdiction = jurisdictions.load("shanghai")
    project = stress_project()
    ws = openpyxl.load_workbook(io.BytesIO(compile_xlsx(jurisdiction).render([project], jurisdiction))).active
    header = next(c.row for c in ws["A"] if c.value == "一级目标")
    rows = list(project.iter_rows())
    starts = sorted(b.id + 1 for b in ws.row_breaks.brk)  # rows that start a page
    inside = [r for r in starts if r > header]
    assert len(inside) >= 3
    merges = list(ws.merged_cells.ranges)
    for start in inside:
        row = rows[start - header - 1]
        assert ws.cell(start, 1).value == row.level1.text and ws.cell(start, 2).value == row.level2.text
        if row.level2.text != LONG_GROUP:
            assert row.level2.start, f"row {start} starts a page inside a 二级 group that fits on one"
        assert not [str(m) for m in merges if m.min_row < start <= m.max_row], "a merge across a page break"
    # the print scale is explicit and the pages are as tall as it allows
    assert not ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.scale) <= 100


def test_unpaged_rendering_leaves_the_pages_to_the_reader() -> None:
    """``paged=False`` (the browser preview): one indicator table, merges whole, no breaks."""
    jurisdiction = jurisdictions.load("shanghai")
    project = stress_project()
    doc = Document(io.BytesIO(compile_docx(jurisdiction).render([project], jurisdiction, paged=False)))
    assert len(indicator_pieces(doc)) == 1 and len(indicator_pieces(doc)[0]) == len(list(project.iter_rows()))
    for paged in (True, False):  # the markers the pagination cuts the body at never reach the file
        blob = compile_docx(jurisdiction).render([project], jurisdiction, paged=paged)
        assert b"<?sg" not in zipfile.ZipFile(io.BytesIO(blob)).read("word/document.xml")
    blob = compile_xlsx(jurisdiction).render([project], jurisdiction, paged=False)
    ws = openpyxl.load_workbook(io.BytesIO(blob)).active
    assert not ws.row_breaks.brk
    spans = {m.max_row - m.min_row + 1 for m in ws.merged_cells.ranges if m.min_col == m.max_col == 2}
    assert 45 in spans  # the long 二级 group merged whole
