"""The JSON Schema of a jurisdiction's own files (``jurisdiction.yaml``, ``schema.yaml``), a view
of their declared shape (:mod:`sheetgen.jurisdiction.shape`): an editor completes every key and
shows what it means while a format author edits a copied format."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sheetgen.jurisdiction import shape

DRAFT = "http://json-schema.org/draft-07/schema#"
_TYPES = {"string": "string", "integer": "integer", "decimal": "number", "float": "number", "number": "number",
          "boolean": "boolean", "list": "array", "dict": "object"}  # fmt: skip


def _node(rules: Mapping[str, Any]) -> dict[str, Any]:
    """Return the JSON Schema of one declared key."""
    out: dict[str, Any] = {}
    meta = rules.get("meta") or {}
    if meta.get("label"):
        out["title"] = str(meta["label"])
    described = "；".join(str(meta[k]) for k in ("description", "example") if meta.get(k))
    if meta.get("default"):
        described += f"（不写时：{meta['default']}）"
    if described:
        out["description"] = f"{meta.get('label', '')}：{described}" if meta.get("label") else described
    kinds = rules.get("type")
    if kinds is not None:
        listed = kinds if isinstance(kinds, list) else [kinds]
        names = list(dict.fromkeys(_TYPES.get(str(k), "string") for k in listed))
        out["type"] = names[0] if len(names) == 1 else names
    if "allowed" in rules:
        out["enum"] = list(rules["allowed"])
    if "regex" in rules:
        out["pattern"] = f"^(?:{rules['regex']})$"
    if "min" in rules:
        out["minimum"] = rules["min"]
    if "max" in rules:
        out["maximum"] = rules["max"]
    if rules.get("empty") is False and kinds == "string":
        out["minLength"] = 1
    schema, values = rules.get("schema"), rules.get("valuesrules")
    if kinds == "list" and isinstance(schema, Mapping):
        out["items"] = _node(schema)
    elif isinstance(schema, Mapping):
        out.update(_object(schema, closed=not rules.get("allow_unknown")))
    if isinstance(values, Mapping):
        out["additionalProperties"] = _node(values)
    return out


def _object(keys: Mapping[str, Any], *, closed: bool = True) -> dict[str, Any]:
    props = {str(key): _node(rule) for key, rule in keys.items() if isinstance(rule, Mapping)}
    required = [str(key) for key, rule in keys.items() if isinstance(rule, Mapping) and rule.get("required")]
    out: dict[str, Any] = {"properties": props}
    if closed:
        out["additionalProperties"] = False
    if required:
        out["required"] = required
    return out


def format_file_schema(filename: str) -> dict[str, Any]:
    """Return the JSON Schema (draft-07) of a jurisdiction's ``filename`` (``jurisdiction.yaml``
    or ``schema.yaml``)."""
    declared = shape.shapes()[filename]
    return {
        "$schema": DRAFT,
        "$comment": "由 sheetgen schema --format-file 生成，请勿手改",
        "title": f"表格格式的 {filename}",
        "type": "object",
        **_object(declared),
    }
