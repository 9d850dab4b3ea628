"""What a jurisdiction's templates use and carry: the report of ``sheetgen templates check``,
and the template problems ``sheetgen check`` reports (``build`` refuses such a template when
it compiles it, see :func:`sheetgen.render.templates.compiled`).

For each template (.docx, .xlsx): every name it uses, each one its data does not have (at its
cell or near its text), and the page headers and footers it prints -- a copied format carries
them into every document (the built-in Word templates' ``- {页码} -`` footer), so they are
shown to be kept or removed on purpose.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from msgspec import Struct, field

from sheetgen import jurisdiction as jurisdictions
from sheetgen.errors import Diagnostic, JurisdictionError, Severity, SheetgenError, TemplateError
from sheetgen.jurisdiction import SELF_EVALUATION_TABLE, TARGET_TABLE, Jurisdiction
from sheetgen.render.templates import checked
from sheetgen.render.variables import Problem

#: The kinds of template a jurisdiction has, and how messages name each.
KIND_NAMES = {"docx": "Word", "xlsx": "Excel"}
KINDS = tuple(KIND_NAMES)
CODE = "template"


class TemplateReport(Struct):
    """One template of a jurisdiction: its file, the names it uses, the names its data does
    not have, its page headers and footers; ``error`` when it cannot be found or compiled."""

    kind: str
    path: str
    used: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    furniture: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and not self.problems


def report(kind: str, jurisdiction: Jurisdiction, table: str = TARGET_TABLE) -> TemplateReport:
    """Return the report of the ``kind`` template of ``jurisdiction``'s table ``table``."""
    try:
        path = str(jurisdiction.template_path(kind, table))
    except JurisdictionError as exc:
        return TemplateReport(kind, str(jurisdiction.folder), error=str(exc))
    try:
        template, names = checked(kind, jurisdiction, table)
    except TemplateError as exc:
        return TemplateReport(kind, path, error=str(exc).removeprefix(f"{path}: ").removeprefix(f"{path}："))
    return TemplateReport(kind, path, names.used, names.problems, template.headers_footers())


def reports(jurisdiction: Jurisdiction) -> list[TemplateReport]:
    """Return the report of each template of ``jurisdiction`` (Word, then Excel; the 目标表's,
    then the 自评表's when it has one)."""
    tables = [t for t in (TARGET_TABLE, SELF_EVALUATION_TABLE) if jurisdiction.has_table(t)]
    return [report(kind, jurisdiction, table) for table in tables for kind in KINDS]


def diagnostics(found: Iterable[TemplateReport]) -> list[Diagnostic]:
    """Return one error per problem of the reports, at the template file."""
    out = []
    for item in found:
        kind = KIND_NAMES[item.kind]
        if item.error:
            out.append(Diagnostic(item.path, 0, 0, CODE, Severity.ERROR, f"{kind} 模板无法使用：{item.error}"))
        for problem in item.problems:
            out.append(Diagnostic(item.path, 0, 0, CODE, Severity.ERROR, f"{kind} 模板 {problem}"))
    return out


def load_folders(folder: Path | None, dirs: Sequence[Path]) -> list[Jurisdiction | JurisdictionError]:
    """Return the jurisdictions to check: the one in ``folder`` (a folder with a
    ``jurisdiction.yaml``), those in its subfolders, or (``folder`` None) every one found
    along ``dirs`` and the built-ins; one that cannot be loaded is its error (named)."""
    if folder is None:
        search = jurisdictions.search_path(dirs)
        names = [(name, search) for name in jurisdictions.available(search)]
    elif (folder / jurisdictions.DESCRIPTION).is_file():
        names = [(folder.name, jurisdictions.search_path([folder.parent, *dirs]))]
    else:
        inside = sorted(p.parent for p in folder.glob(f"*/{jurisdictions.DESCRIPTION}"))
        if not inside:
            raise SheetgenError(f"{folder} 不是格式文件夹（里面没有 {jurisdictions.DESCRIPTION}），也不包含格式文件夹")
        names = [(p.name, jurisdictions.search_path([folder, *dirs])) for p in inside]
    out: list[Jurisdiction | JurisdictionError] = []
    for name, search in names:
        try:
            out.append(jurisdictions.load(name, search))
        except JurisdictionError as exc:
            out.append(JurisdictionError(f"格式“{name}”：{exc}", exc.diagnostics))
    return out


def problems_of(jurisdictions: Iterable[Jurisdiction]) -> list[Diagnostic]:
    """Return the template problems of each jurisdiction (each checked once)."""
    seen: set[tuple[str, str]] = set()
    out: list[Diagnostic] = []
    for jurisdiction in jurisdictions:
        key = (jurisdiction.name, str(jurisdiction.folders))
        if key not in seen:
            seen.add(key)
            out += diagnostics(reports(jurisdiction))
    return out
