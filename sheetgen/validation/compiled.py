"""Compiled schemas: a Cerberus schema's rules as plain Python, for the documents that pass.

Cerberus stays the judge of every spec.  A compiled schema only answers "this document
passes, and Cerberus would normalize it to this": the same defaults, coercions, copies
and key order.  For any document it cannot vouch for -- anything wrong in it, a value of
an unusual kind -- it answers None, and Cerberus validates the document (and every message
comes from its errors) as before.  A schema using a rule or setting the compiled form does
not know is not compiled at all (:func:`compile_schema` returns None).

Compiled once per jurisdiction (:class:`sheetgen.validation.cerberus_check.SchemaCheck`),
it turns the ~0.3 ms Cerberus spends on a valid spec's header into a few microseconds.  It is
compiled from the schema as written, with the value types and coercions of
:mod:`sheetgen.spec.values`, without Cerberus: a cold check of valid specs never imports it.
The schema is that of a validator with Cerberus's default settings (no ``allow_unknown``,
``purge_unknown``, ``require_all`` ...), as :func:`sheetgen.spec.validator.trusted` makes them;
Cerberus expands no rule it follows (only shorthands such as ``anyof_type`` and the old names
``keyschema``, ``valueschema``, ``validator``), so its own copy of such a schema is the same.
The rules followed are those of Cerberus 1.3 (``cerberus/validator.py``):

* normalizing a mapping: ``default`` for each field missing or None-but-not-nullable (in
  schema order, so new keys come last), then ``coerce`` on every field, then the
  containers: ``keysrules``, ``valuesrules`` and ``schema`` of a mapping, ``schema`` of a list
  (each normalized into a new dict or list);
* validating a field: None passes if ``nullable`` and skips the rest; then ``type``; an empty
  value with an ``empty`` rule passes if it is true and skips ``allowed`` and ``regex``; then
  ``allowed``, ``regex``, ``min``, ``max`` (a comparison of unlike types is no error) and the
  contents; a field the schema does not name fails; a ``required`` one must be there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence, Sized
from typing import Any

from sheetgen.spec.values import COERCIONS, VALUE_TYPES

#: The rules a compiled schema follows; a schema using any other is left to Cerberus alone.
KNOWN_RULES = frozenset({
    "type", "required", "nullable", "empty", "allowed", "min", "max", "regex",
    "schema", "keysrules", "valuesrules", "coerce", "default", "meta",
})


class _Unsupported(Exception):
    """A rule or setting the compiled form does not follow."""


class _Fail:
    """The answer "not vouched for": the document goes to Cerberus."""


FAIL: Any = _Fail()


class _Field:
    """The compiled rules of one field (or of each value, item or key a rule describes)."""

    __slots__ = ("allowed", "coerce", "default", "each", "empty", "has_allowed", "has_default",
                 "has_max", "has_min", "items", "keyed", "keys", "maximum", "minimum", "nullable",
                 "regex", "required", "types")

    def __init__(self, rules: Any) -> None:
        if not isinstance(rules, Mapping) or not KNOWN_RULES.issuperset(rules):
            raise _Unsupported(rules)
        self.nullable = bool(rules.get("nullable", False))
        self.required = rules.get("required", False) is True
        self.types = _types(rules.get("type"))
        self.empty: bool | None = bool(rules["empty"]) if "empty" in rules else None
        self.has_allowed = "allowed" in rules
        self.allowed: Any = rules.get("allowed")
        self.has_min, self.minimum = "min" in rules, rules.get("min")
        self.has_max, self.maximum = "max" in rules, rules.get("max")
        self.regex = _regex(rules["regex"]) if "regex" in rules else None
        self.coerce = _coercer(rules["coerce"]) if "coerce" in rules else None
        self.has_default, self.default = "default" in rules, rules.get("default")
        self.keyed: _Keyed | None = None  # a mapping's fields (``schema`` of a dict)
        self.items: _Field | None = None  # a list's items (``schema`` of a list)
        declared = rules.get("type")
        if "schema" in rules:
            if declared == "dict" or declared == ["dict"]:
                self.keyed = _Keyed(rules["schema"])
            elif declared == "list" or declared == ["list"]:
                self.items = _Field(rules["schema"])
            else:
                raise _Unsupported(rules)
        self.each = _Field(rules["valuesrules"]) if "valuesrules" in rules else None
        if self.each is not None and self.keyed is not None:
            raise _Unsupported(rules)
        self.keys = _Field(rules["keysrules"]) if "keysrules" in rules else None
        if self.keys is not None and (self.keys.coerce or self.keys.has_default or self.keys.keyed
                                      or self.keys.items or self.keys.each or self.keys.keys):
            raise _Unsupported(rules)  # normalizing the keys would change them

    def member(self, value: Any) -> Any:
        """Return a value this rule set describes in a mapping or list of them (``valuesrules``,
        a list's ``schema``) normalized and checked, or FAIL."""
        if value is None and self.has_default and not self.nullable:
            value = self.default
        if self.coerce is not None:
            value = self.coerce(value)
        return self.settle(value)

    def settle(self, value: Any) -> Any:
        """Return ``value`` (defaulted and coerced already) with its contents normalized, when
        it passes every rule, else FAIL."""
        if isinstance(value, str):
            pass  # the usual value: nothing inside to normalize
        elif isinstance(value, (dict, Mapping)):  # (a dict is told apart in C, before the ABC)
            if self.keyed is not None or self.each is not None or self.keys is not None:
                if type(value) is not dict:
                    return FAIL
                if self.keys is not None and any(self.keys.settle(key) is FAIL for key in value):
                    return FAIL
                if self.each is not None:
                    value = self._each(value)
                elif self.keyed is not None:
                    value = self.keyed.settle(value)
                if value is FAIL:
                    return FAIL
        elif self.items is not None and isinstance(value, Sequence) and not isinstance(value, str):
            if type(value) is not list:
                return FAIL
            value = self._items(value)
            if value is FAIL:
                return FAIL
        if value is None:
            return value if self.nullable else FAIL
        if self.types and not any(isinstance(value, inside) and not isinstance(value, outside)
                                  for inside, outside in self.types):
            return FAIL
        if self.empty is not None and isinstance(value, Sized) and len(value) == 0:
            if not self.empty:
                return FAIL
        elif not self._allowed(value) or (self.regex is not None and isinstance(value, str)
                                          and not self.regex.match(value)):
            return FAIL
        return value if self._within(value) else FAIL

    def _each(self, value: dict[Any, Any]) -> Any:
        assert self.each is not None
        out = {}
        for key, child in value.items():
            settled = self.each.member(child)
            if settled is FAIL:
                return FAIL
            out[key] = settled
        return out

    def _items(self, value: list[Any]) -> Any:
        assert self.items is not None
        out = []
        for child in value:
            settled = self.items.member(child)
            if settled is FAIL:
                return FAIL
            out.append(settled)
        return out

    def _allowed(self, value: Any) -> bool:
        if not self.has_allowed:
            return True
        if isinstance(value, Iterable) and not isinstance(value, str):
            return all(x in self.allowed for x in value)
        return value in self.allowed

    def _within(self, value: Any) -> bool:
        try:
            if self.has_min and value < self.minimum:
                return False
        except TypeError:
            pass
        try:
            if self.has_max and value > self.maximum:
                return False
        except TypeError:
            pass
        return True


class _Keyed:
    """The compiled rules of a mapping's fields (a Cerberus schema)."""

    __slots__ = ("defaulted", "fields", "required")

    def __init__(self, schema: Any) -> None:
        if not isinstance(schema, Mapping):
            raise _Unsupported(schema)
        self.fields = {name: _Field(rules) for name, rules in schema.items()}
        self.defaulted = [(name, f) for name, f in self.fields.items() if f.has_default]
        self.required = [name for name, f in self.fields.items() if f.required]

    def settle(self, mapping: Any) -> Any:
        """Return a new dict of ``mapping`` normalized, when it passes, else FAIL."""
        if type(mapping) is not dict:
            return FAIL
        fields = self.fields
        out = dict(mapping)
        for name in out:
            if name not in fields:
                return FAIL
        for name, found in self.defaulted:
            if name not in out or (out[name] is None and not found.nullable):
                out[name] = found.default
        for name, value in out.items():
            found = fields[name]
            if found.coerce is not None:
                value = found.coerce(value)
            settled = found.settle(value)
            if settled is FAIL:
                return FAIL
            out[name] = settled
        for name in self.required:
            if name not in out:
                return FAIL
        return out


def _types(declared: Any) -> tuple[tuple[Any, Any], ...]:
    """Return (included, excluded) Python types of each type a ``type`` rule names."""
    if not declared:
        return ()
    names = (declared,) if isinstance(declared, str) else declared
    if not isinstance(names, (list, tuple)):
        raise _Unsupported(declared)
    found = []
    for name in names:
        if not isinstance(name, str) or name not in VALUE_TYPES:  # another of Cerberus's, or none
            raise _Unsupported(declared)
        found.append(VALUE_TYPES[name])
    return tuple(found)


def _regex(pattern: Any) -> re.Pattern[str]:
    """Return ``pattern`` compiled as Cerberus matches it (anchored at the end)."""
    if not isinstance(pattern, str):
        raise _Unsupported(pattern)
    return re.compile(pattern if pattern.endswith("$") else pattern + "$")


def _coercer(name: Any) -> Callable[[Any], Any]:
    """Return the coercion named ``name`` (``money``, ``text``, ``yesno``)."""
    found = COERCIONS.get(name) if isinstance(name, str) else None
    if found is None:
        raise _Unsupported(name)
    return found


class CompiledSchema:
    """The schema of a Cerberus validator compiled for the documents that pass it."""

    __slots__ = ("_fields",)

    def __init__(self, fields: _Keyed) -> None:
        self._fields = fields

    def normalized(self, document: Any) -> dict[str, Any] | None:
        """Return ``document`` normalized as Cerberus would, when it passes every rule; None
        when it does not or may not (then ask Cerberus)."""
        try:
            settled = self._fields.settle(document)
        except Exception:  # a coercion or comparison that fails: Cerberus decides what it means
            return None
        return None if settled is FAIL else settled  # type: ignore[no-any-return]


def compile_schema(schema: Mapping[str, Any]) -> CompiledSchema | None:
    """Return ``schema`` (of a validator with Cerberus's default settings) compiled, or None
    when it uses a rule the compiled form does not follow (then Cerberus validates every
    document alone)."""
    try:
        return CompiledSchema(_Keyed(dict(schema.items())))
    except _Unsupported:
        return None
