"""``sheetgen build``: validate every spec, render the good ones in parallel,
write each file atomically, skip what has not changed, and keep a build
record that never says a file is current when it is not.

The unit of work is a unit (spec folder): its 汇总 needs every project of it,
so naming one spec builds its unit (only what is out of date is rendered;
its siblings are loaded for the 汇总).  A unit whose specs, jurisdiction and
files are all as recorded is not even loaded.  Each other unit is one task in
a worker process (``--jobs``; see :mod:`sheetgen.build.tasks`), with a bounded
number of tasks in flight, so memory does not grow with the number of units.

The output folder is locked for the whole build (:mod:`sheetgen.build.lock`).
At the end, outputs of specs that no longer exist are removed and outputs
that could not be made again are moved aside (:mod:`sheetgen.build.stale`),
then the build record is written.  Only this package writes files.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from msgspec import Struct, field
from msgspec.structs import replace

from sheetgen import os_errors
from sheetgen.build.atomic import WriteError, remove_stale_temps
from sheetgen.build.ledger import Ledger, Scope
from sheetgen.build.lock import DEFAULT_WAIT, BuildLocked, output_lock
from sheetgen.build.manifest import MANIFEST_NAME, Manifest, Record, write_records
from sheetgen.build.plan import Fingerprints, OnDisk, folder_output, key, outputs_in, unit_fingerprint
from sheetgen.build.tasks import (
    CombinedOutcome,
    SpecJob,
    SpecOutcome,
    TableRecord,
    TableResult,
    UnitResult,
    UnitTask,
    run_unit,
    warm,
)
from sheetgen.errors import Diagnostic, Severity
from sheetgen.jurisdiction import SELF_EVALUATION_TABLE, TARGET_TABLE
from sheetgen.spec.files import SpecFile, SpecFolder, Taken, display
from sheetgen.workspace import Formats, Workspace

if TYPE_CHECKING:  # concurrent.futures is imported with the workers, when a build has work
    from concurrent.futures import Future

    from sheetgen.build.workers import Workers


class BuildOptions(Struct, frozen=True):
    """What to build, where, and how."""

    paths: tuple[Path, ...] = (Path("specs"),)
    output: Path = Path("output")
    formats: tuple[str, ...] = ("docx", "xlsx")
    jobs: int = 0
    force: bool = False
    strict: bool = False
    wait: float = DEFAULT_WAIT  # seconds to wait for another build of the same output folder
    tables: tuple[str, ...] = ()  # kinds of table to make (target, selfeval); () = the 目标表, and
    # the 自评表 of the specs carrying year-end data

    @property
    def targets(self) -> bool:
        """Return whether the 目标表 are made."""
        return not self.tables or TARGET_TABLE in self.tables

    @property
    def evaluations(self) -> str:
        """Return which specs get a 自评表: ``auto`` (those with year-end data), ``yes``, ``no``."""
        if not self.tables:
            return "auto"
        return "yes" if SELF_EVALUATION_TABLE in self.tables else "no"

    @property
    def pdf(self) -> bool:
        return "pdf" in self.formats

    @property
    def kinds(self) -> tuple[str, ...]:
        """Return the file kinds rendered: PDF needs the Word and Excel files it is made from."""
        if self.pdf:
            return tuple(k for k in ("docx", "xlsx") if k in self.formats) or ("docx", "xlsx")
        return tuple(k for k in ("docx", "xlsx") if k in self.formats)


class Summary(Struct):
    """Counts and problems of one build.

    ``built``/``unchanged``/``failed`` count projects (specs); ``errors``
    counts problems that are no project's (a path not found, a 汇总 not
    written, a file that could not be written or moved, the lock, PDF);
    ``warnings`` every warning reported.
    """

    built: int = 0
    unchanged: int = 0
    failed: int = 0
    warnings: int = 0
    errors: int = 0
    combined_missing: int = 0
    output: Path = Path("output")
    failures: list[str] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    moved: list[tuple[Path, Path]] = field(default_factory=list)
    written_under: str = ""  # the output folder's real path: the files written are kept relative to it
    # The files written, one to a line: a build of 5,000 specs writes 10,000 (as a list of paths,
    # 2 MB the build would hold to the end).
    _written: bytearray = field(default_factory=bytearray)

    def wrote(self, path: Path) -> None:
        """Note that the build wrote ``path``."""
        text = os.fspath(path)
        if self.written_under and text.startswith(self.written_under + os.sep):
            text = text[len(self.written_under) + 1:]
        self._written += os.fsencode(text) + b"\n"

    @property
    def files(self) -> list[Path]:
        """Return the files written, in the order they were."""
        return [Path(self.written_under, os.fsdecode(bytes(line))) for line in self._written.splitlines()]

    @property
    def ok(self) -> bool:
        """Return whether everything asked for is current and complete."""
        return not (self.failed or self.errors or self.combined_missing)


class Reporter(Protocol):
    """Receives progress; the CLI decides how to show it."""

    def started(self, total: int) -> None: ...
    def advanced(self, count: int = 1) -> None: ...
    def diagnostics(self, items: Sequence[Diagnostic]) -> None: ...
    def written(self, path: Path) -> None: ...
    def failed(self, message: str) -> None: ...
    def note(self, message: str) -> None: ...


class SilentReporter:
    """A reporter that shows nothing (library use, tests)."""

    def started(self, total: int) -> None: ...
    def advanced(self, count: int = 1) -> None: ...
    def diagnostics(self, items: Sequence[Diagnostic]) -> None: ...
    def written(self, path: Path) -> None: ...
    def failed(self, message: str) -> None: ...
    def note(self, message: str) -> None: ...


def run_build(options: BuildOptions, reporter: Reporter | None = None) -> Summary:
    """Return the summary of building every spec under ``options.paths`` (holding the
    output folder's lock: a second build of the same folder waits for this one)."""
    reporter = reporter or SilentReporter()
    summary = Summary(output=options.output)
    try:
        options.output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _fail(reporter, summary, f"{options.output}: 无法创建输出文件夹：{os_errors.explain(exc)}")
        return summary
    # Every path the build writes and records is under the output folder's one real absolute
    # path: `-o out`, `-o /abs/out` and `-o link/out` name the same files the same way, so the
    # record of one build never makes the next delete what it has just written.
    options = replace(options, output=Path(os.path.realpath(options.output)))
    summary.written_under = str(options.output)
    try:
        with output_lock(options.output, options.wait, reporter.note):
            return _Build(options, reporter, summary).run()
    except BuildLocked as exc:
        _fail(reporter, summary, str(exc))
        return summary


def _fail(reporter: Reporter, summary: Summary, message: str) -> None:
    reporter.failed(message)
    summary.failures.append(message)
    summary.errors += 1


def _folder_problem(folder: Path, code: str, message: str, severity: Severity = Severity.ERROR) -> Diagnostic:
    return Diagnostic(str(folder), 0, 0, code, severity, message)


class _Unit(Struct):
    source: SpecFolder  # its specs are found when it is planned
    members: list[SpecFile] = field(default_factory=list)
    excluded: list[SpecFile] = field(default_factory=list)
    failed: str = ""  # the whole unit cannot be built (its output folder clashes with another's)
    outputs: list[dict[str, str]] = field(default_factory=list)  # of each member, in order (paths as text)

    @property
    def folder(self) -> Path:
        return self.source.path


class _Build:
    def __init__(self, options: BuildOptions, reporter: Reporter, summary: Summary):
        self.options = options
        self.reporter = reporter
        self.summary = summary
        self.ledger = Ledger(Manifest())
        self.evaluations = Ledger(Manifest())  # the 自评表's records
        self.workspace = Workspace()
        self.fingerprints = Fingerprints(options.strict, self.workspace)
        self.excluded: dict[Path, list[SpecFile]] = {}  # specs left out of their unit (name clashes)

    # ------------------------------------------------------------------ reporting

    def _show(self, diagnostics: Sequence[Diagnostic]) -> None:
        if diagnostics:
            self.reporter.diagnostics(diagnostics)
            self.summary.warnings += sum(not d.is_error for d in diagnostics)

    def _failure(self, message: str, *, project: bool = False) -> None:
        self.reporter.failed(message)
        self.summary.failures.append(message)
        if not project:
            self.summary.errors += 1

    # ------------------------------------------------------------------ planning

    def _folders(self) -> list[SpecFolder]:
        """Return the folders of the specs to build: those under the paths given (folders first,
        so a folder's root wins over a file's); a spec named as a file brings its whole folder."""
        paths = sorted(self.options.paths, key=lambda p: not Path(p).is_dir())
        folders, problems = self.workspace.find_folders(paths)
        self._show(problems)
        self.summary.errors += len(problems)
        return folders

    def _units(self, folders: list[SpecFolder]) -> list[_Unit]:
        """Return the units of ``folders``; units whose output folders clash are marked as failed."""
        by_output: dict[Path, _Unit] = {}
        units = [_Unit(folder) for folder in folders]
        for unit in units:
            target = self.options.output / folder_output(unit.source)
            other = by_output.setdefault(target, unit)
            if other is not unit:
                for a, b in ((other, unit), (unit, other)):
                    a.failed = (f"与 {b.folder} 写到同一个输出文件夹 {display(target)}"
                                "（文件夹名里的特殊字符都换成了 _），"
                                "两个单位的文件会互相覆盖，这次都没有生成；请给其中一个文件夹改名")
        return units

    def _claim(self, unit: _Unit) -> None:
        """Give each spec of ``unit`` its outputs; a spec whose files would clash with an
        earlier one's is left out (an error)."""
        claimed: dict[str, SpecFile] = {}
        members = []
        folder = os.path.join(self.options.output, folder_output(unit.source))
        for spec in unit.members:
            outputs = outputs_in(folder, spec, self.options.kinds)
            clash = next((p for p in outputs.values() if p in claimed), None)
            if clash is None:
                claimed.update((p, spec) for p in outputs.values())
                members.append(spec)
                unit.outputs.append(outputs)
                continue
            self._show([Diagnostic(spec.display, 0, 0, "name-clash", Severity.ERROR,
                                   f"与 {claimed[clash].display} 生成同名文件 {os.path.basename(clash)}；请改文件名")])
            unit.excluded.append(spec)
        unit.members = members

    def _tasks(self, units: deque[_Unit]) -> Iterator[UnitTask]:
        """Return the tasks of the units out of date, planned one by one as they are taken
        (``units`` is emptied as it goes, so the plans of units done are not kept); a unit
        that cannot be built, or is current, is reported on the way."""
        taken = Taken()  # the specs found so far (one file, one project)
        while units:
            unit = units.popleft()
            unit.members = unit.source.specs(taken, whole=True)
            if not unit.members:
                continue
            if unit.failed:
                self._fail_unit(unit)
                continue
            self._claim(unit)
            self.excluded[unit.folder] = unit.excluded
            task = self._plan(unit)
            if task is not None:
                yield task

    def _plan(self, unit: _Unit) -> UnitTask | None:
        """Return the task that builds ``unit``, or None when it is current (then it is reported from the record)."""
        options = self.options
        jobs: list[tuple[SpecFile, str, dict[str, str], str | None, tuple[str, ...], TableRecord | None]] = []
        prints, fresh = [], not options.force and not unit.excluded
        kinds = options.kinds if options.targets else ()
        on_disk = OnDisk()
        for spec, planned in zip(unit.members, unit.outputs, strict=True):
            outputs = planned if options.targets else {}
            spec_key = spec.real
            record = self.ledger.old.specs.get(spec_key)
            expected = record.fingerprint if record is not None and record.fingerprint else None
            present = tuple(k for k, p in outputs.items() if record is not None and p in record.outputs and on_disk(p))
            now = ""
            if fresh and record is not None and expected is not None:
                now = self.fingerprints.spec(spec, record.jurisdiction)
            evaluation = self._table_record(self.evaluations.old.specs.get(spec_key), on_disk)
            fresh = (fresh and now == expected and len(present) == len(outputs)
                     and self._current(evaluation, now, options.evaluations))
            prints.append((spec_key, now))
            jobs.append((spec, spec_key, outputs, expected, present, evaluation))
        unit_key = key(unit.folder)
        old_unit = self.ledger.old.units.get(unit_key)
        present_combined = tuple(p for p in (old_unit.outputs if old_unit else ()) if on_disk(p))
        unit_evaluation = self._table_record(self.evaluations.old.units.get(unit_key), on_disk)
        now_unit = unit_fingerprint(prints)
        if (fresh and old_unit is not None and old_unit.fingerprint == now_unit
                and {os.path.splitext(p)[1][1:] for p in present_combined} >= set(kinds)
                and self._current(unit_evaluation, now_unit, options.evaluations)):
            self._replay(unit, [spec_key for spec_key, _ in prints], unit_key)
            return None
        specs = tuple(SpecJob(spec, spec_key, tuple((kind, Path(p)) for kind, p in outputs.items()), expected,
                              present, evaluation)  # (Paths only for what is built)
                      for spec, spec_key, outputs, expected, present, evaluation in jobs)
        return UnitTask(unit.folder, specs, self.workspace.formats(unit.folder), options.output, options.kinds,
                        options.strict, options.force,
                        old_unit.fingerprint or None if old_unit else None, present_combined,
                        tuple(s.path.name for s in unit.excluded), options.targets, options.evaluations,
                        unit_evaluation)

    @staticmethod
    def _table_record(record: Record | None, on_disk: OnDisk) -> TableRecord | None:
        """Return what a spec's (or unit's) 自评表 record says its task needs to know."""
        if record is None:
            return None
        return TableRecord(record.fingerprint or None, tuple(p for p in record.outputs if on_disk(p)))

    def _current(self, record: TableRecord | None, now: str, mode: str) -> bool:
        """Return whether the 自评表 files of a spec (or unit) whose fingerprint is ``now`` are
        as its last build left them: a spec without a record had none to make (in ``auto``, an
        unchanged spec still carries no year-end data); with one, its files are all there."""
        if record is None:
            return mode != "yes"
        kinds = {Path(p).suffix[1:] for p in record.present}
        return record.expected == now and kinds >= set(self.options.kinds if mode != "no" else ())

    def _replay(self, unit: _Unit, spec_keys: list[str], unit_key: str) -> None:
        """Report a current unit (its specs' record keys and its own) from the record: its
        warnings, no loading, no rendering."""
        for spec_key in spec_keys:
            record = self.ledger.old.specs[spec_key]
            self._show([Diagnostic(**{**d, "severity": Severity(d["severity"])}) for d in record.diagnostics])
            self.summary.unchanged += 1
        self.ledger.keep(spec_keys, unit_key)
        self.evaluations.keep(spec_keys, unit_key)
        self.reporter.advanced(len(unit.members))

    # ------------------------------------------------------------------ results

    def _fail_unit(self, unit: _Unit) -> None:
        """Report a unit that cannot be built at all; its old files are out of date."""
        self._show([_folder_problem(unit.folder, "output-clash", unit.failed)])
        for spec in [*unit.members, *unit.excluded]:
            self.ledger.spec(SpecOutcome(spec, []), {}, spec.real)
            self.summary.failed += 1
        self.ledger.combined(key(unit.folder), CombinedOutcome(blocked=unit.failed))
        self.summary.combined_missing += 1
        self.reporter.advanced(len(unit.members) + len(unit.excluded))

    def _take(self, task: UnitTask, result: UnitResult) -> None:
        table = result.evaluation
        others = table.specs if table is not None else [None] * len(task.specs)
        for index, (job, outcome, other) in enumerate(zip(task.specs, result.specs, others, strict=True)):
            self._show(outcome.diagnostics)
            for failure in [*outcome.failures, *(other.failures if other is not None else ())]:
                self._failure(failure.message, project=True)
            self._written(outcome.written)
            self._written(other.written if other is not None else [])
            if not outcome.good or outcome.failures or (other is not None and (not other.good or other.failures)):
                self.summary.failed += 1
            elif outcome.written or (other is not None and other.written):
                self.summary.built += 1
            else:
                self.summary.unchanged += 1
            self.ledger.spec(outcome, dict(job.outputs), job.key)
            if other is not None:
                assert table is not None
                self.evaluations.spec(other, table.outputs[index], job.key)
            else:
                self.evaluations.drop(job.key, None, f"项目 {job.spec.path.name} 已没有年终数据")
        for spec in self.excluded.get(task.folder, ()):
            self.ledger.spec(SpecOutcome(spec, []), {}, spec.real)
            self.summary.failed += 1
        unit_key = key(task.folder)
        self._take_combined(self.ledger, task.folder, unit_key, result.combined, "汇总")
        self._take_evaluations(task, unit_key, table)
        self.reporter.advanced(len(task.specs) + len(task.excluded))

    def _take_evaluations(self, task: UnitTask, unit_key: str, table: TableResult | None) -> None:
        """Record and report what became of the unit's 自评 汇总 (``unit_key``: its record key)."""
        if table is None or table.combined is None:
            self.evaluations.drop(None, unit_key, "本单位已没有年终数据")
            return
        self._take_combined(self.evaluations, task.folder, unit_key, table.combined, "自评汇总", waiting=table.warning)

    def _take_combined(self, ledger: Ledger, folder: Path, unit_key: str, combined: CombinedOutcome, label: str, *,
                       waiting: bool = False) -> None:
        """Record and report what became of a unit's ``label`` (汇总, 自评汇总): not made is an
        error, or only a warning while it ``waiting`` for projects still without year-end data."""
        moved = ledger.combined(unit_key, combined)
        if combined.blocked:
            aside = f"；原来的{label}改名为 {'、'.join(moved)}" if moved else ""
            severity = Severity.WARNING if waiting else Severity.ERROR
            self._show([_folder_problem(folder, "combined-blocked", combined.blocked + aside, severity)])
            if not waiting:
                self.summary.combined_missing += 1
        for failure in combined.failures:
            self._failure(failure.message)
        self._written(combined.written)

    def _written(self, written: list[tuple[str, Path]]) -> None:
        for _kind, path in written:
            self.reporter.written(path)
            self.summary.wrote(path)

    # ------------------------------------------------------------------ running

    def run(self) -> Summary:
        options = self.options
        try:
            old = self._build(options.jobs or os.cpu_count() or 1)
            self.ledger.forget_gone(Scope.of(options.paths))
            self.evaluations.forget_gone(Scope.of(options.paths))
            if options.pdf:
                self._export_pdf()
            self.ledger.settle_pdfs()
            self.evaluations.settle_pdfs()
            self._apply()
            try:  # failed specs get no fingerprint, so the next build tries them again
                # (an old record that could not be used, or none, has no digest: always written)
                if not old.digest or not (self.ledger.unchanged() and self.evaluations.unchanged()):
                    write_records(options.output, self.ledger.stored(),
                                  {SELF_EVALUATION_TABLE: self.evaluations.stored()},
                                  same_as=old.digest)  # (not replaced when just as it was)
            except WriteError as exc:
                self._failure(f"{exc}（下次生成将全部重做）")
        finally:
            self.ledger.close()
            self.evaluations.close()
        return self.summary

    def _early_workers(self, jobs: int, folders: list[SpecFolder]) -> Workers | None:
        """Return worker processes started now, before anything is planned, when every unit is
        to be built (no build record yet, or ``--force``) and there are two units or more; else
        None (they start once some unit is found out of date, or never; a unit is one task, so a
        single unit is built in this process).  Started before planning, they are forked from a
        main process that holds nothing of the build's specs, so their memory does not grow with
        its size; and after the templates of the first unit's formats are compiled (:meth:`_warm`)."""
        everything = self.options.force or not (self.options.output / MANIFEST_NAME).is_file()
        jobs = min(jobs, sum(1 for folder in folders if folder.count(whole=True)))  # no more workers than units
        if jobs <= 1 or not everything:
            return None
        from sheetgen.build.workers import Workers

        self._warm([self.workspace.formats(folders[0].path)])
        workers = Workers(jobs)
        workers.start()
        return workers

    def _warm(self, formats: Iterable[Formats]) -> None:
        """Compile the templates of ``formats`` this build will use before the workers fork,
        so that they start with them (see :func:`sheetgen.build.tasks.warm`)."""
        options = self.options
        tables = ([TARGET_TABLE] if options.targets else []) + ([SELF_EVALUATION_TABLE]
                                                                if options.evaluations == "yes" else [])
        for each in {id(f): f for f in formats}.values():
            warm(each, options.kinds, tables)

    def _build(self, jobs: int) -> Manifest:
        """Build what is out of date with up to ``jobs`` workers (started first when everything
        is, else once some unit is found out of date); return the old build record (empty, after
        a note saying why, when it could not be used)."""
        options = self.options
        workers = None
        try:
            folders = self._folders()
            workers = self._early_workers(jobs, folders)
            remove_stale_temps(options.output)
            old, note = Manifest.read(options.output)
            if note:
                self.reporter.note(note)
            self.ledger = Ledger(old)
            self.evaluations = Ledger(old.table(SELF_EVALUATION_TABLE))
            self.reporter.started(sum(folder.count(whole=True) for folder in folders))
            planned = self._tasks(deque(self._units(folders)))
            del folders
            first = list(islice(planned, jobs))  # the rest is planned as workers take it: no list of every task
            if first and workers is None:  # (process pools and their modules: not needed when nothing is out of date)
                from sheetgen.build.workers import Workers

                workers = Workers(max(1, min(jobs, len(first))))
                if workers.jobs > 1:
                    self._warm(task.formats for task in first)
            if workers is not None:
                self._execute(chain(first, planned), workers)
                workers.close()
        except BaseException:
            if workers is not None:
                workers.terminate()  # Ctrl-C: do not wait for tasks that may never end
            raise
        return old

    def _export_pdf(self) -> None:
        from sheetgen.build import pdf

        program = pdf.soffice()
        if program is None:
            self._failure(f"没有找到 LibreOffice，无法生成 PDF（Word/Excel 文件已生成）。{pdf.INSTALL_HINT}")
            return
        sources = [Path(p) for ledger in (self.ledger, self.evaluations) for p in ledger.outputs()]
        done = pdf.convert(pdf.stale(sources), program)
        for path in done.written:
            self.reporter.written(path)
            self.summary.wrote(path)
        self.ledger.pdfs_written(done.written)
        self.evaluations.pdfs_written(done.written)
        notes = [Diagnostic(str(source), 1, 1, "pdf-font", Severity.WARNING, message) for source, message in done.notes]
        if notes:  # fonts a file asks for that are not installed, and the faces the PDF uses instead
            self.reporter.diagnostics(notes)
            self.summary.warnings += len(notes)
        for failure in done.failures:
            self._failure(failure)

    def _apply(self) -> None:
        """Remove and move aside the files that are not current any more, and report each."""
        planned = self.ledger.planned() | self.evaluations.planned()
        claimed = self.ledger.claimed(planned) | self.evaluations.claimed(planned)
        done, failures = self.ledger.apply(claimed)
        more, more_failures = self.evaluations.apply(claimed)
        done, failures = [*done, *more], [*failures, *more_failures]
        for action in done:
            if action.target is None:
                self.summary.removed.append(action.path)
                self.reporter.note(f"删除 {display(action.path)}（{action.reason}）")
            else:
                self.summary.moved.append((action.path, action.target))
                self.reporter.note(f"改名 {display(action.path)} → {action.target.name}（{action.reason}）")
        for failure in failures:
            self._failure(failure)

    def _execute(self, tasks: Iterator[UnitTask], workers: Workers) -> None:
        from sheetgen.build.workers import WorkerDied

        queue = tasks
        window = max(2, workers.jobs * 2)  # units in flight; bounded so memory does not grow with N
        futures: deque[tuple[UnitTask, Future[Any]]] = deque()

        def refill() -> None:
            while len(futures) < window:
                task = next(queue, None)
                if task is None:
                    return
                futures.append((task, workers.submit(run_unit, task)))

        refill()
        while futures:
            task, future = futures.popleft()
            try:
                result = workers.result(future, run_unit, task)
            except WorkerDied:
                result = None
            refill()
            if result is None:
                self._worker_died(task)
            else:
                self._take(task, result)

    def _worker_died(self, task: UnitTask) -> None:
        """Report a unit whose worker died twice; the next build makes it again."""
        self._failure(f"{task.folder}: 生成进程意外退出（可能内存不足或被强行结束），这个单位的文件没有全部更新；"
                      "已写好的文件完整保留，请重新运行 build", project=True)
        self.ledger.worker_died(task)
        self.evaluations.worker_died(task, table=True)
        self.summary.failed += len(task.specs)
        self.reporter.advanced(len(task.specs))
