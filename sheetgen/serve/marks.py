"""Which table cells a diagnostic concerns, so the preview can mark them in place.

The preview's tables are read back from the rendered Word file, so the cells
are found by what they show: an indicator by its 一级/二级/三级 names on
one row (merged cells count for every row they cover), a header field by its
printed label (the diagnostic's label) and the value cell after it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sheetgen.errors import Diagnostic
from sheetgen.serve.document import Cell, Document, Table

Place = tuple[int, int, int]  # (table, row, cell) indices in Document.tables
TREE = "indicators"
_OPENERS = ("（", "(")


def _norm(text: str) -> str:
    return "".join(text.split()).rstrip("：:")


def _covering(table: Table) -> list[list[tuple[Place, Cell]]]:
    """Return, for each row, the cells that cover it: its own and those merged down from above."""
    out: list[list[tuple[Place, Cell]]] = []
    open_: list[tuple[int, Place, Cell]] = []  # (last row covered, place, cell)
    for r, row in enumerate(table.rows):
        open_ = [item for item in open_ if item[0] >= r]
        here = [(place, cell) for _last, place, cell in open_]
        for c, cell in enumerate(row.cells):
            place = (-1, r, c)
            here.append((place, cell))
            if cell.rowspan > 1:
                open_.append((r + cell.rowspan - 1, place, cell))
        out.append(sorted(here, key=lambda item: item[1].col))
    return out


def _indicator_places(rows: list[list[tuple[Place, Cell]]], names: list[str]) -> set[Place]:
    found: set[Place] = set()
    wanted = [_norm(n) for n in names]
    for r, covering in enumerate(rows):
        texts = [_norm(cell.text) for _place, cell in covering]
        if not all(name in texts for name in wanted):
            continue
        named = [(place, cell) for place, cell in covering if _norm(cell.text) == wanted[-1]]
        found.update(place for place, _cell in named)
        if len(names) == 3 and named:  # an indicator's row: its name and the cells after it
            start = min(cell.col for _place, cell in named)
            found.update(place for place, cell in covering if place[1] == r and cell.col >= start)
    return found


def _label_places(rows: list[list[tuple[Place, Cell]]], label: str) -> set[Place]:
    found: set[Place] = set()
    wanted = _norm(label)
    for covering in rows:
        for i, (place, cell) in enumerate(covering):
            text = _norm(cell.text)
            if text == wanted or (text.startswith(wanted) and text[len(wanted):].startswith(_OPENERS)):
                found.add(place)
                if i + 1 < len(covering):
                    found.add(covering[i + 1][0])
    return found


def find_marks(document: Document, diagnostics: Sequence[Diagnostic]) -> dict[Place, list[int]]:
    """Return, for each (table, row, cell) that diagnostics concern, the indices of those diagnostics."""
    grids = [_covering(table) for table in document.tables]
    marks: dict[Place, list[int]] = {}
    for index, diagnostic in enumerate(diagnostics):
        parts = diagnostic.yaml_path.split(".", 4) if diagnostic.yaml_path else []
        for t, rows in enumerate(grids):
            if parts and parts[0] == TREE and len(parts) > 1:
                places = _indicator_places(rows, parts[1:4])
            elif diagnostic.label:
                places = _label_places(rows, diagnostic.label)
            else:
                places = set()
            for _none, r, c in places:
                marks.setdefault((t, r, c), []).append(index)
    return marks
