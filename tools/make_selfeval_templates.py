"""Generate the built-in 绩效自评表 templates ``templates/<name>/selfeval.docx|xlsx``.

Run ``python tools/make_selfeval_templates.py`` from the repository root.  The Word and Excel
templates are made with the helpers of ``tools/make_docx_templates.py`` and
``tools/make_xlsx_templates.py``, so they get each built-in format's own typography and page
(the ``print:`` block of its jurisdiction.yaml: faces named on every run, zh-CN, exact line
heights, paper, margins, amounts aligned and padded), and sheetgen's page layout applies to
them as to the 目标表.  The layout is the 项目支出绩效自评表 offices print:

* the header: 项目名称; 主管部门, 实施单位; 项目资金 (年初预算数, 全年预算数, 全年执行数, 分值,
  执行率, 得分 by 年度资金总额, 其中：本年财政拨款, 上年结转资金, 其他资金); 年度总体目标
  (预期目标 -- the spec's goals -- and 实际完成情况);
* the indicator table: 一级指标 (with its points), 二级指标, 三级指标, 年度指标值, 实际完成值,
  分值, 得分, 偏差原因分析及改进措施, one row per indicator, 一级/二级 merged; then 总分 and
  自评等级.

What each tag may use is listed in ``sheetgen/render/evaluation.py``.  The output is
deterministic, like the 目标表 templates'.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Sequence
from pathlib import Path

from docx.document import Document as DocumentObject
from docx.table import Table, _Cell
from openpyxl import Workbook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

import make_docx_templates as wd  # noqa: E402
import make_xlsx_templates as xl  # noqa: E402

from sheetgen import jurisdiction as jurisdictions  # noqa: E402

FUNDS = (("年度资金总额", "total"), ("其中：本年财政拨款", "fiscal"), ("上年结转资金", "carryover"),
         ("其他资金", "other"))
COLUMNS = ("年初预算数", "全年预算数", "全年执行数")
INDICATOR_HEADER = ("三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")
INDICATOR_CELLS = ("{%vm row.level1 %}", "{%vm row.level2 %}", "{{ row.name }}", "{{ row.value }}",
                   "{{ row.actual }}", "{{ row.points }}", "{{ row.score }}", "{{ row.reason }}")


class Layout:
    """What differs between the built-in formats' 自评表: titles, level headers, unit, goals."""

    def __init__(self, name: str, title: str, heading: str, goals: str, targets: bool, page_numbers: bool):
        found = jurisdictions.load(name, [ROOT / "templates"])
        self.name = name
        self.title = title
        self.heading = heading  # the Heading 1 of a project in the unit's combined document
        self.levels = (found.levels.label(1), found.levels.label(2))
        self.unit = found.money_unit
        self.money_format = found.money_format
        self.goals = goals  # the 预期目标 tag
        self.targets = targets  # 预期目标 as the numbered list of the spec's targets
        self.page_numbers = page_numbers  # a “- N -” footer, as the format's 目标表 has one or not


LAYOUTS = {
    "shanghai": Layout("shanghai", "财政项目支出绩效自评表", "{{ number }}.{{ project.name }}",
                       "{{ project.goals }}", targets=False, page_numbers=True),
    "tianjin": Layout("tianjin", "项目支出绩效自评表", "{{ number }}.{{ project.name }}绩效自评表",
                      "", targets=True, page_numbers=False),
}


# ----------------------------------------------------------------------------- Word


def _merge(table: Table, first: tuple[int, int], last: tuple[int, int]) -> _Cell:
    return table.cell(*first).merge(table.cell(*last))


def docx(layout: Layout) -> DocumentObject:
    """Return the Word template of one format's 自评表."""
    T = wd.T
    doc = wd.Document()
    wd.setup_styles(doc, heading_align=wd.CENTER if layout.targets else wd.LEFT)
    wd.setup_page(doc, page_numbers=layout.page_numbers)
    if layout.targets:
        wd.para(doc, layout.heading, style="Heading 1")
    else:
        wd.para(doc, "{%p if combined %}")
        wd.para(doc, layout.heading, style="Heading 1")
        wd.para(doc, "{%p endif %}")
        wd.para(doc, layout.title, align=wd.CENTER, size=T.title_size, font=T.title, after=6)
    wd.para(doc, "（{{ project.year }}年度）", align=wd.CENTER, after=6)

    cols = wd.widths((19, 26.5, 23, 23, 23, 14, 17, 14))
    grid = wd.table(doc, 9, cols)
    wd.write(grid.cell(0, 0), "项目名称", align=wd.CENTER)
    wd.write(_merge(grid, (0, 1), (0, 7)), "{{ project.name }}")
    wd.write(grid.cell(1, 0), "主管部门", align=wd.CENTER)
    wd.write(_merge(grid, (1, 1), (1, 2)), "{{ evaluation.department }}")
    wd.write(grid.cell(1, 3), "实施单位", align=wd.CENTER)
    wd.write(_merge(grid, (1, 4), (1, 7)), "{{ evaluation.implementer }}")
    wd.write(_merge(grid, (2, 0), (6, 0)), wd.label(f"项目资金（{layout.unit}）", cols[0]), align=wd.CENTER)
    for index, text in enumerate((*COLUMNS, "分值", "执行率", "得分"), start=2):
        wd.write(grid.cell(2, index), wd.label(text, cols[index]), align=wd.CENTER)
    for row, (text, key) in enumerate(FUNDS, start=3):
        wd.write(grid.cell(row, 1), wd.label(text, cols[1]), align=wd.CENTER)
        for index, column in enumerate(("initial", "adjusted", "spent"), start=2):
            wd.amount(grid.cell(row, index), f"{{{{ evaluation.{column}.{key} }}}}")
    for index, tag in ((5, "execution_points"), (6, "rate"), (7, "execution_score")):
        wd.write(_merge(grid, (3, index), (6, index)), f"{{{{ evaluation.{tag} }}}}", align=wd.CENTER)
    wd.write(_merge(grid, (7, 0), (8, 0)), wd.label("年度总体目标", cols[0]), align=wd.CENTER)
    wd.write(_merge(grid, (7, 1), (7, 4)), "预期目标", align=wd.CENTER)
    wd.write(_merge(grid, (7, 5), (7, 7)), "实际完成情况", align=wd.CENTER)
    expected = _merge(grid, (8, 1), (8, 4))
    if layout.targets:
        wd.write(expected, "{%p for t in project.targets %}")
        wd.add_paragraph(expected, "{{ loop.index }}.{{ t }}")
        wd.add_paragraph(expected, "{%p endfor %}")
    else:
        wd.write(expected, layout.goals)
    wd.write(_merge(grid, (8, 5), (8, 7)), "{{ evaluation.achieved }}")

    wd.para(doc, "", after=6)
    shares = wd.widths((16, 19, 27, 18.5, 18.5, 14.5, 14.5, 32))
    tbl = wd.table(doc, 5, shares)
    header = tbl.rows[0]
    wd.repeat_header(header)
    for cell, text, width in zip(header.cells, (*layout.levels, *INDICATOR_HEADER), shares, strict=True):
        wd.write(cell, wd.label(text, width), align=wd.CENTER, bold=True)
        wd.shade(cell)
    wd.write(wd.merge_row(tbl.rows[1], 0, 7), "{%tr for row in rows %}")
    for index, (cell, text) in enumerate(zip(tbl.rows[2].cells, INDICATOR_CELLS, strict=True)):
        wd.write(cell, text, align=wd.CENTER if index in (0, 1, 3, 4, 5, 6) else wd.LEFT)
    wd.write(wd.merge_row(tbl.rows[3], 0, 7), "{%tr endfor %}")
    total = tbl.rows[4]
    wd.write(wd.merge_row(total, 0, 4), "总分", align=wd.CENTER, bold=True)
    wd.write(total.cells[5], "{{ evaluation.points }}", align=wd.CENTER)
    wd.write(total.cells[6], "{{ evaluation.total }}", align=wd.CENTER, bold=True)
    wd.write(total.cells[7], "自评等级：{{ evaluation.grade }}", align=wd.LEFT)
    wd.tail_paragraph(doc)
    return doc


# ----------------------------------------------------------------------------- Excel


def xlsx(layout: Layout) -> Workbook:
    """Return the Excel workbook template of one format's 自评表 (8 columns)."""
    T = xl.T
    wb = xl.Workbook()
    ws = wb.active
    ws.title = "绩效自评表"
    s = xl.Sheet(ws, T.widths([10, 14, 15, 15, 15, 10, 12, 17]))
    title = layout.heading if layout.targets else layout.title
    s.put("A1:H1", title, size=T.title_size, font=T.title, horizontal="center", border=False)
    s.height(1, 30)
    s.put("A2:H2", "（{{ project.year }}年度）", horizontal="center", border=False)
    s.label("A3", "项目名称", horizontal="center")
    s.put("B3:H3", "{{ project.name }}")
    s.label("A4", "主管部门", horizontal="center")
    s.put("B4:C4", "{{ evaluation.department }}")
    s.put("D4", "实施单位", horizontal="center")
    s.put("E4:H4", "{{ evaluation.implementer }}")
    s.label("A5:A9", f"项目资金（{layout.unit}）", horizontal="center")
    s.put("B5", "")
    for col, text in zip("CDEFGH", (*COLUMNS, "分值", "执行率", "得分"), strict=True):
        s.label(f"{col}5", text, horizontal="center")
    for row, (text, key) in enumerate(FUNDS, start=6):
        s.label(f"B{row}", text, horizontal="center")
        for col, column in zip("CDE", ("initial", "adjusted", "spent"), strict=True):
            s.amount(f"{col}{row}", f"{{{{ evaluation.{column}.{key} }}}}", layout.money_format)
            # three amounts side by side: a long one shrinks to fit rather than showing ###
            old = ws[f"{col}{row}"].alignment
            ws[f"{col}{row}"].alignment = xl.Alignment(horizontal=old.horizontal, vertical="center",
                                                       indent=old.indent, shrink_to_fit=True)
    for col, tag in zip("FGH", ("execution_points", "rate", "execution_score"), strict=True):
        s.put(f"{col}6:{col}9", f"{{{{ evaluation.{tag} }}}}", horizontal="center")
    s.label("A10:A11", "年度总体目标", horizontal="center")
    s.put("B10:E10", "预期目标", horizontal="center")
    s.put("F10:H10", "实际完成情况", horizontal="center")
    s.put("B11:E11", xl.TARGETS if layout.targets else layout.goals)
    s.put("F11:H11", "{{ evaluation.achieved }}")
    header_row = 12
    for col, text in zip("ABCDEFGH", (*layout.levels, *INDICATOR_HEADER), strict=True):
        s.label(f"{col}{header_row}", text, bold=True, horizontal="center", fill=xl.HEADER_FILL)
    ws["A13"] = xl.LOOP_OPEN
    for col, text in zip("ABCDEFGH", INDICATOR_CELLS, strict=True):
        s.put(f"{col}14", text, horizontal="left" if col in "CH" else "center")
    ws["A15"] = xl.LOOP_CLOSE
    s.put("A16:E16", "总分", bold=True, horizontal="center")
    s.put("F16", "{{ evaluation.points }}", horizontal="center")
    s.put("G16", "{{ evaluation.total }}", bold=True, horizontal="center")
    s.put("H16", "自评等级：{{ evaluation.grade }}")
    s.finish(header_row)
    return wb


# ----------------------------------------------------------------------------- writing


def main(argv: Sequence[str] = ()) -> int:
    """Write the 自评表 templates of the formats named in ``argv`` (default: both); return 0."""
    for name in list(argv) or sorted(LAYOUTS):
        layout = LAYOUTS[name]
        wd.T = wd.Typography(name)
        target = ROOT / "templates" / name / "selfeval.docx"
        target.write_bytes(wd.package(docx(layout), f"{layout.title}模板"))
        print(f"wrote {target.relative_to(ROOT)}")
        xl.T = xl.Typography(name)
        buffer = io.BytesIO()
        xlsx(layout).save(buffer)
        target = ROOT / "templates" / name / "selfeval.xlsx"
        target.write_bytes(xl.deterministic(buffer.getvalue()))
        print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
