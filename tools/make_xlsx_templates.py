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

Fonts, sizes, amount alignment, paper and margins come from the ``print:``
block of each jurisdiction.yaml: cells name the body face (宋体, charset
GB2312) and titles the title face, never a theme font; the workbook's Normal
font is the Latin face, whose digit width Excel, WPS and LibreOffice all turn
column widths into alike; column widths fill the printable width; labels
wrap at sensible points measured with the fonts' metrics.

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
sys.path.insert(0, str(ROOT / "tools"))  # print_settings, beside this script

from print_settings import printed  # noqa: E402

from sheetgen import jurisdiction as jurisdictions  # noqa: E402
from sheetgen.render import metrics  # noqa: E402
from sheetgen.render.package import Package, read_parts  # noqa: E402
from sheetgen.render.xlsx_frame import PAPER_MM  # noqa: E402

PAPER_CODES = {"A4": 9, "A3": 8, "B5": 13, "Letter": 1}  # Excel's paperSize code of each paper
GB2312 = 134  # font charset of Chinese faces
CELL_INSET_PT = 4.0  # points of a cell's width Excel keeps clear of text (both sides, with the grid line)
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
FIXED_DATE = "2020-01-01T00:00:00Z"

LOOP_OPEN = "{%tr for row in rows %}"
LOOP_CLOSE = "{%tr endfor %}"


class Typography:
    """The ``print:`` block of a jurisdiction: fonts, sizes, amounts, paper."""

    def __init__(self, name: str):
        found = printed(name)
        self.body, self.title, self.latin = found.body, found.title, found.latin
        self.title_size, self.cell_size = found.title_size, found.cell_size
        self.amount_align = found.amount_align
        self.amount_indent = 1 if found.padding_mm > 0 else 0
        self.paper_code = PAPER_CODES[found.paper]
        self.landscape = found.landscape
        self.margins_mm = found.margins_mm
        width, height = PAPER_MM[self.paper_code]
        self.text_width_mm = (height if self.landscape else width) - self.margins_mm["left"] - self.margins_mm["right"]

    def widths(self, shares: Sequence[float]) -> list[float]:
        """Return column widths (Excel units: 7 px each, plus 5 px) filling the printable
        width in the proportions ``shares``."""
        total_px = self.text_width_mm / 25.4 * 96
        return [round((total_px * share / sum(shares) - 5) / 7, 2) for share in shares]


T = Typography("shanghai")  # replaced by each template builder


def _align(horizontal: str = "left", indent: int = 0) -> Alignment:
    return Alignment(horizontal=horizontal, vertical="center", wrap_text=True, indent=indent)


def label(text: str, width: float) -> str:
    """Return a label with line breaks where it wraps in a column ``width`` units wide, lines even."""
    usable = width * 5.25 - CELL_INSET_PT
    return metrics.balance(text, usable, T.cell_size)


class Sheet:
    """A small writer over an openpyxl worksheet: styled, bordered cells and merges."""

    def __init__(self, ws: Worksheet, widths: Sequence[float]):
        self.ws = ws
        self.widths = list(widths)
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[chr(64 + index)].width = width

    def put(
        self,
        ref: str,
        value: object,
        *,
        bold: bool = False,
        size: float | None = None,
        font: str | None = None,
        horizontal: str = "left",
        indent: int = 0,
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
            cell.font = Font(name=font or T.body, size=size or T.cell_size, bold=bold, charset=GB2312)
            cell.alignment = _align(horizontal, indent)
            if border:
                cell.border = BORDER
            if fill is not None:
                cell.fill = fill
            if number_format:
                cell.number_format = number_format

    def label(self, ref: str, text: str, *, bold: bool = False, horizontal: str = "left",
              fill: PatternFill | None = None) -> None:
        """Write a label into ``ref`` (a cell or a merged range), wrapped at sensible points."""
        first, _, last = ref.partition(":")
        cols = range(ord(first[0]) - 65, ord((last or first)[0]) - 64)
        self.put(ref, label(text, sum(self.widths[c] for c in cols)), bold=bold, horizontal=horizontal, fill=fill)

    def amount(self, ref: str, value: str, money_format: str) -> None:
        """Write an amount tag, aligned and padded as the jurisdiction prints amounts."""
        indent = T.amount_indent if T.amount_align != "center" else 0
        self.put(ref, value, number_format=money_format, horizontal=T.amount_align, indent=indent)

    def height(self, row: int, points: float) -> None:
        self.ws.row_dimensions[row].height = points

    def finish(self, title_row: int) -> None:
        """Set paper, orientation and margins of the jurisdiction, 100 % (sheetgen
        sets the scale that fits the width when it renders), repeated header row."""
        ws = self.ws
        ws.page_setup.paperSize = T.paper_code
        ws.page_setup.orientation = "landscape" if T.landscape else "portrait"
        ws.page_setup.scale = 100
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        ws.print_options.horizontalCentered = True
        inch = 25.4
        ws.page_margins.left = T.margins_mm["left"] / inch
        ws.page_margins.right = T.margins_mm["right"] / inch
        ws.page_margins.top = T.margins_mm["top"] / inch
        ws.page_margins.bottom = T.margins_mm["bottom"] / inch
        ws.page_margins.header = ws.page_margins.footer = 0.3
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        ws.oddFooter.center.font = f"{T.body},Regular"  # not the program's default (sans) face
        ws.print_title_rows = f"{title_row}:{title_row}"


def shanghai(money_format: str) -> Workbook:
    """Return the Shanghai workbook (layout of 财政项目支出绩效目标表, 4 columns)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "绩效目标表"
    s = Sheet(ws, T.widths([22, 26, 22, 24]))
    s.put("A1:D1", "财政项目支出绩效目标表", size=T.title_size, font=T.title, horizontal="center", border=False)
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
        s.label(f"A{row}", label1)
        s.put(f"B{row}", value1, number_format=fmt, horizontal="center" if dated else "left")
        s.label(f"C{row}", label2)
        s.put(f"D{row}", value2, number_format=fmt, horizontal="center" if dated else "left")
        row += 1
    long_texts = [(f"{name}：", key) for key, name in jurisdictions.load("shanghai").long_texts]
    for name, key in long_texts:
        s.label(f"A{row}", name)
        s.put(f"B{row}:D{row}", f"{{{{ project.{key} }}}}")
        row += 1
    s.put(f"A{row}:D{row}", "本项目上年度市级财政资金使用情况", bold=True, horizontal="center")
    row += 1
    amounts = [
        ("项目总预算（元）：", "total", "项目当年预算（元）：", "current_year"),
        ("同名项目上年预算额（元）：", "last_year", "同名项目上年预算执行数（元）：", "last_year_spent"),
    ]
    for label1, key1, label2, key2 in amounts:
        s.label(f"A{row}", label1)
        s.amount(f"B{row}", f"{{{{ project.budget.{key1} }}}}", money_format)
        s.label(f"C{row}", label2)
        s.amount(f"D{row}", f"{{{{ project.budget.{key2} }}}}", money_format)
        row += 1
    s.put(f"A{row}:D{row}", "{{ project.year }}年绩效目标", bold=True, horizontal="center")
    row += 1
    header_row = row
    for col, text in zip("ABCD", ["一级目标", "二级目标", "三级目标", "指标目标值"], strict=True):
        s.label(f"{col}{row}", text, bold=True, horizontal="center", fill=HEADER_FILL)
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
    s = Sheet(ws, T.widths([14, 16, 18, 24, 22]))
    s.put("A1:E1", "{{ number }}.{{ project.name }}绩效目标表", size=T.title_size, font=T.title,
          horizontal="center", border=False)
    s.height(1, 30)
    s.put("A2:C2", "{{ project.unit.code }}{{ project.unit.name }}", border=False)
    s.put("D2:E2", "单位：万元", horizontal="right", border=False)
    s.put("A3", "项目名称", horizontal="center")
    s.put("B3:E3", "{{ project.name }}")
    s.label("A4:A7", "预算规模及资金用途", horizontal="center")
    budget = [("预算数", "total"), ("其中：财政资金", "fiscal"), ("其他资金", "other")]
    for row, (name, key) in enumerate(budget, start=4):
        s.label(f"B{row}", name, horizontal="center")
        s.amount(f"C{row}:E{row}", f"{{{{ project.budget.{key} }}}}", money_format)
    s.label("B7", "资金用途", horizontal="center")
    s.put("C7:E7", "{{ project.purpose }}")
    s.put("A8", "绩效目标", horizontal="center")
    s.put("B8:E8", TARGETS)
    header_row = 9
    labels = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"]
    for col, text in zip("ABCDE", labels, strict=True):
        s.label(f"{col}{header_row}", text, bold=True, horizontal="center", fill=HEADER_FILL)
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


def normal_font(styles: bytes) -> bytes:
    """Return ``styles.xml`` whose Normal font (font 0) is the Latin face at 11 pt, no theme font:
    column widths are counted in its digit width, which Excel and LibreOffice then agree on."""
    text = styles.decode("utf-8")
    text = re.sub(r"<fonts count=\"(\d+)\"><font>.*?</font>",
                  lambda m: f'<fonts count="{m.group(1)}"><font><name val="{T.latin}"/><family val="1"/>'
                  '<sz val="11"/></font>', text, count=1, flags=re.S)
    return re.sub(r"<scheme val=\"\w+\"/>", "", text).encode("utf-8")


def deterministic(blob: bytes) -> bytes:
    """Return the package ``blob`` with fixed document dates and zip entry times
    (and the Normal font of :func:`normal_font`)."""
    parts = read_parts(blob)
    parts["xl/styles.xml"] = normal_font(parts["xl/styles.xml"])
    core = parts["docProps/core.xml"].decode("utf-8")
    core = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*", rf"\g<1>{FIXED_DATE}", core)
    parts["docProps/core.xml"] = core.encode("utf-8")
    return Package(parts).write({})


def build(name: str) -> bytes:
    """Return the bytes of the template of jurisdiction ``name``."""
    global T
    T = Typography(name)
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
