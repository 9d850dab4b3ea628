"""The import command's work: import documents and write spec files (no printing)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sheetgen.build.atomic import write_atomic
from sheetgen.build.names import safe_name
from sheetgen.errors import Diagnostic


@dataclass
class ImportReport:
    """What an import wrote, skipped and noticed."""

    written: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    failed: bool = False


def import_to_folder(files: Iterable[Path], out_dir: Path, *, layout: str | None = None,
                     force: bool = False) -> ImportReport:
    """Return the report of importing ``files`` into spec files under ``out_dir``.

    Existing files are left alone unless ``force``; each file is written atomically.
    """
    from sheetgen.importers import import_file
    from sheetgen.importers.common import spec_labels
    from sheetgen.importers.yamlwriter import dump_spec

    report = ImportReport()
    for source in files:
        result = import_file(Path(source), layout)
        report.diagnostics.extend(result.diagnostics)
        labels = spec_labels(str(result.defaults.get("jurisdiction", "")))
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
