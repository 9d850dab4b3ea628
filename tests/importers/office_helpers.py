"""Helpers of the Word/Excel import tests: build the seed specs, load a spec folder as comparable models."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from sheetgen.build.runner import BuildOptions, run_build
from sheetgen.importing import import_to_folder
from sheetgen.model import Project
from sheetgen.projects import to_project
from sheetgen.spec.files import discover, read_spec
from sheetgen.validation import Checker

REPO = Path(__file__).resolve().parent.parent.parent
SPECS = REPO / "specs"
UNITS = sorted(path.name for path in SPECS.iterdir() if path.is_dir())
SEED_SPECS = sorted(path.relative_to(SPECS).as_posix() for path in SPECS.glob("*/[!_]*.yaml"))


def build_seeds(tmp: Path) -> Path:
    """Return the output folder of building a copy of ``specs/`` under ``tmp``."""
    specs = tmp / "specs"
    shutil.copytree(SPECS, specs)
    out = tmp / "out"
    summary = run_build(BuildOptions(paths=(specs,), output=out, jobs=1))
    assert not summary.failed
    return out


def canon(value: Any) -> Any:
    """Return ``value`` with every amount as its exact digits, so 26.50 ≠ 26.5."""
    if isinstance(value, Mapping):
        return {str(key): canon(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [canon(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, Decimal)):
        return ("num", format(Decimal(value), "f"))
    if isinstance(value, dt.date):
        return ("date", value.isoformat())
    return value


def model_view(project: Project) -> dict[str, Any]:
    """Return what a project prints: jurisdiction, header (without ``number``) and the indicator tree."""
    header = {key: value for key, value in project.header.items() if key != "number"}
    rows = [
        (c.name, g.name, i.name, i.value, i.description, canon(dict(i.extras)))
        for c in project.indicators for g in c.groups for i in g.indicators
    ]  # fmt: skip
    return {"jurisdiction": project.jurisdiction, "header": canon(header), "rows": rows}


def load_models(folder: Path) -> dict[str, tuple[int, dict[str, Any]]]:
    """Return spec file name → (number, model view) of every spec under ``folder``; all must be valid."""
    specs, problems = discover([folder])
    assert not problems
    checker = Checker()
    out = {}
    for spec in specs:
        validated = checker.validate(read_spec(spec))
        errors = [d.format() for d in validated.diagnostics if d.is_error]
        assert validated.ok, errors
        project = to_project(validated)
        out[spec.path.name] = (project.number, model_view(project))
    return out


def import_into(files: list[Path], folder: Path, **options: Any) -> Any:
    """Return the report of importing ``files`` into ``folder`` (which must not fail)."""
    report = import_to_folder(files, folder, **options)
    assert not report.failed, [d.format() for d in report.diagnostics]
    return report
