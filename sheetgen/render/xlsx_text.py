"""Text helpers of the Excel renderer: XML escaping, cell references, sheet
names and row-height estimates for wrapped (Chinese) text."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sheetgen.render import metrics

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel reads _xHHHH_ inside cell text as an escaped character; a literal one is
# written with its underscore escaped (_x005F_).
_OOXML_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_OOXML_UNESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\r\ud800-\udfff\ufffe\uffff]|_x")
_NEEDS_ATTR_ESCAPE = re.compile('[&<>"\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')

FORMULA_STARTS = ("=", "+", "-", "@")
SHEET_NAME_MAX = 31
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def clean_text(text: str) -> str:
    """Return ``text`` without characters XML cannot hold, line breaks as ``\\n``."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _INVALID_XML.sub("", text)


def xml_text(text: str) -> str:
    """Return ``text`` escaped for an element of a cell (``<t>``), as Excel reads it back literally."""
    if not _NEEDS_ESCAPE.search(text):
        return text
    text = clean_text(text)
    if "_x" in text:
        text = _OOXML_ESCAPE.sub(r"_x005F_\1", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_attr(text: str) -> str:
    """Return ``text`` escaped for a double-quoted XML attribute."""
    if not _NEEDS_ATTR_ESCAPE.search(text):
        return text
    text = clean_text(text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\t", "&#9;")
    )


def ooxml_unescape(text: str) -> str:
    """Return cell text read from a package with Excel's ``_xHHHH_`` escapes decoded."""
    if "_x" not in text:
        return text
    return _OOXML_UNESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def column_letter(index: int) -> str:
    """Return the letters of the 0-based column ``index`` (0 → ``A``, 26 → ``AA``)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


COLUMNS = tuple(column_letter(i) for i in range(702))

_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def parse_ref(ref: str) -> tuple[int, int]:
    """Return ``(row, col)`` of a cell reference, 1-based row and 0-based column."""
    match = _REF.match(ref)
    if not match:
        raise ValueError(f"bad cell reference {ref!r}")
    col = 0
    for char in match.group(1).upper():
        col = col * 26 + ord(char) - 64
    return int(match.group(2)), col - 1


def sheet_name(name: str) -> str:
    """Return ``name`` made a valid sheet name: no ``[]:*?/\\``, not starting or
    ending with ``'``, at most 31 characters, never empty."""
    name = clean_text(name).replace("\n", " ")
    name = _SHEET_NAME_BAD.sub("_", name).strip()
    name = name[:SHEET_NAME_MAX].strip("'").strip()
    return name or "Sheet"


def unique_sheet_names(names: Iterable[str], reserved: Iterable[str] = ()) -> list[str]:
    """Return valid sheet names for ``names``, unique (case-insensitively, as
    Excel compares them) among themselves and against ``reserved``; a repeated
    name gets a suffix ``~2``, ``~3``, … within the 31-character limit."""
    taken = {r.casefold() for r in reserved}
    out = []
    for raw in names:
        base = sheet_name(raw)
        candidate, number = base, 1
        while candidate.casefold() in taken or candidate.casefold() == "history":
            number += 1
            suffix = f"~{number}"
            candidate = base[: SHEET_NAME_MAX - len(suffix)].rstrip("'") + suffix
        taken.add(candidate.casefold())
        out.append(candidate)
    return out


def quote_sheet(name: str) -> str:
    """Return ``name`` quoted for a formula reference: ``'a''b'``."""
    return "'" + name.replace("'", "''") + "'"


# ---------------------------------------------------------------- row heights

# Excel prints a column of width w at w * 7 + 5 px; its text keeps about 2.5 px
# clear of each border: w * 7 px (5.25 pt) of text per unit.  That is the
# narrowest of the programs (LibreOffice counts the Normal font's digit width,
# 5.5 pt for Times New Roman 11), so a row tall enough there is tall enough
# everywhere.  Widths and line heights come from the fonts' metrics.
COLUMN_POINTS = 5.25
CELL_INSET = 1.5  # points of text width lost besides
ROW_PADDING = 3.0  # points above and below the text


def text_lines(text: str, width: float, font_size: float = 11.0) -> int:
    """Return how many lines ``text`` wraps to in a cell ``width`` column-width
    units wide (``\\n`` always breaks)."""
    return metrics.line_count(text, max(width * COLUMN_POINTS - CELL_INSET, font_size), font_size)


def text_height(text: str, width: float, font_size: float = 11.0) -> float:
    """Return the row height in points that shows ``text`` whole in a cell
    ``width`` column-width units wide."""
    return text_lines(text, width, font_size) * metrics.line_height(font_size) + ROW_PADDING
