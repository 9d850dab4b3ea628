"""Text as written: where the schema wants text, the characters the clerk typed.

YAML types a plain ``0100`` as the number 100, ``true`` as a boolean,
``2020-01-01 09:00:00`` as a timestamp.  The loader keeps the characters of
each such scalar (:attr:`sheetgen.spec.yamlload.Positions.texts`); this module
puts them back wherever the schema says the value is text -- indicator values
and columns, text header fields, list items -- so that the table shows
``0100``, not ``100``.  Typed fields (amounts, dates, 是/否, 年度) keep their type.
A YAML null (``~``, ``null``) stays blank: blank has its own meaning (to fill).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sheetgen.spec.files import LoadedSpec
from sheetgen.spec.yamlload import Path_

#: What YAML reads as "nothing" when written as a whole plain value.
NULL_WORDS = ("~", "null", "Null", "NULL")


def written(loaded: LoadedSpec, path: Path_) -> str | None:
    """Return the characters written for the scalar at ``path`` when YAML typed
    it as other than text (None for text, mappings, lists and empty values).

    The file that set the value is asked, as :meth:`LoadedSpec.locate` finds it:
    the spec (and its blocks) first, then the defaults innermost first.
    """
    for table in loaded.positions:
        if path in table.keys or path in table.values:
            return table.texts.get(path)
    return None


def as_written(data: Mapping[str, Any], schema: Mapping[str, Any] | TextFields, loaded: LoadedSpec) -> dict[str, Any]:
    """Return ``data`` with every non-text scalar where ``schema`` (or its :class:`TextFields`)
    wants text replaced by the characters written for it."""
    fields = schema if isinstance(schema, TextFields) else TextFields(schema)
    return fields.restored(data, loaded)


class TextFields:
    """Where a schema wants text, worked out once per schema (a jurisdiction's specs share it)."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self._fields = _keyed(schema)

    def restored(self, data: Mapping[str, Any], loaded: LoadedSpec) -> dict[str, Any]:
        """Return ``data`` (``loaded``'s) with every non-text scalar where text belongs
        replaced by the characters written for it (new mappings and lists down to them)."""
        return _restored_fields(data, self._fields, (), loaded)


class _Place:
    """What the rules of one value say about text: whether it is text, and where to look
    inside it (a mapping's fields, each value of a mapping, each item of a list)."""

    __slots__ = ("each", "fields", "item", "text")

    def __init__(self, rules: Mapping[str, Any]) -> None:
        types = rules.get("type")
        types = types if isinstance(types, list) else [types]
        keyed = rules.get("schema") if "dict" in types else None
        each = rules.get("valuesrules")
        item = rules.get("schema") if "list" in types else None
        self.fields = _keyed(keyed) if isinstance(keyed, Mapping) else None
        self.each = _Place(each) if isinstance(each, Mapping) else None
        self.item = _Place(item) if isinstance(item, Mapping) else None
        self.text = "string" in types

    def restored(self, value: Any, path: Path_, loaded: LoadedSpec) -> Any:
        """Return ``value`` (at ``path``) as written, where these rules want text."""
        if isinstance(value, (dict, Mapping)):  # (a dict is told apart in C, before the ABC)
            if self.fields is not None:
                return _restored_fields(value, self.fields, path, loaded)
            if self.each is not None:
                each = self.each
                return {k: v if v is None or isinstance(v, str) else each.restored(v, (*path, str(k)), loaded)
                        for k, v in value.items()}
            return value
        if isinstance(value, list):
            if self.item is not None:
                item = self.item
                return [v if v is None or isinstance(v, str) else item.restored(v, (*path, str(i)), loaded)
                        for i, v in enumerate(value)]
            return value
        if self.text and value is not None and not isinstance(value, str):
            text = written(loaded, path)
            return value if text is None else text
        return value


def _keyed(schema: Mapping[str, Any]) -> dict[Any, _Place]:
    """Return the :class:`_Place` of each field of ``schema`` that has rules."""
    return {key: _Place(rules) for key, rules in schema.items() if isinstance(rules, Mapping)}


def _restored_fields(value: Mapping[Any, Any], fields: Mapping[Any, _Place], path: Path_,
                     loaded: LoadedSpec) -> dict[Any, Any]:
    """Return a new dict of ``value`` with each field restored by its place (text and
    blanks stay as they are: there is nothing to restore in them)."""
    out = {}
    for key, child in value.items():
        place = fields.get(key)
        out[key] = child if place is None or child is None or isinstance(child, str) \
            else place.restored(child, (*path, str(key)), loaded)
    return out
