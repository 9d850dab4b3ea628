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
from functools import cache, lru_cache
from importlib import resources

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


def line_height(size: float) -> float:
    """Return the height in points of one line of text ``size`` points high (single spacing)."""
    return _widths()[1] * size


def text_width(text: str, size: float) -> float:
    """Return the width in points of ``text`` on one line at ``size`` points."""
    widths = _widths()[0]
    return sum(widths.get(char, _FULL) for char in text) * size


def _units(paragraph: str) -> list[str]:
    """Return the unbreakable pieces of one paragraph: CJK characters, Latin
    words and spaces, with closing punctuation glued to what comes before and
    opening punctuation to what follows."""
    units: list[str] = []
    word = ""
    for char in paragraph:
        if char.isascii() and not char.isspace() and char not in NO_START and char not in NO_END:
            word += char
            continue
        if word:
            units.append(word)
            word = ""
        units.append(char)
    if word:
        units.append(word)
    glued: list[str] = []
    for unit in units:
        if glued and not unit.isspace() and (unit[0] in NO_START or glued[-1][-1] in NO_END):
            glued[-1] += unit
        else:
            glued.append(unit)
    return glued


def _split_long(unit: str, width: float, size: float, widths: dict[str, float]) -> list[str]:
    """Return ``unit`` cut character by character into pieces no wider than ``width``."""
    pieces, current, used = [], "", 0.0
    for char in unit:
        step = widths.get(char, _FULL) * size
        if current and used + step > width:
            pieces.append(current)
            current, used = "", 0.0
        current += char
        used += step
    if current:
        pieces.append(current)
    return pieces


def wrap(text: str, width: float, size: float) -> list[str]:
    """Return the lines ``text`` prints as in a box ``width`` points wide at ``size`` points
    (``\\n`` always breaks)."""
    widths = _widths()[0]
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if len(paragraph) * size <= width and all(widths.get(c, _FULL) <= _FULL for c in paragraph):
            lines.append(paragraph)
            continue
        current, used = "", 0.0
        for unit in _units(paragraph):
            step = sum(widths.get(c, _FULL) for c in unit) * size
            if current and used + step > width:
                if unit.isspace():  # a space at the end of a line takes no room
                    continue
                lines.append(current.rstrip())
                current, used = "", 0.0
            if step > width:
                pieces = _split_long(unit, width, size, widths)
                lines.extend(pieces[:-1])
                unit = pieces[-1]
                step = sum(widths.get(c, _FULL) for c in unit) * size
            current += unit
            used += step
        lines.append(current.rstrip())
    return lines


@lru_cache(maxsize=8192)
def line_count(text: str, width: float, size: float) -> int:
    """Return how many lines ``text`` takes in a box ``width`` points wide at ``size`` points."""
    if "\n" not in text and len(text) * size <= width:
        widths = _widths()[0]
        if all(widths.get(c, _FULL) <= _FULL for c in text):
            return 1
    return max(1, len(wrap(text, max(width, size), size)))


def balance(text: str, width: float, size: float) -> str:
    """Return ``text`` with line breaks where it wraps in ``width`` points, the
    lines made as even as the same number of lines allows (labels: "预算规模及" /
    "资金用途" rather than "预算规模及资金用" / "途")."""
    lines = wrap(text, width, size)
    if len(lines) <= 1 or "\n" in text:
        return text
    low, high = size, width
    while high - low > 0.25:
        middle = (low + high) / 2
        if len(wrap(text, middle, size)) > len(lines):
            low = middle
        else:
            high = middle
    return "\n".join(wrap(text, high, size))
