"""The per-unit Excel workbook: 目录 sheet, one sheet per project, sheet names,
hyperlinks, print titles per sheet; and every unit of ``specs/``."""

from __future__ import annotations

import io
import re
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

sys.path.insert(0, str(Path(__file__).parent))

from test_xlsx_render import hierarchy_ranges, loop_ranges, page_starts
from test_xlsx_support import load_unit, render, reopen, shanghai, spec_units, tianjin

from sheetgen import jurisdiction as jurisdictions
from sheetgen.render.xlsx_text import sheet_name, unique_sheet_names

BAD = re.compile(r"[\[\]:*?/\\]")


def assert_valid_names(names: list[str]) -> None:
    assert len({n.casefold() for n in names}) == len(names), names
    for name in names:
        assert 0 < len(name) <= 31, name
        assert not BAD.search(name), name
        assert not name.startswith("'") and not name.endswith("'"), name


def test_unit_workbook_has_toc_and_one_sheet_per_project() -> None:
    projects = [shanghai(1), shanghai(2, name="检察辅助人员经费"), shanghai(3, name="检察业务办案费")]
    wb = reopen(render(projects))
    assert wb.sheetnames == ["目录", "办案及业务用房专项维修费", "检察辅助人员经费", "检察业务办案费"]
    toc = wb["目录"]
    # the title names the unit and the year (the jurisdiction's contents title), over both columns
    contents = jurisdictions.load("shanghai").description["print"]["contents"]
    unit, year = projects[0].header["unit"]["name"], projects[0].header["year"]
    assert toc["A1"].value == contents["title"].replace("{unit}", unit).replace("{year}", str(year))
    assert unit in toc["A1"].value and str(year) in toc["A1"].value
    assert "A1:B1" in {str(r) for r in toc.merged_cells.ranges}
    assert [toc["A2"].value, toc["B2"].value] == [contents["number"], contents["name"]]
    for row, item in enumerate(projects, start=3):
        assert toc[f"A{row}"].value == item.number
        assert toc[f"B{row}"].value == item.name
        link = toc[f"B{row}"].hyperlink
        assert link is not None and link.location == f"'{wb.sheetnames[row - 2]}'!A1"
        assert wb[wb.sheetnames[row - 2]]["B4"].value == item.name
    assert toc.max_row == 5


def test_unit_workbook_sheets_keep_their_own_print_titles() -> None:
    wb = reopen(render([tianjin(1), tianjin(2, name="2024年检察业务购买服务项目-2024中央")]))
    for name in wb.sheetnames[1:]:
        ws = wb[name]
        assert ws.print_title_rows == "$9:$9"
        assert not ws.sheet_properties.pageSetUpPr.fitToPage and 50 <= int(ws.page_setup.scale) <= 100
        assert int(ws.page_setup.paperSize) == 9
    assert wb["目录"].print_title_rows == "$2:$2"


def test_only_the_toc_is_selected() -> None:
    blob = render([shanghai(1), shanghai(2, name="b")])
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        selected = [
            name
            for name in sorted(archive.namelist())
            if name.startswith("xl/worksheets/") and b'tabSelected="1"' in archive.read(name)
        ]
    assert selected == ["xl/worksheets/sheet1.xml"]


def test_names_are_sanitized_and_unique() -> None:
    names = [
        "a[b]c:d*e?f/g\\h",
        "很长的项目名称" * 6,
        "很长的项目名称" * 6,
        "'quoted'",
        "目录",
        "Same",
        "same",
        "",
    ]
    projects = [shanghai(i + 1, name=n) for i, n in enumerate(names)]
    wb = reopen(render(projects))
    sheets = wb.sheetnames[1:]
    assert_valid_names(wb.sheetnames)
    assert sheets[0] == "a_b_c_d_e_f_g_h"
    assert sheets[1] == ("很长的项目名称" * 6)[:31]
    assert sheets[2].endswith("~2") and len(sheets[2]) == 31
    assert sheets[3] == "quoted"
    assert sheets[4] == "目录~2"
    assert sheets[5:7] == ["Same", "same~2"]
    assert sheets[7] == "Sheet"
    toc = wb["目录"]
    for row, name in enumerate(sheets, start=3):
        assert toc[f"B{row}"].hyperlink.location == "'" + name.replace("'", "''") + "'!A1"


def test_single_project_sheet_is_named_after_it() -> None:
    wb = reopen(render(shanghai(name="交通工具/更新购置费")))
    assert wb.sheetnames == ["交通工具_更新购置费"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("a/b", "a_b"), ("'x'", "x"), ("x" * 40, "x" * 31), ("  ", "Sheet"), ("a\nb", "a b"), ("'" * 3, "Sheet")],
)
def test_sheet_name(raw: str, expected: str) -> None:
    assert sheet_name(raw) == expected


def test_unique_names_respect_the_limit_and_reserved() -> None:
    names = unique_sheet_names(["x" * 40] * 12, reserved=["目录"])
    assert_valid_names(names)
    assert names[11] == "x" * 28 + "~12"
    assert unique_sheet_names(["目录", "History"], reserved=["目录"]) == ["目录~2", "History~2"]


def test_workbook_parts_list_every_sheet() -> None:
    blob = render([tianjin(1), tianjin(2, name="b"), tianjin(3, name="c")])
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        names = set(archive.namelist())
        app = etree.fromstring(archive.read("docProps/app.xml"))
        types = archive.read("[Content_Types].xml").decode()
    assert {f"xl/worksheets/sheet{i}.xml" for i in range(1, 5)} <= names
    assert "xl/sharedStrings.xml" not in names
    titles = [t.text for t in app.iter("{*}lpstr")]
    assert titles[-4:] == ["目录", "2025年检察业务信息化运维项目-2025中央", "b", "c"]
    assert types.count("worksheet+xml") == 4


# ---------------------------------------------------------------- specs/

UNITS = spec_units()

SH_FIELDS = {
    "B4": "name",
    "D4": "category",
    "D6": "performance_type",
    "B7": "overview",
    "B8": "basis",
    "B9": "necessity",
    "B10": "safeguards",
    "B11": "plan",
    "B12": "goals",
}
SH_AMOUNTS = {"B14": "total", "D14": "current_year", "B15": "last_year", "D15": "last_year_spent"}


def _amount_cell(cell, amount, number_format: str) -> None:  # type: ignore[no-untyped-def]
    if amount is None:
        assert cell.value is None, cell.coordinate
        return
    assert cell.data_type == "n" and cell.number_format == number_format, cell.coordinate
    assert Decimal(str(cell.value)) == amount, cell.coordinate


def check_shanghai_header(ws, header) -> None:  # type: ignore[no-untyped-def]
    """Assert every Shanghai header field sits in its cell with the spec's text."""
    assert ws["A3"].value == f"申报单位名称：{header['unit']['name']}"
    assert ws["A2"].value == f"（{header['year']}年度）"
    for ref, key in SH_FIELDS.items():
        assert ws[ref].value == (header.get(key) or None), ref
    assert ws["B5"].value.date() == header["start_date"]
    assert ws["D5"].value.date() == header["end_date"]
    assert ws["B6"].value == ("是" if header["government_purchase"] else "否")
    for ref, key in SH_AMOUNTS.items():
        _amount_cell(ws[ref], header["budget"].get(key), "#,##0")


def check_tianjin_header(ws, header, number: int) -> None:  # type: ignore[no-untyped-def]
    """Assert every Tianjin header field sits in its cell with the spec's text."""
    assert ws["A1"].value == f"{number}.{header['name']}绩效目标表"
    assert ws["A2"].value == f"{header['unit']['code']}{header['unit']['name']}"
    assert ws["B3"].value == header["name"]
    for ref, key in {"C4": "total", "C5": "fiscal", "C6": "other"}.items():
        _amount_cell(ws[ref], header["budget"].get(key), "0.00")
    assert ws["C7"].value == header["purpose"]
    targets = "\n".join(f"{i}.{t}" for i, t in enumerate(header["targets"], start=1))
    assert ws["B8"].value == targets


@pytest.mark.skipif(not UNITS, reason="specs/ has no unit folders yet")
@pytest.mark.parametrize("folder", UNITS, ids=[u.name for u in UNITS])
def test_spec_units_render(folder: Path) -> None:
    projects = load_unit(folder)
    assert projects
    wb = reopen(render(projects))
    assert wb.sheetnames[0] == "目录"
    assert len(wb.sheetnames) == len(projects) + 1
    assert_valid_names(wb.sheetnames)
    shanghai_layout = projects[0].jurisdiction == "shanghai"
    for item, name in zip(projects, wb.sheetnames[1:], strict=True):
        ws = wb[name]
        first = 18 if shanghai_layout else 10
        assert loop_ranges(ws, first) == hierarchy_ranges(item, first, page_starts(ws)), name
        rows = list(item.iter_rows())
        assert ws.max_row == first + len(rows) - 1
        assert [ws[f"C{first + i}"].value for i in range(len(rows))] == [r.name for r in rows]
        if shanghai_layout:
            check_shanghai_header(ws, item.header)
        else:
            check_tianjin_header(ws, item.header, item.number)
        values = [ws[f"{'D' if shanghai_layout else 'E'}{first + i}"] for i in range(len(rows))]
        for cell, row in zip(values, rows, strict=True):
            assert cell.value == (row.value or None)
            if row.value:
                assert cell.data_type == "s"
