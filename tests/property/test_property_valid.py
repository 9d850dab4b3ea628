"""Property: any valid spec goes through load, validation, model and both
renderers, and the .docx and .xlsx show EXACTLY what the spec says.

Each example is written with ``dump_spec`` (sometimes with the unit's keys in
``_defaults.yaml``), checked and modelled as ``sheetgen build`` does, rendered,
and reopened with python-docx and openpyxl: every header value in its cell,
every indicator row in order, the 一级/二级 vertical merges equal to the
hierarchy (Word: ``w:vMerge`` restart/continue per column; Excel: merged
ranges in columns A and B), and text with surrounding spaces kept
(``xml:space="preserve"``).

Examples per test: ``SHEETGEN_HYPOTHESIS_EXAMPLES`` (default 150 per jurisdiction).
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import os
import re
import tempfile
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import openpyxl
from docx import Document
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from hypothesis import HealthCheck, event, given, settings
from lxml import etree

from sheetgen.importers.yamlwriter import dump_spec
from sheetgen.jurisdiction import Jurisdiction
from sheetgen.model import Project
from sheetgen.projects import to_project
from sheetgen.render.templates import compiled
from sheetgen.spec.files import discover, read_spec
from sheetgen.validation import Checker, ValidatedSpec
from tests.property.spec_strategies import EXCEL_FIRST_DAY, Drawn, as_amount, header_value, valid_specs

EXAMPLES = int(os.environ.get("SHEETGEN_HYPOTHESIS_EXAMPLES", "150"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
ALLOWED_WARNINGS = {"unknown-level1", "unknown-level2", "not-in-vocabulary", "empty-value", "amount-rounded",
                    "implausible-amount"}

_checker = Checker()


def validate(drawn: Drawn) -> ValidatedSpec:
    """Return the drawn spec written to disk as YAML, read back and validated."""
    with tempfile.TemporaryDirectory(prefix="sheetgen-prop-") as tmp:
        unit = Path(tmp) / "unit"
        unit.mkdir()
        if drawn.defaults:
            (unit / "_defaults.yaml").write_text(dump_spec(drawn.defaults), encoding="utf-8")
        (unit / "01-项目.yaml").write_text(dump_spec(drawn.data), encoding="utf-8")
        specs, problems = discover([unit])
        assert problems == [] and len(specs) == 1
        return _checker.validate(read_spec(specs[0]))


def model(drawn: Drawn) -> tuple[Project, Jurisdiction]:
    validated = validate(drawn)
    unexpected = [d.format() for d in validated.diagnostics if d.is_error or d.code not in ALLOWED_WARNINGS]
    assert unexpected == [], "a valid spec was refused"
    assert validated.ok and validated.jurisdiction is not None
    return to_project(validated), validated.jurisdiction


def money(amount: Decimal | None, places: int, commas: bool) -> str:
    """Return how Word prints an amount: rounded half up to ``places``, with thousands separators if ``commas``."""
    if amount is None:
        return ""
    rounded = amount.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return f"{rounded:,.{places}f}" if commas else f"{rounded:.{places}f}"


def amounts(data: dict[str, Any], table_unit: str) -> dict[str, Decimal | None]:
    """Return the spec's amounts converted to the unit the table prints."""
    budget = data.get("budget") or {}
    return {k: as_amount(v, budget.get("unit"), table_unit) for k, v in budget.items() if k != "unit"}


def shown(value: Any) -> str:
    """Return how a text, date, 是/否 or empty value reads in Word."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# ----------------------------------------------------------------------------- Word


def cells(table: Table) -> list[list[_Cell]]:
    """Return the table's cells as stored (one per w:tc, continuation cells included)."""
    return [[_Cell(tc, table) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]


def vmerge(cell: _Cell) -> str | None:
    node = cell._tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
    if node is None:
        return None
    return "restart" if node.get(qn("w:val")) == "restart" else "continue"


def docx_expected_header(drawn: Drawn, number: int) -> tuple[list[str], dict[tuple[int, int], str]]:
    """Return (the body paragraphs before the tables, {(row, col) of the first table: text})."""
    data = drawn.merged
    get = lambda dotted: header_value(data, dotted)  # noqa: E731
    if drawn.jurisdiction == "shanghai":
        year = data["year"]
        paragraphs = ["财政项目支出绩效目标表", f"（{year}年度）", f"申报单位名称：{get('unit.name')}"]
        table = {(0, 1): get("name"), (0, 3): get("category"), (1, 1): shown(get("start_date"))}
        table |= {(1, 3): shown(get("end_date")), (2, 1): shown(get("government_purchase"))}
        table |= {(2, 3): get("performance_type")}
        for row, key in enumerate(("overview", "basis", "necessity", "safeguards", "plan", "goals"), 3):
            table[(row, 1)] = get(key)
        amount = amounts(data, "元")
        table |= {(10, 1): money(amount["total"], 0, True), (10, 3): money(amount["current_year"], 0, True)}
        table |= {(11, 1): money(amount.get("last_year"), 0, True)}
        table |= {(11, 3): money(amount.get("last_year_spent"), 0, True)}
        return paragraphs, table
    paragraphs = [f"{number}.{get('name')}绩效目标表", f"{get('unit.code') or ''}{get('unit.name')}", "单位：万元"]
    amount = amounts(data, "万元")
    table = {(0, 1): get("name"), (1, 2): money(amount["total"], 2, False)}
    table |= {(2, 2): money(amount["fiscal"], 2, False), (3, 2): money(amount.get("other"), 2, False)}
    table |= {(4, 2): get("purpose")}
    return paragraphs, table


def check_docx(blob: bytes, drawn: Drawn, project: Project) -> None:
    doc = Document(io.BytesIO(blob))
    paragraphs, header = docx_expected_header(drawn, project.number)
    texts = [p.text for p in doc.paragraphs]
    assert texts[: len(paragraphs)] == paragraphs
    if drawn.jurisdiction == "shanghai":
        assert f"{drawn.merged['year']}年绩效目标" in texts
    # the indicator table may be split where pages break: each later piece starts a page with the
    # header row again, and the 一级/二级 merges continuing there start again with their labels
    assert len(doc.tables) >= 2
    headed = [t.rows[0]._tr.find(f"{{{W}}}trPr/{{{W}}}tblHeader") is not None for t in doc.tables]
    indicator = headed.index(True)  # the header grid (itself split when long texts fill pages) comes before
    grid = [row for t in doc.tables[:indicator] for row in cells(t)]
    for (row, col), expected in header.items():
        assert grid[row][col].text == expected, (row, col)
    if drawn.jurisdiction == "tianjin":
        targets = drawn.merged["targets"]
        got = [p.text for p in grid[5][1].paragraphs]
        assert got == ([f"{i}.{t}" for i, t in enumerate(targets, 1)] or [""])
    assert doc.core_properties.title == " ".join(str(drawn.merged["name"]).split())

    pieces = [cells(t)[1:] for t in doc.tables[indicator:]]
    assert all(headed[indicator:])
    table = [row for piece in pieces for row in piece]
    firsts = {id(piece[0][0]) for piece in pieces[1:] if piece}
    extra = ("name", "description", "value") if drawn.jurisdiction == "tianjin" else ("name", "value")
    assert len(table) == len(drawn.rows)
    for got, row, data in zip(table, drawn.rows, project.iter_rows(), strict=True):
        start1 = data.level1.start or id(got[0]) in firsts
        start2 = data.level2.start or id(got[0]) in firsts
        assert [c.text for c in got[2:]] == [getattr(row, k) or "" for k in extra]
        assert vmerge(got[0]) == ("restart" if start1 else "continue")
        assert vmerge(got[1]) == ("restart" if start2 else "continue")
        assert got[0].text == (row.level1 if start1 else "")
        assert got[1].text == (row.level2 if start2 else "")
        assert all(vmerge(c) is None for c in got[2:])
    # restarts, a group continued on a new page counted once (neighbouring groups have other names)
    restarts1 = [k for k, _ in itertools.groupby(r[0].text for r in table if vmerge(r[0]) == "restart")]
    level1s = list(itertools.accumulate((r[0].text for r in table), lambda last, text: text or last))
    restarts2 = [k for k, _ in itertools.groupby((l1, r[1].text) for l1, r in zip(level1s, table, strict=True)
                                                 if vmerge(r[1]) == "restart")]
    assert restarts1 == [level1 for level1, _ in drawn.tree]
    assert [level2 for _, level2 in restarts2] == [level2 for _, groups in drawn.tree for level2, _ in groups]
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    for t in root.iter(f"{{{W}}}t"):
        if t.text and (t.text[0] in " \t\r\n" or t.text[-1] in " \t\r\n"):
            assert t.get(XML_SPACE) == "preserve", f"Word would drop the spaces of {t.text!r}"


# ----------------------------------------------------------------------------- Excel


def xlsx_expected_header(drawn: Drawn, number: int) -> dict[str, Any]:
    """Return {cell: value as openpyxl reads it} of the header block."""
    data = drawn.merged
    get = lambda dotted: header_value(data, dotted)  # noqa: E731
    if drawn.jurisdiction == "shanghai":
        cells_ = {"A1": "财政项目支出绩效目标表", "A2": f"（{data['year']}年度）"}
        cells_ |= {"A3": f"申报单位名称：{get('unit.name')}", "B4": get("name"), "D4": get("category")}
        cells_ |= {"B5": get("start_date"), "D5": get("end_date"), "B6": "是" if get("government_purchase") else "否"}
        cells_ |= {"D6": get("performance_type"), "A16": f"{data['year']}年绩效目标"}
        for row, key in enumerate(("overview", "basis", "necessity", "safeguards", "plan", "goals"), 7):
            cells_[f"B{row}"] = get(key)
        amount = amounts(data, "元")
        cells_ |= {"B14": amount["total"], "D14": amount["current_year"]}
        cells_ |= {"B15": amount.get("last_year"), "D15": amount.get("last_year_spent")}
        return cells_
    targets = "\n".join(f"{i}.{t}" for i, t in enumerate(get("targets"), 1))
    cells_ = {"A1": f"{number}.{get('name')}绩效目标表", "A2": f"{get('unit.code') or ''}{get('unit.name')}"}
    amount = amounts(data, "万元")
    cells_ |= {"D2": "单位：万元", "B3": get("name"), "C4": amount["total"]}
    cells_ |= {"C5": amount["fiscal"], "C6": amount.get("other"), "C7": get("purpose")}
    cells_ |= {"B8": targets}
    return cells_


def excel_text(value: Any) -> Any:
    """Return cell text as Excel shows it: ``_xHHHH_`` escapes decoded (openpyxl leaves them)."""
    if not isinstance(value, str) or "_x" not in value:
        return value
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), value)


def same_cell(got: Any, expected: Any) -> bool:
    got = excel_text(got)
    if expected is None or expected == "":
        return got is None or got == ""
    if isinstance(expected, Decimal):
        return isinstance(got, (int, float)) and not isinstance(got, bool) and got == float(expected)
    if isinstance(expected, dt.date) and expected < EXCEL_FIRST_DAY:  # no Excel date: the text
        return got == expected.isoformat()
    if isinstance(expected, dt.date):
        return isinstance(got, dt.datetime) and got.date() == expected
    return got == expected


def hierarchy_ranges(drawn: Drawn, first_row: int, pages: set[int] = frozenset()) -> set[str]:
    """Return the merged ranges of columns A (一级) and B (二级) the tree calls for, each cut
    where a page starts inside it (``pages``: the rows manual page breaks start pages with)."""
    ranges, row = set(), first_row

    def add(col: str, first: int, last: int) -> None:
        edges = [first, *sorted(r for r in pages if first < r <= last), last + 1]
        ranges.update(f"{col}{a}:{col}{b - 1}" for a, b in itertools.pairwise(edges) if b - 1 > a)

    for _, groups in drawn.tree:
        add("A", row, row + sum(len(rows) for _, rows in groups) - 1)
        for _, rows in groups:
            add("B", row, row + len(rows) - 1)
            row += len(rows)
    return ranges


def check_xlsx(blob: bytes, drawn: Drawn, project: Project) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(blob)).active
    for ref, expected in xlsx_expected_header(drawn, project.number).items():
        assert same_cell(ws[ref].value, expected), (ref, ws[ref].value, expected)
    tianjin = drawn.jurisdiction == "tianjin"
    first = 10 if tianjin else 18
    columns = ("C", "D", "E") if tianjin else ("C", "D")
    extra = ("name", "description", "value") if tianjin else ("name", "value")
    pages = {brk.id + 1 for brk in ws.row_breaks.brk}  # a group continued on a new page shows its label there
    for offset, (row, data) in enumerate(zip(drawn.rows, project.iter_rows(), strict=True)):
        number = first + offset
        for column, key in zip(columns, extra, strict=True):
            assert same_cell(ws[f"{column}{number}"].value, getattr(row, key)), (f"{column}{number}", key)
            assert ws[f"{column}{number}"].data_type in ("s", "n"), "text became a formula"
        shown = number in pages
        assert same_cell(ws[f"A{number}"].value, row.level1 if data.level1.start or shown else None)
        assert same_cell(ws[f"B{number}"].value, row.level2 if data.level2.start or shown else None)
    assert ws.max_row == first + len(drawn.rows) - 1
    merged = {str(r) for r in ws.merged_cells.ranges if r.min_row >= first}
    assert merged == hierarchy_ranges(drawn, first, pages)
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        root = etree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    assert root.find(f".//{{{S}}}f") is None, "a formula was written"
    for t in root.iter(f"{{{S}}}t"):
        if t.text and (t.text[0] in " \t\r\n" or t.text[-1] in " \t\r\n"):
            assert t.get(XML_SPACE) == "preserve", f"Excel would drop the spaces of {t.text!r}"


# ----------------------------------------------------------------------------- properties


def _bucket(count: int) -> str:
    return next(f"<= {limit}" for limit in (1, 10, 50, 100, 150, 200) if count <= limit)


def _round_trip(drawn: Drawn) -> None:
    event(f"indicators {_bucket(len(drawn.rows))}")
    event(f"一级 {_bucket(len(drawn.tree))}")
    event(f"budget.unit {drawn.merged['budget'].get('unit', '-')}")
    start = drawn.merged.get("start_date")
    if start is not None:
        event(f"start_date {'before 1900' if start < EXCEL_FIRST_DAY else 'from 1900'}")
    project, jurisdiction = model(drawn)
    assert project.name == drawn.merged["name"]
    assert [r.name for r in project.iter_rows()] == [r.name for r in drawn.rows]
    check_docx(compiled("docx", jurisdiction).render([project], jurisdiction), drawn, project)
    check_xlsx(compiled("xlsx", jurisdiction).render([project], jurisdiction), drawn, project)


@SETTINGS
@given(drawn=valid_specs("shanghai"))
def test_any_valid_shanghai_spec_renders_exactly(drawn: Drawn) -> None:
    _round_trip(drawn)


@SETTINGS
@given(drawn=valid_specs("tianjin"))
def test_any_valid_tianjin_spec_renders_exactly(drawn: Drawn) -> None:
    _round_trip(drawn)


def test_strategy_covers_what_it_promises() -> None:
    """The strategy can draw 200 indicators, every comparator and unit (a guard against a shrunk strategy)."""
    from tests.property import spec_strategies

    assert spec_strategies.MAX_ROWS == 200
    assert set(spec_strategies.COMPARATORS) >= {"≥", "≤", "=", ">", "<", ">=", "<=", "＝"}
    assert set(spec_strategies.UNITS) >= {"%", "％", "次", "万元", "元", "小时", ""}


def test_budget_in_another_unit_is_printed_in_the_tables_unit() -> None:
    """A Tianjin spec written in 元 prints in 万元, converted exactly, under the 单位：万元 label."""
    drawn = Drawn("tianjin", {}, {})
    drawn.data = {
        "jurisdiction": "tianjin",
        "year": 2025,
        "unit": {"name": "某单位"},
        "name": "项目",
        "budget": {"unit": "元", "total": 265000, "fiscal": 265000},
        "purpose": "用途",
        "targets": [],
        "indicators": {"产出指标": {"数量指标": {"次数": "≥1次"}}},
    }
    project, jurisdiction = model(drawn)
    doc = Document(io.BytesIO(compiled("docx", jurisdiction).render([project], jurisdiction)))
    assert "单位：万元" in [p.text for p in doc.paragraphs]
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert "26.50" in cells and "265000" not in "".join(cells)


def test_early_dates_keep_their_day_in_excel() -> None:
    """Excel's phantom 1900-02-29: dates before 1900-03-01 count from 1899-12-31."""
    drawn = Drawn("shanghai", {}, {})
    drawn.data = {
        "jurisdiction": "shanghai",
        "year": 2020,
        "unit": {"name": "单位"},
        "name": "项目",
        "category": "类别",
        "start_date": dt.date(1900, 1, 1),
        "end_date": dt.date(1900, 2, 28),
        "government_purchase": False,
        "performance_type": "类型",
        **dict.fromkeys(("overview", "basis", "necessity", "safeguards", "plan", "goals"), ""),
        "budget": {"total": 1, "current_year": 1},
        "indicators": {"投入与管理": {"投入管理": {"预算执行率": "=100%"}}},
    }
    project, jurisdiction = model(drawn)
    ws = openpyxl.load_workbook(io.BytesIO(compiled("xlsx", jurisdiction).render([project], jurisdiction))).active
    assert (ws["B5"].value.date(), ws["D5"].value.date()) == (dt.date(1900, 1, 1), dt.date(1900, 2, 28))
