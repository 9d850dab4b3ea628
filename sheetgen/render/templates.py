"""Compiled templates by kind, compiled and checked once per process and jurisdiction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from msgspec import Struct

from sheetgen.errors import TemplateError
from sheetgen.jurisdiction import TARGET_TABLE, Jurisdiction
from sheetgen.model import Project
from sheetgen.render import variables


class CompiledTemplate(Protocol):
    """What every compiled template offers: render projects to file bytes (``paged``:
    with the page breaks sheetgen places; without, for a reader that pages itself), or render
    each project once (``prepare``) and make its file and its unit's 汇总 of those renders
    (``document``); its Jinja sources and the page headers and footers it prints."""

    @property
    def path(self) -> str: ...

    def render(self, projects: Sequence[Project], jurisdiction: Jurisdiction, *, paged: bool = True) -> bytes: ...

    def prepare(self, project: Project, jurisdiction: Jurisdiction) -> Any:
        """Return one project rendered, for its own file and its unit's combined one."""

    def document(self, pieces: Sequence[Any], jurisdiction: Jurisdiction) -> bytes:
        """Return the file of one prepared project, or the combined file of several."""

    def sources(self) -> list[variables.Source]: ...

    def headers_footers(self) -> list[tuple[str, str]]: ...


class _Compiled(Struct):
    """A compiled template and, once asked for, the names it uses and whether a build may use it
    (``problem``: "" when it may, the error when not)."""

    template: CompiledTemplate
    names: variables.Names | None = None
    problem: str | None = None


_cache: dict[tuple[str, str, str, str], _Compiled | TemplateError] = {}
#: Compiled templates kept per process (the one cache of compiled templates).
CACHE_SIZE = 32


def _compiled(kind: str, jurisdiction: Jurisdiction, table: str) -> _Compiled:
    """Return the compiled ``kind`` template of ``jurisdiction``'s table ``table`` (compiled on
    first use; one that cannot be compiled raises :class:`TemplateError`, every time)."""
    key = (kind, table, str(jurisdiction.folders), jurisdiction.fingerprint)
    if key not in _cache:
        if len(_cache) >= CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        try:
            _cache[key] = _Compiled(_compile(kind, jurisdiction, table))
        except TemplateError as exc:
            _cache[key] = exc
    found = _cache[key]
    if isinstance(found, TemplateError):
        raise TemplateError(str(found))
    return found


def checked(kind: str, jurisdiction: Jurisdiction,
            table: str = TARGET_TABLE) -> tuple[CompiledTemplate, variables.Names]:
    """Return the compiled ``kind`` template of ``jurisdiction``'s table ``table`` (``target``:
    the 绩效目标表) and the names it uses (compiled and checked on first use; a template that
    cannot be compiled raises :class:`TemplateError`, every time)."""
    found = _compiled(kind, jurisdiction, table)
    if found.names is None:
        found.names = variables.check(found.template.sources(), jurisdiction, table)
    return found.template, found.names


def compiled(kind: str, jurisdiction: Jurisdiction, table: str = TARGET_TABLE) -> CompiledTemplate:
    """Return the compiled ``kind`` template of ``jurisdiction``; a template using a name its
    data does not have (``project.fundng_source``) raises :class:`TemplateError` naming each,
    whether or not a spec would reach it.  The templates sheetgen ships are not checked again
    here: their check is in sheetgen's tests (see :func:`sheetgen.jurisdiction.shipped`)."""
    found = _compiled(kind, jurisdiction, table)
    if found.problem is None:  # worked out once per template and process
        found.problem = "" if jurisdiction.shipped else _problem(kind, jurisdiction, table)
    if found.problem:
        raise TemplateError(found.problem)
    return found.template


def _problem(kind: str, jurisdiction: Jurisdiction, table: str) -> str:
    """Return the error of a template using names its data does not have ("" when none)."""
    template, names = checked(kind, jurisdiction, table)
    if not names.problems:
        return ""
    shown = "；".join(str(p) for p in names.problems[:5])
    more = f"（共 {len(names.problems)} 处）" if len(names.problems) > 5 else ""
    return (f"{template.path}: 模板用到了数据里没有的名称：{shown}{more}"
            "（sheetgen templates check 列出模板用到的全部名称）")


def _compile(kind: str, jurisdiction: Jurisdiction, table: str) -> CompiledTemplate:
    if kind == "docx":
        from sheetgen.render.docx import compile_docx

        return compile_docx(jurisdiction, table)
    if kind == "xlsx":
        from sheetgen.render.xlsx import compile_xlsx

        return compile_xlsx(jurisdiction, table)
    raise ValueError(kind)
