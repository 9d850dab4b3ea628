"""The indicator table of one project: column roles from the header row, rows into the tree.

:func:`indicator_columns` returns the role of each column of a header row
(一级, 二级, 三级, 值, or a column the jurisdiction's ``schema.yaml`` defines
under ``indicator:``), None for a row that is no indicator header.
:class:`IndicatorReader` adds the rows below it to an
:class:`~sheetgen.importers.tree.IndicatorTree`: a blank or merged 一级/二级
cell continues the group above, a row with several values in columns under
one merged header joins them, a row with only a 二级 name is an empty group, a
header cell merged down over the rows is a label over the block (本年度绩效指标),
and text it cannot place (a column the jurisdiction does not define, a row
without 三级 name, a repeated 三级) goes to ``review`` through the callback it is
given.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from sheetgen.importers.cell_sink import CellSink
from sheetgen.importers.grid_model import Cell, Line
from sheetgen.importers.table_labels import LEVEL1, LEVEL2, NAME, VALUE, Labels, label_key
from sheetgen.importers.tree import IndicatorTree

IGNORE = "-"
UNKNOWN = "?"
LABEL = "|"  # + the label: a header cell merged down over the indicator rows
Review = Callable[..., None]


def year_end_row(row: dict[str, Any], keys: Sequence[str], not_applicable: str) -> dict[str, Any]:
    """Return a full-form row read from a 绩效自评表 with its year-end columns as a spec writes
    them: the format's not-applicable word as ``not_applicable: true``, 分值 and 得分 as numbers
    (all of them kept, so that ``check`` finds a table whose scores do not follow the rules)."""
    if not keys:
        return row
    if not_applicable and any(row.get(k) == not_applicable for k in keys if k != "reason"):
        row = {k: v for k, v in row.items() if k not in keys or (k == "reason" and v != not_applicable)}
        row["not_applicable"] = True
        return row
    for key in ("points", "score"):
        text = row.get(key)
        if isinstance(text, str):
            with contextlib.suppress(InvalidOperation):  # else left as written: check names it
                row[key] = Decimal(text.replace(",", ""))
    return row


def indicator_columns(line: Line, labels: Labels) -> dict[int, str] | None:
    """Return column → role if ``line`` is an indicator header row (三级 and 值 or 一级 named), else None."""
    roles: dict[int, str] = {}
    for cell in line.cells:
        text = cell.stripped
        if cell.is_copy:
            if cell.origin and cell.origin[0] == cell.row and cell.origin[1] in roles:
                roles[cell.col] = roles[cell.origin[1]]
            continue
        if not text:
            continue
        role = labels.column(text)
        roles[cell.col] = role or (IGNORE if label_key(text) in labels.row_numbers else f"{UNKNOWN}{text}")
    known = {role for role in roles.values() if role[0] not in (IGNORE, UNKNOWN)}
    if len(known) >= 3 and NAME in known and (VALUE in known or LEVEL1 in known):
        return roles
    return None


class IndicatorReader:
    """Reads the indicator rows of one project into :attr:`tree` (``rows`` counts them)."""

    def __init__(self, labels: Labels, sink: CellSink, review: Review, mark: Callable[[Line, Cell], None]) -> None:
        self.labels = labels
        self.sink = sink
        self.to_review = review
        self.mark = mark
        self.tree = IndicatorTree(sink)
        self.rows = 0
        self.columns: dict[int, str] = {}
        self.block = ""
        self.pending: list[tuple[Line, Cell]] = []  # header cells of no known column, settled at the next row

    def start(self, line: Line, columns: dict[int, str]) -> None:
        """Start reading indicator rows with the column roles of the header ``line``."""
        self.mark(line, line.cells[0])
        self._unplaced()
        self.columns = columns
        self.block = line.block
        self.pending = [(line, cell) for cell in line.cells
                        if columns.get(cell.col, "").startswith(UNKNOWN) and not cell.is_copy]

    def _unplaced(self, first: Line | None = None) -> None:
        """Settle the header cells no role was found for, seeing the first row below (``first``):
        one merged down over it is a label over the block (本年度绩效指标), any other a column of
        the source the format does not define (its texts go to review)."""
        for header, cell in self.pending:
            below = next((c for c in first.cells if c.col == cell.col), None) if first is not None else None
            if below is not None and below.is_copy and below.origin == (cell.row, cell.col):
                self.columns[cell.col] = LABEL + cell.stripped
                continue
            self.sink.warn_at(
                header,
                cell,
                "import-column",
                f"格式“{self.labels.jurisdiction.name}”没有“{cell.stripped}”这一指标列，此列的文字放入 review",
            )
        self.pending = []

    def add_line(self, line: Line) -> None:
        """Add one indicator row to the tree (or its texts to review when it cannot be placed)."""
        if self.pending:
            self._unplaced(line)
        texts: dict[str, list[Cell]] = {}
        outside: list[tuple[Cell, str]] = []
        for cell in line.cells:
            role = self.columns.get(cell.col)
            if cell.is_copy and cell.own.strip():
                self.to_review(line, cell, cell.own, "被合并单元格遮住")
            if role is not None and role.startswith(LABEL):
                if not cell.is_copy and cell.stripped not in ("", role[len(LABEL):]):
                    outside.append((cell, f"“{role[len(LABEL):]}”标签列"))  # the label again where a page breaks
                continue
            if role is None or role.startswith(UNKNOWN):
                if not cell.is_copy and cell.stripped:
                    outside.append((cell, f"“{role[1:]}”列" if role else "指标表各列之外"))
                continue
            if role == IGNORE:
                if not cell.is_copy and not cell.stripped.isdigit():
                    self.to_review(line, cell)
                continue
            texts.setdefault(role, []).append(cell)
        name = self._text(texts.get(NAME, []))
        for cell, column in outside:
            self.to_review(line, cell, why=f"在{column}", context=f"{column}，三级指标“{name}”" if name else column)
        if not any(cell.stripped for cells in texts.values() for cell in cells):
            return
        self.mark(line, line.cells[0])
        self._indicator(line, texts)

    def _text(self, cells: Sequence[Cell]) -> str:
        """Return the text of a role's cells (columns under one merged header joined by a space)."""
        parts: list[str] = []
        for cell in cells:
            if cell.stripped and not (cell.is_copy and cell.origin and cell.origin[0] == cell.row):
                parts.append(cell.stripped)
        return " ".join(dict.fromkeys(parts))

    def _level(self, cells: Sequence[Cell]) -> str:
        """Return the group name a 一级/二级 cell starts; "" when it continues the group above."""
        starting = [cell for cell in cells if not cell.is_copy and cell.stripped]
        return starting[0].stripped if starting else ""

    def _indicator(self, line: Line, texts: dict[str, list[Cell]]) -> None:
        tree = self.tree
        level1 = self.labels.level1_name(self._level(texts.get(LEVEL1, [])))
        level2 = self._level(texts.get(LEVEL2, []))
        name = self._text(texts.get(NAME, []))
        new1 = bool(level1) and level1 != tree.level1
        group1 = level1 or tree.level1
        group2 = level2 or (None if new1 else tree.level2)
        anchor = next((cell for cells in texts.values() for cell in cells if cell.stripped), line.cells[0])
        rest = any(cell.stripped for role, cells in texts.items() if role not in (LEVEL1, LEVEL2)
                   for cell in cells if not cell.is_copy)
        if not name and not rest and level2 and group1 is not None:  # an empty 二级 group: just its name
            self.sink.at = (line, anchor)
            if new1:
                tree.enter_level1(level1, anchor.row)
            tree.enter_level2(level2, anchor.row)
            return
        problem = None
        if not name:
            problem = "指标行没有三级指标名称"
        elif group1 is None or group2 is None:
            problem = "指标行前面没有一级或二级指标"
        elif name in tree.data.get(group1, {}).get(group2, {}):
            problem = f"三级指标“{name}”在同一组里重复"
        if problem is not None:
            for cells in texts.values():
                for cell in cells:
                    if not cell.is_copy:
                        self.to_review(line, cell, why=problem)
            return
        self.sink.at = (line, anchor)
        if new1:
            tree.enter_level1(level1, anchor.row)
        if level2 and (level2 != tree.level2 or new1):
            tree.enter_level2(level2, anchor.row)
        tree.add(name, self._row_value(texts), anchor.row)
        self.rows += 1

    def _row_value(self, texts: dict[str, list[Cell]]) -> Any:
        """Return the compact value or the full-form mapping of one indicator row."""
        value = self._text(texts.get(VALUE, [])) or None
        extras = {key: self._text(texts.get(key, [])) or None for key in self.labels.extra_keys}
        if not any(extras.values()):
            return value
        order = [c.key for c in self.labels.jurisdiction.indicator_columns if c.key != NAME]
        order += [key for key in (*self.labels.extra_keys, VALUE) if key not in order]
        full = {key: extras.get(key) for key in order if key == VALUE or extras.get(key) is not None}
        full[VALUE] = value
        return year_end_row(full, self.labels.year_end_keys, self.labels.not_applicable)
