"""Reads a .xlsx into a :class:`~sheetgen.importers.grid_model.Document`, one block per sheet.

:func:`read_xlsx` returns every visible sheet's rows in order, reading the
workbook's XML itself through :mod:`.safety` (bounded parts, no DTD or
entity).  Numbers are kept exact from the stored text (``26.50`` is never a
float) with the decimals their number format shows; date cells become
dates; shared and inline rich text are joined.  A merged range keeps its text
in its first cell and covers the others with copies.  A sheet with a value
beyond :data:`~.grid_model.MAX_ROWS` rows or :data:`~.grid_model.MAX_COLS`
columns, or a workbook with more than :data:`~.grid_model.MAX_CELLS` cells,
is refused.
"""

from __future__ import annotations

import re

from lxml import etree
from msgspec import Struct

from sheetgen import office
from sheetgen.errors import ImportFormatError
from sheetgen.importers import xlsx_numbers as numbers
from sheetgen.importers.grid_model import MAX_CELLS, MAX_COLS, MAX_ROWS, Cell, Document, Line, Typed
from sheetgen.importers.safety import SafePackage, iter_xml, main_part, relationships

S = office.qn(office.S, "")
R_ID = office.qn(office.R, "id")
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
MAX_MERGES = 100_000


class Styles(Struct, frozen=True):
    """Number format code of every cell style, and whether dates count from 1904."""

    codes: tuple[str, ...]
    date1904: bool

    def code(self, style: str | None) -> str:
        """Return the number format code of style index ``style``."""
        try:
            return self.codes[int(style or 0)]
        except (ValueError, IndexError):
            return "General"


def read_xlsx(package: SafePackage, name: str) -> Document:
    """Return the rows of every visible sheet of the Excel package as a document named ``name``."""
    workbook = main_part(package)
    root = package.xml(workbook)
    rels = relationships(package, workbook)
    strings = _shared_strings(package, rels)
    properties = root.find(f"{S}workbookPr")
    date1904 = properties is not None and properties.get("date1904") in ("1", "true")
    styles = _styles(package, rels, date1904)
    doc = Document(name, "xlsx")
    budget = [MAX_CELLS]
    for sheet in root.iterfind(f"{S}sheets/{S}sheet"):
        title = str(sheet.get("name", ""))
        if sheet.get("state") in ("hidden", "veryHidden"):
            doc.skipped.append(f"隐藏的工作表“{title}”")
            continue
        rel = rels.get(str(sheet.get(R_ID, "")))
        if rel is None or rel[0] != "worksheet":
            doc.skipped.append(f"工作表“{title}”（不是普通工作表）")
            continue
        where, block = f"{name} 工作表“{title}”", f"工作表“{title}”"
        doc.lines.extend(_sheet(package, rel[1], strings, styles, where, block, budget))
    return doc


def _shared_strings(package: SafePackage, rels: dict[str, tuple[str, str]]) -> list[str]:
    """Return the workbook's shared strings in order."""
    part = next((target for kind, target in rels.values() if kind == "sharedStrings"), None)
    if part is None or not package.has(part):
        return []
    return [_rich_text(si) for si in iter_xml(package.read(part), f"{package.what}的部件 {part}", (f"{S}si",))]


def _rich_text(element: etree._Element) -> str:
    """Return the text of a string item (plain ``t`` or rich-text runs), phonetic guides left out."""
    return "".join(t.text or "" for t in element.iter(f"{S}t") if not _in_phonetic(t))


def _in_phonetic(text: etree._Element) -> bool:
    """Return whether a ``t`` element belongs to a phonetic guide (``rPh``)."""
    parent = text.getparent()
    return parent is not None and parent.tag == f"{S}rPh"


def _styles(package: SafePackage, rels: dict[str, tuple[str, str]], date1904: bool) -> Styles:
    """Return the number format code of each cell style of the workbook."""
    part = next((target for kind, target in rels.values() if kind == "styles"), None)
    if part is None or not package.has(part):
        return Styles((), date1904)
    root = package.xml(part)
    custom = {}
    for fmt in root.iterfind(f"{S}numFmts/{S}numFmt"):
        try:
            custom[int(str(fmt.get("numFmtId")))] = str(fmt.get("formatCode", ""))
        except ValueError:
            continue
    codes = []
    for xf in root.iterfind(f"{S}cellXfs/{S}xf"):
        try:
            codes.append(numbers.format_code(int(str(xf.get("numFmtId", 0))), custom))
        except ValueError:
            codes.append("General")
    return Styles(tuple(codes), date1904)


def parse_ref(ref: str) -> tuple[int, int] | None:
    """Return (row, col) of an A1 reference, None if ``ref`` is none."""
    match = _REF.match(ref.strip())
    if not match:
        return None
    col = 0
    for letter in match.group(1).upper():
        col = col * 26 + ord(letter) - 64
    return int(match.group(2)), col


def _sheet(
    package: SafePackage, part: str, strings: list[str], styles: Styles, where: str, block: str, budget: list[int]
) -> list[Line]:
    """Return the lines of one sheet (merged ranges resolved), counting cells against ``budget``."""
    what = f"{package.what}的{block}"
    data = package.read(part)
    cells: dict[tuple[int, int], Cell] = {}
    merges: list[tuple[int, int, int, int]] = []
    row_number = 0
    for element in iter_xml(data, f"{package.what}的部件 {part}", (f"{S}row", f"{S}mergeCell")):
        if element.tag == f"{S}mergeCell":
            merges.append(_range(str(element.get("ref", "")), what))
            if len(merges) > MAX_MERGES:
                raise ImportFormatError(f"{what}的合并区域超过 {MAX_MERGES} 个，拒绝读取")
            continue
        row_number = _int(element.get("r"), row_number + 1)
        col = 0
        for c in element.iterfind(f"{S}c"):
            found = parse_ref(str(c.get("r", "")))
            row, col = found if found else (row_number, col + 1)
            text, value, places = _cell_value(c, strings, styles)
            if not text and value is None:
                if row <= MAX_ROWS and col <= MAX_COLS:
                    cells.setdefault((row, col), Cell("", row, col))
                continue
            if row > MAX_ROWS or col > MAX_COLS:
                raise ImportFormatError(
                    f"{what}有内容超出 {MAX_ROWS} 行 × {MAX_COLS} 列的范围，不像绩效目标表，拒绝读取"
                )
            budget[0] -= 1
            if budget[0] < 0:
                raise ImportFormatError(f"{package.what}的单元格超过 {MAX_CELLS} 个，不像绩效目标表，拒绝读取")
            cells[(row, col)] = Cell(text, row, col, value=value, places=places)
    _apply_merges(cells, merges, what, budget)
    rows: dict[int, list[Cell]] = {}
    for (row, _), cell in sorted(cells.items()):
        rows.setdefault(row, []).append(cell)
    return [Line(tuple(found), where, block, start=index == 0, sheet=True) for index, found in enumerate(rows.values())]


def _int(text: str | None, default: int) -> int:
    """Return ``text`` as a whole number, ``default`` when it is none."""
    try:
        return int(str(text))
    except ValueError:
        return default


def _range(ref: str, what: str) -> tuple[int, int, int, int]:
    """Return (row1, col1, row2, col2) of a merged range ``A1:D4``."""
    first, _, last = ref.partition(":")
    start, end = parse_ref(first), parse_ref(last or first)
    if start is None or end is None:
        raise ImportFormatError(f"{what}的合并区域“{ref[:40]}”无效")
    return min(start[0], end[0]), min(start[1], end[1]), max(start[0], end[0]), max(start[1], end[1])


def _apply_merges(cells: dict[tuple[int, int], Cell], merges: list, what: str, budget: list[int]) -> None:
    """Cover every merged range (clipped to the used area) with copies of its first cell."""
    if not cells:
        return
    last_row = max(row for row, _ in cells)
    last_col = max(col for _, col in cells)
    for row1, col1, row2, col2 in merges:
        first = cells.get((row1, col1)) or Cell("", row1, col1)
        if row1 > MAX_ROWS or col1 > MAX_COLS:
            continue
        cells[(row1, col1)] = first
        for row in range(row1, min(row2, last_row) + 1):
            for col in range(col1, min(col2, last_col) + 1):
                if (row, col) == (row1, col1):
                    continue
                hidden = cells.get((row, col))
                budget[0] -= 1
                if budget[0] < 0:
                    raise ImportFormatError(f"{what}的合并区域覆盖的单元格太多，拒绝读取")
                own = hidden.text if hidden else ""
                cells[(row, col)] = Cell(first.text, row, col, (row1, col1), first.value, first.places, own)


def _cell_value(c: etree._Element, strings: list[str], styles: Styles) -> tuple[str, Typed, int | None]:
    """Return (displayed text, typed value, shown decimals) of one ``<c>`` element."""
    kind = c.get("t", "n")
    v = c.find(f"{S}v")
    raw = v.text or "" if v is not None else ""
    formula = c.find(f"{S}f")
    if v is None and formula is not None and formula.text:
        return f"={formula.text}", None, None  # no cached result: keep what was typed
    if kind == "inlineStr":
        inline = c.find(f"{S}is")
        return (_rich_text(inline) if inline is not None else ""), None, None
    if kind == "s":
        index = _int(raw, -1)
        return (strings[index] if 0 <= index < len(strings) else ""), None, None
    if kind in ("str", "e", "d"):
        return raw, None, None
    if kind == "b":
        flag = raw.strip() in ("1", "true")
        return ("TRUE" if flag else "FALSE") if raw.strip() else "", (flag if raw.strip() else None), None
    if not raw.strip():
        return "", None, None
    value = numbers.exact_number(raw)
    if value is None:
        return raw, None, None
    code = styles.code(c.get("s"))
    if numbers.is_date(code):
        moment = numbers.serial_date(value, styles.date1904)
        if moment is not None:
            return numbers.date_text(moment), moment, None
    places = numbers.shown_places(code)
    return numbers.display(value, code), numbers.padded(value, places), places
