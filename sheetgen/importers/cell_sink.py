"""A diagnostics sink whose warnings name a table cell (row, column, table or sheet).

:class:`CellSink` returns nothing; it collects the warnings of one imported
Word/Excel file like :class:`~sheetgen.importers.result.Sink`, with the line
and column of the cell and its place (``表2 第3行 第2列``) in the message.
"""

from __future__ import annotations

from sheetgen.errors import Diagnostic, ImportFormatError, Severity
from sheetgen.importers.grid_model import Cell, Line
from sheetgen.importers.result import Sink


class CellSink(Sink):
    """Collects diagnostics that name a cell: line/column of the cell, its table or sheet in the message."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.at: tuple[Line, Cell] | None = None

    def warn(self, line: int, code: str, message: str, label: str = "", yaml_path: str = "") -> None:
        """Record a warning at the current cell (``line`` is used only when there is none)."""
        col = 1
        if self.at is not None:
            where, cell = self.at
            line, col, message = cell.row, cell.col, f"{where.place(cell)}：{message}"
        self.diagnostics.append(
            Diagnostic(self.path, line, col, code, Severity.WARNING, message, label=label, yaml_path=yaml_path)
        )

    def warn_at(self, line: Line, cell: Cell, code: str, message: str, label: str = "", yaml_path: str = "") -> None:
        """Record a warning at ``cell`` of ``line``."""
        self.at = (line, cell)
        self.warn(cell.row, code, message, label, yaml_path)

    def fail(self, line: int, message: str) -> ImportFormatError:
        """Return (for raising) the error saying the source cannot be read at the current cell."""
        if self.at is not None:
            where, cell = self.at
            return ImportFormatError(f"{self.path}: {where.place(cell)}：{message}")
        return ImportFormatError(f"{self.path}:{line}: {message}")
