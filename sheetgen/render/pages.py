"""Where pages break: rows of known height laid out on pages of known height.

Both renderers use it: the Excel one places the breaks it returns as manual
row breaks, the Word one splits its tables there.  Rows never split; a
keep-together range (a 二级 group, a merged label) moves to the next page
whole when it does not fit on this one but fits on a page of its own; a row
marked keep-with-next (a heading, the table's header row) moves with what
follows it.  A range taller than a page breaks between its rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from msgspec import Struct


class Page(Struct, frozen=True):
    """The room on a page in points: on the first page, and on every later page,
    less what repeats at its top: ``repeats`` lists (after, last, height) -- a
    page starting on a row after row ``after`` and up to row ``last`` starts
    with ``height`` points of repeated rows (a table's header)."""

    first: float
    later: float
    repeats: tuple[tuple[int, int, float], ...] = ()

    def room(self, start: int) -> float:
        """Return the room for content on a page whose first row is ``start``."""
        return self.later - sum(height for after, last, height in self.repeats if after < start <= last)


def units(count: int, together: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return rows ``0 … count-1`` cut into unbreakable units (first, last): each
    keep-together range (first, last; overlapping ones joined) is one unit, every
    other row a unit of its own."""
    spans = sorted((max(0, a), min(count - 1, b)) for a, b in together if b > a)
    joined: list[list[int]] = []
    for first, last in spans:
        if joined and first <= joined[-1][1]:
            joined[-1][1] = max(joined[-1][1], last)
        else:
            joined.append([first, last])
    out: list[tuple[int, int]] = []
    row = 0
    for first, last in joined:
        out.extend((r, r) for r in range(row, first))
        out.append((first, last))
        row = last + 1
    out.extend((r, r) for r in range(row, count))
    return out


def breaks(heights: Sequence[float], page: Page, together: Iterable[tuple[int, int]] = (),
           keep_next: Iterable[int] = (), forced: Iterable[int] = ()) -> list[int]:
    """Return the rows (0-based) that start a new page, in order (``forced``: rows
    that start one anyway, not returned)."""
    glued = set(keep_next)
    starts = set(forced)
    cut = units(len(heights), together)
    out: list[int] = []
    used, room, page_start = 0.0, page.first, 0
    for index, (first, last) in enumerate(cut):
        height = sum(heights[first : last + 1])
        if first in starts and first > page_start:
            used, room, page_start = 0.0, page.room(first), first
        if used + height <= room:
            used += height
            continue
        fresh = page.room(first)
        if height <= fresh or first == last:
            start, chain = index, height
            while start - 1 >= 0 and cut[start - 1][0] > page_start and cut[start - 1][1] in glued:
                before = sum(heights[cut[start - 1][0] : cut[start - 1][1] + 1])
                if chain + before > page.room(cut[start - 1][0]):
                    break
                start -= 1
                chain += before
            row = cut[start][0]
            if row > page_start:
                out.append(row)
                page_start = row
            used, room = chain, page.room(row)
            continue
        for row in range(first, last + 1):  # taller than a page: break between its rows
            if used + heights[row] > room and row > page_start:
                out.append(row)
                page_start = row
                used, room = 0.0, page.room(row)
            used += heights[row]
    return out
