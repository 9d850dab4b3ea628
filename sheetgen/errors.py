"""Typed errors and diagnostics.

Every problem sheetgen finds in user input becomes a :class:`Diagnostic`
(file, line, column, code, severity, label, YAML path, message).  Only
:mod:`sheetgen.cli` turns them into printed lines and exit codes.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any

from msgspec import Struct
from msgspec.structs import asdict


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"

    @property
    def label(self) -> str:
        """Return the Chinese word printed for this severity."""
        return "错误" if self is Severity.ERROR else "警告"


class Diagnostic(Struct, frozen=True):
    """One problem found in one file, or (``line`` 0) about a whole file or folder."""

    path: str
    line: int
    col: int
    code: str
    severity: Severity
    message: str
    label: str = ""
    yaml_path: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def format(self) -> str:
        """Return the one-line form ``path:line:col: 错误 [code] 标签 (yaml.path): message``
        (``path: 错误 …`` for a problem of a whole file or folder, ``line`` 0)."""
        where = f"{self.path}:{self.line}:{self.col}" if self.line > 0 else self.path
        subject = " ".join(p for p in (self.label, f"({self.yaml_path})" if self.yaml_path else "") if p)
        subject = f" {subject}" if subject else ""
        message = " ".join(self.message.splitlines())  # one problem, one line, whatever a value held
        return f"{where}: {self.severity.label} [{self.code}]{subject}: {message}"

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict of this diagnostic."""
        data = asdict(self)
        data["severity"] = self.severity.value
        return data

    def escalated(self) -> Diagnostic:
        """Return this diagnostic as an error (used by ``--strict``)."""
        if self.is_error:
            return self
        return Diagnostic(**{**asdict(self), "severity": Severity.ERROR})


def unique(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Return ``diagnostics`` without repeats of one problem (same file, place, code and
    YAML path), first kept: within a spec (two layers finding one thing) and across the
    specs that share a defaults file."""
    seen: set[tuple[str, int, int, str, str]] = set()
    out = []
    for d in diagnostics:
        key = (d.path, d.line, d.col, d.code, d.yaml_path)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


class SheetgenError(Exception):
    """Base of all errors sheetgen raises on purpose."""


class JurisdictionError(SheetgenError):
    """A jurisdiction folder is missing or malformed; ``diagnostics`` say where in its
    files, when the problems are in them."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None):
        super().__init__(message)
        self.diagnostics = list(diagnostics or [])

    def __reduce__(self) -> tuple[Any, ...]:  # keeps the diagnostics when sent to a worker
        return (JurisdictionError, (str(self), self.diagnostics))


class TemplateError(SheetgenError):
    """A Word or Excel template cannot be compiled or rendered."""


class ImportFormatError(SheetgenError):
    """An input document cannot be imported."""
