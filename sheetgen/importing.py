"""The import command's work: import documents and write spec files (no printing)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from msgspec import Struct, field

from sheetgen.build.atomic import write_atomic
from sheetgen.build.names import safe_name
from sheetgen.errors import Diagnostic, ImportFormatError, JurisdictionError, Severity
from sheetgen.workspace import Workspace


class ImportReport(Struct):
    """What an import wrote, skipped and noticed."""

    written: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    failed: bool = False


def import_to_folder(
    files: Iterable[Path],
    out_dir: Path,
    *,
    layout: str | None = None,
    force: bool = False,
    jurisdiction: str | None = None,
    workspace: Workspace | None = None,
) -> ImportReport:
    """Return the report of importing ``files`` into spec files under ``out_dir``.

    Existing files are left alone unless ``force``; each file is written
    atomically.  A file that cannot be imported becomes an error diagnostic
    (``failed`` is set) and the other files are still imported.
    ``jurisdiction`` names the format of Word/Excel tables (default: recognised among the
    formats specs in ``out_dir`` can use).
    """
    from sheetgen.importers import import_file
    from sheetgen.importers.common import spec_labels
    from sheetgen.importers.yamlwriter import dump_spec

    report = ImportReport()
    formats = (workspace or Workspace()).formats(out_dir)
    for source in files:
        try:
            result = import_file(Path(source), layout, jurisdiction, formats)
        except ImportFormatError as exc:
            message = str(exc).removeprefix(f"{source}: ").removeprefix(f"{source}:")
            report.diagnostics.append(Diagnostic(str(source), 1, 1, "import-failed", Severity.ERROR, message))
            report.failed = True
            continue
        report.diagnostics.extend(result.diagnostics)
        try:
            labels = spec_labels(formats.get(str(result.defaults.get("jurisdiction", ""))))
        except JurisdictionError as exc:
            raise ImportFormatError(str(exc)) from None
        outputs = {"_defaults.yaml": dump_spec(result.defaults, labels)}
        for project in result.projects:
            outputs[safe_name(project.filename)] = dump_spec(project.data, labels)
        for name, text in outputs.items():
            target = out_dir / name
            if target.exists() and not force:
                report.skipped.append(target)
                continue
            write_atomic(target, text.encode("utf-8"))
            report.written.append(target)
    return report
