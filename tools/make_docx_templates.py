"""Generate the built-in Word templates ``templates/{shanghai,tianjin}/table.docx``.

Run ``python tools/make_docx_templates.py`` from the repository root.  The
templates are ordinary .docx files: after this first generation users restyle
them in Word/WPS directly (labels are literal text, fonts live in the styles).
The output is deterministic (fixed zip times, fixed core properties).
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sheetgen import jurisdiction as jurisdictions  # noqa: E402
from sheetgen.render.package import Package, read_parts  # noqa: E402

LATIN = "Times New Roman"
BODY_FONT = "宋体"
HEADING_FONT = "黑体"
TEXT_WIDTH = Mm(160)  # A4 210 mm less 25 mm margins on both sides

# Long texts are left-aligned: justified lines ending in a manual line break
# (spec line breaks) would be stretched across the cell.
LEFT, CENTER, RIGHT = WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT


# --- styles -----------------------------------------------------------------


def _set_fonts(rpr: object, east_asia: str, latin: str = LATIN) -> None:
    """Give a ``w:rPr`` explicit fonts (no theme fonts, which would win over them)."""
    fonts = rpr.find(qn("w:rFonts"))  # type: ignore[attr-defined]
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)  # type: ignore[attr-defined]
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for key, value in (("ascii", latin), ("hAnsi", latin), ("eastAsia", east_asia), ("cs", latin)):
        fonts.set(qn(f"w:{key}"), value)


def _style_rpr(style: object) -> object:
    return style.element.get_or_add_rPr()  # type: ignore[attr-defined]


def setup_styles(doc: DocumentObject, *, heading_size: float, heading_align: WD_ALIGN_PARAGRAPH) -> None:
    """Set document defaults, Normal and Heading 1: Chinese fonts, sizes, spacing."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, BODY_FONT)
    for tag in ("w:sz", "w:szCs"):
        rpr.find(qn(tag)).set(qn("w:val"), "21")
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")

    normal = doc.styles["Normal"]
    _set_fonts(_style_rpr(normal), BODY_FONT)
    normal.font.size = Pt(10.5)

    heading = doc.styles["Heading 1"]
    rpr = _style_rpr(heading)
    for tag in ("w:color",):
        for node in rpr.findall(qn(tag)):
            rpr.remove(node)
    _set_fonts(rpr, HEADING_FONT)
    heading.font.size = Pt(heading_size)
    heading.font.bold = True
    fmt = heading.paragraph_format
    fmt.alignment = heading_align
    fmt.space_before = Pt(6)
    fmt.space_after = Pt(12)
    fmt.keep_with_next = True


def setup_page(doc: DocumentObject) -> None:
    """Set A4 portrait with 25 mm side margins and the “- N -” page number footer."""
    section = doc.sections[0]
    section.page_width, section.page_height = Twips(11906), Twips(16838)  # A4 as Word writes it
    section.top_margin = section.bottom_margin = Mm(25)
    section.left_margin = section.right_margin = Mm(25)
    section.header_distance = section.footer_distance = Mm(12)
    footer = section.footer.paragraphs[0]
    footer.alignment = CENTER
    footer.add_run("- ")
    _page_field(footer)
    footer.add_run(" -")


def _page_field(paragraph: Paragraph) -> None:
    """Append a PAGE field to ``paragraph``."""

    def fld(kind: str) -> None:
        node = OxmlElement("w:fldChar")
        node.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(node)

    fld("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    paragraph.add_run()._r.append(instr)
    fld("separate")
    paragraph.add_run("1")
    fld("end")


# --- paragraphs and tables --------------------------------------------------


def para(
    doc: DocumentObject,
    text: str,
    *,
    align: WD_ALIGN_PARAGRAPH | None = None,
    bold: bool = False,
    size: float | None = None,
    font: str | None = None,
    style: str | None = None,
    before: float | None = None,
    after: float | None = None,
) -> Paragraph:
    """Return a new body paragraph holding ``text`` in one run (unset formatting
    comes from the style)."""
    paragraph = doc.add_paragraph(style=style)
    if align is not None:
        paragraph.alignment = align
    if before is not None:
        paragraph.paragraph_format.space_before = Pt(before)
    if after is not None:
        paragraph.paragraph_format.space_after = Pt(after)
    if text:
        run = paragraph.add_run(text)
        run.bold = bold or None
        if size:
            run.font.size = Pt(size)
        if font:
            _set_fonts(run._r.get_or_add_rPr(), font)
    return paragraph


def write(cell: _Cell, text: str, *, align: WD_ALIGN_PARAGRAPH = LEFT, bold: bool = False) -> Paragraph:
    """Return the cell's first paragraph after writing ``text`` into it."""
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    if text:
        run = paragraph.add_run(text)
        run.bold = bold or None
    cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
    return paragraph


def add_paragraph(cell: _Cell, text: str, *, align: WD_ALIGN_PARAGRAPH = LEFT) -> Paragraph:
    """Return a further paragraph appended to ``cell``."""
    paragraph = cell.add_paragraph(text)
    paragraph.alignment = align
    return paragraph


def table(doc: DocumentObject, rows: int, widths_mm: Sequence[float]) -> Table:
    """Return a fixed-layout, centred table with single borders on every cell."""
    tbl = doc.add_table(rows=rows, cols=len(widths_mm))
    tbl.style = doc.styles["Table Grid"]
    tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
    tbl.autofit = False
    total = sum(widths_mm)
    tbl_pr = tbl._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.append(tbl_w)
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(int(Mm(total).twips)))
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        for key, value in (("val", "single"), ("sz", "4"), ("space", "0"), ("color", "000000")):
            edge.set(qn(f"w:{key}"), value)
        borders.append(edge)
    # Schema order: tblStyle, …, tblW, jc, …, tblBorders, shd, tblLayout, tblCellMar, tblLook.
    anchor = tbl_pr.find(qn("w:tblLayout"))
    if anchor is None:
        anchor = tbl_pr.find(qn("w:tblLook"))
    margins = OxmlElement("w:tblCellMar")
    for side, width in (("top", 30), ("left", 85), ("bottom", 30), ("right", 85)):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), str(width))
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        tbl_pr.append(borders)
    tbl_pr.find(qn("w:tblLayout")).addnext(margins)
    for index, width in enumerate(widths_mm):
        tbl.columns[index].width = Mm(width)
        for cell in tbl.columns[index].cells:
            cell.width = Mm(width)
    return tbl


def merge_row(row: _Row, first: int, last: int) -> _Cell:
    """Return the cell made by merging cells ``first``…``last`` of ``row``."""
    return row.cells[first].merge(row.cells[last])


def _row_pr(row: _Row) -> object:
    return row._tr.get_or_add_trPr()


def repeat_header(row: _Row) -> None:
    """Mark ``row`` as a header row repeated at the top of every page."""
    node = OxmlElement("w:tblHeader")
    _row_pr(row).append(node)


def cant_split(row: _Row) -> None:
    """Keep ``row`` on one page."""
    _row_pr(row).append(OxmlElement("w:cantSplit"))


def shade(cell: _Cell, fill: str = "F2F2F2") -> None:
    """Give ``cell`` a light background."""
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr = cell._tc.get_or_add_tcPr()
    valign = tc_pr.find(qn("w:vAlign"))
    if valign is not None:
        valign.addprevious(shd)
    else:
        tc_pr.append(shd)


def tail_paragraph(doc: DocumentObject) -> None:
    """End the body with a 1-pt paragraph (Word wants a paragraph after a table)."""
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(1)
    rpr = paragraph._p.get_or_add_pPr()
    mark = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "2")
    mark.append(size)
    rpr.append(mark)


def indicator_table(doc: DocumentObject, labels: Sequence[str], cells: Sequence[str], widths: Sequence[float]) -> None:
    """Add the indicator table: header row, ``{%tr for %}`` row, data row, ``{%tr endfor %}`` row."""
    tbl = table(doc, 4, widths)
    header = tbl.rows[0]
    cant_split(header)
    repeat_header(header)
    for cell, label in zip(header.cells, labels, strict=True):
        write(cell, label, align=CENTER, bold=True)
        shade(cell)
    write(merge_row(tbl.rows[1], 0, len(widths) - 1), "{%tr for row in rows %}")
    data = tbl.rows[2]
    cant_split(data)
    for index, (cell, text) in enumerate(zip(data.cells, cells, strict=True)):
        align = CENTER if index < 2 or index == len(cells) - 1 else LEFT
        write(cell, text, align=align)
    write(merge_row(tbl.rows[3], 0, len(widths) - 1), "{%tr endfor %}")


# --- the two templates ------------------------------------------------------


def shanghai() -> DocumentObject:
    """Return the Shanghai 财政项目支出绩效目标表 template (seed 000/001 layout)."""
    doc = Document()
    setup_styles(doc, heading_size=14, heading_align=LEFT)
    setup_page(doc)
    para(doc, "{%p if combined %}")
    para(doc, "{{ number }}.{{ project.name }}", style="Heading 1")
    para(doc, "{%p endif %}")
    para(doc, "财政项目支出绩效目标表", align=CENTER, bold=True, size=18, font=HEADING_FONT, after=6)
    para(doc, "（{{ project.year }}年度）", align=CENTER, after=6)
    para(doc, "申报单位名称：{{ project.unit.name }}", after=6)

    grid = table(doc, 12, (44, 36, 44, 36))
    pairs = [
        ("项目名称：", "{{ project.name }}", "项目类别：", "{{ project.category }}"),
        ("计划开始日期：", "{{ project.start_date }}", "计划完成日期：", "{{ project.end_date }}"),
        ("是否含有政府购买服务：", "{{ project.government_purchase }}", "绩效类型：", "{{ project.performance_type }}"),
    ]
    for row, texts in zip(grid.rows, pairs, strict=False):
        for index, (cell, text) in enumerate(zip(row.cells, texts, strict=True)):
            write(cell, text, align=LEFT if index % 2 == 0 else CENTER)
    long_texts = [(f"{label}：", key) for key, label in jurisdictions.load("shanghai").long_texts]
    for row, (label, key) in zip(grid.rows[3:], long_texts, strict=False):
        write(row.cells[0], label)
        write(merge_row(row, 1, 3), f"{{{{ project.{key} }}}}")
    title = merge_row(grid.rows[9], 0, 3)
    write(title, "本项目上年度市级财政资金使用情况", bold=True)
    shade(title)
    money = [
        (
            "项目总预算（元）：",
            "{{ project.budget.total }}",
            "项目当年预算（元）：",
            "{{ project.budget.current_year }}",
        ),
        (
            "同名项目上年预算额（元）：",
            "{{ project.budget.last_year }}",
            "同名项目上年预算执行数（元）：",
            "{{ project.budget.last_year_spent }}",
        ),
    ]
    for row, texts in zip(grid.rows[10:], money, strict=True):
        for index, (cell, text) in enumerate(zip(row.cells, texts, strict=True)):
            write(cell, text, align=LEFT if index % 2 == 0 else RIGHT)

    goals = para(doc, "{{ project.year }}年绩效目标", bold=True, before=12, after=6)
    goals.paragraph_format.keep_with_next = True
    indicator_table(
        doc,
        ("一级目标", "二级目标", "三级目标", "指标目标值"),
        ("{%vm row.level1 %}", "{%vm row.level2 %}", "{{ row.name }}", "{{ row.value }}"),
        (28, 30, 60, 42),
    )
    tail_paragraph(doc)
    return doc


def tianjin() -> DocumentObject:
    """Return the Tianjin 项目绩效目标表 template (seed 002 layout)."""
    doc = Document()
    setup_styles(doc, heading_size=16, heading_align=CENTER)
    setup_page(doc)
    para(doc, "{{ number }}.{{ project.name }}绩效目标表", style="Heading 1")
    para(doc, "{{ project.unit.code }}{{ project.unit.name }}")
    para(doc, "单位：万元", align=RIGHT, after=3)

    grid = table(doc, 6, (40, 36, 84))
    write(grid.rows[0].cells[0], "项目名称", align=CENTER)
    write(merge_row(grid.rows[0], 1, 2), "{{ project.name }}")
    label = grid.rows[1].cells[0].merge(grid.rows[4].cells[0])
    write(label, "预算规模及资金用途", align=CENTER)
    lines = [
        ("预算数", "{{ project.budget.total }}"),
        ("其中：财政资金", "{{ project.budget.fiscal }}"),
        ("其他资金", "{{ project.budget.other }}"),
        ("资金用途", "{{ project.purpose }}"),
    ]
    for row, (name, value) in zip(grid.rows[1:5], lines, strict=True):
        write(row.cells[1], name, align=CENTER)
        write(row.cells[2], value, align=LEFT if name == "资金用途" else CENTER)
    write(grid.rows[5].cells[0], "绩效目标", align=CENTER)
    targets = merge_row(grid.rows[5], 1, 2)
    write(targets, "{%p for t in project.targets %}")
    add_paragraph(targets, "{{ loop.index }}.{{ t }}")
    add_paragraph(targets, "{%p endfor %}")

    para(doc, "", after=6)
    indicator_table(
        doc,
        ("一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"),
        ("{%vm row.level1 %}", "{%vm row.level2 %}", "{{ row.name }}", "{{ row.description }}", "{{ row.value }}"),
        (22, 34, 32, 40, 32),
    )
    tail_paragraph(doc)
    return doc


# --- packaging --------------------------------------------------------------

CORE = """<?xml version='1.0' encoding='UTF-8' standalone='yes'?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" \
xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" \
xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\
<dc:title>{title}</dc:title><dc:creator>sheetgen</dc:creator><cp:keywords>sheetgen 模板</cp:keywords>\
<dc:description>由 tools/make_docx_templates.py 生成；可直接在 Word 中修改。</dc:description>\
<cp:lastModifiedBy>sheetgen</cp:lastModifiedBy><cp:revision>1</cp:revision>\
<dcterms:created xsi:type="dcterms:W3CDTF">2020-01-01T00:00:00Z</dcterms:created>\
<dcterms:modified xsi:type="dcterms:W3CDTF">2020-01-01T00:00:00Z</dcterms:modified></cp:coreProperties>"""


def package(doc: DocumentObject, title: str) -> bytes:
    """Return the template's bytes: python-docx output without the thumbnail and
    the obsolete stylesWithEffects part, fixed core properties, fixed zip times."""
    buffer = io.BytesIO()
    doc.save(buffer)
    parts = read_parts(buffer.getvalue())
    drop = {"docProps/thumbnail.jpeg", "word/stylesWithEffects.xml"}
    for name in drop:
        parts.pop(name, None)
    parts["_rels/.rels"] = re.sub(rb"<Relationship [^>]*thumbnail[^>]*/>", b"", parts["_rels/.rels"])
    rels = "word/_rels/document.xml.rels"
    parts[rels] = re.sub(rb"<Relationship [^>]*stylesWithEffects[^>]*/>", b"", parts[rels])
    types = "[Content_Types].xml"
    parts[types] = re.sub(rb"<Override [^>]*stylesWithEffects[^>]*/>", b"", parts[types])
    parts["docProps/core.xml"] = CORE.format(title=title).encode("utf-8")
    return Package(parts).write({})


def main(argv: Sequence[str] = ()) -> int:
    """Return 0 after writing both templates (into ``argv[0]`` if given, else ``templates/``)."""
    out = Path(argv[0]) if argv else ROOT / "templates"
    for name, build, title in (
        ("shanghai", shanghai, "上海市财政项目支出绩效目标表模板"),
        ("tianjin", tianjin, "天津市项目绩效目标表模板"),
    ):
        target = out / name / "table.docx"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(package(build(), title))
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
