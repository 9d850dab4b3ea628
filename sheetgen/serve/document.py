"""A rendered Word document read back as the preview shows it: paragraphs and tables.

:func:`read_document` takes the bytes of a .docx that sheetgen rendered (from
any jurisdiction's Word template, built-in or the user's own) and returns its
body as plain frozen blocks: paragraphs with their alignment, weight and
size, and tables on their grid, each cell with the column span of its
``w:gridSpan`` and the row span its ``w:vMerge`` covers, its shading and
alignment.  The preview is drawn from these, so it shows what the Word file
holds without a second layout per format.  (A general converter such as
mammoth keeps spans but drops alignment, widths and shading on purpose; the
preview needs them to look like the print.)
"""

from __future__ import annotations

from lxml import etree  # type: ignore[import-untyped]
from msgspec import Struct

from sheetgen.importers import docx_reader
from sheetgen.importers.docx_reader import W, paragraph_text
from sheetgen.importers.safety import main_part, open_package

P, TBL, TR, TC = f"{W}p", f"{W}tbl", f"{W}tr", f"{W}tc"
_ALIGN = {"left": "left", "start": "left", "center": "center", "right": "right", "end": "right",
          "both": "justify", "distribute": "justify"}
TWIPS_PER_MM = 1440 / 25.4


class Paragraph(Struct, frozen=True):
    """One paragraph: its text (line breaks as ``\\n``), alignment, bold, size in points (None: the default)."""

    text: str
    align: str = "left"
    bold: bool = False
    size: float | None = None


class Cell(Struct, frozen=True):
    """One table cell as drawn: paragraphs, spans, first grid column (0-based), shading, alignment."""

    paragraphs: tuple[Paragraph, ...]
    col: int
    colspan: int = 1
    rowspan: int = 1
    fill: str | None = None
    valign: str = "top"

    @property
    def text(self) -> str:
        """Return the cell's text, one paragraph a line."""
        return "\n".join(p.text for p in self.paragraphs).strip()


class Row(Struct, frozen=True):
    """One table row: its cells (those a vertical merge covers are left out) and whether it is a header row."""

    cells: tuple[Cell, ...]
    header: bool = False


class Table(Struct, frozen=True):
    """One table: column widths (per cent of the table) and rows."""

    widths: tuple[float, ...]
    rows: tuple[Row, ...]


class PageBreak(Struct, frozen=True):
    """A page break between blocks (the 汇总 puts each project on its own page)."""


Block = Paragraph | Table | PageBreak


class Document(Struct, frozen=True):
    """The body of a Word document and its page: width and margins in millimetres."""

    blocks: tuple[Block, ...]
    page_width: float = 210.0
    page_height: float = 297.0
    margin_left: float = 25.0
    margin_right: float = 25.0

    @property
    def tables(self) -> tuple[Table, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Table))


def read_document(docx: bytes) -> Document:
    """Return the blocks and page of the Word document ``docx`` (bytes of a .docx)."""
    package = open_package(docx, "预览的 Word 文件")
    body = package.xml(main_part(package)).find(f"{W}body")
    if body is None:
        return Document(())
    blocks: list[Block] = []
    for element in docx_reader.blocks(body, contents=True):
        if element.tag == TBL:
            blocks.append(_table(element))
            continue
        if element.find(f"{W}pPr/{W}pageBreakBefore") is not None and blocks:
            blocks.append(PageBreak())
        blocks.append(_paragraph(element))
        if element.find(f".//{W}br[@{W}type='page']") is not None or element.find(f"{W}pPr/{W}sectPr") is not None:
            blocks.append(PageBreak())
    while blocks and isinstance(blocks[-1], PageBreak | Paragraph) and _empty(blocks[-1]):
        blocks.pop()
    return _with_page(tuple(blocks), body.find(f"{W}sectPr"))


def _empty(block: Block) -> bool:
    return isinstance(block, PageBreak) or (isinstance(block, Paragraph) and not block.text.strip())


def _with_page(blocks: tuple[Block, ...], section: etree._Element | None) -> Document:
    if section is None:
        return Document(blocks)
    size, margins = section.find(f"{W}pgSz"), section.find(f"{W}pgMar")

    def mm(element: etree._Element | None, name: str, default: float) -> float:
        value = element.get(f"{W}{name}") if element is not None else None
        try:
            return int(value) / TWIPS_PER_MM if value is not None else default
        except ValueError:
            return default

    return Document(blocks, mm(size, "w", 210.0), mm(size, "h", 297.0), mm(margins, "left", 25.0),
                    mm(margins, "right", 25.0))


def _val(element: etree._Element, path: str) -> str | None:
    found = element.find(path)
    return None if found is None else found.get(f"{W}val", "")


def _int(element: etree._Element, path: str, default: int) -> int:
    try:
        return max(1, int(_val(element, path) or default))
    except ValueError:
        return default


def _on(element: etree._Element | None) -> bool:
    return element is not None and element.get(f"{W}val", "true") not in ("0", "false", "off")


def _paragraph(p: etree._Element) -> Paragraph:
    runs = [r for r in p.iter(f"{W}r") if "".join(t.text or "" for t in r.iter(f"{W}t")).strip()]
    bold = bool(runs) and all(_on(r.find(f"{W}rPr/{W}b")) for r in runs)
    size = None
    sizes = [_val(r, f"{W}rPr/{W}sz") for r in runs]
    if sizes and sizes[0]:
        try:
            size = int(sizes[0]) / 2
        except ValueError:
            size = None
    align = _ALIGN.get(_val(p, f"{W}pPr/{W}jc") or "left", "left")
    return Paragraph(paragraph_text(p).replace("\t", "  "), align, bold, size)


def _table(table: etree._Element) -> Table:
    grid = [int(c.get(f"{W}w", "0") or 0) for c in table.findall(f"{W}tblGrid/{W}gridCol")]
    total = sum(grid) or 1
    raw: list[tuple[list[tuple[etree._Element, int, int]], bool]] = []
    for tr in docx_reader.children(table, TR):
        col = _int(tr, f"{W}trPr/{W}gridBefore", 0) if tr.find(f"{W}trPr/{W}gridBefore") is not None else 0
        cells = []
        for tc in docx_reader.children(tr, TC):
            span = _int(tc, f"{W}tcPr/{W}gridSpan", 1)
            cells.append((tc, col, span))
            col += span
        raw.append((cells, tr.find(f"{W}trPr/{W}tblHeader") is not None))
    rows = []
    for index, (cells, header) in enumerate(raw):
        out = []
        for tc, col, span in cells:
            merge = _val(tc, f"{W}tcPr/{W}vMerge")
            if merge is not None and merge != "restart":
                continue  # covered by the cell above
            rowspan = _rowspan(raw, index, col) if merge == "restart" else 1
            fill = _fill(tc)
            valign = {"center": "middle", "bottom": "bottom"}.get(_val(tc, f"{W}tcPr/{W}vAlign") or "", "top")
            paragraphs = tuple(_paragraph(p) for p in docx_reader.children(tc, P))
            out.append(Cell(paragraphs, col, span, rowspan, fill, valign))
        rows.append(Row(tuple(out), header))
    widths = tuple(round(100 * w / total, 3) for w in grid)
    return Table(widths, tuple(rows))


def _rowspan(raw: list[tuple[list[tuple[etree._Element, int, int]], bool]], index: int, col: int) -> int:
    """Return how many rows the merge starting at row ``index``, grid column ``col`` covers."""
    span = 1
    for cells, _header in raw[index + 1:]:
        below = next((tc for tc, c, _s in cells if c == col), None)
        merge = None if below is None else _val(below, f"{W}tcPr/{W}vMerge")
        if merge is None or merge == "restart":
            break
        span += 1
    return span


def _fill(tc: etree._Element) -> str | None:
    shading = tc.find(f"{W}tcPr/{W}shd")
    fill = None if shading is None else shading.get(f"{W}fill")
    if fill and len(fill) == 6 and all(c in "0123456789abcdefABCDEF" for c in fill):
        return f"#{fill}"
    return None
