"""Generate the built-in Excel templates ``templates/<name>/table.xlsx``.

Run ``python tools/make_xlsx_templates.py`` to regenerate both.  The files are
a starting point: users then edit them in Excel/WPS (labels are literal cell
text, styles and widths are ordinary Excel formatting).

Template language (see :mod:`sheetgen.render.xlsx_template`):

* ``{{ expr }}`` alone in a cell keeps the value's type (amounts are numbers,
  dates are dates); mixed text prints values as text;
* a row whose first cell is ``{%tr for row in rows %}`` opens a loop, a row
  ``{%tr endfor %}`` closes it; the rows between repeat per item;
* ``{%vm row.level1 %}`` prints a 一级/二级 name once and merges it down over
  its group.

The saved zip is made deterministic (fixed document dates, fixed entry times)
so that regenerating an unchanged template gives the same bytes.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sheetgen import jurisdiction as jurisdictions  # noqa: E402
from sheetgen.render.package import Package, read_parts  # noqa: E402

FONT = "宋体"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
FIXED_DATE = "2020-01-01T00:00:00Z"

LOOP_OPEN = "{%tr for row in rows %}"
LOOP_CLOSE = "{%tr endfor %}"


def _align(horizontal: str = "left") -> Alignment:
    return Alignment(horizontal=horizontal, vertical="center", wrap_text=True)


class Sheet:
    """A small writer over an openpyxl worksheet: styled, bordered cells and merges."""

    def __init__(self, ws: Worksheet, widths: Sequence[float]):
        self.ws = ws
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[chr(64 + index)].width = width

    def put(
        self,
        ref: str,
        value: object,
        *,
        bold: bool = False,
        size: float = 11,
        horizontal: str = "left",
        border: bool = True,
        fill: PatternFill | None = None,
        number_format: str | None = None,
    ) -> None:
        """Write ``value`` into ``ref`` (a cell ``B4`` or a range ``B4:D4`` that
        is merged); every cell of a range gets the style, borders included."""
        ws = self.ws
        if ":" in ref:
            ws.merge_cells(ref)
            cells = [c for row in ws[ref] for c in row]
        else:
            cells = [ws[ref]]
        cells[0].value = value
        for cell in cells:
            cell.font = Font(name=FONT, size=size, bold=bold)
            cell.alignment = _align(horizontal)
            if border:
                cell.border = BORDER
            if fill is not None:
                cell.fill = fill
            if number_format:
                cell.number_format = number_format

    def height(self, row: int, points: float) -> None:
        self.ws.row_dimensions[row].height = points

    def finish(self, title_row: int) -> None:
        """Set A4 portrait, one page wide, repeated header row and margins."""
        ws = self.ws
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.page_margins.header = ws.page_margins.footer = 0.3
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        ws.print_title_rows = f"{title_row}:{title_row}"


def shanghai(money_format: str) -> Workbook:
    """Return the Shanghai workbook (layout of 财政项目支出绩效目标表, 4 columns)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "绩效目标表"
    s = Sheet(ws, [22, 26, 22, 24])
    s.put("A1:D1", "财政项目支出绩效目标表", bold=True, size=16, horizontal="center", border=False)
    s.height(1, 30)
    s.put("A2:D2", "（{{ project.year }}年度）", horizontal="center", border=False)
    s.put("A3:D3", "申报单位名称：{{ project.unit.name }}", border=False)
    pairs = [
        ("项目名称：", "{{ project.name }}", "项目类别：", "{{ project.category }}"),
        ("计划开始日期：", "{{ project.start_date }}", "计划完成日期：", "{{ project.end_date }}"),
        ("是否含有政府购买服务：", "{{ project.government_purchase }}", "绩效类型：", "{{ project.performance_type }}"),
    ]
    row = 4
    for label1, value1, label2, value2 in pairs:
        dated = "date" in value1
        fmt = "yyyy-mm-dd" if dated else None
        s.put(f"A{row}", label1)
        s.put(f"B{row}", value1, number_format=fmt, horizontal="center" if dated else "left")
        s.put(f"C{row}", label2)
        s.put(f"D{row}", value2, number_format=fmt, horizontal="center" if dated else "left")
        row += 1
    long_texts = [(f"{label}：", key) for key, label in jurisdictions.load("shanghai").long_texts]
    for label, key in long_texts:
        s.put(f"A{row}", label)
        s.put(f"B{row}:D{row}", f"{{{{ project.{key} }}}}")
        row += 1
    s.put(f"A{row}:D{row}", "本项目上年度市级财政资金使用情况", bold=True, horizontal="center")
    row += 1
    amounts = [
        ("项目总预算（元）：", "total", "项目当年预算（元）：", "current_year"),
        ("同名项目上年预算额（元）：", "last_year", "同名项目上年预算执行数（元）：", "last_year_spent"),
    ]
    for label1, key1, label2, key2 in amounts:
        s.put(f"A{row}", label1)
        s.put(f"B{row}", f"{{{{ project.budget.{key1} }}}}", number_format=money_format, horizontal="right")
        s.put(f"C{row}", label2)
        s.put(f"D{row}", f"{{{{ project.budget.{key2} }}}}", number_format=money_format, horizontal="right")
        row += 1
    s.put(f"A{row}:D{row}", "{{ project.year }}年绩效目标", bold=True, horizontal="center")
    row += 1
    header_row = row
    for col, label in zip("ABCD", ["一级目标", "二级目标", "三级目标", "指标目标值"], strict=True):
        s.put(f"{col}{row}", label, bold=True, horizontal="center", fill=HEADER_FILL)
    row += 1
    ws[f"A{row}"] = LOOP_OPEN
    row += 1
    s.put(f"A{row}", "{%vm row.level1 %}", horizontal="center")
    s.put(f"B{row}", "{%vm row.level2 %}", horizontal="center")
    s.put(f"C{row}", "{{ row.name }}")
    s.put(f"D{row}", "{{ row.value }}", horizontal="center")
    row += 1
    ws[f"A{row}"] = LOOP_CLOSE
    s.finish(header_row)
    return wb


TARGETS = "{% for t in project.targets %}{{ loop.index }}.{{ t }}{% if not loop.last %}\n{% endif %}{% endfor %}"


def tianjin(money_format: str) -> Workbook:
    """Return the Tianjin workbook (layout of 项目绩效目标表, 5 columns)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "绩效目标表"
    s = Sheet(ws, [14, 16, 18, 24, 22])
    s.put("A1:E1", "{{ number }}.{{ project.name }}绩效目标表", bold=True, size=16, horizontal="center", border=False)
    s.height(1, 30)
    s.put("A2:C2", "{{ project.unit.code }}{{ project.unit.name }}", border=False)
    s.put("D2:E2", "单位：万元", horizontal="right", border=False)
    s.put("A3", "项目名称", horizontal="center")
    s.put("B3:E3", "{{ project.name }}")
    s.put("A4:A7", "预算规模及资金用途", horizontal="center")
    budget = [("预算数", "total"), ("其中：财政资金", "fiscal"), ("其他资金", "other")]
    for row, (label, key) in enumerate(budget, start=4):
        s.put(f"B{row}", label, horizontal="center")
        s.put(f"C{row}:E{row}", f"{{{{ project.budget.{key} }}}}", number_format=money_format, horizontal="left")
    s.put("B7", "资金用途", horizontal="center")
    s.put("C7:E7", "{{ project.purpose }}")
    s.put("A8", "绩效目标", horizontal="center")
    s.put("B8:E8", TARGETS)
    header_row = 9
    labels = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"]
    for col, label in zip("ABCDE", labels, strict=True):
        s.put(f"{col}{header_row}", label, bold=True, horizontal="center", fill=HEADER_FILL)
    ws["A10"] = LOOP_OPEN
    s.put("A11", "{%vm row.level1 %}", horizontal="center")
    s.put("B11", "{%vm row.level2 %}", horizontal="center")
    s.put("C11", "{{ row.name }}")
    s.put("D11", "{{ row.description }}")
    s.put("E11", "{{ row.value }}", horizontal="center")
    ws["A12"] = LOOP_CLOSE
    s.finish(header_row)
    return wb


BUILDERS = {"shanghai": shanghai, "tianjin": tianjin}


def deterministic(blob: bytes) -> bytes:
    """Return the package ``blob`` with fixed document dates and zip entry times."""
    parts = read_parts(blob)
    core = parts["docProps/core.xml"].decode("utf-8")
    core = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*", rf"\g<1>{FIXED_DATE}", core)
    parts["docProps/core.xml"] = core.encode("utf-8")
    return Package(parts).write({})


def build(name: str) -> bytes:
    """Return the bytes of the template of jurisdiction ``name``."""
    jur = jurisdictions.load(name, [ROOT / "templates"])
    buffer = io.BytesIO()
    BUILDERS[name](jur.money_format).save(buffer)
    return deterministic(buffer.getvalue())


def main(argv: Sequence[str] = ()) -> int:
    """Write the templates named in ``argv`` (default: all); return the exit code."""
    names = list(argv) or sorted(BUILDERS)
    for name in names:
        target = ROOT / "templates" / name / "table.xlsx"
        target.write_bytes(build(name))
        print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
