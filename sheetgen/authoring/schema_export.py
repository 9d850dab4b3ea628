"""The spec's JSON Schema (draft-07), generated from the Cerberus schema data.

:func:`spec_schema` converts ``build_schema(jurisdiction)`` -- the same
``core.yaml`` + ``schema.yaml`` rules ``sheetgen check`` uses -- into a JSON
Schema an editor understands (VS Code's YAML extension: completion, hover
help, red underlines).  Draft-07 because that is the draft the YAML language
server supports fully.

* Every field has a ``title`` (the printed label, ``meta.label``) and a
  ``description`` (``meta.description``, or one made from the type).
* Mappings with a fixed set of keys are ``additionalProperties: false``
  (Cerberus refuses unknown keys too).
* Dates are strings with ``format: date`` (the YAML language server reads
  ``2020-01-01`` as text); amounts are a number or a numeric string such as
  ``"2,468,000"``; 是/否 fields take ``true``/``false`` or ``是``/``否``.
* The indicator tree lists the jurisdiction's 一级/二级 names (``properties``
  for completion, ``propertyNames`` ``enum`` to flag others -- for sheetgen
  an unknown name is only a warning) and ``include`` at each level; a row is
  a value (compact form) or a mapping of ``value`` and the extra columns.
* Nothing is ``required`` (unless ``complete``): a spec file may leave any
  key to ``_defaults.yaml`` or a shared block, so only the merged spec can
  be complete -- ``sheetgen check`` says what is missing.  ``complete=True``
  gives the schema of a merged spec (every ``required`` key), for tools.

:func:`any_schema` accepts a spec of any of several jurisdictions: ``anyOf``
the per-jurisdiction schemas, each fixing ``jurisdiction`` to its name (a
spec file usually leaves ``jurisdiction`` to ``_defaults.yaml``, so an
``if``/``then`` on it would rarely apply).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from sheetgen.jurisdiction import Jurisdiction
from sheetgen.spec.blocks import INCLUDE_KEY
from sheetgen.validation.schema import build_schema, indicator_row_schema, level_label

DRAFT = "http://json-schema.org/draft-07/schema#"
MODELINE = "# yaml-language-server: $schema="
#: Cerberus rules this module turns into JSON Schema; any other rule in a
#: jurisdiction's schema.yaml is left out (see :func:`unsupported_rules`).
HANDLED = frozenset({
    "type", "required", "nullable", "empty", "allowed", "min", "max", "minlength", "maxlength", "regex",
    "schema", "keysrules", "valuesrules", "meta", "default", "coerce",
})  # fmt: skip
_SCALARS = ["string", "number", "boolean"]
_YES_NO = ["是", "否"]


def _money_pattern() -> str:
    """Return the pattern of an amount written as text (the validator's own)."""
    from sheetgen.validation.cerberus_check import _MONEY_TEXT

    return _MONEY_TEXT.pattern


def _described(label: str, rules: Mapping[str, Any], kind: str) -> str:
    """Return the description of a field: its ``meta.description`` or one made from its type."""
    meta = rules.get("meta") or {}
    text = str(meta.get("description") or "")
    if not text:
        text = {
            "decimal": "金额，只写数字，如 2468000 或 26.50（金额单位见 budget.unit）",
            "date": "日期，写成 2020-01-01",
            "boolean": "是/否：写 true（是）或 false（否）",
            "integer": "整数",
            "list": "列表，每项一行，以“- ”开头",
            "dict": "下面逐项写“键: 值”",
        }.get(kind, "文字；多段时可用 |- 写成多行" if meta.get("long_text") else "文字")
    if text == label:
        text = "文字"
    if rules.get("required"):
        text += "（必填；可以先空着，sheetgen check 会提示“尚未填写”）" if rules.get("nullable") else "（必填）"
    return f"{label}：{text}"


class _Exporter:
    """Converts one jurisdiction's Cerberus schema; collects shared definitions."""

    def __init__(self, jurisdiction: Jurisdiction, complete: bool):
        self.jurisdiction = jurisdiction
        self.complete = complete
        self.prefix = re.sub(r"[^\w-]", "_", jurisdiction.name)
        self.definitions: dict[str, Any] = {}

    def ref(self, name: str) -> dict[str, str]:
        return {"$ref": f"#/definitions/{self.prefix}.{name}"}

    # ------------------------------------------------------------------ fields

    def field(self, key: str, rules: Mapping[str, Any]) -> dict[str, Any]:
        """Return the JSON Schema of one Cerberus field."""
        types = rules.get("type", "string")
        types = list(types) if isinstance(types, list) else [types]
        label = str((rules.get("meta") or {}).get("label") or key)
        options = [self._typed(kind, rules) for kind in types]
        if "allowed" in rules:
            options = [{"enum": list(rules["allowed"])}]
        if rules.get("nullable"):
            options.append({"type": "null"})
        out = _union(options)
        out["title"] = label
        out["description"] = _described(label, rules, types[0])
        if "default" in rules:
            out["default"] = rules["default"]
        return out

    def _typed(self, kind: str, rules: Mapping[str, Any]) -> dict[str, Any]:
        coerce = rules.get("coerce")
        if kind == "string":
            out: dict[str, Any] = {"type": list(_SCALARS) if coerce == "text" else "string"}
            if rules.get("empty") is False:
                out["minLength"] = 1
            if "minlength" in rules:
                out["minLength"] = rules["minlength"]
            if "maxlength" in rules:
                out["maxLength"] = rules["maxlength"]
            if "regex" in rules:
                out["pattern"] = f"^(?:{rules['regex']})$"
            return out
        if kind in ("integer", "decimal"):
            number: dict[str, Any] = {"type": "integer" if kind == "integer" else "number"}
            if "min" in rules:
                number["minimum"] = rules["min"]
            if "max" in rules:
                number["maximum"] = rules["max"]
            if kind == "decimal" and coerce == "money":
                return {"anyOf": [number, {"type": "string", "pattern": _money_pattern()}]}
            return number
        if kind == "date":
            return {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
        if kind == "boolean":
            if coerce == "yesno":
                return {"anyOf": [{"type": "boolean"}, {"enum": list(_YES_NO)}]}
            return {"type": "boolean"}
        if kind == "dict":
            return self._mapping(rules)
        if kind == "list":
            out = {"type": "array"}
            items = rules.get("schema")
            if isinstance(items, Mapping):
                out["items"] = self._item(items)
            if rules.get("empty") is False:
                out["minItems"] = 1
            return out
        raise ValueError(f"sheetgen schema: 不支持的字段类型 {kind}")

    def _item(self, rules: Mapping[str, Any]) -> dict[str, Any]:
        """Return the schema of a list item (a Cerberus rules set without a label)."""
        label = str((rules.get("meta") or {}).get("label") or "")
        if label:
            return self.field("", rules)
        types = rules.get("type", "string")
        options = [self._typed(kind, rules) for kind in (types if isinstance(types, list) else [types])]
        if rules.get("nullable"):
            options.append({"type": "null"})
        return _union(options)

    def _mapping(self, rules: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "object"}
        schema = rules.get("schema")
        if isinstance(schema, Mapping):
            out.update(self.properties(schema))
        else:
            if isinstance(rules.get("keysrules"), Mapping):
                out["propertyNames"] = {
                    k: v for k, v in self._typed("string", rules["keysrules"]).items() if k != "type"
                }
            if isinstance(rules.get("valuesrules"), Mapping):
                out["additionalProperties"] = self._item(rules["valuesrules"])
        if rules.get("empty") is False:
            out["minProperties"] = 1
        return out

    def properties(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        """Return ``properties`` (and ``required``, when complete) of a fixed-key mapping."""
        props = {key: self.field(key, rules) for key, rules in schema.items() if isinstance(rules, Mapping)}
        out: dict[str, Any] = {"properties": props, "additionalProperties": False}
        required = [key for key, rules in schema.items() if isinstance(rules, Mapping) and rules.get("required")]
        if self.complete and required:
            out["required"] = required
        return out

    # ------------------------------------------------------------------ the indicator tree

    def include(self) -> dict[str, Any]:
        """Return the schema of the ``include`` key (shared indicator blocks)."""
        from sheetgen.validation.schema import core_schema

        meta = (core_schema()["indicators"].get("meta") or {}).get("include") or {}
        label = str(meta["label"])
        path = {"type": "string", "minLength": 1}
        return {
            "title": label,
            "description": f"{label}：{meta.get('description', '')}",
            "anyOf": [path, {"type": "array", "items": path, "minItems": 1}],
        }

    def tree(self, rules: Mapping[str, Any]) -> dict[str, Any]:
        """Return the schema of ``indicators`` and define its levels and rows."""
        j = self.jurisdiction
        label1, label2, label3 = (level_label(j, n) for n in (1, 2, 3))
        self.definitions[f"{self.prefix}.row"] = self.row(rules)
        level2 = self._level(f"{label2}（下面逐行写{label3}: 指标值；空着表示这一组没有指标）", (), self.ref("row"),
                             minimum=0)
        self.definitions[f"{self.prefix}.level2"] = {**level2, "type": ["object", "null"]}
        self.definitions[f"{self.prefix}.level1"] = self._level(
            f"{label1}（下面列出{label2}）", j.level2_names, self.ref("level2"), minimum=1
        )
        label = str(rules["meta"]["label"])
        out = self._level(label, j.level1_names, self.ref("level1"), minimum=1 if rules.get("empty") is False else 0)
        names = "、".join(j.level1_names)
        out["description"] = f"{label}：{label1} → {label2} → {label3}，按表上的顺序" + (
            f"；{label1}可用：{names}" if names else ""
        )
        return out

    def _level(self, title: str, names: Sequence[str], child: dict[str, str], minimum: int) -> dict[str, Any]:
        props: dict[str, Any] = {name: dict(child) for name in names}
        props[INCLUDE_KEY] = self.include()
        out: dict[str, Any] = {
            "type": "object",
            "title": title,
            "properties": props,
            "additionalProperties": dict(child),
        }
        out["propertyNames"] = {"enum": [*names, INCLUDE_KEY]} if names else {"minLength": 1}
        if names:
            out["description"] = f"{title}：可用的名称有 {'、'.join(names)}"
        else:
            out["description"] = title
        if minimum:
            out["minProperties"] = minimum
        return out

    def row(self, tree: Mapping[str, Any]) -> dict[str, Any]:
        """Return the schema of one indicator row: compact value or full form."""
        rules = indicator_row_schema({"indicators": tree})
        columns = {c.key: c.label for c in self.jurisdiction.indicator_columns}
        labelled = {
            key: {**rule, "meta": {**(rule.get("meta") or {}), "label": columns[key]}} if key in columns else rule
            for key, rule in (rules.get("schema") or {}).items()
        }
        full = self.properties(labelled)
        value = columns.get("value") or str(rules["schema"]["value"]["meta"]["label"])
        compact = {
            "type": [*_SCALARS, "null"],
            "title": value,
            "description": f"{value}（简写：名称: 值）：比较式如 ≥90%、=100%、≤26.5万，或文字如 合理、提升",
        }
        keys = "、".join(full["properties"])
        return {
            "title": level_label(self.jurisdiction, 3),
            "description": f"{level_label(self.jurisdiction, 3)}：写成“名称: 指标值”，或需要更多列时写成映射（{keys}）",
            "oneOf": [compact, {"type": "object", "title": "完整写法", "description": f"可写：{keys}", **full}],
        }


def _union(options: list[dict[str, Any]]) -> dict[str, Any]:
    """Return one schema accepting any of ``options`` (types merged when that is exact)."""
    options = [inner for option in options for inner in (option["anyOf"] if set(option) == {"anyOf"} else [option])]
    if len(options) == 1:
        return dict(options[0])
    simple = all(set(o) == {"type"} for o in options[1:]) and "anyOf" not in options[0]
    if simple:
        merged = dict(options[0])
        kinds = merged["type"] if isinstance(merged.get("type"), list) else [merged.get("type")]
        for option in options[1:]:
            kinds += option["type"] if isinstance(option["type"], list) else [option["type"]]
        if None not in kinds:
            merged["type"] = kinds
            return merged
    return {"anyOf": options}


def _format_year(jurisdiction: Jurisdiction) -> str:
    year = jurisdiction.format_year
    return f"{year} 年度格式，" if year else ""


def _branch(jurisdiction: Jurisdiction, complete: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the schema of specs of ``jurisdiction`` and the definitions it refers to."""
    exporter = _Exporter(jurisdiction, complete)
    schema = build_schema(jurisdiction)
    tree_rules = schema.pop("indicators")
    body = exporter.properties(schema)
    body["properties"]["indicators"] = exporter.tree(tree_rules)
    if complete:
        body.setdefault("required", []).append("indicators")
    body["properties"]["jurisdiction"].update(
        {
            "enum": [jurisdiction.name],
            "description": f"格式：本文件用“{jurisdiction.title}”（{jurisdiction.name}），通常写在 _defaults.yaml 里",
        }
    )
    body["properties"]["jurisdiction"].pop("type", None)
    body["properties"]["jurisdiction"].pop("minLength", None)
    out = {
        "type": "object",
        "title": f"绩效目标表项目说明（{jurisdiction.title}）",
        "description": f"一个项目的说明：表头各项、预算和绩效指标。格式 {jurisdiction.name}，"
        f"{_format_year(jurisdiction)}金额单位 {jurisdiction.money_unit}。",
        **body,
    }
    return out, exporter.definitions


def spec_schema(jurisdiction: Jurisdiction, *, complete: bool = False) -> dict[str, Any]:
    """Return the JSON Schema (draft-07) of a spec file of ``jurisdiction``."""
    body, definitions = _branch(jurisdiction, complete)
    return {
        "$schema": DRAFT,
        "$comment": "由 sheetgen schema 生成，请勿手改；格式改了就重新生成",
        **body,
        "definitions": definitions,
    }


def any_schema(jurisdictions: Sequence[Jurisdiction], *, complete: bool = False) -> dict[str, Any]:
    """Return a JSON Schema (draft-07) accepting a spec file of any of ``jurisdictions``."""
    definitions: dict[str, Any] = {}
    branches = []
    for jurisdiction in jurisdictions:
        body, defs = _branch(jurisdiction, complete)
        definitions.update(defs)
        name = re.sub(r"[^\w-]", "_", jurisdiction.name)
        definitions[name] = body
        branches.append({"$ref": f"#/definitions/{name}"})
    names = "、".join(f"{j.name}（{j.title}）" for j in jurisdictions)
    return {
        "$schema": DRAFT,
        "$comment": "由 sheetgen schema 生成，请勿手改；格式改了就重新生成",
        "title": "绩效目标表项目说明",
        "description": f"一个项目的说明，可用的格式：{names}",
        "anyOf": branches,
        "definitions": definitions,
    }


def unsupported_rules(rules: Any, path: str = "") -> Iterator[str]:
    """Return ``path: rule`` for every Cerberus rule in ``rules`` this exporter leaves out."""
    if not isinstance(rules, Mapping):
        return
    for key, entry in rules.items():
        if not isinstance(entry, Mapping):
            continue
        where = f"{path}.{key}" if path else str(key)
        for rule in entry:
            if rule not in HANDLED:
                yield f"{where}: {rule}"
        if isinstance(entry.get("schema"), Mapping):
            inner = entry["schema"]
            yield from unsupported_rules({"[]": inner} if "type" in inner else inner, where)
        for nested in ("keysrules", "valuesrules"):
            if isinstance(entry.get(nested), Mapping):
                yield from unsupported_rules({nested: entry[nested]}, where)


def to_json(schema: Mapping[str, Any]) -> str:
    """Return ``schema`` as JSON text (Chinese unescaped, two-space indent, final newline)."""
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def modeline(schema_file: Path, spec_folder: Path) -> str:
    """Return the first line that makes VS Code's YAML extension use
    ``schema_file`` for a spec in ``spec_folder`` (path relative to it)."""
    import os

    relative = os.path.relpath(schema_file.resolve(), spec_folder.resolve())
    return f"{MODELINE}{Path(relative).as_posix()}"
