"""The XML of a template sheet around its rows, made print-ready once.

Kept from the template: the root element and its namespaces, sheet
properties, views, default row/column sizes, column widths, protection,
print options, margins, page setup and header/footer.  Dropped, because they
point at template rows or at parts of the template sheet: conditional
formats, data validations, hyperlinks, breaks, drawings, tables.  The page
setup is forced to fit one page wide (A4 and portrait unless the template
says otherwise) and ``sheetPr/pageSetUpPr/@fitToPage`` is set.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from lxml import etree

from sheetgen.render.xlsx_styles import NS

_Q = f"{{{NS}}}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
DEFAULT_MARGINS = '<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'


def _xml(element: etree._Element | None) -> str:
    if element is None:
        return ""
    return etree.tostring(element, encoding="unicode", with_tail=False)


@dataclass(frozen=True)
class SheetFrame:
    """The pieces of a sheet's XML that do not depend on the data."""

    open: str
    views_selected: str
    views_plain: str
    before_data: str
    after_data: str
    tail: str

    def xml(self, *, selected: bool, dimension: str, rows: str, merges: str) -> str:
        """Return the whole sheet XML around ``rows`` (the ``<row>`` elements)
        and ``merges`` (the ``<mergeCell>`` elements)."""
        merge_block = ""
        if merges:
            merge_block = f'<mergeCells count="{merges.count("<mergeCell ")}">{merges}</mergeCells>'
        return "".join(
            (
                self.open,
                f'<dimension ref="{dimension}"/>',
                self.views_selected if selected else self.views_plain,
                self.before_data,
                "<sheetData>",
                rows,
                "</sheetData>",
                self.after_data,
                merge_block,
                self.tail,
            )
        )


def _open_tag(root: etree._Element) -> str:
    bare = etree.Element(root.tag, attrib=dict(root.attrib), nsmap=root.nsmap)
    text = etree.tostring(bare, encoding="unicode")
    return XML_DECLARATION + text[: -len("/>")].rstrip() + ">"


def _sheet_pr(root: etree._Element) -> str:
    sheet_pr = root.find(f"{_Q}sheetPr")
    sheet_pr = copy.deepcopy(sheet_pr) if sheet_pr is not None else etree.Element(f"{_Q}sheetPr")
    setup = sheet_pr.find(f"{_Q}pageSetUpPr")
    if setup is None:
        setup = etree.SubElement(sheet_pr, f"{_Q}pageSetUpPr")
    setup.set("fitToPage", "1")
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
        view.attrib.pop("tabSelected", None)
    return _xml(selected), _xml(plain)


def page_setup(element: etree._Element | None) -> str:
    """Return the ``<pageSetup>`` of a template made one page wide (A4 and
    portrait unless set), without its printer-settings part."""
    setup = copy.deepcopy(element) if element is not None else etree.Element(f"{_Q}pageSetup")
    setup.attrib.pop(_REL_ID, None)
    setup.set("paperSize", setup.get("paperSize", "9"))
    setup.set("orientation", setup.get("orientation", "portrait"))
    setup.set("fitToWidth", "1")
    setup.set("fitToHeight", "0")
    return _xml(setup)


def compile_frame(sheet: bytes) -> SheetFrame:
    """Return the frame of a template sheet (its XML without rows and merges)."""
    root = etree.fromstring(sheet)
    views_selected, views_plain = _views(root)
    margins = root.find(f"{_Q}pageMargins")
    tail = "".join(
        (
            _xml(root.find(f"{_Q}printOptions")),
            _xml(margins) if margins is not None else DEFAULT_MARGINS,
            page_setup(root.find(f"{_Q}pageSetup")),
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
    )
