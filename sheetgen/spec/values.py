"""The types of spec values: the Cerberus validator that knows them, and their names in messages.

Amounts are exact decimals, dates are days (not moments), 是/否 are booleans;
the coercions turn what people write ("2,468,000", 是, a number where text
belongs) into those.  Used to validate specs (:mod:`sheetgen.validation`) and to
check the Cerberus rules a jurisdiction's ``schema.yaml`` declares
(:mod:`sheetgen.jurisdiction.shape`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from cerberus import Validator  # type: ignore[import-untyped]
from cerberus.errors import ValidationError  # type: ignore[import-untyped]
from cerberus.platform import _str_type  # type: ignore[import-untyped]
from cerberus.schema import DefinitionSchema  # type: ignore[import-untyped]
from cerberus.utils import TypeDefinition  # type: ignore[import-untyped]

_MONEY_TEXT = re.compile(r"^[-+]?[0-9][0-9,，]*(?:\.[0-9]+)?$")


def as_text(value: Any) -> Any:
    """Return a scalar written where text belongs as the text it was written as
    (``100`` -> "100", ``26.50`` -> "26.50", a date -> ISO); others unchanged."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


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
        "decimal": TypeDefinition("decimal", (Decimal, int), (bool,)),
        "date": TypeDefinition("date", (dt.date,), (dt.datetime,)),  # a day, not a moment
    }

    def _normalize_coerce_money(self, value: Any) -> Any:
        """Amounts: ints become Decimal, "2,468,000" becomes Decimal('2468000')."""
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return Decimal(value)
        if isinstance(value, _str_type) and _MONEY_TEXT.match(value.strip()):
            try:
                return Decimal(value.strip().replace(",", "").replace("，", ""))
            except InvalidOperation:
                return value
        return value

    def _normalize_coerce_text(self, value: Any) -> Any:
        """Text fields: numbers keep the digits as written, dicts pass through."""
        return as_text(value)

    def _normalize_coerce_yesno(self, value: Any) -> Any:
        """是/否 and their usual spellings become booleans."""
        if isinstance(value, _str_type):
            text = value.strip()
            if text in ("是", "有", "Y", "y"):
                return True
            if text in ("否", "无", "N", "n"):
                return False
        return value


class _TrustedValidator(SpecValidator):
    _trusted = True


def trusted(schema: Mapping[str, Any]) -> SpecValidator:
    """Return a validator of ``schema`` whose rules Cerberus does not check again: sheetgen's own
    schemas (tested), and spec schemas whose rule sets the jurisdiction's loading checked one by
    one (:func:`sheetgen.jurisdiction.shape.problems`).  Checking a schema is most of a cold start's
    validation."""
    return _TrustedValidator(schema)


#: The Chinese name of each schema type, for messages.
TYPE_NAMES = {
    "string": "文字", "integer": "整数", "decimal": "金额（数字）", "date": "日期（如 2020-01-01）",
    "boolean": "是/否（true 或 false）", "dict": "“键: 值”的映射", "list": "列表（每项以 - 开头）",
}


def describe(value: Any) -> str:
    """Return a short one-line description of a value for a message (long text is cut)."""
    if value is None:
        return "空"
    if isinstance(value, Mapping):
        return "一组“键: 值”"
    if isinstance(value, list):
        return "一个列表（以 - 开头的行）"
    text = " ".join(str(value).split())
    return f"“{text[:30]}{'…' if len(text) > 30 else ''}”"


def leaf_errors(found: Iterable[ValidationError]) -> Iterator[ValidationError]:
    """Return the errors of a Cerberus run, each group error replaced by the errors it holds."""
    for error in found:
        if error.is_group_error and error.child_errors:
            yield from leaf_errors(error.child_errors)
        else:
            yield error
