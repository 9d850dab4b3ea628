"""Validation: a loaded spec -> a validated spec (normalized data + diagnostics).

Three layers, all reported together so a user sees every problem at once:
the YAML itself (done while loading), the Cerberus schema (common core plus
the jurisdiction's part) and the domain rules in :mod:`.rules`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheetgen import jurisdiction as jurisdictions
from sheetgen.errors import Diagnostic, JurisdictionError, Severity
from sheetgen.jurisdiction import Jurisdiction
from sheetgen.spec.files import LoadedSpec, SpecFile
from sheetgen.spec.yamlload import iter_strings
from sheetgen.validation.cerberus_check import SchemaCheck
from sheetgen.validation.findings import BLANK_CODES, Finding
from sheetgen.validation.rules import apply_rules
from sheetgen.validation.schema import build_schema, label_for
from sheetgen.validation.written import NULL_WORDS, as_written, written

_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class ValidatedSpec:
    """A spec after validation: normalized data (None if it has errors),
    its jurisdiction, and every diagnostic found on the way."""

    loaded: LoadedSpec
    data: dict[str, Any] | None
    jurisdiction: Jurisdiction | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def file(self) -> SpecFile:
        return self.loaded.file

    @property
    def ok(self) -> bool:
        return self.data is not None and not any(d.is_error for d in self.diagnostics)


def _unique(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Return ``diagnostics`` without repeats of one problem (same place and code)."""
    seen: set[tuple[str, int, int, str, str]] = set()
    out = []
    for d in diagnostics:
        key = (d.path, d.line, d.col, d.code, d.yaml_path)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def template_dirs(spec: SpecFile) -> tuple[Path, ...]:
    """Return the ``templates`` folders that may override built-in
    jurisdictions for ``spec``: in its folder and each ancestor up to the
    parent of the root it was found under."""
    stop = spec.root.resolve().parent
    folder = spec.path.parent.resolve()
    builtin = jurisdictions.builtin_dir().resolve()
    found = []
    while True:
        candidate = folder / "templates"
        # the built-in folder itself (a source checkout's templates/) is searched last anyway
        if candidate.is_dir() and candidate.resolve() != builtin:
            found.append(candidate)
        if folder == stop or folder.parent == folder:
            break
        folder = folder.parent
    return tuple(found)


def _null_hint(finding: Finding, loaded: LoadedSpec) -> str:
    """Return, for a finding about a blank value that was written as ``~`` or ``null``,
    the note that YAML reads that word as nothing (else '')."""
    text = written(loaded, finding.path)
    if finding.code in BLANK_CODES and text in NULL_WORDS:
        return f"（这里写的是“{text}”，YAML 把它当作空值；要印出 {text} 请给它加引号）"
    return ""


class Checker:
    """Validates specs; compiles each jurisdiction's schema once."""

    def __init__(self) -> None:
        self._jurisdictions: dict[tuple[str, tuple[Path, ...]], Jurisdiction | JurisdictionError] = {}
        self._schemas: dict[int, SchemaCheck] = {}

    def jurisdiction(self, name: str, dirs: tuple[Path, ...]) -> Jurisdiction:
        """Return the jurisdiction ``name`` searched in ``dirs`` then the built-ins."""
        key = (name, dirs)
        if key not in self._jurisdictions:
            try:
                self._jurisdictions[key] = jurisdictions.load(name, jurisdictions.search_path(dirs))
            except JurisdictionError as exc:
                self._jurisdictions[key] = exc
        found = self._jurisdictions[key]
        if isinstance(found, JurisdictionError):
            raise JurisdictionError(str(found), found.diagnostics)
        return found

    def schema_check(self, jurisdiction: Jurisdiction) -> SchemaCheck:
        """Return the compiled schema of ``jurisdiction`` (compiled once)."""
        key = id(jurisdiction)
        if key not in self._schemas:
            self._schemas[key] = SchemaCheck(build_schema(jurisdiction), jurisdiction)
        return self._schemas[key]

    def validate(self, loaded: LoadedSpec) -> ValidatedSpec:
        """Return ``loaded`` validated against its jurisdiction's schema and rules."""
        diagnostics = list(loaded.diagnostics)
        if loaded.data is None:
            return ValidatedSpec(loaded, None, None, diagnostics)
        data = loaded.data
        name = data.get("jurisdiction")
        if not isinstance(name, str) or not name.strip():
            file, line, col = loaded.locate(("jurisdiction",), key=True)
            diagnostics.append(Diagnostic(file, line, col, "missing-field", Severity.ERROR,
                                          "缺少“格式”（键 jurisdiction），例如 jurisdiction: shanghai；"
                                          "通常写在本文件夹的 _defaults.yaml 里", "格式", "jurisdiction"))
            return ValidatedSpec(loaded, None, None, diagnostics)
        try:
            jurisdiction = self.jurisdiction(name.strip(), template_dirs(loaded.file))
        except JurisdictionError as exc:
            file, line, col = loaded.locate(("jurisdiction",))
            if exc.diagnostics:  # the format's own files are wrong: say where, and that this spec waits
                files = "、".join(dict.fromkeys(d.path for d in exc.diagnostics))
                diagnostics += [*exc.diagnostics, Diagnostic(
                    file, line, col, "jurisdiction-invalid", Severity.ERROR,
                    f"格式“{name.strip()}”的文件有错误（见 {files} 的报错），改正之前本项目无法检查和生成",
                    "格式", "jurisdiction")]
            else:
                diagnostics.append(Diagnostic(file, line, col, "unknown-jurisdiction", Severity.ERROR,
                                              str(exc), "格式", "jurisdiction"))
            return ValidatedSpec(loaded, None, None, diagnostics)
        check = self.schema_check(jurisdiction)
        schema = check.schema
        data = as_written(data, schema, loaded)
        for path, text in iter_strings(data):
            match = _BAD_XML.search(text)
            if match:
                file, line, col = loaded.locate(path)
                diagnostics.append(Diagnostic(
                    file, line, col, "bad-char", Severity.ERROR,
                    f"文字里有不可见字符 U+{ord(match.group()):04X}，Word 和 Excel 都无法保存；请删去",
                    label_for(path, schema, jurisdiction), ".".join(path)))
        normalized, problems = check.check(loaded, data)
        diagnostics.extend(problems)
        if isinstance(normalized, dict):
            for finding in apply_rules(normalized, jurisdiction):
                file, line, col = loaded.locate(finding.path, key=finding.at_key)
                diagnostics.append(Diagnostic(file, line, col, finding.code, finding.severity,
                                              finding.message + _null_hint(finding, loaded),
                                              label_for(finding.path, schema, jurisdiction),
                                              ".".join(finding.path)))
        diagnostics = _unique(diagnostics)
        result = None if any(d.is_error for d in diagnostics) else normalized
        return ValidatedSpec(loaded, result, jurisdiction, diagnostics)
