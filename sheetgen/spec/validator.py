"""The Cerberus validator of spec values: Cerberus with the types and coercions of
:mod:`sheetgen.spec.values`, its schema checked once.

Cerberus is imported here only.  A valid spec is checked without it (the compiled schemas
of :mod:`sheetgen.validation.compiled` vouch for it), so a cold ``sheetgen check`` of good
specs never imports it; it is made for the first document they cannot vouch for, and to
check the Cerberus rules a jurisdiction's ``schema.yaml`` declares
(:mod:`sheetgen.jurisdiction.shape`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar

from cerberus import Validator  # type: ignore[import-untyped]
from cerberus.errors import ValidationError  # type: ignore[import-untyped]
from cerberus.schema import DefinitionSchema  # type: ignore[import-untyped]
from cerberus.utils import TypeDefinition  # type: ignore[import-untyped]

from sheetgen.spec.values import VALUE_TYPES, as_text, coerce_money, coerce_yesno


class _CheckedSchema(DefinitionSchema):  # type: ignore[misc]
    """A definition schema that Cerberus checked once, when its validator was made.

    Cerberus copies the schema at every normalization and checks the copy again (hashing
    every rule and building a schema validator each time): per spec that was two thirds of
    validation.  A copy holds the same rules, so it is trusted; a rule set that really
    changes is still checked (:meth:`__setitem__`).
    """

    def copy(self) -> _CheckedSchema:
        twin: _CheckedSchema = object.__new__(type(self))
        twin.__dict__.update(self.__dict__)
        twin.schema = self.schema.copy()
        return twin

    def __setitem__(self, key: str, value: Any) -> None:
        if self.schema.get(key) is not value:  # normalization sets every rule set to itself
            super().__setitem__(key, value)


class _TrustedSchema(_CheckedSchema):
    """A definition schema not checked by Cerberus at all: sheetgen's own (``shape.yaml``, checked by
    the tests) or made of rule sets each already checked (:func:`trusted`)."""

    def validate(self, schema: Any = None) -> None:
        return None


class SpecValidator(Validator):  # type: ignore[misc]
    """Cerberus with exact decimals and the coercions specs need; its schema is checked
    once, when it is made, not again at every document (see :class:`_CheckedSchema`)."""

    @property
    def schema(self) -> Any:
        return self._schema

    @schema.setter
    def schema(self, schema: Any) -> None:
        if schema is None or self.is_child or isinstance(schema, DefinitionSchema):
            self._schema = schema
        else:
            self._schema = (_TrustedSchema if self._trusted else _CheckedSchema)(self, schema)

    _trusted = False

    types_mapping: ClassVar[dict[str, TypeDefinition]] = {
        **Validator.types_mapping,
        "decimal": TypeDefinition("decimal", *VALUE_TYPES["decimal"]),
        "date": TypeDefinition("date", *VALUE_TYPES["date"]),  # a day, not a moment
    }

    def _normalize_coerce_money(self, value: Any) -> Any:
        """Amounts: ints become Decimal, "2,468,000" becomes Decimal('2468000')."""
        return coerce_money(value)

    def _normalize_coerce_text(self, value: Any) -> Any:
        """Text fields: numbers keep the digits as written, dicts pass through."""
        return as_text(value)

    def _normalize_coerce_yesno(self, value: Any) -> Any:
        """是/否 and their usual spellings become booleans."""
        return coerce_yesno(value)


class _TrustedValidator(SpecValidator):
    _trusted = True


def trusted(schema: Mapping[str, Any]) -> SpecValidator:
    """Return a validator of ``schema`` whose rules Cerberus does not check again: sheetgen's own
    schemas (tested), and spec schemas whose rule sets the jurisdiction's loading checked one by
    one (:func:`sheetgen.jurisdiction.shape.problems`).  Checking a schema is most of a cold start's
    validation."""
    return _TrustedValidator(schema)


def leaf_errors(found: Iterable[ValidationError]) -> Iterator[ValidationError]:
    """Return the errors of a Cerberus run, each group error replaced by the errors it holds."""
    for error in found:
        if error.is_group_error and error.child_errors:
            yield from leaf_errors(error.child_errors)
        else:
            yield error
