"""The work done in worker processes: one spec, or one unit's combined files.

Each worker keeps one :class:`~sheetgen.validation.Checker` and compiles each
template once (see :mod:`sheetgen.render.templates`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sheetgen import jurisdiction as jurisdictions
from sheetgen.build.atomic import WriteError, write_atomic
from sheetgen.errors import Diagnostic, JurisdictionError, SheetgenError
from sheetgen.model import Project
from sheetgen.spec.files import SpecFile


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


_checker: list[object] = []
_defaults_cache: dict[object, object] = {}  # parsed _defaults.yaml files of this process


def _worker_checker():  # type: ignore[no-untyped-def]
    """Return this process's Checker (its jurisdiction and schema caches live on)."""
    if not _checker:
        from sheetgen.validation import Checker

        _checker.append(Checker())
    return _checker[0]


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
    validated = checker.validate(read_spec(task.spec, _defaults_cache))
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
