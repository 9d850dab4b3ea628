"""Print the Excel render time of sheetgen next to openpyxl writing the same
table cell by cell (run by hand: ``python bench/xlsx_vs_openpyxl.py``).

For every seed project of ``specs/`` (and every unit workbook) it times, in
the same run:

* sheetgen: ``XlsxTemplate.render`` (template compiled once beforehand);
* openpyxl: a new ``Workbook``, every cell of the same table written one by
  one with its value, font, border, alignment and number format, the same
  merges, column widths, row heights and page setup, then ``save``.

and prints the medians per workbook and their ratio (target: about 10x).
``write_with_openpyxl(project, jurisdiction)`` is also used by
``bench/bench_build.py``.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from openpyxl import Workbook  # noqa: E402
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # noqa: E402
from openpyxl.worksheet.worksheet import Worksheet  # noqa: E402

from bench.timing import median_ms  # noqa: E402
from sheetgen.jurisdiction import Jurisdiction  # noqa: E402
from sheetgen.model import Project  # noqa: E402
from sheetgen.render.context import format_value  # noqa: E402
from sheetgen.render.xlsx import XlsxTemplate, compile_xlsx  # noqa: E402
from sheetgen.render.xlsx_text import text_height, unique_sheet_names  # noqa: E402

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FONT = Font(name="宋体", size=11)
_BOLD = Font(name="宋体", size=11, bold=True)
_TITLE = Font(name="宋体", size=16, bold=True)
_FILL = PatternFill("solid", fgColor="F2F2F2")
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)

# (cell or range, value, kind): kind is "title", "plain" (no border), "label", "head", "cell", "money", "date"
Layout = list[tuple[str, Any, str]]


def _get(header: Any, dotted: str) -> Any:
    value = header
    for part in dotted.split("."):
        value = value.get(part) if hasattr(value, "get") else None
    return value


def _shanghai(project: Project, jurisdiction: Jurisdiction) -> tuple[Layout, list[float], int]:
    h = project.header
    lay: Layout = [
        ("A1:D1", "财政项目支出绩效目标表", "title"),
        ("A2:D2", f"（{h.get('year')}年度）", "plain"),
        ("A3:D3", f"申报单位名称：{_get(h, 'unit.name')}", "plain"),
        ("A4", "项目名称：", "label"),
        ("B4", h.get("name"), "cell"),
        ("C4", "项目类别：", "label"),
        ("D4", h.get("category"), "cell"),
        ("A5", "计划开始日期：", "label"),
        ("B5", h.get("start_date"), "date"),
        ("C5", "计划完成日期：", "label"),
        ("D5", h.get("end_date"), "date"),
        ("A6", "是否含有政府购买服务：", "label"),
        ("B6", h.get("government_purchase"), "cell"),
        ("C6", "绩效类型：", "label"),
        ("D6", h.get("performance_type"), "cell"),
    ]
    texts = [(f"{label}：", key) for key, label in jurisdiction.long_texts]  # loaded once, as sheetgen's is
    for row, (label, key) in enumerate(texts, start=7):
        lay += [(f"A{row}", label, "label"), (f"B{row}:D{row}", h.get(key), "cell")]
    lay += [
        ("A13:D13", "本项目上年度市级财政资金使用情况", "head"),
        ("A14", "项目总预算（元）：", "label"),
        ("B14", _get(h, "budget.total"), "money"),
        ("C14", "项目当年预算（元）：", "label"),
        ("D14", _get(h, "budget.current_year"), "money"),
        ("A15", "同名项目上年预算额（元）：", "label"),
        ("B15", _get(h, "budget.last_year"), "money"),
        ("C15", "同名项目上年预算执行数（元）：", "label"),
        ("D15", _get(h, "budget.last_year_spent"), "money"),
        ("A16:D16", f"{h.get('year')}年绩效目标", "head"),
    ]
    lay += [
        (f"{c}17", t, "head") for c, t in zip("ABCD", ["一级目标", "二级目标", "三级目标", "指标目标值"], strict=True)
    ]
    lay += _rows(project, 18, ["name", "value"])
    return lay, [22, 26, 22, 24], 17


def _tianjin(project: Project, jurisdiction: Jurisdiction) -> tuple[Layout, list[float], int]:
    h = project.header
    targets = "\n".join(f"{i}.{t}" for i, t in enumerate(h.get("targets") or (), start=1))
    lay: Layout = [
        ("A1:E1", f"{project.number}.{h.get('name')}绩效目标表", "title"),
        ("A2:C2", f"{_get(h, 'unit.code')}{_get(h, 'unit.name')}", "plain"),
        ("D2:E2", "单位：万元", "plain"),
        ("A3", "项目名称", "label"),
        ("B3:E3", h.get("name"), "cell"),
        ("A4:A7", "预算规模及资金用途", "label"),
        ("B4", "预算数", "label"),
        ("C4:E4", _get(h, "budget.total"), "money"),
        ("B5", "其中：财政资金", "label"),
        ("C5:E5", _get(h, "budget.fiscal"), "money"),
        ("B6", "其他资金", "label"),
        ("C6:E6", _get(h, "budget.other"), "money"),
        ("B7", "资金用途", "label"),
        ("C7:E7", h.get("purpose"), "cell"),
        ("A8", "绩效目标", "label"),
        ("B8:E8", targets, "cell"),
    ]
    labels = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"]
    lay += [(f"{c}9", t, "head") for c, t in zip("ABCDE", labels, strict=True)]
    lay += _rows(project, 10, ["name", "description", "value"])
    return lay, [14, 16, 18, 24, 22], 9


def _rows(project: Project, first: int, keys: Sequence[str]) -> Layout:
    lay: Layout = []
    for offset, row in enumerate(project.iter_rows()):
        number = first + offset
        for level, col in ((row.level1, "A"), (row.level2, "B")):
            if level.start:
                end = number + max(level.span, 1) - 1
                lay.append((f"{col}{number}:{col}{end}" if end > number else f"{col}{number}", level.text, "cell"))
        for col, key in zip("CDE", keys, strict=False):
            lay.append((f"{col}{number}", getattr(row, key), "cell"))
    return lay


def _fill(ws: Worksheet, layout: Layout, widths: list[float], title_row: int, jurisdiction: Jurisdiction) -> None:
    heights: dict[int, float] = {}
    for index, width in enumerate(widths):
        ws.column_dimensions[chr(65 + index)].width = width
    for ref, value, kind in layout:
        first, _, last = ref.partition(":")
        if last:
            ws.merge_cells(ref)
        cells = [c for row in ws[ref] for c in row] if last else [ws[first]]
        if kind in ("money", "date"):
            cells[0].value = value
            cells[0].number_format = jurisdiction.money_format if kind == "money" else "yyyy-mm-dd"
        else:
            text = format_value(value, jurisdiction)
            cells[0].value = text or None
            if text.startswith(("=", "+", "-", "@")):
                cells[0].data_type = "s"
                cells[0].quotePrefix = True
            if text:
                span = sum(widths[c.column - 1] for c in cells if c.row == cells[0].row)
                row = cells[0].row
                heights[row] = max(heights.get(row, 15.0), text_height(text, span))
        for cell in cells:
            cell.font = _TITLE if kind == "title" else _BOLD if kind == "head" else _FONT
            cell.alignment = _CENTER if kind in ("title", "head") else _LEFT
            if kind not in ("title", "plain"):
                cell.border = _BORDER
            if kind == "head" and cell.row == title_row:
                cell.fill = _FILL
    for row, height in heights.items():
        ws.row_dimensions[row].height = height
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{title_row}:{title_row}"


def write_with_openpyxl(project: Project | Sequence[Project], jurisdiction: Jurisdiction) -> bytes:
    """Return the workbook of one project (or a unit: 目录 + one sheet each)
    written with openpyxl cell by cell."""
    projects = [project] if isinstance(project, Project) else list(project)
    layout_of = _shanghai if jurisdiction.name == "shanghai" else _tianjin
    wb = Workbook()
    combined = len(projects) > 1
    names = unique_sheet_names([p.name for p in projects], reserved=["目录"] if combined else [])
    first = wb.active
    if combined:
        first.title = "目录"
        first.append(["序号", "项目名称"])
        for row, (item, name) in enumerate(zip(projects, names, strict=True), start=2):
            first.cell(row, 1, item.number).border = _BORDER
            link = first.cell(row, 2, item.name)
            link.hyperlink = f"#'{name}'!A1"
            link.border = _BORDER
    for index, (item, name) in enumerate(zip(projects, names, strict=True)):
        ws = wb.create_sheet(name) if combined or index else first
        ws.title = name
        layout, widths, title_row = layout_of(item, jurisdiction)
        _fill(ws, layout, widths, title_row, jurisdiction)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()




def seed_units() -> list[tuple[list[Project], Jurisdiction]]:
    """Return the projects of each unit folder of ``specs/`` with their jurisdiction."""
    from sheetgen.projects import to_project
    from sheetgen.spec.files import discover, read_spec
    from sheetgen.validation import Checker

    checker = Checker()
    specs, _ = discover([REPO / "specs"])
    units: dict[Path, tuple[list[Project], Jurisdiction]] = {}
    for spec in specs:
        validated = checker.validate(read_spec(spec))
        if not validated.ok or validated.jurisdiction is None:
            continue
        entry = units.setdefault(spec.path.parent, ([], validated.jurisdiction))
        entry[0].append(to_project(validated))
    return [units[key] for key in sorted(units)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="repetitions per timing (default 20)")
    args = parser.parse_args(argv)
    units = seed_units()
    if not units:
        print("specs/ holds no valid projects", file=sys.stderr)
        return 1
    single_ours, single_theirs, unit_ours, unit_theirs = [], [], [], []
    for projects, jurisdiction in units:
        template = compile_xlsx(jurisdiction)

        def ours(items: list[Project], t: XlsxTemplate = template, j: Jurisdiction = jurisdiction) -> bytes:
            return t.render(items, j)

        def theirs(items: list[Project], j: Jurisdiction = jurisdiction) -> bytes:
            return write_with_openpyxl(items, j)

        for item in projects:
            single_ours.append(median_ms(partial(ours, [item]), args.repeat))
            single_theirs.append(median_ms(partial(theirs, [item]), args.repeat))
        unit_ours.append(median_ms(partial(ours, projects), args.repeat))
        unit_theirs.append(median_ms(partial(theirs, projects), max(3, args.repeat // 4)))
    count = sum(len(p) for p, _ in units)
    print(f"{'median per workbook':<40}{'sheetgen':>12}{'openpyxl':>12}{'ratio':>9}")
    for label, our_ms, their_ms in (
        (f"one project ({count} seed projects)", single_ours, single_theirs),
        (f"unit workbook ({len(units)} units, 目录 + sheets)", unit_ours, unit_theirs),
    ):
        mine, other = statistics.median(our_ms), statistics.median(their_ms)
        print(f"{label:<40}{mine:>9.2f} ms{other:>9.2f} ms{other / mine:>8.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
