"""The work done in a worker process: one unit (spec folder) at a time.

A unit task loads, validates and models every spec of the unit, renders and
writes the files of those that are out of date, and then the unit's combined
files (汇总) from the same models -- but only when every project of the unit
is good: a 汇总 always holds every current project, or it is not written.
The task returns what happened (diagnostics, files written, the fingerprints
of the very bytes it read); the models stay in the worker.

A task is handed the jurisdictions its unit can use, loaded (a
:class:`~sheetgen.workspace.Formats`): the worker looks nothing up again.  Each
worker compiles each schema and template once (see :mod:`sheetgen.render.templates`), and
renders each project once: its own files and the 汇总 are written from that render.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec import Struct, field

from sheetgen.build.atomic import WriteError, write_atomic
from sheetgen.build.plan import combined_outputs, loaded_fingerprint, unit_fingerprint
from sheetgen.errors import Diagnostic, SheetgenError
from sheetgen.jurisdiction import TARGET_TABLE
from sheetgen.spec.files import SpecFile, display
from sheetgen.workspace import Formats

if TYPE_CHECKING:
    from sheetgen.jurisdiction import Jurisdiction
    from sheetgen.model import Project


class TableRecord(Struct, frozen=True):
    """What the last build recorded of a spec's (or a unit's) files of another table than
    the 目标表 (the 自评表): the fingerprint they were made from and those of them on disk."""

    expected: str | None
    present: tuple[str, ...] = ()  # paths


class SpecJob(Struct, frozen=True):
    """One spec of a unit task: where its files go and what its last good build recorded."""

    spec: SpecFile
    key: str  # its record key (plan.key), worked out once
    outputs: tuple[tuple[str, Path], ...]  # (kind, path) of every kind this build makes
    expected: str | None  # fingerprint of its last complete build; None: build it
    present: tuple[str, ...] = ()  # kinds whose current file is on disk
    evaluation: TableRecord | None = None  # its 自评表's record, if it has one


class UnitTask(Struct, frozen=True):
    """One unit folder to build: its specs, in order, and what its last 汇总 recorded."""

    folder: Path
    specs: tuple[SpecJob, ...]
    formats: Formats  # the jurisdictions the unit's specs can use, loaded by the planner
    output: Path
    kinds: tuple[str, ...]
    strict: bool
    force: bool
    expected: str | None  # fingerprint of the last 汇总
    present: tuple[str, ...] = ()  # paths of the last 汇总's files that are on disk
    excluded: tuple[str, ...] = ()  # file names of specs of the unit left out (name clashes): they block the 汇总
    targets: bool = True  # make the 目标表 (else its files are kept while current, or moved aside)
    evaluations: str = "auto"  # the 自评表: "auto" (specs with year-end data), "yes" (every spec), "no"
    evaluation: TableRecord | None = None  # the record of the unit's 自评 汇总, if it has one


class Failure(Struct):
    """One file that was not made: the message, and whether the old file is left as it was
    (a write failure) or is now out of date (its content could not be made)."""

    kind: str
    message: str
    kept: bool


class SpecOutcome(Struct):
    """What became of one spec."""

    spec: SpecFile
    diagnostics: list[Diagnostic]
    fingerprint: str = ""  # of the bytes read; empty when the spec has errors
    jurisdiction: tuple[str, tuple[Path, ...]] | None = None
    written: list[tuple[str, Path]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    year_end: str = ""  # the spec carries year-end data: "good", or "bad" (errors in it); "": none

    @property
    def valid(self) -> bool:
        return bool(self.fingerprint)

    @property
    def good(self) -> bool:
        """Return whether the project is valid and every file of it could be made."""
        return self.valid and not any(not f.kept for f in self.failures)

    def first_error(self) -> str:
        """Return ``file:line`` of the first error."""
        error = next((d for d in self.diagnostics if d.is_error), None)
        if error is None:
            return ""
        return f"{error.path}:{error.line}" if error.line > 0 else error.path


class CombinedOutcome(Struct):
    """What became of the unit's 汇总: written, left as it was, or blocked (and why)."""

    fingerprint: str = ""
    outputs: dict[str, Path] = field(default_factory=dict)
    written: list[tuple[str, Path]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    blocked: str = ""  # why no 汇总 could be made (empty: it could)


class TableResult(Struct):
    """What became of the files of another table than the 目标表 (the 自评表) in a unit: per
    spec (None: the spec has none, e.g. no year-end data) and the unit's 汇总 of it (None:
    the unit has none; ``blocked`` with ``warning``: it waits for projects still without
    year-end data, which is no error)."""

    specs: list[SpecOutcome | None]
    combined: CombinedOutcome | None
    warning: bool = False
    outputs: list[dict[str, Path]] = field(default_factory=list)  # per spec: its files of this table


class UnitResult(Struct):
    folder: Path
    specs: list[SpecOutcome]
    combined: CombinedOutcome
    evaluation: TableResult | None = None


class _Recent(OrderedDict[Any, Any]):
    """A mapping that keeps its ``size`` most recently used entries: a worker's parsed
    ``_defaults.yaml`` and block files, of the units it built last (each unit folder has
    its own defaults, so a cache of all of them would grow with the number of units)."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def __getitem__(self, key: Any) -> Any:
        self.move_to_end(key)
        return super().__getitem__(key)

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)


_defaults_cache: dict[Any, Any] = _Recent(64)  # parsed _defaults.yaml and block files of this process


class Made(Struct):
    """A valid project of the unit: its model, jurisdiction and what each template rendered of
    it (kept for the unit's 汇总, which is made of these renders, never a second one)."""

    project: Project
    jurisdiction: Jurisdiction
    pieces: dict[tuple[str, str], Any] = field(default_factory=dict)

    def piece(self, kind: str, table: str = TARGET_TABLE) -> Any:
        """Return the ``kind`` template's render of the project's table ``table`` (made on first use)."""
        if (kind, table) not in self.pieces:
            from sheetgen.render.templates import compiled

            self.pieces[kind, table] = compiled(kind, self.jurisdiction, table).prepare(self.project, self.jurisdiction)
        return self.pieces[kind, table]


def make_and_write(kind: str, path: Path, projects: Sequence[Made], jurisdiction: Jurisdiction,
                   table: str = TARGET_TABLE) -> Failure | None:
    """Return None when ``path`` was written (one project's file, or the 汇总 of several, from
    their renders), else why it was not."""
    from sheetgen.render.templates import compiled

    try:
        data = compiled(kind, jurisdiction, table).document([p.piece(kind, table) for p in projects], jurisdiction)
    except SheetgenError as exc:
        return Failure(kind, f"{display(path)}: 生成失败：{exc}", kept=False)
    except Exception as exc:  # a template that fails for one spec must not stop the others
        return Failure(kind, f"{display(path)}: 生成失败（{type(exc).__name__}）：{exc}", kept=False)
    try:
        write_atomic(path, data)
    except WriteError as exc:
        return Failure(kind, str(exc), kept=True)
    return None


def make_files(files: Iterable[tuple[str, Path]], redo: Callable[[str, Path], bool], projects: Sequence[Made],
               jurisdiction: Jurisdiction, into: SpecOutcome | CombinedOutcome, table: str = TARGET_TABLE) -> None:
    """Make each of ``files`` (kind, path) that ``redo`` says is out of date from the renders of
    ``projects``, adding it to ``into``'s files written, or why not to its failures."""
    for kind, path in files:
        if redo(kind, path):
            failure = make_and_write(kind, path, projects, jurisdiction, table)
            if failure is None:
                into.written.append((kind, path))
            else:
                into.failures.append(failure)


def _build_spec(job: SpecJob, task: UnitTask) -> tuple[SpecOutcome, Made | None]:
    """Return what became of one spec and, when it is valid, its model and renders
    (``outcome.year_end`` says whether it carries year-end data and whether that is good)."""
    from sheetgen.projects import to_project
    from sheetgen.spec.files import read_spec
    from sheetgen.validation import check_spec

    loaded = read_spec(job.spec, _defaults_cache)
    validated = check_spec(loaded, task.formats)
    if task.strict:
        validated = validated.strictly()
    outcome = SpecOutcome(job.spec, validated.diagnostics)
    outcome.year_end = ("good" if validated.year_end_ok else "bad") if validated.carries_year_end else ""
    jurisdiction = validated.jurisdiction
    if not validated.ok or jurisdiction is None:
        return outcome, None
    good = Made(to_project(validated), jurisdiction)
    outcome.fingerprint = loaded_fingerprint(loaded, task.strict, jurisdiction.fingerprint)
    outcome.jurisdiction = (jurisdiction.name, task.formats.search[:-1])
    changed = task.force or outcome.fingerprint != job.expected
    make_files(job.outputs, lambda kind, _path: changed or kind not in job.present, [good], jurisdiction, outcome)
    return outcome, good


def _blocked(outcomes: Sequence[SpecOutcome], excluded: Sequence[str]) -> str:
    """Return why the unit's 汇总 cannot be made from ``outcomes`` ("" when it can)."""
    bad = [f"{o.spec.path.name}（有错误，{o.first_error()}）" if not o.valid
           else f"{o.spec.path.name}（表格生成失败，见上面的错误）" for o in outcomes if not o.good]
    bad += [f"{name}（与别的项目说明生成同名文件）" for name in excluded]
    if not bad:
        return ""
    more = f"等 {len(bad)} 个项目" if len(bad) > 5 else ""
    return (f"汇总文件没有生成：它要收入本单位全部 {len(outcomes) + len(excluded)} 个项目，而 "
            f"{'；'.join(bad[:5])}{more}；改正后重新运行 build")


def warm(formats: Formats, kinds: Sequence[str], tables: Sequence[str]) -> None:
    """Compile, in this process, the schema and the ``kinds`` templates of ``tables`` of every
    jurisdiction of ``formats``, and import what a task uses.  Called before the workers fork:
    they start with it done, instead of each doing it with its first unit (about 0.2 s of CPU
    each on the 2-core machine) -- once instead of once per worker.  A template that cannot be
    compiled is left to the task, which reports it."""
    import sheetgen.projects  # noqa: F401  (what each valid spec becomes: _build_spec)
    from sheetgen.render.templates import compiled
    from sheetgen.validation import prepare

    for jurisdiction in formats.usable():
        prepare(jurisdiction)
        for table in tables:
            for kind in kinds:
                try:
                    compiled(kind, jurisdiction, table)
                except SheetgenError:
                    continue


def run_unit(task: UnitTask) -> UnitResult:
    """Return the result of building one unit: its specs' own files, then its 汇总 made of the
    same renders, then the same of the 自评表 (:mod:`sheetgen.build.evaluations`)."""
    from sheetgen.build.evaluations import build_evaluations

    built: list[tuple[SpecJob, SpecOutcome, Made | None]] = []
    result = _run_targets(task, built)
    result.evaluation = build_evaluations(task, built)
    return result


def _run_targets(task: UnitTask, built: list[tuple[SpecJob, SpecOutcome, Made | None]]) -> UnitResult:
    """Return the result of the unit's 目标表 (``built`` gets each spec's outcome and model)."""
    outcomes: list[SpecOutcome] = []
    goods: list[Made] = []
    used: dict[str, Jurisdiction] = {}
    for job in task.specs:
        outcome, good = _build_spec(job, task)
        built.append((job, outcome, good))
        outcomes.append(outcome)
        if good is not None:
            goods.append(good)
            used.setdefault(good.jurisdiction.name, good.jurisdiction)
    combined = CombinedOutcome(blocked=_blocked(outcomes, task.excluded))
    if not combined.blocked and len(used) > 1:
        combined.blocked = (f"汇总文件没有生成：同一文件夹里的项目用了不同的格式（{'、'.join(sorted(used))}），"
                            "无法合成一份；请把不同格式的项目放进不同的文件夹")
    if combined.blocked:
        return UnitResult(task.folder, outcomes, combined)
    jurisdiction = next(iter(used.values()))
    ordered = sorted(goods, key=lambda g: (g.project.number, g.project.key))
    unit_name = str((ordered[0].project.header.get("unit") or {}).get("name") or task.folder.name)
    combined.outputs = combined_outputs(task.specs[0].spec, unit_name, task.output, task.kinds if task.targets else ())
    combined.fingerprint = unit_fingerprint((j.key, o.fingerprint) for j, o in zip(task.specs, outcomes, strict=True))
    changed = task.force or combined.fingerprint != task.expected
    make_files(combined.outputs.items(), lambda _kind, path: changed or str(path) not in task.present, ordered,
               jurisdiction, combined)
    return UnitResult(task.folder, outcomes, combined)
