"""The validation schema of a jurisdiction: the common core plus its own part.

Both parts are data (``core.yaml`` here, ``schema.yaml`` in the jurisdiction
folder); this module only puts them together and answers which label a YAML
path is printed with.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from sheetgen.jurisdiction import Jurisdiction
from sheetgen.spec.yamlload import read_plain

_CORE_FILE = Path(__file__).with_name("core.yaml")


@lru_cache(maxsize=1)
def core_schema() -> dict[str, Any]:
    """Return the common core schema (a fresh copy is made by callers)."""
    return read_plain(_CORE_FILE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def core_label(*path: str) -> str:
    """Return the printed label of a key every spec has (``core_label("unit", "name")``)."""
    rules: Any = core_schema()
    for index, part in enumerate(path):
        rules = rules[part] if index == 0 else rules["schema"][part]
    return str(rules["meta"]["label"])


def indicator_row_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Return the rules of one indicator row (the 三级 level) inside ``schema``."""
    return schema["indicators"]["valuesrules"]["valuesrules"]["valuesrules"]


def _rules(value: Any) -> Any:
    """Return a plain, changeable copy of a rule set kept frozen in the jurisdiction."""
    if isinstance(value, Mapping):
        return {k: _rules(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_rules(v) for v in value]
    return value


def build_schema(jurisdiction: Jurisdiction) -> dict[str, Any]:
    """Return the full Cerberus schema for specs of ``jurisdiction``."""
    schema = copy.deepcopy(core_schema())
    for found in jurisdiction.fields:
        schema[found.key] = _rules(found.rules)
    budget = schema["budget"]["schema"]
    budget["unit"]["default"] = jurisdiction.money_unit
    for found in jurisdiction.budget_fields:
        rules = _rules(found.rules)
        if rules.get("type") == "decimal":
            rules.setdefault("coerce", "money")
        budget[found.key] = rules
    row = indicator_row_schema(schema)
    for found in jurisdiction.indicator_fields:
        rules = _rules(found.rules)
        if rules.get("type") == "string":
            rules.setdefault("coerce", "text")
        row["schema"][found.key] = rules
    for rules in schema.values():
        if isinstance(rules, dict) and rules.get("type") == "decimal":
            rules.setdefault("coerce", "money")
        if isinstance(rules, dict) and rules.get("type") == "boolean":
            rules.setdefault("coerce", "yesno")
    return schema


def level_label(jurisdiction: Jurisdiction, level: int) -> str:
    """Return the printed header of indicator level 1, 2 or 3 (e.g. 一级目标)."""
    return jurisdiction.levels.label(level)


def label_for(path: tuple[str, ...], schema: Mapping[str, Any], jurisdiction: Jurisdiction) -> str:
    """Return the printed label of the field at ``path`` (e.g. 项目名称), or ''."""
    if not path:
        return ""
    if path[0] == "indicators":
        depth = len(path) - 1
        if depth == 0:
            return str(schema["indicators"].get("meta", {}).get("label", ""))
        if depth <= 3:
            return level_label(jurisdiction, depth)
        column = path[4]
        for col in jurisdiction.indicator_columns:
            if col.key == column:
                return col.label
        row_rules = indicator_row_schema(schema)["schema"].get(column, {})
        return str(row_rules.get("meta", {}).get("label", ""))
    rules: Any = schema
    label = ""
    for part in path:
        if not isinstance(rules, Mapping) or part not in rules:
            return label
        entry = rules[part]
        label = str(entry.get("meta", {}).get("label", label)) if isinstance(entry, Mapping) else label
        rules = entry.get("schema") if isinstance(entry, Mapping) else None
        if isinstance(rules, Mapping) and "type" in rules and not isinstance(rules.get("type"), Mapping):
            rules = None  # a list's item schema
    return label


def known_keys(path: tuple[str, ...], schema: Mapping[str, Any]) -> dict[str, str]:
    """Return the keys allowed in the mapping at ``path`` with their labels."""
    rules: Any = schema
    if path and path[0] == "indicators":
        if len(path) == 4:
            rules = indicator_row_schema(schema)["schema"]
        else:
            return {}
    else:
        for part in path:
            entry = rules.get(part, {}) if isinstance(rules, Mapping) else {}
            rules = entry.get("schema", {}) if isinstance(entry, Mapping) else {}
    if not isinstance(rules, Mapping):
        return {}
    return {
        key: str(entry.get("meta", {}).get("label", ""))
        for key, entry in rules.items()
        if isinstance(entry, Mapping)
    }
