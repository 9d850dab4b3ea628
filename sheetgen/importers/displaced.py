"""Repairs labels that a PDF export put inside the previous field's text.

In a PDF text export a label line can land between two halves of one
sentence: the previous field's last line runs to the full wrap width with no
sentence end, and the line after the label continues it (``…为后续更加深入`` /
``项目设立的必要性：`` / ``的智慧检务应用积累数据。``).  The sentence belongs
to the labelled field, and so does the start of its paragraph, which the PDF
put at the end of the previous field: the paragraph starts after the last short
(not wrapped) line of the previous field, or failing that at its last line
starting with ``1.``.  :func:`repair_displaced_labels` moves those lines and
returns nothing; each move is reported as ``import-displaced``.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Sequence

from msgspec import Struct

from sheetgen.importers.labelled import RawProject
from sheetgen.importers.result import Sink

#: Characters that end a sentence (or a citation) at the end of a paragraph.
TERMINATORS = "。；;！!？?）)”》】"
NUMBERED = re.compile(r"^(?:\d+[.．、]|[（(]\d+[)）]|[一二三四五六七八九十]+、)")
FIRST_ITEM = re.compile(r"^1[.．、]")


class Part(Struct, frozen=True):
    """One source line's share of a field's text."""

    line: int
    text: str
    source: str
    inline: bool


def display_width(text: str) -> int:
    """Return the printed width of ``text``: 2 for wide (CJK) characters, 1 for others."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text.strip())


def wrap_width(fields: Sequence[tuple[str, Sequence[Part]]]) -> int:
    """Return the most common width of the long lines, i.e. the width the PDF wraps at."""
    widths = Counter(width for _, parts in fields for part in parts if (width := display_width(part.source)) >= 40)
    return max(widths, key=lambda w: (widths[w], w)) if widths else 0


def repair_displaced_labels(fields: list[tuple[str, list[Part]]], raw: RawProject, sink: Sink,
                            long_texts: Collection[str]) -> None:
    """Move the lines of a sentence cut by a label into the labelled field (``fields`` in source
    order; only between two of the ``long_texts`` fields)."""
    width = wrap_width(fields)
    if not width:
        return
    for (prev_key, prev), (key, parts) in itertools.pairwise(fields):
        if prev_key not in long_texts or key not in long_texts or not prev or not parts:
            continue
        if parts[0].inline or NUMBERED.match(parts[0].text) or not _runs_on(prev[-1], width):
            continue
        label, prev_label = raw.fields[key].label, raw.fields[prev_key].label
        where = f"标签“{label}”夹在“{prev_label}”的一句话中间（第{prev[-1].line}行没有写完，第{parts[0].line}行接着写）"
        start = _paragraph_start(prev, width)
        if start is None:
            sink.warn(raw.fields[key].line, "import-displaced", f"{where}；找不到段落开头，未移动", label, key)
            continue
        moved = prev[start:]
        del prev[start:]
        parts[:0] = moved
        snippet = moved[0].text[:20]
        sink.warn(
            raw.fields[key].line,
            "import-displaced",
            f"{where}；已把第{moved[0].line}–{moved[-1].line}行（“{snippet}…”）从“{prev_label}”移到“{label}”开头",
            label=label,
            yaml_path=key,
        )


def _runs_on(part: Part, width: int) -> bool:
    """Return whether ``part`` is a full wrapped line (not a one-line value) whose sentence goes on."""
    return not part.inline and display_width(part.source) >= 0.9 * width and part.text[-1] not in TERMINATORS


def _paragraph_start(parts: Sequence[Part], width: int) -> int | None:
    """Return the index of the first line of the last paragraph of ``parts``, None if unknown."""
    short = [i + 1 for i, part in enumerate(parts[:-1]) if display_width(part.source) < 0.6 * width]
    if short:
        return max(short)
    numbered = [i for i, part in enumerate(parts) if i and FIRST_ITEM.match(part.text)]
    return max(numbered) if numbered else None
