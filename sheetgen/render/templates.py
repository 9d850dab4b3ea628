"""Compiled templates by kind, compiled once per process and jurisdiction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sheetgen.jurisdiction import Jurisdiction
from sheetgen.model import Project


class CompiledTemplate(Protocol):
    """What every compiled template offers: render projects to file bytes (``paged``:
    with the page breaks sheetgen places; without, for a reader that pages itself); or render
    each project once (``prepare``) and make its file and its unit's 汇总 of those renders
    (``document``)."""

    def render(self, projects: Sequence[Project], jurisdiction: Jurisdiction, *, paged: bool = True) -> bytes: ...

    def prepare(self, project: Project, jurisdiction: Jurisdiction) -> Any:
        """Return one project rendered, for its own file and its unit's combined one."""

    def document(self, pieces: Sequence[Any], jurisdiction: Jurisdiction) -> bytes:
        """Return the file of one prepared project, or the combined file of several."""


_cache: dict[tuple[str, str, str], CompiledTemplate] = {}
#: Compiled templates kept per process (the one cache of compiled templates).
CACHE_SIZE = 32


def compiled(kind: str, jurisdiction: Jurisdiction) -> CompiledTemplate:
    """Return the compiled ``kind`` template of ``jurisdiction`` (compiled on first use, then
    kept while the jurisdiction's fingerprint is the same)."""
    key = (kind, str(jurisdiction.folders), jurisdiction.fingerprint)
    if key not in _cache:
        if len(_cache) >= CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        if kind == "docx":
            from sheetgen.render.docx import compile_docx

            _cache[key] = compile_docx(jurisdiction)
        elif kind == "xlsx":
            from sheetgen.render.xlsx import compile_xlsx

            _cache[key] = compile_xlsx(jurisdiction)
        else:
            raise ValueError(kind)
    return _cache[key]
