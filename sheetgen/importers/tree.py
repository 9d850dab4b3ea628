"""The indicator tree (一级 → 二级 → 三级) and the vocabulary used to sort cells into it.

:func:`classify` tells which leading cells of a row are 一级/二级 names (from
the jurisdiction's ``levels``) and which are the 三级 name and its value;
:class:`IndicatorTree` collects the rows into nested dicts and reports every
place where the source repeats a group that the spec writes only once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from msgspec import Struct

from sheetgen.importers.result import Sink


class Vocabulary(Struct, frozen=True):
    """The 一级 and 二级 names of one jurisdiction."""

    level1: tuple[str, ...]
    level2: tuple[str, ...]


class Split(Struct, frozen=True):
    """A row sorted by :func:`classify`: index of the 一级/二级 cell (or None) and the rest."""

    level1: int | None
    level2: int | None
    rest: int


def classify(texts: Sequence[str], vocab: Vocabulary, allow: Callable[[int], bool]) -> Split:
    """Return which of the non-empty ``texts`` of a row are 一级, 二级 and 三级/值.

    The leading texts found in the vocabulary (一级 first, then 二级) are level
    names, unless ``allow(number of texts left for 三级 and 值)`` refuses the
    split; then fewer leading texts are taken as levels (so a row
    ``满意度 >=90%`` can still be a 三级 named like a 二级).
    """
    has1 = bool(texts) and texts[0] in vocab.level1
    for level1 in (0, None) if has1 else (None,):
        start = 0 if level1 is None else 1
        has2 = len(texts) > start and texts[start] in vocab.level2
        for level2 in (start, None) if has2 else (None,):
            rest = start + (level2 is not None)
            if allow(len(texts) - rest):
                return Split(level1, level2, rest)
    return Split(None, None, 0)


class IndicatorTree:
    """Builds the nested indicator mapping of one project in source order."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.data: dict[str, dict[str, dict[str, Any]]] = {}
        self.level1: str | None = None
        self.level2: str | None = None

    def enter_level1(self, name: str, line: int) -> None:
        """Make ``name`` the current 一级, merging with an earlier group of that name."""
        if name in self.data:
            apart = "" if name == self.level1 else "；两处不相邻，本行起的指标移到前面那一组的末尾"
            message = f"一级“{name}”在前面已经出现，本行并入同一个一级分组{apart}"
            self.sink.warn(line, "import-merge", message, yaml_path=f"indicators.{name}")
        else:
            self.data[name] = {}
        if name != self.level1:
            self.level2 = None
        self.level1 = name

    def enter_level2(self, name: str, line: int) -> None:
        """Make ``name`` the current 二级 under the current 一级."""
        if self.level1 is None:
            raise self.sink.fail(line, f"二级“{name}”前面没有一级")
        groups = self.data[self.level1]
        if name in groups:
            apart = "" if name == self.level2 else "；两处不相邻，本行起的指标移到前面那一组的末尾"
            self.sink.warn(
                line,
                "import-merge",
                f"二级“{name}”在“{self.level1}”下已经出现，本行并入同一个二级分组{apart}",
                yaml_path=f"indicators.{self.level1}.{name}",
            )
        else:
            groups[name] = {}
        self.level2 = name

    def add(self, name: str, value: Any, line: int) -> None:
        """Add the 三级 row ``name`` with ``value`` to the current group."""
        if self.level1 is None or self.level2 is None:
            raise self.sink.fail(line, f"三级“{name}”前面没有一级或二级")
        rows = self.data[self.level1][self.level2]
        if name in rows:
            raise self.sink.fail(line, f"“{self.level1} / {self.level2}”下的三级“{name}”重复")
        rows[name] = value
