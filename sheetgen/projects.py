"""Turning validated specs into model :class:`~sheetgen.model.Project` s."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sheetgen.model import Frozen, Project, tree_categories
from sheetgen.money import UNITS, convert
from sheetgen.validation import ValidatedSpec

#: Spec keys that are not header fields of the table: the indicator tree has its own
#: model, and ``vocabulary`` (words the unit allows) only informs the check.
NOT_PRINTED = ("indicators", "vocabulary")


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return Frozen({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _budget_in_table_unit(budget: Mapping[str, Any], table_unit: str) -> dict[str, Any]:
    """Return the budget with every amount converted exactly to the unit the table prints."""
    unit = str(budget.get("unit") or table_unit)
    out = {k: convert(v, unit, table_unit) if isinstance(v, Decimal) and unit in UNITS else v
           for k, v in budget.items()}
    out["unit"] = table_unit if unit in UNITS else unit
    return out


def to_project(spec: ValidatedSpec) -> Project:
    """Return the model of a validated spec (which must be ``ok``), with its 绩效自评 when the
    spec carries year-end data without errors."""
    if not spec.ok or spec.data is None or spec.jurisdiction is None:
        raise ValueError(f"{spec.file.display}: 有错误的说明不能生成表格")
    data = spec.data
    columns = spec.jurisdiction.column_keys
    categories = tree_categories(data["indicators"], columns)
    header = {k: v for k, v in data.items() if k not in NOT_PRINTED}
    if isinstance(header.get("budget"), Mapping):
        header["budget"] = _budget_in_table_unit(header["budget"], spec.jurisdiction.money_unit)
    header = _freeze(header)
    number = data.get("number") or spec.file.number
    evaluation = spec.evaluation if spec.year_end_ok else None
    return Project(key=str(spec.file.path), jurisdiction=spec.jurisdiction.name, number=int(number),
                   header=header, indicators=categories, columns=columns, evaluation=evaluation)
