"""The Excel renderer on one project: cells, types, text safety, merges,
borders, print setup, row heights, determinism."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

sys.path.insert(0, str(Path(__file__).parent))

from test_xlsx_support import (
    OVERVIEW,
    SHANGHAI_TREE,
    TIANJIN_TREE,
    project,
    render,
    reopen,
    shanghai,
    shanghai_header,
    tianjin,
)

from sheetgen import jurisdiction as jurisdictions
from sheetgen.model import Project
from sheetgen.render.xlsx import compile_xlsx

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}

# Shanghai rows of the built-in template (one project).
SH_LOOP_FIRST = 18
SH_HEADER = {
    "A1": "财政项目支出绩效目标表",
    "A2": "（2020年度）",
    "A3": "申报单位名称：上海市人民检察院第一分院",
    "A4": "项目名称：",
    "B4": "办案及业务用房专项维修费",
    "C4": "项目类别：",
    "D4": "其他一次性项目",
    "A5": "计划开始日期：",
    "C5": "计划完成日期：",
    "A6": "是否含有政府购买服务：",
    "B6": "是",
    "C6": "绩效类型：",
    "D6": "基本建设工程类",
    "A7": "项目概况：",
    "B7": OVERVIEW,
    "A8": "立项依据：",
    "B8": "《党政机关办公用房建设标准》发改投资[2014]2674号",
    "A9": "项目设立的必要性：",
    "B9": "必要性",
    "A10": "保证项目实施的制度、措施：",
    "B10": "措施",
    "A11": "项目实施计划：",
    "B11": "计划",
    "A12": "总目标及阶段性目标：",
    "B12": "目标",
    "A13": "本项目上年度市级财政资金使用情况",
    "A14": "项目总预算（元）：",
    "C14": "项目当年预算（元）：",
    "A15": "同名项目上年预算额（元）：",
    "C15": "同名项目上年预算执行数（元）：",
    "A16": "2020年绩效目标",
    "A17": "一级目标",
    "B17": "二级目标",
    "C17": "三级目标",
    "D17": "指标目标值",
}


def sheet_xml(blob: bytes, index: int = 1) -> etree._Element:
    """Return the parsed XML of the ``index``-th worksheet of a workbook."""
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        return etree.fromstring(archive.read(f"xl/worksheets/sheet{index}.xml"))


def bordered_styles(blob: bytes) -> set[int]:
    """Return the style ids drawing a border on all four sides."""
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        styles = etree.fromstring(archive.read("xl/styles.xml"))
    borders = styles.findall("m:borders/m:border", NS)
    full = set()
    for index, border in enumerate(borders):
        sides = [border.find(f"m:{side}", NS) for side in ("left", "right", "top", "bottom")]
        if all(side is not None and side.get("style") for side in sides):
            full.add(index)
    return {i for i, xf in enumerate(styles.findall("m:cellXfs/m:xf", NS)) if int(xf.get("borderId", 0)) in full}


def page_starts(ws) -> set[int]:
    """Return the rows (1-based) a manual page break starts a new page with."""
    return {brk.id + 1 for brk in ws.row_breaks.brk}


def cut_at_pages(col: str, first: int, last: int, starts: set[int]) -> list[str]:
    """Return the merged ranges of a group of rows first..last in ``col``: one merge,
    cut where a page starts inside it (a one-row piece is no merge)."""
    edges = [first, *sorted(r for r in starts if first < r <= last), last + 1]
    return [f"{col}{a}:{col}{b - 1}" for a, b in itertools.pairwise(edges) if b - 1 > a]


def hierarchy_ranges(item: Project, first_row: int, starts: set[int] = frozenset()) -> set[str]:
    """Return the 一级/二级 merged ranges the project's indicator tree calls for,
    each cut where a page starts inside it (``starts``: first rows of pages)."""
    ranges, row = set(), first_row
    for category in item.indicators:
        span = sum(len(g.indicators) for g in category.groups)
        ranges.update(cut_at_pages("A", row, row + span - 1, starts))
        for group in category.groups:
            ranges.update(cut_at_pages("B", row, row + len(group.indicators) - 1, starts))
            row += len(group.indicators)
    return ranges


def loop_ranges(ws, first_row: int) -> set[str]:
    """Return the merged ranges of a sheet starting at or below ``first_row`` in columns A/B."""
    return {str(r) for r in ws.merged_cells.ranges if r.min_row >= first_row and r.max_col <= 2 and str(r)[0] in "AB"}


# ---------------------------------------------------------------- Shanghai


def test_shanghai_header_fields_in_their_cells() -> None:
    ws = reopen(render(shanghai())).active
    for ref, text in SH_HEADER.items():
        # labels carry the line breaks the template wraps them at
        assert "".join(ws[ref].value.split()) == "".join(text.split()), ref
        assert ws[ref].data_type == "s", ref


def test_amounts_are_numbers_with_the_jurisdiction_format() -> None:
    ws = reopen(render(shanghai())).active
    for ref, amount in (("B14", 2468000), ("D14", 2468000), ("D15", 4420000)):
        assert ws[ref].data_type == "n"
        assert ws[ref].value == amount
        assert ws[ref].number_format == "#,##0"
    assert ws["B15"].value is None  # last_year left empty


def test_tianjin_amounts_keep_two_decimals() -> None:
    ws = reopen(render(tianjin())).active
    assert ws["C4"].data_type == "n" and ws["C4"].value == pytest.approx(26.5)
    assert ws["C4"].number_format == "0.00"
    assert ws["C5"].number_format == "0.00"
    assert ws["C6"].value is None


def test_dates_are_real_dates() -> None:
    ws = reopen(render(shanghai())).active
    assert ws["B5"].is_date and ws["B5"].value == dt.datetime(2020, 1, 1)
    assert ws["D5"].is_date and ws["D5"].value == dt.datetime(2020, 12, 31)
    assert ws["B5"].number_format == "yyyy-mm-dd"


def test_bool_prints_shi_fou() -> None:
    ws = reopen(render(shanghai(government_purchase=False))).active
    assert ws["B6"].value == "否"


@pytest.mark.parametrize("value", ["=100%", "+1", "-1", "@x", "=SUM(A1:A2)", "=1+1"])
def test_formula_like_values_stay_text(value: str) -> None:
    tree = {"投入与管理": {"投入管理": {"预算执行率": value}}}
    blob = render(project(shanghai_header(), tree))
    ws = reopen(blob).active
    cell = ws[f"D{SH_LOOP_FIRST}"]
    assert cell.value == value
    assert cell.data_type == "s"
    assert cell.quotePrefix
    xml = sheet_xml(blob)
    assert not xml.findall(".//m:f", NS), "a formula was written"


def test_formula_like_header_text_stays_text() -> None:
    ws = reopen(render(shanghai(category='=HYPERLINK("x")', name="-名称"))).active
    assert ws["D4"].value == '=HYPERLINK("x")' and ws["D4"].data_type == "s"
    assert ws["B4"].value == "-名称" and ws["B4"].quotePrefix


def test_spec_text_is_data_not_template() -> None:
    text = "{{ 7*7 }} {% for x in range(3) %}x{% endfor %} {# c #}"
    ws = reopen(render(shanghai(overview=text, name="{{ project.year }}"))).active
    assert ws["B7"].value == text
    assert ws["B4"].value == "{{ project.year }}"


def test_xml_special_and_control_characters() -> None:
    blob = render(shanghai(overview="<a & b> \"q\" 'p'", basis="a\x01b\x0bc\x00d\ufffe", plan="_x0041_"))
    ws = reopen(blob).active
    assert ws["B7"].value == "<a & b> \"q\" 'p'"
    assert ws["B8"].value == "abcd"
    # Excel decodes _xHHHH_ in cell text: a literal one is written escaped.
    texts = ["".join(c.itertext()) for c in sheet_xml(blob).iterfind(".//m:c[@r='B11']", NS)]
    assert texts == ["_x005F_x0041_"]


def test_lists_join_lines_and_targets_are_numbered() -> None:
    ws = reopen(render(tianjin())).active
    assert ws["B8"].value == "1.保障办公办案正常进行。\n2.保障系统安全。"
    ws = reopen(render(shanghai(goals=["一", "二"]))).active
    assert ws["B12"].value == "一\n二"


def test_tianjin_header_and_rows() -> None:
    ws = reopen(render(tianjin(number=3))).active
    assert ws["A1"].value == "3.2025年检察业务信息化运维项目-2025中央绩效目标表"
    assert ws["A2"].value == "263101天津市西青区人民检察院"
    assert ws["D2"].value == "单位：万元"
    assert ws["B3"].value == "2025年检察业务信息化运维项目-2025中央"
    assert [ws[f"{c}9"].value for c in "ABCDE"] == ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"]
    assert [ws[f"{c}10"].value for c in "ABCDE"] == [
        "产出指标",
        "数量指标",
        "软件维护次数",
        "一年内办案软件维护次数",
        "≥200次",
    ]
    assert [ws[f"{c}13"].value for c in "ABCDE"] == [
        "满意度指标",
        "服务对象满意度指标",
        "单位干警满意度",
        "检察干警满意度",
        "≥99百分之",
    ]
    assert ws["C7"].value == "用于信息化运维服务费用"
    assert ws.max_row == 13


def test_indicator_rows_in_order() -> None:
    item = shanghai()
    ws = reopen(render(item)).active
    rows = list(item.iter_rows())
    for offset, row in enumerate(rows):
        number = SH_LOOP_FIRST + offset
        assert ws[f"C{number}"].value == row.name
        assert ws[f"D{number}"].value == row.value
        assert ws[f"A{number}"].value == (row.level1.text if row.level1.start else None)
        assert ws[f"B{number}"].value == (row.level2.text if row.level2.start else None)
    assert ws.max_row == SH_LOOP_FIRST + len(rows) - 1


# ------------------------------------------------------------ merges, borders


def test_merges_follow_the_hierarchy_exactly() -> None:
    item = shanghai()
    ws = reopen(render(item)).active
    expected = hierarchy_ranges(item, SH_LOOP_FIRST, page_starts(ws))
    assert loop_ranges(ws, SH_LOOP_FIRST) == expected
    assert expected == {"A18:A23", "B18:B20", "B21:B23", "A24:A26", "B24:B25"}


def test_tianjin_merges() -> None:
    item = tianjin()
    ws = reopen(render(item)).active
    assert loop_ranges(ws, 10) == hierarchy_ranges(item, 10, page_starts(ws))
    header = {str(r) for r in ws.merged_cells.ranges if r.max_row < 10}
    assert header == {"A1:E1", "A2:C2", "D2:E2", "B3:E3", "A4:A7", "C4:E4", "C5:E5", "C6:E6", "C7:E7", "B8:E8"}


def test_shanghai_header_block_merges() -> None:
    ws = reopen(render(shanghai())).active
    header = {str(r) for r in ws.merged_cells.ranges if r.max_row < SH_LOOP_FIRST}
    long_texts = {f"B{r}:D{r}" for r in range(7, 13)}
    assert header == {"A1:D1", "A2:D2", "A3:D3", "A13:D13", "A16:D16"} | long_texts


@pytest.mark.parametrize("make", [shanghai, tianjin])
def test_every_cell_of_a_bordered_merge_has_borders(make) -> None:
    blob = render(make())
    ws = reopen(blob).active
    styles = {c.get("r"): int(c.get("s", 0)) for c in sheet_xml(blob).iterfind(".//m:c", NS)}
    bordered = bordered_styles(blob)
    checked = 0
    for merged in ws.merged_cells.ranges:
        if merged.min_row <= 2 or (make is shanghai and merged.min_row == 3):
            continue  # title lines carry no grid
        for row in range(merged.min_row, merged.max_row + 1):
            for col in range(merged.min_col, merged.max_col + 1):
                ref = f"{chr(64 + col)}{row}"
                assert ref in styles, f"{ref} of {merged} not written"
                assert styles[ref] in bordered, f"{ref} of {merged} has no full border"
                checked += 1
    assert checked > 20


def test_empty_values_are_styled_cells() -> None:
    blob = render(tianjin())
    cells = {c.get("r"): c for c in sheet_xml(blob).iterfind(".//m:c", NS)}
    assert "C6" in cells and int(cells["C6"].get("s")) in bordered_styles(blob)


# ------------------------------------------------------------ print, heights


@pytest.mark.parametrize(("make", "title_row"), [(shanghai, 17), (tianjin, 9)])
def test_print_setup(make, title_row: int) -> None:
    ws = reopen(render(make())).active
    assert int(ws.page_setup.paperSize) == 9
    assert ws.page_setup.orientation == "portrait"
    # an explicit scale (the page breaks sheetgen places assume it), not Excel's fit-to-width
    assert not ws.sheet_properties.pageSetUpPr.fitToPage
    assert 50 <= int(ws.page_setup.scale) <= 100
    assert ws.print_title_rows == f"${title_row}:${title_row}"
    assert 0.2 <= ws.page_margins.left <= 1.1


def test_column_widths_from_the_template() -> None:
    ws = reopen(render(shanghai())).active
    template = openpyxl.load_workbook(jurisdictions.load("shanghai").template_path("xlsx")).active
    assert [ws.column_dimensions[c].width for c in "ABCD"] == [template.column_dimensions[c].width for c in "ABCD"]


def test_long_text_rows_are_taller() -> None:
    ws = reopen(render(shanghai(overview=OVERVIEW * 3))).active
    one_line = ws.row_dimensions[9].height
    assert ws.row_dimensions[7].height > 3 * one_line
    assert ws["A7"].alignment.wrap_text and ws["B7"].alignment.wrap_text
    lines = reopen(render(shanghai(plan="一\n二\n三\n四\n五\n六"))).active
    assert lines.row_dimensions[11].height > 4 * one_line


def test_long_indicator_text_grows_its_row() -> None:
    tree = {"投入与管理": {"投入管理": {"预算执行率": "长" * 80, "短": "合理"}}}
    ws = reopen(render(project(shanghai_header(), tree))).active
    assert ws.row_dimensions[SH_LOOP_FIRST].height > 2 * ws.row_dimensions[SH_LOOP_FIRST + 1].height


# ------------------------------------------------------------ determinism


def test_identical_input_gives_identical_bytes() -> None:
    first = render(shanghai())
    assert render(shanghai()) == first
    fresh = compile_xlsx(jurisdictions.load("shanghai"))
    assert fresh.render([shanghai()], jurisdictions.load("shanghai")) == first


def test_different_input_gives_different_bytes() -> None:
    assert render(shanghai()) != render(shanghai(name="别的项目"))


def test_document_dates_are_fixed() -> None:
    with zipfile.ZipFile(io.BytesIO(render(tianjin()))) as archive:
        core = archive.read("docProps/core.xml").decode()
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert "2020-01-01T00:00:00Z" in core


def test_empty_indicator_tree_renders_header_only() -> None:
    ws = reopen(render(project(shanghai_header(), {}))).active
    assert ws.max_row == SH_LOOP_FIRST - 1
    assert ws["A17"].value == "一级目标"


def test_missing_optional_fields_print_empty() -> None:
    header = shanghai_header()
    del header["budget"]
    del header["overview"]
    ws = reopen(render(project(header, SHANGHAI_TREE))).active
    assert ws["B7"].value is None and ws["B14"].value is None


def test_decimal_keeps_its_digits() -> None:
    budget = {"total": Decimal("1234567.5"), "current_year": Decimal("0"), "last_year": None, "last_year_spent": None}
    blob = render(shanghai(budget=budget))
    values = {c.get("r"): c.findtext("m:v", namespaces=NS) for c in sheet_xml(blob).iterfind(".//m:c", NS)}
    assert values["B14"] == "1234567.5" and values["D14"] == "0"


def test_tianjin_tree_fixture_is_used() -> None:
    assert set(TIANJIN_TREE) == {item.name for item in tianjin().indicators}
