"""``sheetgen build``: validate every spec, render the good ones in parallel,
write each file atomically, skip what has not changed.

For each unit (spec folder) whose content changed, one task per spec loads,
validates and models it and renders its own files if they are out of date;
as soon as the last spec of a unit is done, one task renders the unit's
combined document and workbook from those models, and the models are let go
(memory does not grow with the number of units).  Tasks run in worker
processes (``--jobs``).  Only this package writes files.
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
from sheetgen.build.manifest import Manifest, Record, digest
from sheetgen.build.plan import Fingerprints, combined_outputs, spec_outputs
from sheetgen.build.tasks import SpecResult, SpecTask, UnitResult, UnitTask, run_spec, run_unit
from sheetgen.build.workers import WorkerDied, Workers
from sheetgen.errors import Diagnostic, Severity
from sheetgen.spec.files import SpecFile, discover


@dataclass(frozen=True)
class BuildOptions:
    """What to build, where, and how."""

    paths: tuple[Path, ...] = (Path("specs"),)
    output: Path = Path("output")
    formats: tuple[str, ...] = ("docx", "xlsx")
    jobs: int = 0
    force: bool = False
    strict: bool = False

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
    """Counts and problems of one build."""

    built: int = 0
    unchanged: int = 0
    failed: int = 0
    warnings: int = 0
    files: list[Path] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


class Reporter(Protocol):
    """Receives progress; the CLI decides how to show it."""

    def started(self, total: int) -> None: ...
    def advanced(self, count: int = 1) -> None: ...
    def diagnostics(self, items: Sequence[Diagnostic]) -> None: ...
    def written(self, path: Path) -> None: ...
    def failed(self, message: str) -> None: ...


class SilentReporter:
    """A reporter that shows nothing (library use, tests)."""

    def started(self, total: int) -> None: ...
    def advanced(self, count: int = 1) -> None: ...
    def diagnostics(self, items: Sequence[Diagnostic]) -> None: ...
    def written(self, path: Path) -> None: ...
    def failed(self, message: str) -> None: ...


def _key(path: Path) -> str:
    """Return the manifest key of a spec or unit folder: its absolute path, so that
    `build specs`, `build ./specs` and `build /abs/specs` share their records."""
    return str(path.resolve())


def run_build(options: BuildOptions, reporter: Reporter | None = None) -> Summary:
    """Return the summary of building every spec under ``options.paths``."""
    return _Build(options, reporter or SilentReporter()).run()


@dataclass
class _Unit:
    folder: Path
    members: list[SpecFile]
    dirty: bool = False
    results: list[SpecResult] = field(default_factory=list)
    pending: int = 0


class _Build:
    def __init__(self, options: BuildOptions, reporter: Reporter):
        self.options = options
        self.reporter = reporter
        self.summary = Summary()
        self.old = Manifest()
        self.new = Manifest()
        self.fingerprints = Fingerprints(options.kinds, options.strict)

    # ------------------------------------------------------------------ planning

    def _plan(self, specs: list[SpecFile]) -> tuple[list[_Unit], list[SpecTask]]:
        units: dict[Path, _Unit] = {}
        for spec in specs:
            units.setdefault(spec.unit_dir, _Unit(spec.unit_dir, [])).members.append(spec)
        claimed: dict[Path, SpecFile] = {}
        tasks: list[SpecTask] = []
        planned: list[_Unit] = []
        for unit in units.values():
            members, changed = [], []
            for spec in unit.members:
                outputs = spec_outputs(spec, self.options.output, self.options.kinds)
                clash = next((p for p in outputs.values() if p in claimed), None)
                if clash is not None:
                    self._fail_spec(spec, f"与 {claimed[clash].display} 生成同名文件 {clash.name}；请改文件名")
                    continue
                claimed.update((p, spec) for p in outputs.values())
                members.append(spec)
                record = None if self.options.force else self.old.specs.get(_key(spec.path))
                fresh = (record is not None and record.fingerprint == self.fingerprints.spec(spec, record)
                         and all(p.is_file() for p in outputs.values()))
                changed.append(not fresh)
            unit.members = members
            old_unit = self.old.units.get(_key(unit.folder))
            unit.dirty = (any(changed) or self.options.force or old_unit is None
                          or not all(Path(p).is_file() for p in old_unit.get("outputs", ())))
            if not unit.dirty:
                self._replay(unit)
                continue
            for spec, is_changed in zip(unit.members, changed, strict=True):
                outputs = spec_outputs(spec, self.options.output, self.options.kinds) if is_changed else {}
                tasks.append(SpecTask(spec, tuple(outputs.items()), self.options.strict))
            unit.pending = len(unit.members)
            planned.append(unit)
        return planned, tasks

    def _keep_others(self, specs: list[SpecFile]) -> None:
        """Carry over the records of specs this build does not cover (a build of one
        unit must not make the next build of the whole tree start from scratch)."""
        here = {_key(spec.path) for spec in specs}
        units = {_key(spec.unit_dir) for spec in specs}
        for key, record in self.old.specs.items():
            if key not in here and Path(key).is_file():
                self.new.specs[key] = record
        for key, record in self.old.units.items():
            if key not in units and Path(key).is_dir():
                self.new.units[key] = record

    def _replay(self, unit: _Unit) -> None:
        """Report an unchanged unit from the manifest: its warnings, no rendering."""
        for spec in unit.members:
            record = self.old.specs[_key(spec.path)]
            diagnostics = [Diagnostic(**{**d, "severity": Severity(d["severity"])}) for d in record.diagnostics]
            self.reporter.diagnostics(diagnostics)
            self.summary.warnings += sum(not d.is_error for d in diagnostics)
            self.summary.unchanged += 1
            self.new.specs[_key(spec.path)] = record
            self.reporter.advanced()
        self.new.units[_key(unit.folder)] = self.old.units[_key(unit.folder)]

    # ------------------------------------------------------------------ results

    def _fail_spec(self, spec: SpecFile, message: str) -> None:
        self.reporter.diagnostics([Diagnostic(spec.display, 1, 1, "build-failed", Severity.ERROR, message)])
        self.summary.failed += 1

    def _take_spec(self, result: SpecResult) -> None:
        summary = self.summary
        self.reporter.diagnostics(result.diagnostics)
        summary.warnings += sum(not d.is_error for d in result.diagnostics)
        for failure in result.failures:
            self.reporter.failed(failure)
        summary.failures.extend(result.failures)
        for path in result.written:
            self.reporter.written(path)
        summary.files.extend(result.written)
        if result.project is None or result.failures:
            summary.failed += 1
        elif result.rendered:
            summary.built += 1
        else:
            summary.unchanged += 1
        if result.project is not None and not result.failures and result.jurisdiction:
            name, dirs = result.jurisdiction
            outputs = spec_outputs(result.spec, self.options.output, self.options.kinds)
            record = Record(fingerprint="", jurisdiction=name, template_dirs=[str(d) for d in dirs],
                            outputs=[str(p) for p in outputs.values()],
                            diagnostics=[d.to_json() for d in result.diagnostics])
            record.fingerprint = self.fingerprints.spec(result.spec, record)
            self.new.specs[_key(result.spec.path)] = record
        self.reporter.advanced()

    def _unit_task(self, unit: _Unit) -> UnitTask | None:
        good = [r for r in unit.results if r.project is not None]
        if not good:
            return None
        refs = {r.jurisdiction for r in good}
        if len(refs) > 1:
            self.reporter.failed(f"{unit.folder}: 同一文件夹里的项目用了不同的格式，无法合成汇总文档")
            self.summary.failed += 1
            return None
        if len(good) < len(unit.members):
            self.reporter.diagnostics([Diagnostic(
                str(unit.folder), 1, 1, "combined-incomplete", Severity.WARNING,
                f"汇总文档只包含 {len(good)}/{len(unit.members)} 个项目"
                f"（{len(unit.members) - len(good)} 个有错误，未收入）")])
        projects = tuple(sorted((r.project for r in good if r.project is not None), key=lambda p: (p.number, p.key)))
        unit_name = str((projects[0].header.get("unit") or {}).get("name") or unit.folder.name)
        outputs = combined_outputs(unit.members[0], unit_name, self.options.output, self.options.kinds)
        prints = [self.new.specs[_key(s.path)].fingerprint for s in unit.members if _key(s.path) in self.new.specs]
        if len(prints) == len(unit.members):
            self.new.units[_key(unit.folder)] = {"fingerprint": digest(*prints),
                                                "outputs": [str(p) for p in outputs.values()]}
        ref = next(iter(refs))
        assert ref is not None
        return UnitTask(unit.folder, projects, ref, tuple(outputs.items()))

    def _take_unit(self, result: UnitResult) -> None:
        for failure in result.failures:
            self.reporter.failed(failure)
            self.summary.failed += 1
            self.new.units.pop(_key(result.unit), None)
        self.summary.failures.extend(result.failures)
        for path in result.written:
            self.reporter.written(path)
        self.summary.files.extend(result.written)

    # ------------------------------------------------------------------ running

    def run(self) -> Summary:
        options = self.options
        specs, problems = discover(options.paths)
        if problems:
            self.reporter.diagnostics(problems)
            self.summary.failed += len(problems)
        try:
            options.output.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.reporter.failed(f"{options.output}: 无法创建输出文件夹：{os_errors.explain(exc)}")
            self.summary.failed += 1
            return self.summary
        remove_stale_temps(options.output)
        if not options.force:
            self.old = Manifest.read(options.output)
        self._keep_others(specs)
        self.reporter.started(len(specs))
        units, tasks = self._plan(specs)
        jobs = max(1, min(options.jobs or os.cpu_count() or 1, len(tasks)))
        workers = Workers(jobs)
        try:
            self._execute(units, tasks, workers)
        finally:
            workers.close()
        if options.pdf:
            self._export_pdf()
        try:  # failed specs get no record, so the next build tries them again
            self.new.write(options.output)
        except WriteError as exc:
            self.summary.failed += 1
            self.summary.failures.append(str(exc))
            self.reporter.failed(f"{exc}（下次生成将全部重做）")
        return self.summary

    def _export_pdf(self) -> None:
        from sheetgen.build import pdf

        program = pdf.soffice()
        if program is None:
            self.summary.failed += 1
            message = f"没有找到 LibreOffice，无法生成 PDF（Word/Excel 文件已生成）。{pdf.INSTALL_HINT}"
            self.summary.failures.append(message)
            self.reporter.failed(message)
            return
        sources = [Path(p) for record in self.new.specs.values() for p in record.outputs]
        sources += [Path(p) for unit in self.new.units.values() for p in unit.get("outputs", ())]
        written, failures = pdf.convert(pdf.stale(sources), program)
        for path in written:
            self.reporter.written(path)
        self.summary.files.extend(written)
        for failure in failures:
            self.reporter.failed(failure)
        self.summary.failures.extend(failures)
        self.summary.failed += len(failures)

    def _execute(self, units: list[_Unit], tasks: list[SpecTask], workers: Workers) -> None:
        by_folder = {unit.folder: unit for unit in units}
        queue = iter(tasks)
        window = max(2, workers.jobs * 4)  # results in flight; bounded so memory does not grow with N
        spec_futures: deque[tuple[SpecTask, Future[Any]]] = deque()
        unit_futures: deque[tuple[UnitTask, Future[Any]]] = deque()

        def refill() -> None:
            while len(spec_futures) < window:
                task = next(queue, None)
                if task is None:
                    return
                spec_futures.append((task, workers.submit(run_spec, task)))

        refill()
        while spec_futures:
            task, future = spec_futures.popleft()
            try:
                result = workers.result(future, run_spec, task)
            except WorkerDied:
                result = SpecResult(task.spec, [], None, None, failures=[
                    f"{task.spec.display}: 生成进程意外退出（可能内存不足或被强行结束）；"
                    "已写好的文件完整保留，请重新运行 build"])
            refill()
            self._take_spec(result)
            unit = by_folder[task.spec.unit_dir]
            unit.results.append(result)
            unit.pending -= 1
            if unit.pending == 0:
                unit_task = self._unit_task(unit)
                unit.results = []  # let the models go
                if unit_task is not None:
                    unit_futures.append((unit_task, workers.submit(run_unit, unit_task)))
            while unit_futures and (unit_futures[0][1].done() or len(unit_futures) > window):
                self._finish_unit(*unit_futures.popleft(), workers)
        while unit_futures:
            self._finish_unit(*unit_futures.popleft(), workers)

    def _finish_unit(self, task: UnitTask, future: Future[Any], workers: Workers) -> None:
        try:
            result = workers.result(future, run_unit, task)
        except WorkerDied:
            result = UnitResult(task.unit, failures=[
                f"{task.unit}: 生成进程意外退出，汇总文件没有更新；请重新运行 build"])
        self._take_unit(result)
