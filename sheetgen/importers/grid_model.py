"""A document read from Word or Excel as lines of cells, with merges and source positions.

The readers (:mod:`.docx_reader`, :mod:`.xlsx_reader`) return a
:class:`Document`: its paragraphs and table rows (or sheet rows) in order,
each a :class:`Line` of :class:`Cell` s.  A cell covered by a merge is kept
as a *copy* carrying the text of the merge's first cell and that cell's
position in ``origin``, so the parser can tell a merged continuation from a
repeated text.  Every cell can name where it came from (file, table or sheet,
row, column) for ``review`` entries and warnings.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from msgspec import Struct, field

#: Bounds for one table or sheet (rows, columns) and for a whole document (cells with text).
MAX_ROWS = 20_000
MAX_COLS = 200
MAX_CELLS = 500_000

Typed = Decimal | dt.date | dt.datetime | bool | None


class Cell(Struct, frozen=True):
    """One cell: its displayed text, 1-based row and column, and merge/number details.

    ``origin`` is the (row, col) of the merge's first cell when this cell is
    covered by a merge (its text is then that cell's text); ``value`` is the
    typed Excel value (exact ``Decimal``, date, bool) and ``places`` the number
    of decimals its number format shows; ``own`` is text a covered cell holds
    itself, which Word and Excel do not show.
    """

    text: str
    row: int
    col: int
    origin: tuple[int, int] | None = None
    value: Typed = None
    places: int | None = None
    own: str = ""

    @property
    def is_copy(self) -> bool:
        """Return whether the cell is covered by a merge that starts elsewhere."""
        return self.origin is not None

    @property
    def stripped(self) -> str:
        """Return the text without surrounding white space."""
        return self.text.strip()


class Line(Struct, frozen=True):
    """A paragraph (one cell) or a table/sheet row, with where it sits.

    ``where`` names the file and table or sheet (``old.docx 表1``,
    ``old.xlsx 工作表“项目”``); ``block`` names the table or sheet alone;
    ``start`` is true on the first line of an Excel sheet.
    """

    cells: tuple[Cell, ...]
    where: str
    block: str
    paragraph: bool = False
    start: bool = False
    sheet: bool = False

    def source(self, cell: Cell) -> str:
        """Return the human-readable position of ``cell``, e.g. ``old.docx 表1 第3行 第2列``."""
        if self.paragraph:
            return f"{self.where} 第{cell.row}段"
        text = f"{self.where} 第{cell.row}行 第{cell.col}列"
        return f"{text}（{column_letter(cell.col)}{cell.row}）" if self.sheet else text

    def place(self, cell: Cell) -> str:
        """Return the position of ``cell`` within the file, for warning messages."""
        if self.paragraph:
            return f"第{cell.row}段"
        text = f"{self.block} 第{cell.row}行 第{cell.col}列"
        return f"{text}（{column_letter(cell.col)}{cell.row}）" if self.sheet else text


class Document(Struct):
    """A Word or Excel file as lines; ``name`` is the file name used in sources."""

    name: str
    kind: str
    lines: list[Line] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def column_letter(col: int) -> str:
    """Return the Excel column letters of the 1-based column ``col`` (1 → A, 27 → AA)."""
    letters = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
