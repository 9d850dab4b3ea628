"""The XML of a template sheet around its rows, made print-ready once.

Kept from the template: the root element and its namespaces, sheet
properties, views, default row/column sizes, column widths, protection,
print options, margins, page setup and header/footer.  Dropped, because they
point at template rows or at parts of the template sheet: conditional
formats, data validations, hyperlinks, breaks, drawings, tables.

The page setup is made one page wide with an explicit print scale (A4 and
portrait unless the template says otherwise): the widest the columns may
print -- in Excel (7 px per width unit plus 5) or in LibreOffice (the Normal
font's digit width per unit) -- must fit between the margins.  Excel's own
fit-to-width would pick a scale sheetgen cannot know; with the scale fixed,
:class:`PageSetup` tells the renderer how many points of rows fit on a page,
and the page breaks it places are the ones every program prints.
"""

from __future__ import annotations

import contextlib
import copy
import math
import re
from collections.abc import Sequence
from typing import Any

from lxml import etree
from msgspec import Struct

from sheetgen import office
from sheetgen.render.xlsx_styles import NS

_Q = f"{{{NS}}}"
_REL_ID = office.qn(office.R, "id")
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
DEFAULT_MARGINS = '<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'


def _xml(element: etree._Element | None) -> str:
    if element is None:
        return ""
    return etree.tostring(element, encoding="unicode", with_tail=False)


class SheetFrame(Struct, frozen=True):
    """The pieces of a sheet's XML that do not depend on the data."""

    open: str
    views_selected: str
    views_plain: str
    before_data: str
    after_data: str
    tail: str

    def xml(self, *, selected: bool, dimension: str, rows: bytes, merges: str, breaks: Sequence[int] = ()) -> bytes:
        """Return the whole sheet XML, UTF-8, around ``rows`` (the ``<row>`` elements, UTF-8),
        ``merges`` (the ``<mergeCell>`` elements) and manual page ``breaks`` (0-based ids of
        the rows a new page starts with)."""
        merge_block = ""
        if merges:
            merge_block = f'<mergeCells count="{merges.count("<mergeCell ")}">{merges}</mergeCells>'
        tail = self.tail
        if breaks:
            brks = "".join(f'<brk id="{b}" max="16383" man="1"/>' for b in breaks)
            tail = tail.replace(
                "</worksheet>",
                f'<rowBreaks count="{len(breaks)}" manualBreakCount="{len(breaks)}">{brks}</rowBreaks></worksheet>',
            )
        before = "".join(
            (
                self.open,
                f'<dimension ref="{dimension}"/>',
                self.views_selected if selected else self.views_plain,
                self.before_data,
                "<sheetData>",
            )
        )
        after = "".join(("</sheetData>", self.after_data, merge_block, tail))
        return b"".join((before.encode("utf-8"), rows, after.encode("utf-8")))


def _open_tag(root: etree._Element) -> str:
    # the stubs type nsmap with str keys; the default namespace's key is None, which lxml accepts
    nsmap: Any = root.nsmap
    attrib: dict[Any, Any] = dict(root.attrib)
    bare = etree.Element(root.tag, attrib=attrib, nsmap=nsmap)
    text = etree.tostring(bare, encoding="unicode")
    return XML_DECLARATION + text[: -len("/>")].rstrip() + ">"


def _sheet_pr(root: etree._Element) -> str:
    sheet_pr = root.find(f"{_Q}sheetPr")
    sheet_pr = copy.deepcopy(sheet_pr) if sheet_pr is not None else etree.Element(f"{_Q}sheetPr")
    setup = sheet_pr.find(f"{_Q}pageSetUpPr")
    if setup is not None:
        setup.set("fitToPage", "0")
    return _xml(sheet_pr)


def _views(root: etree._Element) -> tuple[str, str]:
    views = root.find(f"{_Q}sheetViews")
    if views is None:
        views = etree.fromstring(f'<sheetViews xmlns="{NS}"><sheetView workbookViewId="0"/></sheetViews>')
    selected = copy.deepcopy(views)
    plain = copy.deepcopy(views)
    for view in selected.findall(f"{_Q}sheetView")[:1]:
        view.set("tabSelected", "1")
    for view in plain.findall(f"{_Q}sheetView"):
        if "tabSelected" in view.attrib:
            del view.attrib["tabSelected"]
    return _xml(selected), _xml(plain)


# Paper sizes (``pageSetup/@paperSize``) in millimetres, portrait.
PAPER_MM = {1: (215.9, 279.4), 5: (215.9, 355.6), 8: (297.0, 420.0), 9: (210.0, 297.0), 11: (148.0, 210.0),
            12: (250.0, 353.0), 13: (176.0, 250.0)}
_POINTS_PER_INCH = 72.0
# Digit width (em) of a Normal font, which LibreOffice counts column widths in; fonts not
# listed are taken as wide as DejaVu Sans, the widest fallback, so that the table always fits.
_DIGIT_EM = {"times new roman": 0.5, "liberation serif": 0.5, "宋体": 0.557, "simsun": 0.557,
             "calibri": 0.507, "arial": 0.556, "liberation sans": 0.556}
_WIDEST_DIGIT_EM = 0.636
HEIGHT_SAFETY = 0.97  # of the printable height: room for rounding in Excel, WPS and LibreOffice


class PageSetup(Struct, frozen=True):
    """A sheet's page: paper and margins (points), the print scale (percent) and the
    height of rows (sheet points) that fit between the top and bottom margins."""

    width: float
    height: float
    margins: tuple[float, float, float, float]  # left, right, top, bottom
    scale: int

    @property
    def room(self) -> float:
        """Return the sheet points of rows that print on one page."""
        top, bottom = self.margins[2:]
        return (self.height - top - bottom) * 100 / self.scale * HEIGHT_SAFETY


def column_points(widths: Sequence[float], normal_font: str = "", normal_size: float = 11.0) -> float:
    """Return the widest the columns ``widths`` (width units) print, in points: in
    Excel (7 px per unit plus 5 px) or in LibreOffice (the Normal font's digit width per unit)."""
    excel = sum(w * 7 + 5 for w in widths if w > 0) * 0.75
    digit = _DIGIT_EM.get(normal_font.casefold(), _WIDEST_DIGIT_EM) * normal_size
    libre = sum(w * digit for w in widths if w > 0)
    return max(excel, libre)


def page_setup_of(root: etree._Element, table_width: float) -> PageSetup:
    """Return the page of a template sheet whose columns print ``table_width`` points wide."""
    setup = root.find(f"{_Q}pageSetup")
    paper = 9
    landscape = False
    if setup is not None:
        try:
            paper = int(setup.get("paperSize", "9"))
        except ValueError:
            paper = 9
        landscape = setup.get("orientation") == "landscape"
    width_mm, height_mm = PAPER_MM.get(paper, PAPER_MM[9])
    if landscape:
        width_mm, height_mm = height_mm, width_mm
    inch = _POINTS_PER_INCH
    margins = root.find(f"{_Q}pageMargins")
    sides = (0.5, 0.5, 0.6, 0.6)
    if margins is not None:
        with contextlib.suppress(ValueError):
            sides = tuple(float(margins.get(side, default)) for side, default in
                          zip(("left", "right", "top", "bottom"), sides, strict=True))  # type: ignore[assignment]
    width, height = width_mm / 25.4 * inch, height_mm / 25.4 * inch
    left, right, top, bottom = (side * inch for side in sides)
    printable = width - left - right
    scale = 100 if table_width <= printable else max(10, math.floor(printable / table_width * 100))
    return PageSetup(width=width, height=height, margins=(left, right, top, bottom), scale=scale)


def page_setup(element: etree._Element | None, scale: int = 100) -> str:
    """Return the ``<pageSetup>`` of a template at ``scale`` percent (A4 and portrait
    unless set, no fit-to-page), without its printer-settings part."""
    setup = copy.deepcopy(element) if element is not None else etree.Element(f"{_Q}pageSetup")
    if _REL_ID in setup.attrib:
        del setup.attrib[_REL_ID]
    for name in ("fitToWidth", "fitToHeight"):
        if name in setup.attrib:
            del setup.attrib[name]
    setup.set("paperSize", setup.get("paperSize", "9"))
    setup.set("orientation", setup.get("orientation", "portrait"))
    setup.set("scale", str(scale))
    return _xml(setup)


_HEADER_FOOTER_KINDS = {"oddHeader": "页眉", "oddFooter": "页脚", "evenHeader": "偶数页页眉",
                        "evenFooter": "偶数页页脚", "firstHeader": "首页页眉", "firstFooter": "首页页脚"}
_CODES = {"&P": "{页码}", "&N": "{总页数}", "&D": "{日期}", "&T": "{时间}", "&F": "{文件名}", "&A": "{工作表名}",
          "&&": "&"}


def furniture(tail: str) -> list[tuple[str, str]]:
    """Return the page headers and footers in the ``tail`` of a sheet's XML, each as
    (页眉/页脚, the text it prints with Excel's codes named: ``第 {页码} 页``)."""
    found = re.search(r"<headerFooter\b[^>]*/>|<headerFooter\b.*?</headerFooter>", tail, re.S)
    if found is None:
        return []
    xml = found.group(0)
    if "xmlns=" not in xml.split(">", 1)[0]:
        xml = xml.replace("<headerFooter", f'<headerFooter xmlns="{NS}"', 1)
    try:
        element = etree.fromstring(xml)
    except etree.XMLSyntaxError:
        return []
    out = []
    for child in element:
        name = etree.QName(child).localname
        text = re.sub(r'&"[^"]*"|&\d+|&[BIUSEXYKGHO]', "", child.text or "")
        text = re.sub(r"&[LCR]", " ", text)
        text = re.sub(r"&[PNDTFA&]", lambda m: _CODES[m.group(0)], text).strip()
        if text and name in _HEADER_FOOTER_KINDS:
            out.append((_HEADER_FOOTER_KINDS[name], text))
    return out


def compile_frame(sheet: bytes, table_width: float) -> tuple[SheetFrame, PageSetup]:
    """Return the frame of a template sheet (its XML without rows and merges) and its
    page, for columns that print ``table_width`` points wide."""
    root = etree.fromstring(sheet)
    views_selected, views_plain = _views(root)
    margins = root.find(f"{_Q}pageMargins")
    page = page_setup_of(root, table_width)
    tail = "".join(
        (
            _xml(root.find(f"{_Q}printOptions")),
            _xml(margins) if margins is not None else DEFAULT_MARGINS,
            page_setup(root.find(f"{_Q}pageSetup"), page.scale),
            _xml(root.find(f"{_Q}headerFooter")),
            "</worksheet>",
        )
    )
    return SheetFrame(
        open=_open_tag(root) + _sheet_pr(root),
        views_selected=views_selected,
        views_plain=views_plain,
        before_data=_xml(root.find(f"{_Q}sheetFormatPr")) + _xml(root.find(f"{_Q}cols")),
        after_data=_xml(root.find(f"{_Q}sheetProtection")),
        tail=tail,
    ), page
