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
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sheetgen import os_errors
from sheetgen.build.atomic import WriteError, remove_stale_temps
from sheetgen.build.lock import DEFAULT_WAIT, BuildLocked, output_lock
from sheetgen.build.manifest import Manifest, Record
from sheetgen.build.plan import Fingerprints, key, spec_outputs, stale_path, unit_fingerprint, unit_folder
from sheetgen.build.stale import Retirements, pdf_of
from sheetgen.build.tasks import (
    CombinedOutcome,
    Failure,
    SpecJob,
    SpecOutcome,
    UnitResult,
    UnitTask,
    run_unit,
)
from sheetgen.build.workers import WorkerDied, Workers
from sheetgen.errors import Diagnostic, Severity
from sheetgen.spec.files import SpecFile, discover, unit_specs


@dataclass(frozen=True)
class BuildOptions:
    """What to build, where, and how."""

    paths: tuple[Path, ...] = (Path("specs"),)
    output: Path = Path("output")
    formats: tuple[str, ...] = ("docx", "xlsx")
    jobs: int = 0
    force: bool = False
    strict: bool = False
    wait: float = DEFAULT_WAIT  # seconds to wait for another build of the same output folder

    @property
    def pdf(self) -> bool:
        return "pdf" in self.formats

    @property
    def kinds(self) -> tuple[str, ...]:
        """Return the file kinds rendered: PDF needs the Word and Excel files it is made from."""
        if self.pdf:
            return tuple(k for k in ("docx", "xlsx") if k in self.formats) or ("docx", "xlsx")
        return tuple(k for k in ("docx", "xlsx") if k in self.formats)


@dataclass
class Summary:
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
    files: list[Path] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    moved: list[tuple[Path, Path]] = field(default_factory=list)

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


def _folder_problem(folder: Path, code: str, message: str) -> Diagnostic:
    return Diagnostic(str(folder), 0, 0, code, Severity.ERROR, message)


@dataclass
class _Scope:
    """The specs a build is responsible for: everything under the folders it was
    given, and the unit folder of each file it was given."""

    folders: tuple[Path, ...]
    units: frozenset[Path]

    @classmethod
    def of(cls, paths: Sequence[Path]) -> _Scope:
        folders = tuple(Path(p).resolve() for p in paths if Path(p).is_dir())
        units = frozenset(Path(p).resolve().parent for p in paths if Path(p).is_file())
        return cls(folders, units)

    def has(self, path: Path, *, unit: bool) -> bool:
        folder = path if unit else path.parent
        return folder in self.units or any(path == f or f in path.parents for f in self.folders)


@dataclass
class _Unit:
    folder: Path
    members: list[SpecFile]
    excluded: list[SpecFile] = field(default_factory=list)
    failed: str = ""  # the whole unit cannot be built (its output folder clashes with another's)


class _Build:
    def __init__(self, options: BuildOptions, reporter: Reporter, summary: Summary):
        self.options = options
        self.reporter = reporter
        self.summary = summary
        self.old = Manifest()
        self.new = Manifest()
        self.fingerprints = Fingerprints(options.strict)
        self.retire = Retirements()
        self.touched: set[str] = set()  # record keys this build decided on
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

    def _specs(self) -> list[SpecFile]:
        """Return the specs to build: those under the paths given (folders first, so a
        folder's root wins over a file's), with every sibling of a spec named as a file."""
        paths = sorted(self.options.paths, key=lambda p: not Path(p).is_dir())
        specs, problems = discover(paths)
        self._show(problems)
        self.summary.errors += len(problems)
        named = {Path(p).resolve().parent for p in paths if Path(p).is_file()}
        found: dict[Path, SpecFile] = {s.path.resolve(): s for s in specs}
        for spec in specs:
            if spec.unit_dir.resolve() in named:
                named.discard(spec.unit_dir.resolve())
                for sibling in unit_specs(spec):
                    found.setdefault(sibling.path.resolve(), sibling)
        return sorted(found.values(), key=lambda s: (str(s.unit_dir), s.path.name))

    def _units(self, specs: list[SpecFile]) -> list[_Unit]:
        """Return the units of ``specs``; units whose output folders clash, and specs whose
        files would clash, are marked as failed."""
        units: dict[Path, _Unit] = {}
        for spec in specs:
            units.setdefault(spec.unit_dir, _Unit(spec.unit_dir, [])).members.append(spec)
        by_output: dict[Path, _Unit] = {}
        for unit in units.values():
            target = self.options.output / unit_folder(unit.members[0])
            other = by_output.setdefault(target, unit)
            if other is not unit:
                for a, b in ((other, unit), (unit, other)):
                    a.failed = (f"与 {b.folder} 写到同一个输出文件夹 {target}（文件夹名里的特殊字符都换成了 _），"
                                "两个单位的文件会互相覆盖，这次都没有生成；请给其中一个文件夹改名")
        for unit in units.values():
            claimed: dict[Path, SpecFile] = {}
            members = []
            for spec in unit.members:
                outputs = spec_outputs(spec, self.options.output, self.options.kinds)
                clash = next((p for p in outputs.values() if p in claimed), None)
                if clash is None:
                    claimed.update((p, spec) for p in outputs.values())
                    members.append(spec)
                    continue
                self._show([Diagnostic(spec.display, 0, 0, "name-clash", Severity.ERROR,
                                       f"与 {claimed[clash].display} 生成同名文件 {clash.name}；请改文件名")])
                unit.excluded.append(spec)
            unit.members = members
        return list(units.values())

    def _plan(self, unit: _Unit) -> UnitTask | None:
        """Return the task that builds ``unit``, or None when it is current (then it is reported from the record)."""
        options = self.options
        jobs, prints, fresh = [], [], not options.force and not unit.excluded
        for spec in unit.members:
            outputs = spec_outputs(spec, options.output, options.kinds)
            record = self.old.specs.get(key(spec.path))
            expected = record.fingerprint if record is not None and record.fingerprint else None
            present = tuple(k for k, p in outputs.items()
                            if record is not None and str(p) in record.outputs and p.is_file())
            now = ""
            if fresh and record is not None and expected is not None:
                now = self.fingerprints.spec(spec, record.jurisdiction)
            fresh = fresh and now == expected and len(present) == len(outputs)
            prints.append((key(spec.path), now))
            jobs.append(SpecJob(spec, tuple(outputs.items()), expected, present))
        old_unit = self.old.units.get(key(unit.folder))
        present_combined = tuple(p for p in (old_unit.outputs if old_unit else ()) if Path(p).is_file())
        if (fresh and old_unit is not None and old_unit.fingerprint == unit_fingerprint(prints)
                and {Path(p).suffix[1:] for p in present_combined} >= set(options.kinds)):
            self._replay(unit, old_unit)
            return None
        return UnitTask(unit.folder, tuple(jobs), options.output, options.kinds, options.strict, options.force,
                        old_unit.fingerprint or None if old_unit else None, present_combined,
                        tuple(s.path.name for s in unit.excluded))

    def _replay(self, unit: _Unit, combined: Record) -> None:
        """Report a current unit from the record: its warnings, no loading, no rendering."""
        for spec in unit.members:
            record = self.old.specs[key(spec.path)]
            self._show([Diagnostic(**{**d, "severity": Severity(d["severity"])}) for d in record.diagnostics])
            self.summary.unchanged += 1
            self.new.specs[key(spec.path)] = record
            self.touched.add(key(spec.path))
        self.new.units[key(unit.folder)] = combined
        self.touched.add(key(unit.folder))
        self.reporter.advanced(len(unit.members))

    # ------------------------------------------------------------------ results

    def _fail_unit(self, unit: _Unit) -> None:
        """Report a unit that cannot be built at all; its old files are out of date."""
        self._show([_folder_problem(unit.folder, "output-clash", unit.failed)])
        for spec in [*unit.members, *unit.excluded]:
            self._settle_spec(SpecOutcome(spec, []), {})
            self.summary.failed += 1
        self._settle_combined(unit.folder, CombinedOutcome(blocked=unit.failed), reported=True)
        self.reporter.advanced(len(unit.members) + len(unit.excluded))

    def _take(self, task: UnitTask, result: UnitResult) -> None:
        for job, outcome in zip(task.specs, result.specs, strict=True):
            self._show(outcome.diagnostics)
            for failure in outcome.failures:
                self._failure(failure.message, project=True)
            for _kind, path in outcome.written:
                self.reporter.written(path)
                self.summary.files.append(path)
            if not outcome.good or outcome.failures:
                self.summary.failed += 1
            elif outcome.written:
                self.summary.built += 1
            else:
                self.summary.unchanged += 1
            self._settle_spec(outcome, dict(job.outputs))
        for spec in self.excluded.get(task.folder, ()):
            self._settle_spec(SpecOutcome(spec, []), {})
            self.summary.failed += 1
        self._settle_combined(task.folder, result.combined)
        self.reporter.advanced(len(task.specs) + len(task.excluded))

    def _settle_spec(self, outcome: SpecOutcome, outputs: dict[str, Path]) -> None:
        """Record what became of one spec and plan what happens to its old files."""
        spec_key = key(outcome.spec.path)
        self.touched.add(spec_key)
        old = self.old.specs.get(spec_key) or Record("")
        if not outcome.valid:
            new = Record("", stale=list(old.stale))
            for path in old.outputs:
                self.retire.move_aside(path, old, new, f"项目 {outcome.spec.path.name} 有错误，没有重新生成")
            self.new.specs[spec_key] = new
            return
        assert outcome.jurisdiction is not None
        name, dirs = outcome.jurisdiction
        new = Record(outcome.fingerprint if not outcome.failures else "", name, [str(d) for d in dirs],
                     diagnostics=[d.to_json() for d in outcome.diagnostics], pdfs=list(old.pdfs),
                     stale=list(old.stale))
        self._settle_files(old, new, outputs, outcome.written, outcome.failures, outcome.fingerprint,
                           f"项目 {outcome.spec.path.name}")
        self.new.specs[spec_key] = new

    def _settle_combined(self, folder: Path, combined: CombinedOutcome, *, reported: bool = False) -> None:
        """Record what became of a unit's 汇总 and plan what happens to its old files."""
        unit_key = key(folder)
        self.touched.add(unit_key)
        old = self.old.units.get(unit_key) or Record("")
        if combined.blocked:
            new = Record("", stale=list(old.stale))
            for earlier in old.outputs:
                self.retire.move_aside(earlier, old, new, "汇总没有重新生成")
            moved = ("；原来的汇总改名为 " + "、".join(stale_path(Path(p)).name for p in old.outputs)
                     if old.outputs else "")
            if not reported:
                self._show([_folder_problem(folder, "combined-blocked", combined.blocked + moved)])
            self.summary.combined_missing += 1
            self.new.units[unit_key] = new
            return
        for failure in combined.failures:
            self._failure(failure.message)
        for _kind, path in combined.written:
            self.reporter.written(path)
            self.summary.files.append(path)
        new = Record(combined.fingerprint if not combined.failures else "", pdfs=list(old.pdfs), stale=list(old.stale))
        self._settle_files(old, new, combined.outputs, combined.written, combined.failures, combined.fingerprint,
                           "汇总")
        self.new.units[unit_key] = new

    def _settle_files(self, old: Record, new: Record, outputs: dict[str, Path], written: list[tuple[str, Path]],
                      failures: list[Failure], fingerprint: str, what: str) -> None:
        """Set ``new.outputs`` to the current files of one spec or 汇总 and plan what
        happens to the old ones that are not current any more."""
        made = {kind for kind, _ in written}
        failed = {f.kind: f for f in failures}
        current: list[str] = []
        for kind, path in outputs.items():
            if kind in made:
                current.append(str(path))
                if str(stale_path(path)) in new.stale:
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

    # ------------------------------------------------------------------ running

    def run(self) -> Summary:
        options = self.options
        specs = self._specs()
        remove_stale_temps(options.output)
        self.old, note = Manifest.read(options.output)
        if note:
            self.reporter.note(note)
        self.retire.know([*self.old.specs.values(), *self.old.units.values()])
        self.reporter.started(len(specs))
        tasks: list[UnitTask] = []
        for unit in self._units(specs):
            if unit.failed:
                self._fail_unit(unit)
                continue
            self.excluded[unit.folder] = unit.excluded
            task = self._plan(unit)
            if task is not None:
                tasks.append(task)
        jobs = max(1, min(options.jobs or os.cpu_count() or 1, len(tasks)))
        workers = Workers(jobs)
        try:
            self._execute(tasks, workers)
        except BaseException:
            workers.terminate()  # Ctrl-C: do not wait for tasks that may never end
            raise
        workers.close()
        self._forget_gone(specs)
        if options.pdf:
            self._export_pdf()
        self._settle_pdfs()
        self._apply()
        try:  # failed specs get no fingerprint, so the next build tries them again
            self.new.write(options.output)
        except WriteError as exc:
            self._failure(f"{exc}（下次生成将全部重做）")
        return self.summary

    def _forget_gone(self, specs: list[SpecFile]) -> None:
        """Plan removing the files of specs and units in this build's scope that no longer
        exist; carry over the records of everything else (another build's business)."""
        scope = _Scope.of(self.options.paths)
        for table, new, unit in ((self.old.specs, self.new.specs, False), (self.old.units, self.new.units, True)):
            for record_key, record in table.items():
                if record_key in self.touched:
                    continue
                if scope.has(Path(record_key), unit=unit):
                    what = "单位文件夹" if unit else "项目说明"
                    self.retire.remove(record, f"{what} {record_key} 已不存在")
                else:
                    new[record_key] = record

    def _records(self) -> list[Record]:
        return [*self.new.specs.values(), *self.new.units.values()]

    def _export_pdf(self) -> None:
        from sheetgen.build import pdf

        program = pdf.soffice()
        if program is None:
            self._failure(f"没有找到 LibreOffice，无法生成 PDF（Word/Excel 文件已生成）。{pdf.INSTALL_HINT}")
            return
        owners = {Path(p): record for record in self._records() for p in record.outputs}
        by_pdf = {pdf.pdf_path(source): record for source, record in owners.items()}
        written, failures = pdf.convert(pdf.stale(list(owners)), program)
        for path in written:
            self.reporter.written(path)
            record = by_pdf.get(path)
            if record is not None and str(path) not in record.pdfs:
                record.pdfs.append(str(path))
        self.summary.files.extend(written)
        for failure in failures:
            self._failure(failure)

    def _settle_pdfs(self) -> None:
        """Move aside the PDFs sheetgen made of files that have changed since (no --pdf this time,
        or the conversion failed); remove the stale copy of a PDF that is current again."""
        for record in self._records():
            sources = {pdf_of(Path(p)): Path(p) for p in record.outputs}
            for path in list(record.pdfs):
                pdf, source = Path(path), sources.get(Path(path))
                if source is None or not pdf.is_file():
                    continue
                if source.is_file() and pdf.stat().st_mtime_ns < source.stat().st_mtime_ns:
                    record.pdfs.remove(path)
                    self.retire.move_aside(path, Record("", outputs=[path]), record,
                                           f"{source.name} 已更新，PDF 没有重新生成（加 --pdf 重新生成）")
                elif str(stale_path(pdf)) in record.stale:
                    self.retire.remove_file(str(stale_path(pdf)), record, f"{pdf.name} 已重新生成")

    def _apply(self) -> None:
        """Carry out the removals and moves, report them, and keep only existing files in the record."""
        claimed = {p for record in self._records() for p in (*record.outputs, *record.pdfs)}
        self.retire.apply(claimed)
        for action in self.retire.done:
            if action.target is None:
                self.summary.removed.append(action.path)
                self.reporter.note(f"删除 {action.path}（{action.reason}）")
            else:
                self.summary.moved.append((action.path, action.target))
                self.reporter.note(f"改名 {action.path} → {action.target.name}（{action.reason}）")
        for failure in self.retire.failures:
            self._failure(failure)
        for record in self._records():
            for files in (record.outputs, record.pdfs, record.stale):
                files[:] = [p for p in dict.fromkeys(files) if Path(p).is_file()]

    def _execute(self, tasks: list[UnitTask], workers: Workers) -> None:
        queue = iter(tasks)
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
        """Report a unit whose worker died twice; its files stay as they are and are tracked,
        with no fingerprint, so the next build makes them again."""
        self._failure(f"{task.folder}: 生成进程意外退出（可能内存不足或被强行结束），这个单位的文件没有全部更新；"
                      "已写好的文件完整保留，请重新运行 build", project=True)
        for job in task.specs:
            record = self.old.specs.get(key(job.spec.path)) or Record("")
            self.new.specs[key(job.spec.path)] = Record("", record.jurisdiction, record.template_dirs,
                                                        [str(p) for _, p in job.outputs], pdfs=record.pdfs,
                                                        stale=record.stale)
            self.touched.add(key(job.spec.path))
            self.summary.failed += 1
        old = self.old.units.get(key(task.folder)) or Record("")
        self.new.units[key(task.folder)] = Record("", outputs=old.outputs, pdfs=old.pdfs, stale=old.stale)
        self.touched.add(key(task.folder))
        self.reporter.advanced(len(task.specs))
