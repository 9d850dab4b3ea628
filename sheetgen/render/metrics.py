"""Measuring printed text: widths from the fonts' own metrics, lines as Word,
Excel and LibreOffice break them.

The advance widths come from ``font_metrics.json`` (made from the font files
by ``tools/make_font_metrics.py`` with fontTools; loaded once per process).
Lines break the way Chinese typesetting does: between any two CJK characters,
at spaces between Latin words (a word longer than the line breaks anywhere),
never before closing punctuation (``）：，。`` …) and never after opening
punctuation (``（《“`` …), so a measured "预算执行数（元）：" moves "数" to the
next line with its "（元）：" rather than leaving "）：" alone.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from functools import cache, lru_cache
from importlib import resources
from itertools import accumulate, repeat

# Characters that never start a line (closing punctuation, Latin and Chinese).
NO_START = frozenset("，。、；：？！）》」』】〕〉”’…—～·%‰,.;:?!)]}>%、．｝］") | frozenset("\u3001\u3002\uff09")
# Characters that never end a line (opening punctuation).
NO_END = frozenset("（《「『【〔〈“‘([{<＜［｛")
_FULL = 1.0


@cache
def _widths() -> tuple[dict[str, float], float]:
    """Return (width in em per character that is not one em wide, line height in em)."""
    data = json.loads(resources.files("sheetgen.render").joinpath("font_metrics.json").read_text("utf-8"))
    widths = {chr(code): width / 1000 for first, last, width in data["widths"] for code in range(first, last + 1)}
    return widths, float(data["line_height"])


@cache
def _wide() -> frozenset[str]:
    """Return the characters wider than one em."""
    return frozenset(char for char, width in _widths()[0].items() if width > _FULL)


def line_height(size: float) -> float:
    """Return the height in points of one line of text ``size`` points high (single spacing)."""
    return _widths()[1] * size


def text_width(text: str, size: float) -> float:
    """Return the width in points of ``text`` on one line at ``size`` points."""
    widths = _widths()[0]
    return sum(widths.get(char, _FULL) for char in text) * size


def _breakable(text: str, index: int) -> bool:
    """Return whether a line may break between ``text[index - 1]`` and ``text[index]``."""
    after, before = text[index], text[index - 1]
    if after in NO_START or before in NO_END:
        return False
    if after.isspace() or before.isspace():
        return True
    return not (after.isascii() and before.isascii())  # inside a Latin word (or number)


def _starts(paragraph: str, limit: float) -> list[int]:
    """Return where each line of one paragraph starts, ``limit`` em wide (greedy, as Word,
    Excel and LibreOffice fill lines; a word longer than a line breaks anywhere)."""
    widths = _widths()[0]
    prefix = list(accumulate(map(widths.get, paragraph, repeat(_FULL))))
    size = len(paragraph)
    starts = [0]
    start, base = 0, 0.0
    while True:
        end = bisect_right(prefix, base + limit + 1e-9, start)  # paragraph[start:end] fits
        if end >= size:
            return starts
        end = max(end, start + 1)
        cut = end
        while cut > start + 1 and not _breakable(paragraph, cut):
            cut -= 1
        if cut == start + 1 and not _breakable(paragraph, cut):
            cut = end  # no place to break: cut the word
        while cut < size and paragraph[cut] == " ":  # spaces at a break take no room
            cut += 1
        if cut >= size:
            return starts
        starts.append(cut)
        start, base = cut, prefix[cut - 1]


def wrap(text: str, width: float, size: float) -> list[str]:
    """Return the lines ``text`` prints as in a box ``width`` points wide at ``size`` points
    (``\\n`` always breaks)."""
    lines: list[str] = []
    limit = max(width, size) / size
    for paragraph in text.split("\n"):
        if not paragraph:
            lines.append("")
            continue
        starts = _starts(paragraph, limit)
        lines.extend(paragraph[a:b].rstrip() for a, b in zip(starts, [*starts[1:], len(paragraph)], strict=True))
    return lines


@lru_cache(maxsize=512)  # keys are cell texts: bounded memory
def line_count(text: str, width: float, size: float) -> int:
    """Return how many lines ``text`` takes in a box ``width`` points wide at ``size`` points."""
    if "\n" not in text and len(text) * size <= width and _wide().isdisjoint(text):
        return 1
    limit = max(width, size) / size
    return sum(len(_starts(p, limit)) if p else 1 for p in text.split("\n"))


PHRASE_ENDS = frozenset("：，、；:;,")


def balance(text: str, width: float, size: float) -> str:
    """Return ``text`` with line breaks where it wraps in ``width`` points, the lines made
    as even as the same number of lines allows ("预算规模及" / "资金用途" rather than
    "预算规模及资金用" / "途"); a label of two lines breaks after its "：" or "，"
    where that keeps it two lines ("其中：" / "财政资金")."""
    lines = wrap(text, width, size)
    if len(lines) <= 1 or "\n" in text:
        return text
    if len(lines) == 2:
        for index in range(len(text) - 2, 0, -1):
            if text[index] in PHRASE_ENDS and max(text_width(text[: index + 1], size),
                                                  text_width(text[index + 1 :], size)) <= width:
                return text[: index + 1] + "\n" + text[index + 1 :]
    low, high = size, width
    while high - low > 0.25:
        middle = (low + high) / 2
        if len(wrap(text, middle, size)) > len(lines):
            low = middle
        else:
            high = middle
    return "\n".join(wrap(text, high, size))
