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


def as_written(data: Mapping[str, Any], schema: Mapping[str, Any], loaded: LoadedSpec) -> dict[str, Any]:
    """Return ``data`` with every non-text scalar where ``schema`` wants text
    replaced by the characters written for it."""
    return {key: _restore(value, schema.get(key), (str(key),), loaded) for key, value in data.items()}


def _restore(value: Any, rules: Any, path: Path_, loaded: LoadedSpec) -> Any:
    if not isinstance(rules, Mapping):
        return value
    types = rules.get("type")
    types = types if isinstance(types, list) else [types]
    if isinstance(value, Mapping):
        keyed = rules.get("schema") if "dict" in types else None
        each = rules.get("valuesrules")
        if isinstance(keyed, Mapping):
            return {k: _restore(v, keyed.get(k), (*path, str(k)), loaded) for k, v in value.items()}
        if isinstance(each, Mapping):
            return {k: _restore(v, each, (*path, str(k)), loaded) for k, v in value.items()}
        return value
    if isinstance(value, list):
        item = rules.get("schema") if "list" in types else None
        if isinstance(item, Mapping):
            return [_restore(v, item, (*path, str(i)), loaded) for i, v in enumerate(value)]
        return value
    if "string" in types and value is not None and not isinstance(value, str):
        text = written(loaded, path)
        return value if text is None else text
    return value
