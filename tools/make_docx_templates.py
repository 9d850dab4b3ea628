"""Generate the built-in Word templates ``templates/{shanghai,tianjin}/table.docx``.

Run ``python tools/make_docx_templates.py`` from the repository root.  The
templates are ordinary .docx files: after this first generation users restyle
them in Word/WPS directly (labels are literal text, fonts live in the styles).
The output is deterministic (fixed zip times, fixed core properties).

Typography and page come from the ``print:`` block of each jurisdiction.yaml:
every run names its fonts explicitly (East Asian face, Latin face, no theme
fonts, which WPS resolves differently), zh-CN is the East Asian language, and
every paragraph has an exact line height, so Word, WPS and LibreOffice lay the
page out alike and sheetgen's page breaks (sheetgen/render/docx_pages.py) fall
where they print.
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
from docx.oxml.table import CT_TrPr
from docx.oxml.text.font import CT_RPr
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Length, Mm, Pt
from docx.styles.style import BaseStyle
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))  # print_settings, beside this script

from print_settings import printed  # noqa: E402

from sheetgen import jurisdiction as jurisdictions  # noqa: E402
from sheetgen.render import metrics  # noqa: E402
from sheetgen.render.package import Package, read_parts  # noqa: E402

PAPER_MM = {"A4": (210, 297), "A3": (297, 420), "B5": (176, 250), "Letter": (215.9, 279.4)}
LINE_FACTOR = 1.5  # exact line height per point of font size
CELL_MARGIN_TWIPS = 85  # left and right cell margins (1.5 mm)


class Typography:
    """The ``print:`` block of a jurisdiction: fonts, sizes, amounts, paper."""

    def __init__(self, name: str):
        found = printed(name)
        self.body, self.title, self.latin, self.language = found.body, found.title, found.latin, found.language
        self.title_size, self.heading_size = found.title_size, found.heading_size
        self.body_size, self.cell_size = found.body_size, found.cell_size
        self.amount_align = found.amount_align
        self.amount_padding = Mm(found.padding_mm)
        width, height = PAPER_MM[found.paper]
        if found.landscape:
            width, height = height, width
        self.paper = (Mm(width), Mm(height))
        self.margins = {side: Mm(mm) for side, mm in found.margins_mm.items()}

    @property
    def text_width_mm(self) -> float:
        """Return the width between the side margins in millimetres."""
        return (self.paper[0] - self.margins["left"] - self.margins["right"]) / 36000


T = Typography("shanghai")  # replaced by each template builder

# Long texts are left-aligned: justified lines ending in a manual line break
# (spec line breaks) would be stretched across the cell.
LEFT, CENTER, RIGHT = WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT


# --- styles -----------------------------------------------------------------


def _set_fonts(rpr: BaseOxmlElement, east_asia: str | None = None) -> None:
    """Give a ``w:rPr`` explicit fonts (no theme fonts, which would win over them):
    the Latin face for Latin and digits, ``east_asia`` (default: the body face) for
    Chinese, and the East Asian face for characters both could draw (“”…)."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    face = east_asia or T.body
    for key, value in (("ascii", T.latin), ("hAnsi", T.latin), ("eastAsia", face), ("cs", T.latin),
                       ("hint", "eastAsia")):
        fonts.set(qn(f"w:{key}"), value)


def _exact_spacing(ppr: BaseOxmlElement, size: float) -> None:
    """Give a ``w:pPr`` an exact line height for text of ``size`` points."""
    spacing = ppr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        ppr.append(spacing)
    spacing.set(qn("w:line"), str(round(size * LINE_FACTOR * 20)))
    spacing.set(qn("w:lineRule"), "exact")


def _style_rpr(style: BaseStyle) -> CT_RPr:
    return style.element.get_or_add_rPr()


def setup_styles(doc: DocumentObject, *, heading_align: WD_ALIGN_PARAGRAPH) -> None:
    """Set document defaults, Normal and Heading 1: explicit Chinese and Latin fonts,
    sizes, exact line heights, the East Asian language."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr)
    for tag in ("w:sz", "w:szCs"):
        rpr.find(qn(tag)).set(qn("w:val"), str(round(T.body_size * 2)))
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), T.language)
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr.find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    _exact_spacing(ppr, T.body_size)

    normal = doc.styles["Normal"]
    _set_fonts(_style_rpr(normal))
    normal.font.size = Pt(T.body_size)
    _exact_spacing(normal.element.get_or_add_pPr(), T.body_size)

    heading = doc.styles["Heading 1"]
    rpr = _style_rpr(heading)
    for tag in ("w:color",):
        for node in rpr.findall(qn(tag)):
            rpr.remove(node)
    _set_fonts(rpr, T.title)
    heading.font.size = Pt(T.heading_size)
    heading.font.bold = False
    fmt = heading.paragraph_format
    fmt.alignment = heading_align
    fmt.space_before = Pt(6)
    fmt.space_after = Pt(12)
    fmt.keep_with_next = True
    _exact_spacing(heading.element.get_or_add_pPr(), T.heading_size)


def setup_page(doc: DocumentObject, *, page_numbers: bool) -> None:
    """Set the paper and margins of the jurisdiction and, when its source prints them
    (``page_numbers``), the “- N -” page number footer: a template carries nothing its source
    does not, since every format copied from it inherits it."""
    section = doc.sections[0]
    section.page_width, section.page_height = T.paper
    section.top_margin, section.bottom_margin = T.margins["top"], T.margins["bottom"]
    section.left_margin, section.right_margin = T.margins["left"], T.margins["right"]
    section.header_distance = section.footer_distance = Mm(12)
    if not page_numbers:
        return
    footer = section.footer.paragraphs[0]
    footer.alignment = CENTER
    _set_fonts(footer.add_run("- ")._r.get_or_add_rPr())
    _page_field(footer)
    _set_fonts(footer.add_run(" -")._r.get_or_add_rPr())


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
    _set_fonts(paragraph.add_run("1")._r.get_or_add_rPr())
    fld("end")


# --- paragraphs and tables --------------------------------------------------


def _run(paragraph: Paragraph, text: str, *, bold: bool = False, size: float | None = None,
         font: str | None = None) -> None:
    """Append a run holding ``text`` with explicit fonts (and size, when given)."""
    run = paragraph.add_run(text)
    run.bold = bold or None
    if size:
        run.font.size = Pt(size)
    _set_fonts(run._r.get_or_add_rPr(), font)


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
    if size:
        _exact_spacing(paragraph._p.get_or_add_pPr(), size)
    if text:
        _run(paragraph, text, bold=bold, size=size, font=font)
    return paragraph


def write(cell: _Cell, text: str, *, align: WD_ALIGN_PARAGRAPH = LEFT, bold: bool = False,
          padding: Length | None = None) -> Paragraph:
    """Return the cell's first paragraph after writing ``text`` into it (``padding``:
    an indent from the border on the aligned side)."""
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    if padding is not None and align == RIGHT:
        paragraph.paragraph_format.right_indent = padding
    elif padding is not None and align == LEFT:
        paragraph.paragraph_format.left_indent = padding
    if text:
        _run(paragraph, text, bold=bold)
    cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
    return paragraph


def amount(cell: _Cell, text: str) -> Paragraph:
    """Return the cell's paragraph after writing the amount tag ``text``, aligned and
    padded as the jurisdiction prints amounts."""
    align = {"left": LEFT, "center": CENTER, "right": RIGHT}[T.amount_align]
    return write(cell, text, align=align, padding=T.amount_padding)


def label(text: str, width_mm: float) -> str:
    """Return a label with line breaks where it wraps in a cell ``width_mm`` wide, lines even."""
    usable = Mm(width_mm).pt - 2 * CELL_MARGIN_TWIPS / 20
    return metrics.balance(text, usable, T.cell_size)


def add_paragraph(cell: _Cell, text: str, *, align: WD_ALIGN_PARAGRAPH = LEFT) -> Paragraph:
    """Return a further paragraph appended to ``cell``."""
    paragraph = cell.add_paragraph()
    paragraph.alignment = align
    if text:
        _run(paragraph, text)
    return paragraph


def table(doc: DocumentObject, rows: int, widths_mm: Sequence[float]) -> Table:
    """Return a fixed-layout, centred table with single borders on every cell and rows
    that never split across pages."""
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
    for side, twips in (("top", 30), ("left", CELL_MARGIN_TWIPS), ("bottom", 30), ("right", CELL_MARGIN_TWIPS)):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), str(twips))
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
    for row in tbl.rows:
        cant_split(row)
    return tbl


def merge_row(row: _Row, first: int, last: int) -> _Cell:
    """Return the cell made by merging cells ``first``…``last`` of ``row``."""
    return row.cells[first].merge(row.cells[last])


def _row_pr(row: _Row) -> CT_TrPr:
    return row._tr.get_or_add_trPr()


def repeat_header(row: _Row) -> None:
    """Mark ``row`` as a header row repeated at the top of every page."""
    node = OxmlElement("w:tblHeader")
    _row_pr(row).append(node)


def cant_split(row: _Row) -> None:
    """Keep ``row`` on one page."""
    if _row_pr(row).find(qn("w:cantSplit")) is None:
        _row_pr(row).insert(0, OxmlElement("w:cantSplit"))


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
    repeat_header(header)
    for cell, text, width in zip(header.cells, labels, widths, strict=True):
        write(cell, label(text, width), align=CENTER, bold=True)
        shade(cell)
    write(merge_row(tbl.rows[1], 0, len(widths) - 1), "{%tr for row in rows %}")
    data = tbl.rows[2]
    for index, (cell, text) in enumerate(zip(data.cells, cells, strict=True)):
        align = CENTER if index < 2 or index == len(cells) - 1 else LEFT
        write(cell, text, align=align)
    write(merge_row(tbl.rows[3], 0, len(widths) - 1), "{%tr endfor %}")


def widths(shares: Sequence[float]) -> list[float]:
    """Return column widths in mm filling the text width in the proportions ``shares``."""
    total = sum(shares)
    return [round(T.text_width_mm * share / total, 1) for share in shares]


# --- the two templates ------------------------------------------------------


def shanghai() -> DocumentObject:
    """Return the Shanghai 财政项目支出绩效目标表 template (seed 000/001 layout)."""
    doc = Document()
    setup_styles(doc, heading_align=LEFT)
    setup_page(doc, page_numbers=True)  # seed 001 prints “- 1 -” under each page
    para(doc, "{%p if combined %}")
    para(doc, "{{ number }}.{{ project.name }}", style="Heading 1")
    para(doc, "{%p endif %}")
    para(doc, "财政项目支出绩效目标表", align=CENTER, size=T.title_size, font=T.title, after=6)
    para(doc, "（{{ project.year }}年度）", align=CENTER, after=6)
    para(doc, "申报单位名称：{{ project.unit.name }}", after=6)

    cols = widths((44, 36, 44, 36))
    grid = table(doc, 12, cols)
    pairs = [
        ("项目名称：", "{{ project.name }}", "项目类别：", "{{ project.category }}"),
        ("计划开始日期：", "{{ project.start_date }}", "计划完成日期：", "{{ project.end_date }}"),
        ("是否含有政府购买服务：", "{{ project.government_purchase }}", "绩效类型：", "{{ project.performance_type }}"),
    ]
    for row, texts in zip(grid.rows, pairs, strict=False):
        for index, (cell, text) in enumerate(zip(row.cells, texts, strict=True)):
            if index % 2 == 0:
                write(cell, label(text, cols[index]))
            else:
                write(cell, text, align=CENTER)
    long_texts = [(f"{name}：", key) for key, name in jurisdictions.load("shanghai").long_texts]
    for row, (name, key) in zip(grid.rows[3:], long_texts, strict=False):
        write(row.cells[0], label(name, cols[0]))
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
            if index % 2 == 0:
                write(cell, label(text, cols[index]))
            else:
                amount(cell, text)

    goals = para(doc, "{{ project.year }}年绩效目标", bold=True, before=12, after=6)
    goals.paragraph_format.keep_with_next = True
    indicator_table(
        doc,
        ("一级目标", "二级目标", "三级目标", "指标目标值"),
        ("{%vm row.level1 %}", "{%vm row.level2 %}", "{{ row.name }}", "{{ row.value }}"),
        widths((28, 30, 60, 42)),
    )
    tail_paragraph(doc)
    return doc


def tianjin() -> DocumentObject:
    """Return the Tianjin 项目绩效目标表 template (seed 002 layout)."""
    doc = Document()
    setup_styles(doc, heading_align=CENTER)
    setup_page(doc, page_numbers=False)  # no Tianjin source prints a page number
    para(doc, "{{ number }}.{{ project.name }}绩效目标表", style="Heading 1")
    para(doc, "{{ project.unit.code }}{{ project.unit.name }}")
    para(doc, "单位：万元", align=RIGHT, after=3)

    cols = widths((40, 36, 84))
    grid = table(doc, 6, cols)
    write(grid.rows[0].cells[0], "项目名称", align=CENTER)
    write(merge_row(grid.rows[0], 1, 2), "{{ project.name }}")
    merged = grid.rows[1].cells[0].merge(grid.rows[4].cells[0])
    write(merged, label("预算规模及资金用途", cols[0]), align=CENTER)
    lines = [
        ("预算数", "{{ project.budget.total }}"),
        ("其中：财政资金", "{{ project.budget.fiscal }}"),
        ("其他资金", "{{ project.budget.other }}"),
        ("资金用途", "{{ project.purpose }}"),
    ]
    for row, (name, value) in zip(grid.rows[1:5], lines, strict=True):
        write(row.cells[1], label(name, cols[1]), align=CENTER)
        if name == "资金用途":
            write(row.cells[2], value, align=LEFT)
        else:
            amount(row.cells[2], value)
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
        widths((22, 34, 32, 40, 32)),
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

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# Font table entries Word and WPS use to find or substitute a face: (name, alternative
# name, panose, charset, family).  Chinese faces use charset 86 (GB2312).
FONT_FACTS = {
    "宋体": ("SimSun", "02010600030101010101", "86", "auto"),
    "黑体": ("SimHei", "02010609060101010101", "86", "modern"),
    "仿宋": ("FangSong", "02010609060101010101", "86", "modern"),
    "楷体": ("KaiTi", "02010609060101010101", "86", "modern"),
    "方正小标宋简体": ("FZXiaoBiaoSong-B05S", "02000000000000000000", "86", "auto"),
    "Times New Roman": ("", "02020603050405020304", "00", "roman"),
}


def font_table() -> bytes:
    """Return ``word/fontTable.xml`` listing the faces the template uses."""
    entries = []
    for name in dict.fromkeys((T.body, T.title, T.latin)):
        alt, panose, charset, family = FONT_FACTS.get(name, ("", "02000000000000000000", "86", "auto"))
        alt_xml = f'<w:altName w:val="{alt}"/>' if alt else ""
        entries.append(
            f'<w:font w:name="{name}">{alt_xml}<w:panose1 w:val="{panose}"/><w:charset w:val="{charset}"/>'
            f'<w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>'
        )
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        f'<w:fonts xmlns:w="{W_NS}">{"".join(entries)}</w:fonts>'
    ).encode()


def package(doc: DocumentObject, title: str) -> bytes:
    """Return the template's bytes: python-docx output without the thumbnail and
    the obsolete stylesWithEffects part, no theme fonts anywhere (the theme's
    East Asian faces are ours too), zh-CN as the theme language, our font table,
    fixed core properties, fixed zip times."""
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
    parts["word/styles.xml"] = re.sub(rb'\s+w:(?:ascii|hAnsi|eastAsia|cs)Theme="[^"]*"', b"", parts["word/styles.xml"])
    language = T.language.encode()
    parts["word/settings.xml"] = re.sub(
        rb'<w:themeFontLang [^>]*/>', b'<w:themeFontLang w:val="en-US" w:eastAsia="' + language + b'"/>',
        parts["word/settings.xml"],
    )
    theme = "word/theme/theme1.xml"
    text = parts[theme].decode("utf-8")
    text = re.sub(r'(<a:majorFont>.*?<a:ea typeface=")[^"]*"', rf'\g<1>{T.title}"', text, flags=re.S)
    text = re.sub(r'(<a:minorFont>.*?<a:ea typeface=")[^"]*"', rf'\g<1>{T.body}"', text, flags=re.S)
    text = re.sub(r'(<a:(?:major|minor)Font>\s*<a:latin typeface=")[^"]*"', rf'\g<1>{T.latin}"', text)
    parts[theme] = text.encode("utf-8")
    parts["word/fontTable.xml"] = font_table()
    parts["docProps/core.xml"] = CORE.format(title=title).encode("utf-8")
    return Package(parts).write({})


def main(argv: Sequence[str] = ()) -> int:
    """Return 0 after writing both templates (into ``argv[0]`` if given, else ``templates/``)."""
    global T
    out = Path(argv[0]) if argv else ROOT / "templates"
    for name, build, title in (
        ("shanghai", shanghai, "上海市财政项目支出绩效目标表模板"),
        ("tianjin", tianjin, "天津市项目绩效目标表模板"),
    ):
        T = Typography(name)
        target = out / name / "table.docx"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(package(build(), title))
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
