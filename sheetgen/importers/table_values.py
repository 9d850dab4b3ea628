"""Typed header values read from table cells: amounts, dates, 是/否, numbered lists.

Each function returns ``(value, problem)``: the typed value (or the cell's
text unchanged when it cannot be typed, or None when the cell is blank) and
a Chinese sentence describing a guess or a failure (None when there is
nothing to say).  Full-width digits and symbols are recognised (NFKC) but
texts that are kept are kept exactly as written.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from sheetgen.importers.grid_model import Typed

Result = tuple[object, str | None]
_AMOUNT = re.compile(r"^[¥￥]?([-+]?(?:\d[\d,']*(?:\.\d*)?|\.\d+))(万元|万|元)?$")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_ITEM = re.compile(r"^\s*(\d+)\s*[.．、]\s*(.*)$", re.S)
_YEAR = re.compile(r"^(\d{4})\s*年?$")


def amount(text: str, value: Typed, money_unit: str) -> Result:
    """Return the exact amount of a cell in ``money_unit`` (元/万元).

    An Excel number is taken as stored (already padded to its format's
    decimals); text may carry separators (``2,468,000``), full-width digits
    and a unit (``250万`` or ``250万元`` under 万元 is 250; under 元 it is
    converted, with a note).
    """
    if isinstance(value, Decimal):
        return value, None
    cleaned = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).replace("，", ",")
    if not cleaned:
        return None, None
    match = _AMOUNT.match(cleaned)
    if not match:
        return text, f"“{text}”不是金额，按原文保留"
    try:
        number = Decimal(match.group(1).replace(",", "").replace("'", ""))
    except InvalidOperation:
        return text, f"“{text}”不是金额，按原文保留"
    written = {"万": "万元"}.get(match.group(2) or "", match.group(2) or money_unit)
    if written == money_unit:
        return number, None
    converted = number.scaleb(4) if written == "万元" else number.scaleb(-4)
    shown = format(converted.normalize(), "f")
    return Decimal(shown), f"“{text}”以{written}书写，金额单位是{money_unit}，已换算为 {shown}"


def date_value(text: str, value: Typed) -> Result:
    """Return the date of a cell: an Excel date, or text like ``2020-01-01``, ``2020年1月1日``, ``2020/1/1``."""
    if isinstance(value, dt.datetime):
        return value.date(), None if value.time() == dt.time(0) else f"“{text}”带有时刻，只取日期"
    if isinstance(value, dt.date):
        return value, None
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if not cleaned:
        return None, None
    match = _DATE.match(cleaned) or _COMPACT_DATE.match(cleaned)
    if match:
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3))), None
        except ValueError:
            pass
    return text, f"“{text}”不是日期（应写成 2020-01-01），按原文保留"


def boolean(text: str, value: Typed) -> Result:
    """Return True for 是, False for 否 (or an Excel TRUE/FALSE), None when blank, else the text."""
    if isinstance(value, bool):
        return value, None
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if not cleaned:
        return None, None
    if cleaned in ("是", "否"):
        return cleaned == "是", None
    if cleaned.upper() in ("TRUE", "FALSE"):
        return cleaned.upper() == "TRUE", None
    return text, f"“{text}”不是“是”或“否”，按原文保留"


def integer(text: str, value: Typed) -> Result:
    """Return the whole number (a year such as ``2020`` or ``2020年``) of a cell, None when blank."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value), None
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if not cleaned:
        return None, None
    match = _YEAR.match(cleaned)
    if match:
        return int(match.group(1)), None
    return text, f"“{text}”不是整数，按原文保留"


def numbered_items(text: str) -> tuple[list[str], list[str]]:
    """Return the items of a numbered cell (``1.…`` one a line) without their numbers, and notes."""
    items: list[str] = []
    notes: list[str] = []
    for line in text.split("\n"):
        match = _ITEM.match(line)
        if match is None:
            if items:
                items[-1] = f"{items[-1]}\n{line}"
            elif line.strip():
                notes.append(f"“{line.strip()}”没有编号，按第 1 条读入")
                items.append(line.strip())
            continue
        if int(match.group(1)) != len(items) + 1:
            notes.append(f"编号是 {match.group(1)}，按顺序应为 {len(items) + 1}；编号由表格重新生成")
        items.append(match.group(2).strip())
    return items, notes


def money_unit_of(text: str) -> str | None:
    """Return 元 or 万元 from a cell such as ``单位：万元`` or ``金额单位:元``, None if it is none."""
    match = re.match(r"^(?:金额)?单位[：:](元|万元)$", re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)))
    return match.group(1) if match else None
