"""Rendering one compiled sheet for one project: rows, typed cells, merges,
row heights and page breaks, written straight as SpreadsheetML strings.

Pages: once every row height is known, :func:`sheetgen.render.pages.breaks`
places the page breaks (a 二级 group and a label merged down the template stay
on one page when they fit on one; headings and the repeated header row stay
with what follows).  A 一级 (or an over-long 二级) group that continues on the
next page has its merge cut at the break and its label printed again at the
top of the new page: a merged cell printed across a page break shows its text
on neither page whole.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any

from jinja2.runtime import Undefined
from msgspec import Struct

from sheetgen.errors import TemplateError
from sheetgen.jurisdiction import Jurisdiction
from sheetgen.model import Merged
from sheetgen.render import jinja_errors, pages
from sheetgen.render.context import format_value
from sheetgen.render.xlsx_cells import EMPTY, MIXED, RAW, TEXT, VM, Cell
from sheetgen.render.xlsx_cells import text_cell_suffix as _text_suffix
from sheetgen.render.xlsx_template import Choice, CompiledSheet, Loop, Row
from sheetgen.render.xlsx_text import COLUMNS, FORMULA_STARTS, clean_text, text_height

MAX_ROW_HEIGHT = 409.0  # points; Excel's limit
_EPOCH = dt.datetime(1899, 12, 30)
_FIRST_DATE = dt.date(1900, 1, 1)
_LEAP_BUG = dt.date(1900, 3, 1)
_STATIC = frozenset((TEXT, EMPTY, RAW))  # cells whose XML is made when the template is compiled


def excel_serial(value: dt.date) -> float | int:
    """Return the Excel (1900 system) serial of a date or datetime from 1900-01-01 on.

    Excel counts a 1900-02-29 that never was, so serials from 1900-03-01 on are
    days since 1899-12-30 and earlier ones days since 1899-12-31.
    """
    moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
    serial = (moment.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400
    if moment.date() < _LEAP_BUG:
        serial -= 1
    return int(serial) if serial.is_integer() and not isinstance(value, dt.datetime) else serial


class LoopInfo:
    """The ``loop`` variable inside a ``{%tr for %}`` block (like Jinja's, with
    :data:`sheetgen.render.context.LOOP_FIELDS`)."""

    __slots__ = ("index0", "length")

    def __init__(self, index0: int, length: int):
        self.index0 = index0
        self.length = length

    @property
    def index(self) -> int:
        return self.index0 + 1

    @property
    def first(self) -> bool:
        return self.index0 == 0

    @property
    def last(self) -> bool:
        return self.index0 == self.length - 1

    @property
    def revindex(self) -> int:
        return self.length - self.index0

    @property
    def revindex0(self) -> int:
        return self.length - self.index0 - 1


class RenderedSheet(Struct, frozen=True):
    """The rows (``<row>`` elements, UTF-8: encoded once for every workbook the sheet goes
    into) and merges of one rendered sheet, where template rows went, and the rows (0-based
    ids, as ``<brk id>`` counts them) above which a page breaks."""

    rows: bytes
    merges: str
    last_row: int
    row_map: Mapping[int, int]
    breaks: tuple[int, ...] = ()


class _Group(Struct):
    """A ``{%vm %}`` cell merged down over its group, or a template merge stretched over
    the rendered rows (``stretched``: never kept on one page); rows 1-based, inclusive."""

    col: int
    last_col: int
    first: int
    last: int
    text: str
    cell: Cell
    stretched: bool = False


class _State:
    __slots__ = ("anchors", "groups", "headings", "heights", "jurisdiction", "last_col", "last_map", "merges",
                 "row_map", "rows", "slots", "together", "vneeds", "what", "xml")

    def __init__(self, jurisdiction: Jurisdiction, what: str, last_col: int):
        self.xml: list[str] = []  # the rows' XML in pieces, each row's height left "" until it is known
        self.rows: list[int] = []  # per row: where its height goes in xml
        self.heights: list[float] = []
        self.merges: list[str] = []
        self.groups: list[_Group] = []
        self.slots: dict[tuple[int, int], int] = {}  # (row, col) of a {%vm %} cell inside a group -> its piece of xml
        self.together: list[tuple[int, int]] = []  # template merges down: rows kept on one page (0-based)
        self.headings: list[int] = []  # rows (0-based) kept with the next one
        self.vneeds: list[tuple[int, int, float]] = []
        self.row_map: dict[int, int] = {}
        self.last_map: dict[int, int] = {}  # template row -> the last row rendered from it
        self.anchors: dict[tuple[int, int], tuple[str, Cell]] = {}  # (row, col) of a stretched merge's start
        self.jurisdiction = jurisdiction
        self.what = what
        self.last_col = last_col


def render_sheet(
    sheet: CompiledSheet,
    context: Mapping[str, Any],
    jurisdiction: Jurisdiction,
    *,
    what: str,
    page: PageRoom | None = None,
    title_rows: tuple[int, int] | None = None,
) -> RenderedSheet:
    """Return the rendered rows of ``sheet`` for one project's ``context``, with
    page breaks placed for ``page`` (none without one)."""
    state = _State(jurisdiction, what, sheet.last_col)
    _emit(sheet.body, context, state)
    if sheet.stretches:
        _stretch(sheet, state)
    heights = state.heights
    for first, last, need in state.vneeds:
        have = sum(heights[first - 1 : last])
        if have < need:
            heights[last - 1] = min(MAX_ROW_HEIGHT, heights[last - 1] + need - have)
    cuts: dict[int, list[int]] = {}
    breaks: list[int] = []
    if page is not None and heights:
        breaks, cuts = _paginate(state, page, title_rows)
    for index, group in enumerate(state.groups):
        for first, last in _pieces(group.first, group.last, cuts.get(index, ())):
            if last > first or group.last_col > group.col:
                state.merges.append(_merge(group.col, first, group.last_col, last))
            if first != group.first:
                state.xml[state.slots[first, group.col]] = _typed(group.text, group.cell, jurisdiction, False)[0]
    xml = state.xml
    for slot, height in zip(state.rows, heights, strict=True):
        xml[slot] = _points(height)
    rows = "".join(xml).encode("utf-8")
    return RenderedSheet(rows=rows, merges="".join(state.merges), last_row=len(state.rows), row_map=state.row_map,
                         breaks=tuple(breaks))


def _stretch(sheet: CompiledSheet, state: _State) -> None:
    """Return nothing; merge each stretched template merge from its first rendered row to the
    last row rendered from the template rows it covers (a single cell when none was)."""
    for stretch in sheet.stretches:
        first = state.row_map.get(stretch.first_row)
        if first is None:
            continue
        covered = [state.last_map[t] for t in range(stretch.first_row, stretch.last_row + 1) if t in state.last_map]
        last = max(covered, default=first)
        text, cell = state.anchors[first, stretch.col]
        if last > first:
            state.groups.append(_Group(stretch.col, stretch.last_col, first, last, text, cell, stretched=True))
            if text:
                state.vneeds.append((first, last, text_height(text, cell.width, cell.font_size)))
        elif stretch.last_col > stretch.col:
            state.merges.append(_merge(stretch.col, first, stretch.last_col, first))


class PageRoom(Struct, frozen=True):
    """The printable height of a page in sheet points (paper less margins, at the print scale)."""

    height: float


def _paginate(
    state: _State, page: PageRoom, title_rows: tuple[int, int] | None
) -> tuple[list[int], dict[int, list[int]]]:
    """Return the page breaks (0-based first rows of new pages) and, per group
    index, the rows (1-based) where its merge is cut; rows of cut groups grow
    where the repeated label needs more room."""
    heights = state.heights
    repeat, repeat_after, keep = 0.0, -1, set(state.headings)
    if title_rows is not None:
        first, last = (state.row_map.get(r) for r in title_rows)
        if first is not None and last is not None:
            repeat = sum(heights[first - 1 : last])
            repeat_after = last - 1
            keep.update(range(first - 1, last))
    repeats = ((repeat_after, len(heights), repeat),) if repeat_after >= 0 else ()
    room = pages.Page(first=page.height, later=page.height, repeats=repeats)
    inner = max((g.col for g in state.groups if not g.stretched), default=-1)
    together = [(g.first - 1, g.last - 1) for g in state.groups if g.col == inner and not g.stretched]
    together += state.together
    for _ in range(4):
        breaks = pages.breaks(heights, room, together, keep)
        cuts: dict[int, list[int]] = {}
        grew = False
        for index, group in enumerate(state.groups):
            inside = [b + 1 for b in breaks if group.first < b + 1 <= group.last]
            if not inside:
                continue
            cuts[index] = inside
            need = text_height(group.text, group.cell.width, group.cell.font_size)
            for first, last in _pieces(group.first, group.last, inside):
                have = sum(heights[first - 1 : last])
                if have + 0.01 < need:
                    heights[last - 1] = min(MAX_ROW_HEIGHT, heights[last - 1] + need - have)
                    grew = True
        if not grew:
            break
    return breaks, cuts


def _pieces(first: int, last: int, cuts: Sequence[int]) -> Sequence[tuple[int, int]]:
    """Return the (first, last) rows of the pieces of a merge of rows ``first`` to ``last``
    cut above each of the rows ``cuts``."""
    if not cuts:
        return ((first, last),)
    return tuple(zip((first, *cuts), (*(cut - 1 for cut in cuts), last), strict=True))


@lru_cache(maxsize=1024)  # keys are row heights: bounded memory
def _points(height: float) -> str:
    """Return a row height as ``ht`` prints it: capped at Excel's limit, rounded up to a quarter point."""
    return f"{math.ceil(min(height, MAX_ROW_HEIGHT) * 4) / 4:g}"


def _emit(body: tuple[Row | Loop | Choice, ...], context: Mapping[str, Any], state: _State) -> None:
    for item in body:
        if isinstance(item, Row):
            _row(item, context, state)
            continue
        if isinstance(item, Choice):
            for test, rows in item.branches:
                if test is None or _call(test, context, item.ref, state):
                    _emit(rows, context, state)
                    break
            continue
        items = _call(item.items, context, item.ref, state)
        if items is None:
            continue
        try:
            items = list(items)
        except TypeError:
            raise TemplateError(f"{state.what} 单元格 {item.ref}：循环的对象不能逐项列出") from None
        children = [_bound(item, index, value, context, state) for index, value in enumerate(items)]
        if item.test is not None:  # as Jinja: loop counts the items the condition keeps
            children = [child for child in children if _call(item.test, child, item.ref, state)]
        for index, child in enumerate(children):
            child["loop"] = LoopInfo(index, len(children))
            _emit(item.body, child, state)


def _bound(loop: Loop, index: int, value: Any, context: Mapping[str, Any], state: _State) -> dict[str, Any]:
    """Return ``context`` with the loop variables of ``loop`` bound to its ``index``-th item."""
    child = dict(context)
    if len(loop.targets) == 1:
        child[loop.targets[0]] = value
        return child
    try:
        child.update(zip(loop.targets, value, strict=True))
    except (TypeError, ValueError):
        raise TemplateError(
            f"{state.what} 单元格 {loop.ref}：循环的第 {index + 1} 项不能拆成 {len(loop.targets)} 个变量"
        ) from None
    return child


def _call(fn: Any, context: Mapping[str, Any], ref: str, state: _State) -> Any:
    """Return ``fn(context)``; a name the data does not have, or any error, is a TemplateError."""
    try:
        value = fn(context)
        if isinstance(value, Undefined):
            value._fail_with_undefined_error()
        return value
    except TemplateError:
        raise
    except Exception as exc:
        raise _failed(exc, ref, state) from exc


def _failed(exc: Exception, ref: str, state: _State) -> TemplateError:
    """Return the error of a cell (or loop marker) ``ref`` whose Jinja failed with ``exc``."""
    return TemplateError(f"{state.what} 单元格 {ref}：渲染出错：{jinja_errors.explain(exc)}")


def _row(row: Row, context: Mapping[str, Any], state: _State) -> None:
    number = len(state.rows) + 1
    state.row_map.setdefault(row.tref, number)
    state.last_map[row.tref] = number
    digits = str(number)
    need = row.height
    xml = state.xml
    xml.append(f'<row r="{digits}"{row.attrs} ht="')
    state.rows.append(len(xml))
    xml += ("", '" customHeight="1">')  # the height, once it is known
    stretched, anchors = row.stretched, row.anchors
    for cell in row.cells:
        kind = cell.kind
        if stretched and cell.col in stretched:
            state.slots[number, cell.col] = len(xml) + 2
        if kind in _STATIC:
            xml += (cell.head, digits, cell.suffix)
            if anchors and cell.col in anchors:  # its height is spread over the rows it stretches to
                state.anchors[number, cell.col] = (cell.text, cell)
                continue
            if cell.need:
                if cell.rows_down:
                    state.vneeds.append((number, number + cell.rows_down, cell.need))
                elif cell.need > need:
                    need = cell.need
            continue
        try:  # as _call, inline: this runs for every cell of every row
            value = cell.fn(context)  # type: ignore[misc]  # a cell of Jinja has its function
            if isinstance(value, Undefined):
                value._fail_with_undefined_error()
        except TemplateError:
            raise
        except Exception as exc:
            raise _failed(exc, cell.ref, state) from exc
        last_row = number + cell.rows_down
        if kind == VM and isinstance(value, Merged):
            if value.start:
                last_row = number + max(value.span, 1) - 1
                if last_row > number:
                    state.groups.append(_Group(cell.col, cell.last_col, number, last_row, value.text, cell))
                elif cell.last_col > cell.col:
                    state.merges.append(_merge(cell.col, number, cell.last_col, last_row))
                value = value.text
            else:  # inside the merge: a blank cell, which a cut at a page break prints again
                state.slots[number, cell.col] = len(xml) + 2
                xml += (cell.head, digits, cell.blank)
                continue
        elif kind == VM and cell.last_col > cell.col:
            state.merges.append(_merge(cell.col, number, cell.last_col, number))
        suffix, text, height = _typed(value, cell, state.jurisdiction, kind == MIXED)
        xml += (cell.head, digits, suffix)
        if anchors and cell.col in anchors:
            state.anchors[number, cell.col] = (text, cell)
            continue
        if text:
            if last_row > number:
                state.vneeds.append((number, last_row, height))
            elif height > need:
                need = height
    for first_col, rows_down, last_col in row.merges:
        state.merges.append(_merge(first_col, number, last_col, number + rows_down))
        if rows_down:
            state.together.append((number - 1, number - 1 + rows_down))
        elif first_col == 0 and last_col >= state.last_col:
            state.headings.append(number - 1)  # one cell across the table: a heading
        elif first_col == 0 and last_col > 0 and number > 1:
            state.together.append((number - 2, number - 1))  # a closing line (总分): with the row above
    xml.append("</row>")
    state.heights.append(min(need, MAX_ROW_HEIGHT))


def _merge(first_col: int, first_row: int, last_col: int, last_row: int) -> str:
    return f'<mergeCell ref="{COLUMNS[first_col]}{first_row}:{COLUMNS[last_col]}{last_row}"/>'


def _typed(value: Any, cell: Cell, jurisdiction: Jurisdiction, mixed: bool) -> tuple[str, str, float]:
    """Return the XML of a rendered cell after ``<c r="A1``, the text it shows (for heights;
    "" for none) and the row height that shows that text whole."""
    variants = cell.variants
    if type(value) is str:  # the common case (and every cell of text and Jinja)
        return text_cell(value, variants.text, variants.quoted, cell.width, cell.font_size)
    if mixed or isinstance(value, str):
        text = value
    elif value is None:
        return cell.blank, "", 0.0
    elif isinstance(value, bool):
        text = "是" if value else "否"
    elif isinstance(value, Decimal):
        if value.is_finite():
            return f'" s="{variants.money}"><v>{value:f}</v></c>', "", 0.0
        text = str(value)
    elif isinstance(value, (int, float)):
        if math.isfinite(value):
            return f'" s="{variants.text}"><v>{value!r}</v></c>', "", 0.0
        text = str(value)
    elif isinstance(value, dt.date) and value >= _FIRST_DATE:
        return f'" s="{variants.date}"><v>{excel_serial(value)!r}</v></c>', "", 0.0
    else:  # a date before 1900-01-01 (Excel has none: keep the text), or any other value
        text = format_value(value, jurisdiction)
    shown = text_cell if type(text) is str else text_cell.__wrapped__  # a str subclass is not cached as a str
    return shown(text, variants.text, variants.quoted, cell.width, cell.font_size)


@lru_cache(maxsize=1024)  # keys are cell texts: bounded memory
def text_cell(raw: str, style: int, quoted: int, width: float, font_size: float) -> tuple[str, str, float]:
    """Return the XML after ``<c r="A1`` of a cell printing the text ``raw`` in ``style``
    (``quoted`` when it starts like a formula), the text it shows (``raw`` cleaned; "" for
    none) and the row height that shows it whole in a cell ``width`` units wide."""
    text = clean_text(raw)
    if not text:
        return f'" s="{style}"/>', "", 0.0
    suffix = _text_suffix(quoted if text.startswith(FORMULA_STARTS) else style, text)
    return suffix, text, text_height(text, width, font_size)
