"""Turning validated specs into model :class:`~sheetgen.model.Project` s."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sheetgen.model import Category, Frozen, Group, Indicator, Project
from sheetgen.validation import ValidatedSpec


def _indicator(name: str, row: Any) -> Indicator:
    if isinstance(row, Mapping):
        extras = {k: v for k, v in row.items() if k not in ("value", "description")}
        return Indicator(name=name, value=row.get("value"), description=row.get("description"),
                         extras=Frozen(extras))
    return Indicator(name=name, value=None if row is None else str(row))


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return Frozen({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def to_project(spec: ValidatedSpec) -> Project:
    """Return the model of a validated spec (which must be ``ok``)."""
    if not spec.ok or spec.data is None or spec.jurisdiction is None:
        raise ValueError(f"{spec.file.display}: 有错误的说明不能生成表格")
    data = spec.data
    categories = tuple(
        Category(str(level1), tuple(
            Group(str(level2), tuple(_indicator(str(name), row) for name, row in (rows or {}).items()))
            for level2, rows in (groups or {}).items()
        ))
        for level1, groups in data["indicators"].items()
    )
    header = _freeze({k: v for k, v in data.items() if k != "indicators"})
    number = data.get("number") or spec.file.number
    return Project(key=str(spec.file.path), jurisdiction=spec.jurisdiction.name, number=int(number),
                   header=header, indicators=categories)
