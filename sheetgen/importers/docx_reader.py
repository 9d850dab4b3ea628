"""Reads a .docx into a :class:`~sheetgen.importers.grid_model.Document`.

:func:`read_docx` returns the body's paragraphs and table rows in document
order, reading ``word/document.xml`` itself (through :mod:`.safety`, so no
DTD, entity or oversized part gets through).  Table cells are placed on the
table grid: ``w:gridBefore`` shifts a row, ``w:gridSpan`` (and the old
``w:hMerge``) repeats a cell to the right and ``w:vMerge`` continues the cell
above, each as a copy that records the merge's first cell.  Content controls
(``w:sdt``) and custom XML wrappers are looked through, except a table of
contents (Word's ``docPartGallery`` "Table of Contents": the contents page of
a unit's combined document); deleted text, field codes and the fallback copy
of drawings are skipped.  A table in a text box, or a whole table inside a cell
of another one, is refused with a message saying how to move it into the body
(its text would otherwise become one cell's text).
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from sheetgen import office
from sheetgen.errors import ImportFormatError
from sheetgen.importers.grid_model import MAX_CELLS, MAX_COLS, MAX_ROWS, Cell, Document, Line
from sheetgen.importers.safety import SafePackage, main_part

W = office.qn(office.W, "")
MC_FALLBACK = office.qn(office.MC, "Fallback")
P, TBL, TR, TC, TXBX = f"{W}p", f"{W}tbl", f"{W}tr", f"{W}tc", f"{W}txbxContent"
T, TAB, BR, CR = f"{W}t", f"{W}tab", f"{W}br", f"{W}cr"
#: Wrappers whose children are looked through (content controls, custom XML, tracked insertions).
WRAPPERS = {f"{W}sdt", f"{W}sdtContent", f"{W}customXml", f"{W}smartTag", f"{W}ins", f"{W}moveTo"}
#: Elements whose text is not shown (deleted text, properties, field codes, drawing fallbacks).
SKIPPED = {f"{W}del", f"{W}moveFrom", f"{W}rPr", f"{W}pPr", f"{W}tcPr", f"{W}trPr", f"{W}tblPr", f"{W}sdtPr",
           f"{W}instrText", MC_FALLBACK}  # fmt: skip


def read_docx(package: SafePackage, name: str) -> Document:
    """Return the paragraphs and table rows of the Word package as a document named ``name``."""
    root = package.xml(main_part(package))
    body = root.find(f"{W}body")
    if body is None:
        raise ImportFormatError(f"{package.what}没有正文（w:body），不是 Word 文档")
    doc = Document(name, "docx")
    paragraphs = tables = cells = 0
    for element in blocks(body):
        if element.tag == P:
            paragraphs += 1
            if _boxed_table(element) is not None:
                raise ImportFormatError(f"{package.what}第{paragraphs}段{_BOXED}")
            cell = Cell(paragraph_text(element), paragraphs, 1)
            doc.lines.append(Line((cell,), name, f"第{paragraphs}段", paragraph=True))
        else:
            tables += 1
            if _boxed_table(element) is not None:
                raise ImportFormatError(f"{package.what}的表{tables}里{_BOXED}")
            nested = _nested_table(element)
            if nested:
                row, col, rows = nested
                raise ImportFormatError(
                    f"{package.what}的表格套在另一个表格的单元格里（表{tables}第{row}行第{col}格，"
                    f"里面的表格有 {rows} 行），sheetgen 只读最外层的表格。请在 Word/WPS 里把里面的表格复制出来，"
                    "粘贴到正文里（不在任何表格内），删去外面的表格，保存后再导入")
            lines = _table(element, f"{name} 表{tables}", f"表{tables}", package.what)
            cells += sum(len(line.cells) for line in lines)
            doc.lines.extend(lines)
        if cells + paragraphs > MAX_CELLS:
            raise ImportFormatError(f"{package.what}的单元格和段落超过 {MAX_CELLS} 个，不像绩效目标表，拒绝读取")
    return doc


_BOXED = ("的文本框里有一个表格，sheetgen 只读正文里的表格。请在 Word/WPS 里选中文本框里的整个表格，剪切后粘贴到"
          "正文（文本框外面），删去空的文本框，保存后再导入")
#: A table inside a cell with this many rows (and two columns or more) is a table of its own, not cell text.
NESTED_ROWS = 4


def _boxed_table(block: etree._Element) -> etree._Element | None:
    """Return a table that sits in a text box under ``block`` (not counting drawing fallbacks), if any."""
    for table in block.iter(TBL):
        ancestors = {parent.tag for parent in table.iterancestors() if parent is not block}
        if TXBX in ancestors and MC_FALLBACK not in ancestors:
            return table
    return None


def _nested_table(table: etree._Element) -> tuple[int, int, int] | None:
    """Return (row, cell, rows) of a cell of ``table`` holding a whole table of its own, if any."""
    for row_number, tr in enumerate(children(table, TR), 1):
        for cell_number, tc in enumerate(children(tr, TC), 1):
            for inner in blocks(tc):
                if inner.tag != TBL:
                    continue
                rows = [list(children(inner_tr, TC)) for inner_tr in children(inner, TR)]
                if len(rows) >= NESTED_ROWS and max(len(cells) for cells in rows) >= 2:
                    return row_number, cell_number, len(rows)
    return None


def blocks(parent: etree._Element, *, contents: bool = False) -> Iterator[etree._Element]:
    """Return the paragraphs and tables under ``parent``, looking through wrappers; a table of
    contents (Word's content control) only with ``contents`` -- it is no content of a table."""
    for child in parent:
        if child.tag in (P, TBL):
            yield child
        elif not contents and child.tag == f"{W}sdt" and child.find(
                f"{W}sdtPr/{W}docPartObj/{W}docPartGallery[@{W}val='Table of Contents']") is not None:
            continue
        elif child.tag in WRAPPERS:
            yield from blocks(child, contents=contents)


def children(parent: etree._Element, tag: str) -> Iterator[etree._Element]:
    """Return the ``tag`` children of ``parent``, looking through wrappers."""
    for child in parent:
        if child.tag == tag:
            yield child
        elif child.tag in WRAPPERS:
            yield from children(child, tag)


def paragraph_text(paragraph: etree._Element) -> str:
    """Return the shown text of a paragraph: tabs as ``\\t``, line breaks as ``\\n``."""
    out: list[str] = []
    _collect(paragraph, out)
    return "".join(out)


def _collect(element: etree._Element, out: list[str]) -> None:
    """Append the shown text under ``element`` to ``out``."""
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in SKIPPED:
            continue
        if tag == T:
            out.append(child.text or "")
        elif tag == TAB:
            out.append("\t")
        elif tag == BR:
            if child.get(f"{W}type") in (None, "textWrapping"):
                out.append("\n")
        elif tag == CR:
            out.append("\n")
        elif tag == f"{W}noBreakHyphen":
            out.append("-")
        elif tag == P:  # a paragraph inside a text box
            if out and not out[-1].endswith("\n"):
                out.append("\n")
            _collect(child, out)
        else:
            _collect(child, out)


def cell_text(cell: etree._Element) -> str:
    """Return the text of a table cell: its paragraphs (and nested tables' rows) one a line."""
    lines: list[str] = []
    for block in blocks(cell):
        if block.tag == P:
            lines.append(paragraph_text(block))
        else:
            for row in children(block, TR):
                lines.append("\t".join(cell_text(tc).replace("\n", " ") for tc in children(row, TC)))
    return "\n".join(lines).strip()


def _int_prop(element: etree._Element, path: str, default: int) -> int:
    """Return the integer ``w:val`` of the property at ``path``, ``default`` when absent or bad."""
    found = element.find(path)
    if found is None:
        return default
    try:
        return max(0, int(str(found.get(f"{W}val", default))))
    except ValueError:
        return default


def _merge(tc: etree._Element, kind: str) -> str | None:
    """Return ``restart``/``continue`` for a cell's ``w:vMerge``/``w:hMerge``, None without one."""
    found = tc.find(f"{W}tcPr/{W}{kind}")
    if found is None:
        return None
    return "restart" if found.get(f"{W}val") == "restart" else "continue"


def _table(table: etree._Element, where: str, block: str, what: str) -> list[Line]:
    """Return the rows of a table as lines of cells placed on the table grid."""
    lines: list[Line] = []
    above: dict[int, Cell] = {}
    for number, tr in enumerate(children(table, TR), 1):
        if number > MAX_ROWS:
            raise ImportFormatError(f"{what}的{block}超过 {MAX_ROWS} 行，拒绝读取")
        col = _int_prop(tr, f"{W}trPr/{W}gridBefore", 0) + 1
        cells: list[Cell] = []
        for tc in children(tr, TC):
            span = max(1, _int_prop(tc, f"{W}tcPr/{W}gridSpan", 1))
            if col + span - 1 > MAX_COLS:
                raise ImportFormatError(f"{what}的{block}第{number}行超过 {MAX_COLS} 列，拒绝读取")
            text = cell_text(tc)
            vertical = _merge(tc, "vMerge") == "continue"
            horizontal = _merge(tc, "hMerge") == "continue" and bool(cells)
            for offset in range(span):
                here = col + offset
                if vertical and here in above:
                    cells.append(_copy(above[here], number, here, text if offset == 0 else ""))
                elif horizontal:
                    cells.append(_copy(cells[-1], number, here, text if offset == 0 else ""))
                elif offset:
                    cells.append(_copy(cells[-1], number, here, ""))
                else:
                    cells.append(Cell(text, number, here))
            col += span
        above = {cell.col: cell for cell in cells}
        lines.append(Line(tuple(cells), where, block))
    return lines


def _copy(source: Cell, row: int, col: int, own: str) -> Cell:
    """Return a merged copy of ``source`` at (row, col); ``own`` is text the covered cell holds."""
    origin = source.origin or (source.row, source.col)
    return Cell(source.text, row, col, origin, own=own)
