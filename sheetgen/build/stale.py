"""Outputs that are no longer current: removed, or moved aside under a name that says so.

Two rules, so that no file in the output folder looks current when it is not:

* the spec (or the whole unit folder) an output was made from no longer
  exists: the output, its PDF and its stale copies are **removed**;
* the spec still exists but its output could not be made again (the spec
  has errors, the template failed, the 汇总 cannot hold every project, the
  kind was left out of a build after the spec changed): the old output is
  **moved aside** as ``名称（已过期）.docx`` (replacing an older stale copy),
  and that copy is removed once the output is current again.

Only files the build record names are touched (files sheetgen wrote), never a
file another record still claims as current.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from msgspec import Struct, field

from sheetgen import os_errors
from sheetgen.build.manifest import Record
from sheetgen.build.plan import pdf_path as pdf_of
from sheetgen.build.plan import stale_path
from sheetgen.spec.files import display


class Action(Struct, frozen=True):
    """One planned removal (``target`` None) or move aside."""

    path: Path
    target: Path | None
    reason: str


class Retirements(Struct):
    """The removals and moves a build plans while it takes results, applied at its end."""

    actions: list[Action] = field(default_factory=list)
    done: list[Action] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    _ours: set[str] = field(default_factory=set)

    def remove(self, record: Record, reason: str) -> None:
        """Plan the removal of every file of ``record`` (its source is gone)."""
        for path in record.files():
            self.actions.append(Action(Path(path), None, reason))

    def remove_file(self, path: str, new: Record, reason: str) -> None:
        """Plan the removal of one file of a record; ``new`` (the record to be) no longer names it."""
        self.actions.append(Action(Path(path), None, reason))
        for files in (new.outputs, new.pdfs, new.stale):
            if path in files:
                files.remove(path)

    def move_aside(self, path: str, old: Record, new: Record, reason: str) -> None:
        """Plan moving the output ``path`` of ``old`` (and its PDF) aside; ``new`` records the copies."""
        for source in (path, *[p for p in old.pdfs if Path(p) == pdf_of(Path(path))]):
            target = stale_path(Path(source))
            self.actions.append(Action(Path(source), target, reason))
            if source in new.pdfs:
                new.pdfs.remove(source)
            if str(target) not in new.stale:
                new.stale.append(str(target))
            self._ours.add(str(target))

    def know(self, stale: Iterable[str]) -> None:
        """Note the stale copies the old build record names (they may be replaced)."""
        self._ours.update(stale)

    def apply(self, claimed: set[str]) -> None:
        """Carry out the planned actions, except on files in ``claimed`` (current outputs),
        however either names them (compared by their real paths)."""
        by_name: dict[str, list[str]] = {}
        if self.actions:
            for path in claimed:
                by_name.setdefault(os.path.basename(path), []).append(path)
        for action in self.actions:
            source = action.path
            if str(source) in claimed or _one_of(source, by_name.get(source.name, ())) or not source.is_file():
                continue
            try:
                if action.target is None:
                    source.unlink()
                    self.done.append(action)
                    continue
                if action.target.exists() and str(action.target) not in self._ours:
                    self.failures.append(f"{display(source)}: 已过期，但无法改名为 {action.target.name}：已有同名文件"
                                         "（不是 sheetgen 写的，没有动它）；请删掉或移走这两个文件之一")
                    continue
                os.replace(source, action.target)
                self.done.append(action)
            except OSError as exc:
                verb = "删除" if action.target is None else "改名"
                self.failures.append(f"{display(source)}: 已过期，但无法{verb}：{os_errors.explain(exc)}")


def _one_of(path: Path, others: Sequence[str]) -> bool:
    """Return whether ``path`` is the same file as one of ``others`` (of its name) by real path."""
    if not others:
        return False
    real = os.path.realpath(path)
    return any(os.path.realpath(other) == real for other in others)
