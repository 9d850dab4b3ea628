"""The types of spec values, their coercions and their names in messages.

Amounts are exact decimals, dates are days (not moments), 是/否 are booleans;
the coercions turn what people write ("2,468,000", 是, a number where text
belongs) into those.  The Cerberus validator that knows them is
:class:`sheetgen.spec.validator.SpecValidator`; this module does without Cerberus,
so that the compiled schemas (:mod:`sheetgen.validation.compiled`) check a valid
spec without importing it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

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


def coerce_money(value: Any) -> Any:
    """Return an amount as an exact decimal: ints become Decimal, "2,468,000" becomes
    Decimal('2468000'); other values unchanged."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str) and _MONEY_TEXT.match(value.strip()):
        try:
            return Decimal(value.strip().replace(",", "").replace("，", ""))
        except InvalidOperation:
            return value
    return value


def coerce_yesno(value: Any) -> Any:
    """Return 是/否 and their usual spellings as booleans; other values unchanged."""
    if isinstance(value, str):
        text = value.strip()
        if text in ("是", "有", "Y", "y"):
            return True
        if text in ("否", "无", "N", "n"):
            return False
    return value


#: Each coercion a schema may name (``coerce: money``): Cerberus's ``_normalize_coerce_<name>``.
COERCIONS: dict[str, Callable[[Any], Any]] = {"money": coerce_money, "text": as_text, "yesno": coerce_yesno}

#: The (included, excluded) Python types of each spec value type a schema may name: those of
#: Cerberus 1.3 for its own types, and ``decimal`` and ``date`` (a day, not a moment) of ours.
#: Cerberus knows a few more (``number``, ``float`` ...): a schema naming one is checked by Cerberus
#: alone.  tests/validation/test_compiled_schema.py checks them against the validator's.
VALUE_TYPES: dict[str, tuple[tuple[type, ...], tuple[type, ...]]] = {
    "string": ((str,), ()),
    "integer": ((int,), ()),
    "boolean": ((bool,), ()),
    "dict": ((Mapping,), ()),
    "list": ((Sequence,), (str,)),
    "decimal": ((Decimal, int), (bool,)),
    "date": ((dt.date,), (dt.datetime,)),
}


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
