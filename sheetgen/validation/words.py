"""Comparing a written word with a closed vocabulary: is it a slip of a known word?

A near-miss is what a typing or input-method slip makes of a word: one character
wrong, missing, extra or swapped with its neighbour (two in words of 7 or more
characters), or a difference people cannot see (spaces, zero-width characters,
full-width letters).  Words of one or two characters have no near-misses but
their invisible twins: changing one of two characters makes another word
(数量 → 质量), not a typo.  difflib aligns the words.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from sheetgen.spec.yamlload import printed_form

#: Words at least this long may have two slips and still be a near-miss.
LONG_WORD = 7


def _plain(word: str) -> str:
    return printed_form(unicodedata.normalize("NFKC", word))


def _swapped(one: str, other: str) -> bool:
    """Return whether ``one`` is ``other`` with two neighbouring characters swapped."""
    if len(one) != len(other):
        return False
    differ = [i for i, (a, b) in enumerate(zip(one, other, strict=True)) if a != b]
    return (len(differ) == 2 and differ[1] == differ[0] + 1
            and one[differ[0]] == other[differ[1]] and one[differ[1]] == other[differ[0]])


def slips(word: str, known: str) -> int:
    """Return how many characters ``word`` gets wrong against ``known`` (changed,
    missing or extra, a swap of neighbours counting one), as difflib aligns them."""
    if _swapped(word, known):
        return 1
    import difflib  # for a word not in the vocabulary only: a valid spec's check does without it

    matcher = difflib.SequenceMatcher(None, word, known, autojunk=False)
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal")


def near_miss(word: str, known: Sequence[str]) -> str | None:
    """Return the known word that ``word`` is an obvious slip of, or None."""
    plain = _plain(word)
    best: tuple[int, str] | None = None
    for candidate in known:
        target = _plain(candidate)
        if plain == target:
            return candidate
        if len(target) < 3 or len(plain) < 2:
            continue
        count = slips(plain, target)
        if count <= (2 if len(target) >= LONG_WORD else 1) and (best is None or count < best[0]):
            best = (count, candidate)
    return best[1] if best else None


def closest(word: str, known: Sequence[str]) -> str | None:
    """Return the known word most like ``word`` (for a hint), or None if none is alike."""
    import difflib

    found = difflib.get_close_matches(word, list(known), n=1, cutoff=0.4)
    return found[0] if found else None
