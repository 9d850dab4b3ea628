"""Excel numbers as people see them: exact decimals, number formats, date serials.

An Excel cell stores a number as text in its ``<v>`` element; these helpers
read it as an exact :class:`~decimal.Decimal` (never through a float), tell
how many decimals its number format shows (``0.00`` → 2, so a stored 26.5
is read as 26.50), turn date serials into dates, and return the text Excel
would display for plain number formats.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

#: Excel keeps 15 significant digits; more come from binary floating point noise.
SIGNIFICANT = 15
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')


def format_code(num_fmt_id: int, custom: dict[int, str]) -> str:
    """Return the format code of number format ``num_fmt_id`` (custom ones first)."""
    return custom.get(num_fmt_id) or BUILTIN_FORMATS.get(num_fmt_id) or "General"


def is_date(code: str) -> bool:
    """Return whether the format code ``code`` shows a date or time."""
    try:
        return bool(is_date_format(code))
    except (TypeError, ValueError):
        return False


def exact_number(text: str) -> Decimal | None:
    """Return the number stored as ``text`` exactly, rounded to 15 significant digits; None if none."""
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite():
        return None
    digits = len(value.as_tuple().digits)
    if digits > SIGNIFICANT:
        exponent = value.adjusted() - SIGNIFICANT + 1
        value = value.quantize(Decimal(1).scaleb(exponent)).normalize()
        if value.as_tuple().exponent > 0:  # type: ignore[operator]
            value = value.quantize(Decimal(1))
    return value


def shown_places(code: str) -> int | None:
    """Return the decimals a number format shows (``0.00`` → 2, ``#,##0`` → 0), None for General."""
    section = _QUOTED.sub("", code.split(";")[0])
    if not section or section.lower() == "general" or section == "@" or "0" not in section:
        return None
    _, dot, fraction = section.partition(".")
    return sum(1 for ch in fraction if ch in "0#?") if dot else 0


def padded(value: Decimal, places: int | None) -> Decimal:
    """Return ``value`` with at least ``places`` decimals (26.5 with 2 → 26.50); never drops digits."""
    if places is None or places <= 0:
        return value
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -places:
        return value.quantize(Decimal(1).scaleb(-places))
    return value


def display(value: Decimal, code: str) -> str:
    """Return the text Excel shows for ``value`` in format ``code`` (plain, percent, thousands)."""
    section = _QUOTED.sub("", code.split(";")[0])
    places = shown_places(code)
    if "%" in section:
        scaled = value.scaleb(2)
        return f"{scaled:.{places or 0}f}%"
    if places is None:
        return plain(value)
    shown = padded(value, places)
    if "," in section.partition(".")[0]:
        return f"{shown:,f}"
    return f"{shown:f}"


def plain(value: Decimal) -> str:
    """Return ``value`` without exponent or trailing zeros after the point (General format)."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def serial_date(value: Decimal, date1904: bool) -> dt.date | dt.datetime | None:
    """Return the date (or date and time) of an Excel serial number, None if out of range."""
    base = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
    if not date1904 and value < 61:
        value += 1  # Excel counts 1900-02-29, which did not exist
    try:
        moment = base + dt.timedelta(seconds=round(value * 86400))
    except (OverflowError, ValueError, ArithmeticError):
        return None
    if moment.time() == dt.time(0):
        return moment.date()
    return moment


def date_text(value: dt.date | dt.datetime) -> str:
    """Return ``value`` as ISO text (``2020-01-01``, or with the time when there is one)."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return value.isoformat()
