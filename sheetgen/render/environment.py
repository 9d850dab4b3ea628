"""The Jinja sandbox both renderers compile their templates in: the same filters, tests,
tags and the same strictness, so a Word and an Excel template accept and refuse alike.

A name the data does not have is an error whose message names it and what exists there
(:class:`Undefined`): ``没有字段 project.purpse（这里可用的字段：…）``.  Only printing
differs by format: Word output is escaped XML, Excel output plain text; both print typed
values through :func:`sheetgen.render.context.format_value`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from jinja2 import StrictUndefined, pass_context
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import missing

from sheetgen.model import Merged, Row, rows_of, tree_categories
from sheetgen.render.context import (
    JURISDICTION_KEY,
    LOOP_FIELDS,
    MERGED_FIELDS,
    NAMES,
    ROW_FIELDS,
    Fields,
)


def row_fields(row: Row) -> tuple[str, ...]:
    """Return the fields of an indicator row: :data:`ROW_FIELDS` and its extra columns."""
    return (*ROW_FIELDS, *row.indicator.extras)


def no_name(name: str) -> str:
    """Return the message of a name no template can use (``projct``)."""
    return f"没有“{name}”这个名称（模板可用的名称：{'、'.join(NAMES)}；循环里还有循环变量和 loop）"


def no_field(dotted: str, known: Iterable[str]) -> str:
    """Return the message of a field ``dotted`` (``project.purpse``) its data does not have,
    with the ``known`` ones."""
    return f"没有字段 {dotted}（这里可用的字段：{'、'.join(sorted(known))}）"


class Undefined(StrictUndefined):
    """StrictUndefined whose message names the missing name or field and the known ones."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        obj, name = self._undefined_obj, self._undefined_name
        if obj is missing and isinstance(name, str) and not name.startswith("sheetgen_"):
            return no_name(name)
        if isinstance(obj, Fields):
            return no_field(f"{obj._path}{name}", obj._data)
        if isinstance(obj, Row):
            return f"没有字段 row.{name}（指标行可用的字段：{'、'.join(row_fields(obj))}）"
        if isinstance(obj, Merged):
            return f"一级/二级单元格没有“{name}”（可用的：{'、'.join(MERGED_FIELDS)}）"
        if type(obj).__name__ in ("LoopContext", "LoopInfo"):
            return f"loop 没有“{name}”（可用的：{'、'.join(LOOP_FIELDS)}）"
        return str(super()._undefined_message)


def vm_start(cell: Any) -> bool:
    """Return whether a ``{%vm %}`` cell opens a merge (a plain value always does)."""
    return cell.start if isinstance(cell, Merged) else True


def vm_text(cell: Any) -> Any:
    """Return what a ``{%vm %}`` cell prints: the text on the opening row, else nothing."""
    if isinstance(cell, Merged):
        return cell.text if cell.start else ""
    return cell


@pass_context
def indicator_rows(context: Context, tree: Any) -> list[Row]:
    """Return the rows of a three-level indicator mapping held by a header field (a second
    indicator table, e.g. 实施期绩效指标 printed apart from the year's): merged 一级/二级
    cells and the format's columns exactly as ``rows`` gives the spec's own indicators."""
    if tree is None:
        return []
    if not isinstance(tree, Mapping):
        raise TypeError("indicator_rows 只能用于 一级 → 二级 → 三级 的指标字段")
    columns = context[JURISDICTION_KEY].column_keys
    return list(rows_of(tree_categories(tree, columns), columns))


_ROW_NAMES = frozenset(ROW_FIELDS)
_MERGED_NAMES = frozenset(MERGED_FIELDS)


_SAFE_LIMIT = 4096  # (type, name) answers of the attribute check kept per environment


class Sandbox(SandboxedEnvironment):
    """The sandbox, reading the renderers' own data directly: a field of a :class:`Fields`
    view (only keys, no methods), a row's or a merged cell's fields; anything else -- and any
    other name of these -- goes through the sandbox's checks, whose answer is kept per
    (type, name): it depends on nothing else (:func:`jinja2.sandbox.is_internal_attribute`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._safe: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Return whether templates may read ``obj.attr`` (Jinja's answer, kept per type and name)."""
        key = (type(obj), attr)
        safe = self._safe.get(key)
        if safe is None:
            safe = super().is_safe_attribute(obj, attr, value)
            if len(self._safe) >= _SAFE_LIMIT:
                self._safe.clear()
            self._safe[key] = safe
        return safe

    def getattr(self, obj: Any, attribute: str) -> Any:
        kind = type(obj)
        if kind is Fields:
            data = obj._data
            if attribute in data:
                return data[attribute]
        elif kind is Row:
            if attribute in _ROW_NAMES:
                return getattr(obj, attribute)
            extras = obj.indicator.extras
            if attribute in extras:
                return extras[attribute]
        elif kind is Merged and attribute in _MERGED_NAMES:
            return getattr(obj, attribute)
        return super().getattr(obj, attribute)


def sandbox(*, autoescape: bool, finalize: Callable[..., Any]) -> SandboxedEnvironment:
    """Return a sandboxed environment for one template: strict :class:`Undefined`, Jinja's
    built-in filters and tests, ``break``/``continue``, the ``indicator_rows`` filter, and the
    renderers' own ``sheetgen_vm_text`` filter and ``sheetgen_vm_start`` test (``{%vm %}`` cells)."""
    env = Sandbox(
        autoescape=autoescape,
        undefined=Undefined,
        finalize=finalize,
        keep_trailing_newline=True,
        auto_reload=False,
        extensions=["jinja2.ext.loopcontrols"],
    )
    env.filters["indicator_rows"] = indicator_rows
    env.filters["sheetgen_vm_text"] = vm_text  # filters and tests are called directly (no sandbox check)
    env.tests["sheetgen_vm_start"] = vm_start
    return env
