"""The results of an import: projects, defaults and the warnings collected on the way.

Every layout module fills a :class:`Sink` while it reads and returns an
:class:`ImportResult`; nothing here prints or writes files.
"""

from __future__ import annotations

from typing import Any

from msgspec import Struct, field

from sheetgen.errors import Diagnostic, ImportFormatError, Severity


class ImportedProject(Struct, frozen=True):
    """One imported project: its spec file name, its spec data and its first source line."""

    filename: str
    data: dict[str, Any]
    line: int = 0


class ImportResult(Struct, frozen=True):
    """The content of one unit folder: ``_defaults.yaml``, the projects and the diagnostics."""

    defaults: dict[str, Any]
    projects: list[ImportedProject]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    layout: str = ""


class Sink:
    """Collects the diagnostics of one source file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.diagnostics: list[Diagnostic] = []

    def warn(self, line: int, code: str, message: str, label: str = "", yaml_path: str = "") -> None:
        """Record a warning at ``line`` (column 1) of the source file."""
        self.diagnostics.append(
            Diagnostic(
                path=self.path,
                line=line,
                col=1,
                code=code,
                severity=Severity.WARNING,
                message=message,
                label=label,
                yaml_path=yaml_path,
            )
        )

    def fail(self, line: int, message: str) -> ImportFormatError:
        """Return (for raising) the error saying the source cannot be read at ``line``."""
        return ImportFormatError(f"{self.path}:{line}: {message}")
