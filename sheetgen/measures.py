"""Measures: the comparator, number and unit of an indicator's target (``≥98%``, ``≤24小时``,
``=100%``, ``≤26.5万``, ``≥99百分之``) and of what was achieved (``98.5%``, ``20小时``).

One parser serves both: :func:`parse_value` reads a target (a comparator is what makes it
quantitative; text without one is qualitative), ``parse_value(text, actual=True)`` reads an
achieved value (a number and a unit, at most an ``=`` in front).  :func:`in_unit` says
whether two units are the same -- written alike, spellings of one unit that every format
shares (``%``, ``％``, ``百分之``: ``sheetgen/data/common.yaml``), or money units, which
convert exactly -- and gives the number in the other's unit.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from msgspec import Struct

from sheetgen.jurisdiction.common import common_words
from sheetgen.money import UNITS

#: What a comparator asks of the achieved value.
AT_LEAST, AT_MOST, EQUAL, NOT_EQUAL = "at_least", "at_most", "equal", "not_equal"
#: ≥ ≤ = > < and their ASCII and full-width forms; longest first (``>=`` before ``>``).
COMPARATORS: dict[str, str] = {
    "≥": AT_LEAST, "≤": AT_MOST, ">=": AT_LEAST, "<=": AT_MOST, "＞＝": AT_LEAST, "＜＝": AT_MOST,
    "=": EQUAL, "＝": EQUAL, ">": AT_LEAST, "<": AT_MOST, "＞": AT_LEAST, "＜": AT_MOST,
    "≠": NOT_EQUAL, "!=": NOT_EQUAL,
}  # fmt: skip
_WRONG_ORDER = {"=>": "≥", "=<": "≤", "＝＞": "≥", "＝＜": "≤"}
_NUMBER = re.compile(r"^\s*([-+]?\d+(?:[.,，]\d+)*(?:\.\d+)?)\s*(.*)$")


class ParsedValue(Struct, frozen=True):
    """A quantitative value: comparator (``""`` for an achieved value), number and unit."""

    comparator: str
    number: Decimal
    unit: str

    @property
    def kind(self) -> str:
        """Return what the comparator asks: :data:`AT_LEAST`, :data:`AT_MOST`, :data:`EQUAL`
        or :data:`NOT_EQUAL` (:data:`EQUAL` for an achieved value)."""
        return COMPARATORS.get(self.comparator, EQUAL)

    def shown(self) -> str:
        """Return the number and unit as written back (``180次``)."""
        return f"{self.number:f}{self.unit}"


def _number(text: str, comparator: str) -> ParsedValue | str | None:
    match = _NUMBER.match(text)
    if not match:
        return None
    try:
        number = Decimal(match.group(1).replace(",", "").replace("，", ""))
    except InvalidOperation:
        return f"“{match.group(1)}”不是有效的数字"
    return ParsedValue(comparator, number, match.group(2).strip())


def parse_value(text: str, *, actual: bool = False) -> ParsedValue | str | None:
    """Return the parsed value, ``None`` for qualitative text, or an error message.

    A target (``actual`` false) is quantitative when it starts with a comparator, which must
    be followed by a number.  An achieved value (``actual``) is quantitative when it starts
    with a number (an ``=`` in front is allowed; ``≥``, ``≤`` … are not: it is what was
    reached, not a bound).
    """
    stripped = text.strip()
    for wrong, right in _WRONG_ORDER.items():
        if stripped.startswith(wrong):
            return f"比较符“{wrong}”写反了，应写“{right}”（或 {'>=' if right == '≥' else '<='}）"
    for comparator in COMPARATORS:
        if stripped.startswith(comparator):
            rest = stripped[len(comparator):]
            if actual and COMPARATORS[comparator] != EQUAL:
                return f"应写实际达到的数（如 {rest.strip() or '98%'}），不带比较符“{comparator}”"
            found = _number(rest, "" if actual else comparator)
            if found is None:
                return f"比较符“{comparator}”后面应是数字（可带单位），如 {comparator}90%；这里是“{rest.strip()}”"
            return found
    return _number(stripped, "") if actual else None


def _canonical(unit: str) -> str:
    """Return the one spelling of ``unit`` among the spellings every format shares."""
    for name, spellings in common_words().unit_spellings:
        if unit == name or unit in spellings:
            return name
    return unit


def in_unit(number: Decimal, unit: str, wanted: str) -> Decimal | None:
    """Return ``number`` given in ``unit`` expressed in ``wanted`` (money units convert exactly,
    spellings of one unit are the same unit), or None when the units differ."""
    if _canonical(unit) == _canonical(wanted):
        return number
    if unit in UNITS and wanted in UNITS:
        return number * UNITS[unit] / UNITS[wanted]
    return None
