"""Validation: a loaded spec -> a validated spec (normalized data + diagnostics).

Three layers, all reported together so a user sees every problem at once:
the YAML itself (done while loading), the Cerberus schema (common core plus
the jurisdiction's part) and the domain rules in :mod:`.rules`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from msgspec import Struct, field

from sheetgen.errors import Diagnostic, JurisdictionError, Severity, unique
from sheetgen.jurisdiction import Jurisdiction
from sheetgen.spec.files import LoadedSpec, SpecFile
from sheetgen.spec.yamlload import iter_strings
from sheetgen.validation.cerberus_check import SchemaCheck
from sheetgen.validation.evaluation import BLOCK, YearEnd
from sheetgen.validation.findings import BLANK_CODES, Finding
from sheetgen.validation.rules import apply_rules
from sheetgen.validation.schema import build_schema, label_for
from sheetgen.validation.written import NULL_WORDS, as_written, written
from sheetgen.validation.year_end import check as check_year_end
from sheetgen.validation.year_end import split as split_year_end
from sheetgen.workspace import Formats, Workspace

if TYPE_CHECKING:
    from sheetgen.model import Evaluation

_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class ValidatedSpec(Struct):
    """A spec after validation: normalized data (None if it has errors), its jurisdiction,
    and every diagnostic found on the way.

    The year-end data (绩效自评表) is checked apart (:mod:`.year_end`): ``year_end`` is it,
    normalized (None when the spec carries none or it has errors), ``carries_year_end``
    whether the spec carries any, and ``year_end_diagnostics`` the problems found in it,
    which are among ``diagnostics`` too but hold back the 自评表 only: ``ok`` says whether
    the 目标表 can be made, :attr:`year_end_ok` whether the 自评表 can."""

    loaded: LoadedSpec
    data: dict[str, Any] | None
    jurisdiction: Jurisdiction | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    year_end: YearEnd | None = None
    carries_year_end: bool = False
    year_end_diagnostics: list[Diagnostic] = field(default_factory=list)
    evaluation: Evaluation | None = None  # the 自评表's scores, when ``year_end`` is there

    @property
    def file(self) -> SpecFile:
        return self.loaded.file

    @property
    def ok(self) -> bool:
        own = [d for d in self.diagnostics if d not in self.year_end_diagnostics]
        return self.data is not None and not any(d.is_error for d in own)

    @property
    def year_end_ok(self) -> bool:
        """Return whether the spec's 自评表 can be made: it is ``ok``, carries year-end data
        and that data has no error."""
        return (self.ok and self.carries_year_end and self.year_end is not None
                and not any(d.is_error for d in self.year_end_diagnostics))

    def strictly(self) -> ValidatedSpec:
        """Return this spec as ``--strict`` sees it: every warning an error (then no data)."""
        year_end = [d.escalated() for d in self.year_end_diagnostics]
        diagnostics = [d.escalated() for d in self.diagnostics]
        own = [d for d in diagnostics if d not in year_end]
        data = None if any(d.is_error for d in own) else self.data
        good = not any(d.is_error for d in year_end)
        return ValidatedSpec(self.loaded, data, self.jurisdiction, diagnostics, self.year_end if good else None,
                             self.carries_year_end, year_end, self.evaluation if good else None)


def _null_hint(finding: Finding, loaded: LoadedSpec) -> str:
    """Return, for a finding about a blank value that was written as ``~`` or ``null``,
    the note that YAML reads that word as nothing (else '')."""
    text = written(loaded, finding.path)
    if finding.code in BLANK_CODES and text in NULL_WORDS:
        return f"（这里写的是“{text}”，YAML 把它当作空值；要印出 {text} 请给它加引号）"
    return ""


def _schema_check(jurisdiction: Jurisdiction) -> SchemaCheck:
    """Return the compiled schema of ``jurisdiction`` (compiled once per fingerprint and process)."""
    key = (jurisdiction.name, jurisdiction.fingerprint)
    if key not in _SCHEMAS:
        if len(_SCHEMAS) >= 64:
            _SCHEMAS.pop(next(iter(_SCHEMAS)))
        _SCHEMAS[key] = SchemaCheck(build_schema(jurisdiction), jurisdiction)
    return _SCHEMAS[key]


_SCHEMAS: dict[tuple[str, str], SchemaCheck] = {}


def prepare(jurisdiction: Jurisdiction) -> None:
    """Compile ``jurisdiction``'s schema now rather than at its first spec (a build does it
    before its workers fork, so that each starts with it)."""
    _schema_check(jurisdiction)


def named_jurisdiction(loaded: LoadedSpec, formats: Formats) -> Jurisdiction | list[Diagnostic]:
    """Return the jurisdiction the spec names (``jurisdiction:``) among ``formats``, or the
    diagnostics saying why there is none to check it against."""
    data = loaded.data or {}
    name = data.get("jurisdiction")
    if not isinstance(name, str) or not name.strip():
        file, line, col = loaded.locate(("jurisdiction",), key=True)
        known = "、".join(formats.names)
        return [Diagnostic(file, line, col, "missing-field", Severity.ERROR,
                           f"缺少“格式”（键 jurisdiction），可用的格式：{known}；"
                           "通常写在本文件夹的 _defaults.yaml 里", "格式", "jurisdiction")]
    try:
        return formats.get(name.strip())
    except JurisdictionError as exc:
        file, line, col = loaded.locate(("jurisdiction",))
        if exc.diagnostics:  # the format's own files are wrong: say where, and that this spec waits
            files = "、".join(dict.fromkeys(d.path for d in exc.diagnostics))
            return [*exc.diagnostics, Diagnostic(
                file, line, col, "jurisdiction-invalid", Severity.ERROR,
                f"格式“{name.strip()}”的文件有错误（见 {files} 的报错），改正之前本项目无法检查和生成",
                "格式", "jurisdiction")]
        return [Diagnostic(file, line, col, "unknown-jurisdiction", Severity.ERROR, str(exc), "格式", "jurisdiction")]


def check_spec(loaded: LoadedSpec, formats: Formats) -> ValidatedSpec:
    """Return ``loaded`` validated against the jurisdiction it names among ``formats``
    (touches no disk: ``formats`` holds the jurisdictions loaded)."""
    if loaded.data is None:
        return ValidatedSpec(loaded, None, None, list(loaded.diagnostics))
    found = named_jurisdiction(loaded, formats)
    if isinstance(found, list):
        return ValidatedSpec(loaded, None, None, [*loaded.diagnostics, *found])
    return validate(loaded, found)


def validate(loaded: LoadedSpec, jurisdiction: Jurisdiction) -> ValidatedSpec:
    """Return ``loaded`` validated against ``jurisdiction``'s schema and rules (pure: the
    spec and the jurisdiction are all it reads)."""
    diagnostics = list(loaded.diagnostics)
    if loaded.data is None:
        return ValidatedSpec(loaded, None, None, diagnostics)
    check = _schema_check(jurisdiction)
    schema = check.schema
    data, year_end = split_year_end(as_written(loaded.data, check.texts, loaded))
    diagnostics.extend(_bad_characters(data, loaded, schema, jurisdiction))
    normalized, problems = check.check(loaded, data)
    diagnostics.extend(problems)
    if isinstance(normalized, dict):
        for finding in apply_rules(normalized, jurisdiction):
            file, line, col = loaded.locate(finding.path, key=finding.at_key)
            diagnostics.append(Diagnostic(file, line, col, finding.code, finding.severity,
                                          finding.message + _null_hint(finding, loaded),
                                          label_for(finding.path, schema, jurisdiction),
                                          ".".join(finding.path)))
    diagnostics = unique(diagnostics)
    result = None if any(d.is_error for d in diagnostics) else normalized
    ended = check_year_end(year_end, result, loaded, check)
    found = unique([*_bad_characters(year_end, loaded, schema, jurisdiction), *ended.diagnostics])
    good = not any(d.is_error for d in found)
    return ValidatedSpec(loaded, result, jurisdiction, [*diagnostics, *found], ended.data if good else None,
                         ended.carried, found, ended.evaluation if good else None)


def _bad_characters(data: Any, loaded: LoadedSpec, schema: dict[str, Any],
                    jurisdiction: Jurisdiction) -> list[Diagnostic]:
    """Return an error for each text of ``data`` (a spec's mapping, or its year-end data)
    holding a character Word and Excel cannot store."""
    if not _BAD_XML.search("\n".join(_texts(data, []))):  # the usual case: one search of them all
        return []
    if isinstance(data, YearEnd):  # its own texts: an indicator's name is the target part's
        texts = [pair for row, values in data.rows.items() for pair in iter_strings(values, ("indicators", *row))]
        if data.block is not None:
            texts += iter_strings(data.block, (BLOCK,))
    else:
        texts = list(iter_strings(data))
    found = []
    for path, text in texts:
        match = _BAD_XML.search(text)
        if match:
            file, line, col = loaded.locate(path)
            found.append(Diagnostic(
                file, line, col, "bad-char", Severity.ERROR,
                f"文字里有不可见字符 U+{ord(match.group()):04X}，Word 和 Excel 都无法保存；请删去",
                label_for(path, schema, jurisdiction), ".".join(path)))
    return found


def _texts(data: Any, found: list[str]) -> list[str]:
    """Return ``found`` with every text of ``data`` (a spec's data, its year-end data or a
    part of either) added: keys too, wherever :func:`iter_strings` finds them."""
    if isinstance(data, YearEnd):
        for values in data.rows.values():
            _texts(values, found)
        return _texts(data.block, found)
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str):
                found.append(key)
            if isinstance(value, str):
                found.append(value)
            elif isinstance(value, (dict, list)):
                _texts(value, found)
    elif isinstance(data, list):
        for value in data:
            if isinstance(value, str):
                found.append(value)
            elif isinstance(value, (dict, list)):
                _texts(value, found)
    elif isinstance(data, str):
        found.append(data)
    return found


class Checker:
    """Validates specs as the workspace finds their jurisdictions (one workspace, one load
    of each jurisdiction)."""

    def __init__(self, workspace: Workspace | None = None) -> None:
        self.workspace = workspace or Workspace()

    def validate(self, loaded: LoadedSpec) -> ValidatedSpec:
        """Return ``loaded`` validated against the jurisdiction it names."""
        name = (loaded.data or {}).get("jurisdiction")
        only = name.strip() if isinstance(name, str) else None  # load the one format the spec names
        return check_spec(loaded, self.workspace.formats(loaded.file.unit_dir, only=only))
