"""The check command's work: discover, load and validate specs (no printing)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from msgspec import Struct

from sheetgen.errors import Diagnostic, unique
from sheetgen.spec.files import read_spec
from sheetgen.validation import Checker, ValidatedSpec
from sheetgen.workspace import Workspace


class CheckReport(Struct):
    """Every validated spec and every diagnostic of a check run."""

    specs: list[ValidatedSpec]
    diagnostics: list[Diagnostic]

    @property
    def errors(self) -> int:
        return sum(d.is_error for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(not d.is_error for d in self.diagnostics)


def _sorted(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.path, d.line, d.col, d.code))


def iter_validated(paths: Iterable[Path], *, strict: bool = False,
                   checker: Checker | None = None) -> Iterator[ValidatedSpec | Diagnostic]:
    """Return, one at a time, each spec under ``paths`` validated (or a
    path-level diagnostic such as a missing folder)."""
    checker = checker or Checker()
    specs, problems = checker.workspace.discover(paths)
    yield from problems
    cache: dict[Path, Any] = {}
    for spec in specs:
        validated = checker.validate(read_spec(spec, cache))
        if strict:
            validated = validated.strictly()
        validated.diagnostics = _sorted(validated.diagnostics)
        yield validated


def check(paths: Iterable[Path], *, strict: bool = False, workspace: Workspace | None = None) -> CheckReport:
    """Return the validation report of every spec under ``paths``."""
    specs: list[ValidatedSpec] = []
    found: list[Diagnostic] = []
    for item in iter_validated(paths, strict=strict, checker=Checker(workspace)):
        if isinstance(item, Diagnostic):
            found.append(item)
        else:
            specs.append(item)
            found.extend(item.diagnostics)
    diagnostics = unique(found)  # a problem in a shared defaults file is reported once, not once per spec
    used = {(j.name, j.folders): j for s in specs if (j := s.jurisdiction) is not None}
    own = [j for j in used.values() if not j.shipped]
    if own:  # the templates of a format with a folder of the user's, once each (sheetgen's own: see shipped)
        from sheetgen.render.template_check import problems_of

        diagnostics += problems_of(own)
    return CheckReport(specs, diagnostics)
