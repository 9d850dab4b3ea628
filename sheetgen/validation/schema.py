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

import yaml

from sheetgen.jurisdiction import Jurisdiction

_CORE_FILE = Path(__file__).with_name("core.yaml")


@lru_cache(maxsize=1)
def core_schema() -> dict[str, Any]:
    """Return the common core schema (a fresh copy is made by callers)."""
    return yaml.safe_load(_CORE_FILE.read_text(encoding="utf-8"))


def indicator_row_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Return the rules of one indicator row (the 三级 level) inside ``schema``."""
    return schema["indicators"]["valuesrules"]["valuesrules"]["valuesrules"]


def build_schema(jurisdiction: Jurisdiction) -> dict[str, Any]:
    """Return the full Cerberus schema for specs of ``jurisdiction``."""
    schema = copy.deepcopy(core_schema())
    part = jurisdiction.schema
    for key, rules in (part.get("fields") or {}).items():
        schema[key] = copy.deepcopy(rules)
    budget = schema["budget"]["schema"]
    budget["unit"]["default"] = jurisdiction.money_unit
    for key, rules in (part.get("budget") or {}).items():
        rules = copy.deepcopy(rules)
        if rules.get("type") == "decimal":
            rules.setdefault("coerce", "money")
        budget[key] = rules
    row = indicator_row_schema(schema)
    for key, rules in (part.get("indicator") or {}).items():
        rules = copy.deepcopy(rules)
        if rules.get("type") == "string":
            rules.setdefault("coerce", "text")
        row["schema"][key] = rules
    for rules in schema.values():
        if isinstance(rules, dict) and rules.get("type") == "decimal":
            rules.setdefault("coerce", "money")
        if isinstance(rules, dict) and rules.get("type") == "boolean":
            rules.setdefault("coerce", "yesno")
    return schema


def level_label(jurisdiction: Jurisdiction, level: int) -> str:
    """Return the printed header of indicator level 1, 2 or 3 (e.g. 一级目标)."""
    labels = jurisdiction.description.get("level_labels", {})
    if level == 1:
        return str(labels.get("level1", "一级指标"))
    if level == 2:
        return str(labels.get("level2", "二级指标"))
    for column in jurisdiction.indicator_columns:
        if column.get("key") == "name":
            return str(column.get("label", "三级指标"))
    return "三级指标"


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
            if col.get("key") == column:
                return str(col.get("label", column))
        rules = indicator_row_schema(schema)["schema"].get(column, {})
        return str(rules.get("meta", {}).get("label", ""))
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
