"""``sheetgen build``: validate every spec, render the good ones in parallel,
write each file atomically, skip what has not changed.

Work is split in two waves:

1. one task per spec: load, validate, build the model, render the spec's own
   files (only when its fingerprint changed or a file is missing);
2. one task per unit (spec folder) whose content changed: render the unit's
   combined document and workbook from the projects of wave 1.

Tasks run in worker processes (``--jobs``); each worker compiles every
template once.  Only this package writes files.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

from sheetgen import __version__
from sheetgen import jurisdiction as jurisdictions
from sheetgen.build.atomic import WriteError, remove_stale_temps, write_atomic
from sheetgen.build.manifest import Manifest, Record, digest
from sheetgen.build.names import safe_name
from sheetgen.errors import Diagnostic, JurisdictionError, Severity, SheetgenError
from sheetgen.model import Project
from sheetgen.spec.files import SpecFile, discover

COMBINED_PREFIX = "汇总-"


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
    def kinds(self) -> tuple[str, ...]:
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


# ----------------------------------------------------------------------------- tasks (run in workers)

@dataclass(frozen=True)
class SpecTask:
    spec: SpecFile
    outputs: tuple[tuple[str, Path], ...]  # (kind, path) to render; empty: model only
    strict: bool


@dataclass
class SpecResult:
    spec: SpecFile
    diagnostics: list[Diagnostic]
    project: Project | None
    jurisdiction: tuple[str, tuple[Path, ...]] | None
    written: list[Path] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    rendered: bool = False


@dataclass(frozen=True)
class UnitTask:
    unit: Path
    projects: tuple[Project, ...]
    jurisdiction: tuple[str, tuple[Path, ...]]
    outputs: tuple[tuple[str, Path], ...]


@dataclass
class UnitResult:
    unit: Path
    written: list[Path] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


_checker = None


def _worker_checker():  # type: ignore[no-untyped-def]
    global _checker
    if _checker is None:
        from sheetgen.validation import Checker

        _checker = Checker()
    return _checker


def _render_and_write(kind: str, path: Path, projects: Sequence[Project],
                      jurisdiction: jurisdictions.Jurisdiction) -> str | None:
    """Return None when ``path`` was written, else the reason it was not."""
    from sheetgen.render.templates import compiled

    try:
        data = compiled(kind, jurisdiction).render(projects, jurisdiction)
    except SheetgenError as exc:
        return f"{path}: 生成失败：{exc}"
    except Exception as exc:  # a template that fails for one spec must not stop the others
        return f"{path}: 生成失败（{type(exc).__name__}）：{exc}"
    try:
        write_atomic(path, data)
    except WriteError as exc:
        return str(exc)
    return None


def run_spec(task: SpecTask) -> SpecResult:
    """Return the result of validating one spec and writing its own files."""
    from sheetgen.projects import to_project
    from sheetgen.spec.files import read_spec
    from sheetgen.validation import template_dirs

    checker = _worker_checker()
    validated = checker.validate(read_spec(task.spec))
    diagnostics = validated.diagnostics
    if task.strict:
        diagnostics = [d.escalated() for d in diagnostics]
    ref = (validated.jurisdiction.name, template_dirs(task.spec)) if validated.jurisdiction else None
    result = SpecResult(task.spec, diagnostics, None, ref, rendered=bool(task.outputs))
    if not validated.ok or any(d.is_error for d in diagnostics) or validated.jurisdiction is None:
        return result
    project = to_project(validated)
    result.project = project
    for kind, path in task.outputs:
        failure = _render_and_write(kind, path, [project], validated.jurisdiction)
        if failure:
            result.failures.append(failure)
        else:
            result.written.append(path)
    return result


def run_unit(task: UnitTask) -> UnitResult:
    """Return the result of writing one unit's combined files."""
    name, dirs = task.jurisdiction
    result = UnitResult(task.unit)
    try:
        jurisdiction = _worker_checker().jurisdiction(name, dirs)
    except JurisdictionError as exc:
        result.failures.append(f"{task.unit}: {exc}")
        return result
    for kind, path in task.outputs:
        failure = _render_and_write(kind, path, task.projects, jurisdiction)
        if failure:
            result.failures.append(failure)
        else:
            result.written.append(path)
    return result


# ----------------------------------------------------------------------------- planning

def unit_folder(spec: SpecFile) -> Path:
    """Return the output sub-folder of a spec's unit, relative to the output folder."""
    try:
        relative = spec.unit_dir.resolve().relative_to(spec.root.resolve())
    except ValueError:
        relative = Path()
    parts = relative.parts or (spec.unit_dir.resolve().name,)
    return Path(*[safe_name(p) for p in parts])


def spec_outputs(spec: SpecFile, options: BuildOptions) -> dict[str, Path]:
    """Return the path of each file kind a spec's own build writes."""
    folder = options.output / unit_folder(spec)
    stem = safe_name(spec.path.stem)
    return {kind: folder / f"{stem}.{kind}" for kind in options.kinds}


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


class _Fingerprints:
    """Fingerprints of specs: sheetgen version, the spec and defaults bytes,
    the jurisdiction's files and the options that change the output."""

    def __init__(self, options: BuildOptions):
        self.options = options
        self._juris: dict[tuple[str, tuple[str, ...]], str] = {}
        self._dirs: dict[tuple[Path, Path], tuple[Path, ...]] = {}

    def jurisdiction(self, name: str, dirs: Sequence[str]) -> str:
        key = (name, tuple(dirs))
        if key not in self._juris:
            try:
                found = jurisdictions.load(name, jurisdictions.search_path([Path(d) for d in dirs]))
                self._juris[key] = found.fingerprint
            except JurisdictionError:
                self._juris[key] = "missing"
        return self._juris[key]

    def spec(self, spec: SpecFile, record: Record | None) -> str:
        parts: list[bytes | str] = [__version__, ",".join(self.options.kinds), str(self.options.strict),
                                    str(spec.number), _read_bytes(spec.path)]
        parts += [_read_bytes(p) for p in spec.defaults]
        if record is not None:
            # the folders searched now: a templates/ folder added since the last build counts
            dirs = [str(d) for d in self.template_dirs(spec)]
            parts.append(self.jurisdiction(record.jurisdiction, dirs))
        return digest(*parts)

    def template_dirs(self, spec: SpecFile) -> tuple[Path, ...]:
        from sheetgen.validation import template_dirs

        key = (spec.unit_dir, spec.root)
        if key not in self._dirs:
            self._dirs[key] = template_dirs(spec)
        return self._dirs[key]


T = TypeVar("T")
R = TypeVar("R")


def _map(function: Callable[[T], R], tasks: Sequence[T], pool: ProcessPoolExecutor | None,
         on_result: Callable[[R], None], on_broken: Callable[[T], None]) -> ProcessPoolExecutor | None:
    """Run ``tasks`` (in ``pool`` if given) and return the pool still usable afterwards.

    A worker that dies (killed, out of memory) breaks the whole pool; the tasks
    it took down are then retried one by one in fresh single-worker pools, so
    only the task that really kills its worker is reported broken.
    """
    if pool is None:
        for task in tasks:
            on_result(function(task))
        return None
    futures = [(task, pool.submit(function, task)) for task in tasks]
    broken: list[T] = []
    for task, future in futures:
        try:
            on_result(future.result())
        except BrokenProcessPool:
            broken.append(task)
    if not broken:
        return pool
    pool.shutdown(cancel_futures=True)
    for task in broken:
        retry = _pool(1, force=True)
        assert retry is not None
        try:
            on_result(retry.submit(function, task).result())
        except BrokenProcessPool:
            on_broken(task)
        finally:
            retry.shutdown(cancel_futures=True)
    return _pool(pool._max_workers)  # type: ignore[attr-defined]


def _jobs(options: BuildOptions, work: int) -> int:
    jobs = options.jobs or os.cpu_count() or 1
    return max(1, min(jobs, work))


def _pool(jobs: int, *, force: bool = False) -> ProcessPoolExecutor | None:
    if jobs <= 1 and not force:
        return None
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method))


def run_build(options: BuildOptions, reporter: Reporter | None = None) -> Summary:
    """Return the summary of building every spec under ``options.paths``."""
    reporter = reporter or SilentReporter()
    summary = Summary()
    specs, problems = discover(options.paths)
    if problems:
        reporter.diagnostics(problems)
        summary.failed += len(problems)
    options.output.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(options.output)
    manifest = Manifest.read(options.output)
    fingerprints = _Fingerprints(options)
    reporter.started(len(specs))

    units: dict[Path, list[SpecFile]] = defaultdict(list)
    for spec in specs:
        units[spec.unit_dir].append(spec)

    new_manifest = Manifest()
    spec_tasks: list[SpecTask] = []
    clean: list[tuple[SpecFile, Record, str]] = []
    claimed: dict[Path, SpecFile] = {}
    dirty_units: set[Path] = set()
    for unit, members in units.items():
        for spec in members:
            key = str(spec.path)
            record = None if options.force else manifest.specs.get(key)
            fingerprint = fingerprints.spec(spec, record)
            outputs = spec_outputs(spec, options)
            clash = [p for p in outputs.values() if p in claimed]
            if clash:
                other = claimed[clash[0]]
                reporter.diagnostics([Diagnostic(spec.display, 1, 1, "output-clash", Severity.ERROR,
                                                 f"与 {other.display} 生成同名文件 {clash[0]}；请改文件名")])
                summary.failed += 1
                continue
            claimed.update((p, spec) for p in outputs.values())
            unchanged = (record is not None and record.fingerprint == fingerprint
                         and all(p.is_file() for p in outputs.values()))
            if unchanged and record is not None:
                clean.append((spec, record, fingerprint))
            else:
                dirty_units.add(unit)
                spec_tasks.append(SpecTask(spec, tuple(outputs.items()), options.strict))
        unit_key = str(unit)
        if unit_key not in manifest.units or options.force:
            dirty_units.add(unit)

    # A dirty unit needs every member's model for its combined files.
    for spec, record, _fingerprint in clean:
        if spec.unit_dir in dirty_units:
            spec_tasks.append(SpecTask(spec, (), options.strict))
        else:
            diagnostics = [Diagnostic(**{**d, "severity": Severity(d["severity"])}) for d in record.diagnostics]
            reporter.diagnostics(diagnostics)
            summary.warnings += sum(not d.is_error for d in diagnostics)
            summary.unchanged += 1
            new_manifest.specs[str(spec.path)] = record
            reporter.advanced()
    for unit in units:
        if unit not in dirty_units and str(unit) in manifest.units:
            new_manifest.units[str(unit)] = manifest.units[str(unit)]

    results: dict[Path, SpecResult] = {}

    def take_spec(result: SpecResult) -> None:
        results[result.spec.path] = result
        reporter.diagnostics(result.diagnostics)
        summary.warnings += sum(not d.is_error for d in result.diagnostics)
        for failure in result.failures:
            reporter.failed(failure)
        summary.failures.extend(result.failures)
        for path in result.written:
            reporter.written(path)
        summary.files.extend(result.written)
        if result.project is None or result.failures:
            summary.failed += 1
        elif result.rendered:
            summary.built += 1
        else:
            summary.unchanged += 1
        if result.project is not None and not result.failures and result.jurisdiction:
            name, dirs = result.jurisdiction
            record = Record(fingerprint="", jurisdiction=name, template_dirs=[str(d) for d in dirs],
                            outputs=[str(p) for p in spec_outputs(result.spec, options).values()],
                            diagnostics=[d.to_json() for d in result.diagnostics])
            record.fingerprint = fingerprints.spec(result.spec, record)
            new_manifest.specs[str(result.spec.path)] = record
        reporter.advanced()

    def broken_spec(task: SpecTask) -> None:
        summary.failed += 1
        reporter.failed(f"{task.spec.display}: 生成进程意外退出（可能内存不足或被强行结束）；"
                        "已写好的文件完整保留，请重新运行 build")
        reporter.advanced()

    jobs = _jobs(options, len(spec_tasks))
    pool = _pool(jobs)
    try:
        pool = _map(run_spec, spec_tasks, pool, take_spec, broken_spec)
        unit_tasks = list(_unit_tasks(units, dirty_units, results, options, reporter, new_manifest, manifest))

        def take_unit(result: UnitResult) -> None:
            for failure in result.failures:
                reporter.failed(failure)
                summary.failed += 1
            summary.failures.extend(result.failures)
            for path in result.written:
                reporter.written(path)
            summary.files.extend(result.written)

        def broken_unit(task: UnitTask) -> None:
            summary.failed += 1
            reporter.failed(f"{task.unit}: 生成进程意外退出，汇总文件没有更新；请重新运行 build")
            new_manifest.units.pop(str(task.unit), None)

        if pool is not None and len(unit_tasks) <= 1:
            pool.shutdown()
            pool = None
        pool = _map(run_unit, unit_tasks, pool, take_unit, broken_unit)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    # Failed specs get no record, so the next build tries them again.
    try:
        new_manifest.write(options.output)
    except WriteError as exc:
        summary.failed += 1
        summary.failures.append(str(exc))
        reporter.failed(f"{exc}（下次生成将全部重做）")
    return summary


def _unit_tasks(units: dict[Path, list[SpecFile]], dirty: set[Path], results: dict[Path, SpecResult],
                options: BuildOptions, reporter: Reporter, new_manifest: Manifest,
                old_manifest: Manifest) -> Iterable[UnitTask]:
    for unit, members in units.items():
        if unit not in dirty:
            continue
        good = [results[s.path] for s in members if s.path in results and results[s.path].project is not None]
        if not good:
            continue
        refs = {r.jurisdiction for r in good}
        if len(refs) > 1:
            reporter.failed(f"{unit}: 同一文件夹里的项目用了不同的格式，无法合成汇总文档")
            continue
        if len(good) < len(members):
            reporter.diagnostics([Diagnostic(str(unit), 1, 1, "combined-incomplete", Severity.WARNING,
                                             f"汇总文档只包含 {len(good)}/{len(members)} 个项目"
                                             f"（{len(members) - len(good)} 个有错误，未收入）")])
        projects = tuple(sorted((r.project for r in good if r.project is not None),
                                key=lambda p: (p.number, p.key)))
        first = projects[0]
        unit_name = str((first.header.get("unit") or {}).get("name") or unit.name)
        folder = options.output / unit_folder(members[0])
        stem = safe_name(f"{COMBINED_PREFIX}{unit_name}")
        outputs = tuple((kind, folder / f"{stem}.{kind}") for kind in options.kinds)
        ref = next(iter(refs))
        assert ref is not None
        member_prints = [new_manifest.specs[str(s.path)].fingerprint for s in members
                         if str(s.path) in new_manifest.specs]
        if len(member_prints) == len(members):
            new_manifest.units[str(unit)] = digest(*member_prints)
        yield UnitTask(unit, projects, ref, outputs)
