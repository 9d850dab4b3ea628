"""The build record a build writes as it takes its results: what became of each spec
and of each unit's 汇总, and which old files go or are moved aside
(:mod:`sheetgen.build.stale`) so that no file looks current when it is not.

Pure bookkeeping: the runner reports; :meth:`Ledger.apply` is the one place that
touches old files, at the end of the build.
"""

from __future__ import annotations

import heapq
import os
from collections.abc import Callable, Iterable, Iterator, MutableMapping, Sequence
from operator import itemgetter
from pathlib import Path

from msgspec import Struct

from sheetgen.build.manifest import Manifest, Record, RecordSource
from sheetgen.build.plan import key, stale_path
from sheetgen.build.record_log import KINDS, RecordLog
from sheetgen.build.stale import Action, Retirements, pdf_of
from sheetgen.build.stored import StoredRecords
from sheetgen.build.tasks import CombinedOutcome, Failure, SpecOutcome, UnitTask


class Scope(Struct, frozen=True):
    """The specs a build is responsible for: everything under the folders it was
    given, and the unit folder of each file it was given."""

    folders: tuple[Path, ...]
    units: frozenset[Path]

    @classmethod
    def of(cls, paths: Sequence[Path]) -> Scope:
        folders = tuple(Path(p).resolve() for p in paths if Path(p).is_dir())
        units = frozenset(Path(p).resolve().parent for p in paths if Path(p).is_file())
        return cls(folders, units)

    def has(self, path: Path, *, unit: bool) -> bool:
        """Return whether the spec (or unit folder) at ``path`` is this build's business."""
        folder = path if unit else path.parent
        return folder in self.units or any(path == f or f in path.parents for f in self.folders)


_CARRIED, _REPLACED = 1, 2  # what a build decided about an old record (0: nothing yet)


class _Positions:
    """Where each key of an old record table held in memory is (its position among the keys,
    sorted), and the key and record at each position."""

    def __init__(self, table: MutableMapping[str, Record]):
        self._table = table
        self._keys = sorted(table)
        self._where = {record_key: position for position, record_key in enumerate(self._keys)}

    def position(self, record_key: str) -> int | None:
        return self._where.get(record_key)

    def item_at(self, position: int) -> tuple[str, Record]:
        record_key = self._keys[position]
        return record_key, self._table[record_key]


def _positions(table: MutableMapping[str, Record]) -> StoredRecords | _Positions:
    """Return how to find the position of a key among ``table``'s (in key order) and the record
    at a position: a table read from its file knows it (:mod:`sheetgen.build.stored`; the file
    is written sorted by key)."""
    return table if isinstance(table, StoredRecords) else _Positions(table)


class Ledger:
    """The old build record and the new one being made.

    The new record is the old records carried over unchanged and the records this build made,
    kept on disk as they come (:class:`RecordLog`): a build of everything holds no record in
    memory.  What the build decided about each old record (carried over, or replaced or
    dropped) is one byte by the record's position in the old record (``_decided``), not a set
    of keys: a build that finds 5,000 specs current holds no second copy of their keys."""

    def __init__(self, old: Manifest):
        self.old = old
        self.made = RecordLog()
        self.retire = Retirements()
        self.retire.know(old.stale_files())
        self._where = {kind: _positions(self._old(kind)) for kind in KINDS}
        self._decided = {kind: bytearray(len(self._old(kind))) for kind in KINDS}

    def _old(self, kind: str) -> MutableMapping[str, Record]:
        return self.old.specs if kind == "specs" else self.old.units

    def _decide(self, kind: str, record_key: str, decision: int) -> None:
        """Note what became of the old record of ``record_key`` (if there is one)."""
        position = self._where[kind].position(record_key)
        if position is not None:
            self._decided[kind][position] = decision

    def _put(self, kind: str, record_key: str, record: Record) -> None:
        """Make ``record`` the new record of ``record_key``."""
        self._decide(kind, record_key, _REPLACED)
        self.made.put(kind, record_key, record)

    def _carry(self, kind: str, record_key: str) -> None:
        """Carry the old record of ``record_key`` over unchanged."""
        self._decide(kind, record_key, _CARRIED)

    def _carried(self, kind: str, positions: Iterable[int] | None = None) -> Iterator[tuple[str, Record]]:
        """Return the old records of ``kind`` carried over, with their keys, in key order (of
        those at ``positions``, in their order, when given), each read once."""
        decided, where = self._decided[kind], self._where[kind]
        for position in range(len(decided)) if positions is None else positions:
            if decided[position] == _CARRIED:
                yield where.item_at(position)

    def unchanged(self) -> bool:
        """Return whether the new record is the old one: every old record carried over as it
        was, none made, no file to remove or move aside (a build with nothing to do).  A file
        of a record outside this build's scope that has gone since is noted by the next build
        that covers it (or writes the record for another reason)."""
        return (not self.made and not self.retire.actions
                and all(d.count(_CARRIED) == len(d) for d in self._decided.values()))

    def has_records(self) -> bool:
        """Return whether the new record has any record."""
        return bool(self.made) or any(_CARRIED in d for d in self._decided.values())

    def records(self, kind: str) -> Iterator[tuple[str, Record]]:
        """Return the new records of ``kind`` (``specs``, ``units``) with their keys, sorted by key."""
        return heapq.merge(self._carried(kind), self.made.items(kind), key=itemgetter(0))

    def _all(self) -> Iterator[Record]:
        for kind in KINDS:
            for _, record in self.records(kind):
                yield record

    def outputs(self) -> Iterator[str]:
        """Return every current output of the new record (a unit's once each)."""
        for record in self._all():
            yield from record.outputs

    def claimed(self, names: set[str]) -> set[str]:
        """Return the current outputs and PDFs the new record names whose file names are among
        ``names`` (those :meth:`planned` for removal: the guard of :meth:`Retirements.apply`
        compares each with them by real path)."""
        if not names:
            return set()
        return {p for record in self._all() for p in (*record.outputs, *record.pdfs)
                if os.path.basename(p) in names}

    def _update(self, change: Callable[[Record], bool], *, with_pdfs: bool = False) -> None:
        """Apply ``change`` to every new record (``with_pdfs``: every one naming PDFs); keep the
        records it returns True for, changed (an old record carried over becomes one made)."""
        for kind in KINDS:
            named = getattr(self._old(kind), "with_pdfs", None)  # (read from a file: known without reading each)
            # (a record put here is no longer carried: the records are read as they come, safely)
            for record_key, record in self._carried(kind, named if with_pdfs else None):
                if (not with_pdfs or record.pdfs) and change(record):
                    self._put(kind, record_key, record)
            for record_key, record in self.made.items(kind, with_pdfs=with_pdfs):
                if change(record):
                    self.made.put(kind, record_key, record)

    def close(self) -> None:
        """Let go of the records this build made and of the old ones (after the build record
        is written)."""
        self.made.close()
        self.old.close()

    # ------------------------------------------------------------------ what became of each

    def keep(self, specs: Sequence[str], unit: str) -> None:
        """Carry the records of a current unit (its key) and of its specs (theirs) over unchanged,
        those it has: a 自评表 record exists only for what has one."""
        for spec_key in specs:
            if spec_key in self.old.specs:
                self._carry("specs", spec_key)
        if unit in self.old.units:
            self._carry("units", unit)

    def spec(self, outcome: SpecOutcome, outputs: dict[str, Path], spec_key: str) -> None:
        """Record what became of one spec, whose record key is ``spec_key`` (``outputs``: its
        file of each kind built)."""
        old = self.old.specs.get(spec_key) or Record("")
        if not outcome.valid:
            new = Record("", stale=list(old.stale))
            for path in old.outputs:
                self.retire.move_aside(path, old, new, f"项目 {outcome.spec.path.name} 有错误，没有重新生成")
            self._put("specs", spec_key, new)
            return
        assert outcome.jurisdiction is not None
        name, dirs = outcome.jurisdiction
        new = Record(outcome.fingerprint if not outcome.failures else "", name, [str(d) for d in dirs],
                     diagnostics=[d.to_json() for d in outcome.diagnostics], pdfs=list(old.pdfs),
                     stale=list(old.stale))
        self._files(old, new, outputs, outcome.written, outcome.failures, outcome.fingerprint,
                    f"项目 {outcome.spec.path.name}")
        self._put("specs", spec_key, new)

    def combined(self, unit_key: str, combined: CombinedOutcome) -> list[str]:
        """Record what became of the 汇总 of the unit whose record key is ``unit_key``; return
        the names its old files are moved aside to when it could not be made."""
        old = self.old.units.get(unit_key) or Record("")
        if combined.blocked:
            new = Record("", stale=list(old.stale))
            for earlier in old.outputs:
                self.retire.move_aside(earlier, old, new, "汇总没有重新生成")
            self._put("units", unit_key, new)
            return [stale_path(Path(p)).name for p in old.outputs]
        new = Record(combined.fingerprint if not combined.failures else "", pdfs=list(old.pdfs),
                     stale=list(old.stale))
        self._files(old, new, combined.outputs, combined.written, combined.failures, combined.fingerprint, "汇总")
        self._put("units", unit_key, new)
        return []

    def drop(self, spec: str | None, unit: str | None, reason: str) -> None:
        """Plan removing the files of a spec's (or unit's) record, by its key, that has no files
        to make any more (a 自评表 of a spec without year-end data now), and forget the record."""
        for kind, record_key in (("specs", spec), ("units", unit)):
            table = self._old(kind)
            if record_key is not None and record_key in table:
                self._decide(kind, record_key, _REPLACED)
                self.retire.remove(table[record_key], reason)

    def worker_died(self, task: UnitTask, *, table: bool = False) -> None:
        """Record a unit whose worker died: its files stay as they are and stay tracked,
        with no fingerprint, so the next build makes them again (``table``: the records are
        of another table than the 目标表, whose files the old records name)."""
        for job in task.specs:
            if table and job.key not in self.old.specs:
                continue
            record = self.old.specs.get(job.key) or Record("")
            outputs = list(record.outputs) if table else [str(p) for _, p in job.outputs]
            self._put("specs", job.key, Record("", record.jurisdiction, record.template_dirs,
                                               outputs, pdfs=record.pdfs, stale=record.stale))
        unit_key = key(task.folder)
        if table and unit_key not in self.old.units:
            return
        old = self.old.units.get(unit_key) or Record("")
        self._put("units", unit_key, Record("", outputs=old.outputs, pdfs=old.pdfs, stale=old.stale))

    def _files(self, old: Record, new: Record, outputs: dict[str, Path], written: list[tuple[str, Path]],
               failures: list[Failure], fingerprint: str, what: str) -> None:
        """Set ``new.outputs`` to the current files of one spec or 汇总 and plan what
        happens to the old ones that are not current any more."""
        made = {kind for kind, _ in written}
        failed = {f.kind: f for f in failures}
        current: list[str] = []
        for kind, path in outputs.items():
            if kind in made:
                current.append(str(path))
                if new.stale and str(stale_path(path)) in new.stale:
                    self.retire.remove_file(str(stale_path(path)), new, f"{path.name} 已重新生成")
            elif kind in failed:
                if failed[kind].kept:
                    current.append(str(path))  # left as it was (the message says so), tracked; no fingerprint
                elif str(path) in old.outputs:
                    self.retire.move_aside(str(path), old, new, f"{what}的 {path.name} 生成失败")
            elif str(path) in old.outputs:
                current.append(str(path))
        wanted = {str(p) for p in outputs.values()}
        for earlier in old.outputs:
            kind = Path(earlier).suffix[1:]
            if earlier in wanted:
                continue
            if kind in outputs and str(outputs[kind]) in current:  # made again under another name
                self.retire.remove_file(earlier, new, f"已改为 {outputs[kind].name}")
                for pdf in old.pdfs:
                    if Path(pdf) == pdf_of(Path(earlier)):
                        self.retire.remove_file(pdf, new, f"已改为 {outputs[kind].name}")
            elif kind not in outputs and fingerprint and fingerprint == old.fingerprint:
                current.append(earlier)  # a kind this build did not make, still current
            else:
                self.retire.move_aside(earlier, old, new, f"{what}改过了，这次没有生成新的 {Path(earlier).name}")
        new.outputs = current

    # ------------------------------------------------------------------ at the end of the build

    def forget_gone(self, scope: Scope) -> None:
        """Plan removing the files of specs and units in ``scope`` that no longer exist; carry
        over the records of everything else (another build's business)."""
        for kind in KINDS:
            where = self._where[kind]
            for position, decision in enumerate(self._decided[kind]):
                if decision:
                    continue
                record_key, record = where.item_at(position)
                if scope.has(Path(record_key), unit=kind == "units"):
                    what = "单位文件夹" if kind == "units" else "项目说明"
                    self.retire.remove(record, f"{what} {record_key} 已不存在")
                else:
                    self._carry(kind, record_key)

    def pdfs_written(self, written: list[Path]) -> None:
        """Record the PDFs ``build --pdf`` wrote."""
        made = {str(p) for p in written}

        def add(record: Record) -> bool:
            pdfs = [pdf for pdf in map(str, map(pdf_of, map(Path, record.outputs)))
                    if pdf in made and pdf not in record.pdfs]
            record.pdfs.extend(pdfs)
            return bool(pdfs)

        self._update(add)

    def settle_pdfs(self) -> None:
        """Plan moving aside the PDFs sheetgen made of files that have changed since (no --pdf
        this time, or the conversion failed); remove the stale copy of a PDF current again."""
        self._update(self._settle, with_pdfs=True)

    def _settle(self, record: Record) -> bool:
        """Settle the PDFs of one record (see :meth:`settle_pdfs`); return whether it changed."""
        changed = False
        sources = {pdf_of(Path(p)): Path(p) for p in record.outputs}
        for path in list(record.pdfs):
            pdf, source = Path(path), sources.get(Path(path))
            if source is None or not pdf.is_file():
                continue
            if source.is_file() and pdf.stat().st_mtime_ns < source.stat().st_mtime_ns:
                record.pdfs.remove(path)
                self.retire.move_aside(path, Record("", outputs=[path]), record,
                                       f"{source.name} 已更新，PDF 没有重新生成（加 --pdf 重新生成）")
                changed = True
            elif str(stale_path(pdf)) in record.stale:
                self.retire.remove_file(str(stale_path(pdf)), record, f"{pdf.name} 已重新生成")
                changed = True
        return changed

    def planned(self) -> set[str]:
        """Return the names of the files this build plans to remove or move aside."""
        return {action.path.name for action in self.retire.actions}

    def apply(self, claimed: set[str]) -> tuple[list[Action], list[str]]:
        """Carry out the planned removals and moves, except on files ``claimed`` as current (by
        any ledger's records); return those done and the failures."""
        self.retire.apply(claimed)
        return self.retire.done, self.retire.failures

    def stored(self) -> RecordSource:
        """Return the new records as the build record stores them, after :meth:`apply`:
        naming only files that exist."""
        return _Existing(self)


class _Existing:
    """The records of a ledger, each naming only its files that exist."""

    def __init__(self, ledger: Ledger):
        self._ledger = ledger

    def has_records(self) -> bool:
        return self._ledger.has_records()

    def records(self, kind: str) -> Iterator[tuple[str, Record]]:
        for record_key, record in self._ledger.records(kind):
            for files in (record.outputs, record.pdfs, record.stale):
                files[:] = [p for p in dict.fromkeys(files) if os.path.isfile(p)]
            yield record_key, record
