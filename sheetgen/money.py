"""Money: units, exact conversion between them, and Excel-style number formats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

#: Excel keeps a number as a binary float: up to 15 significant digits are exact.
EXCEL_DIGITS = 15

#: What one of each unit is worth in 元.
UNITS: dict[str, Decimal] = {
    "元": Decimal(1), "千元": Decimal(1000), "万": Decimal(10000), "万元": Decimal(10000),
    "亿": Decimal(100000000), "亿元": Decimal(100000000),
}


def convert(amount: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """Return ``amount`` given in ``from_unit`` expressed exactly in ``to_unit``."""
    if from_unit == to_unit:
        return amount
    return amount * UNITS[from_unit] / UNITS[to_unit]


def places(pattern: str) -> int:
    """Return how many decimals an Excel-style pattern such as ``0.00`` shows."""
    return pattern.partition(".")[2].count("0")


def rounded(amount: Decimal, pattern: str) -> Decimal:
    """Return ``amount`` rounded half up to the decimals ``pattern`` shows, exactly
    (with as many digits as that takes, however large the amount)."""
    digits = places(pattern)
    with localcontext() as context:
        context.prec = max(context.prec, amount.adjusted() + digits + 2)
        return amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def format_money(amount: Decimal, pattern: str) -> str:
    """Return ``amount`` printed with an Excel-style ``pattern`` such as
    ``#,##0`` (2,468,000) or ``0.00`` (26.50)."""
    digits = places(pattern)
    shown = rounded(amount, pattern)
    if "," in pattern.partition(".")[0]:
        return f"{shown:,.{digits}f}"
    return f"{shown:.{digits}f}"


def shows_exactly(amount: Decimal, pattern: str) -> bool:
    """Return whether ``pattern`` prints ``amount`` without rounding it."""
    return amount == rounded(amount, pattern)


def significant_digits(amount: Decimal) -> int:
    """Return how many significant digits ``amount`` has (2468000 -> 4, 26.50 -> 3, 0 -> 0)."""
    return len("".join(map(str, amount.as_tuple().digits)).strip("0")) if amount.is_finite() else 0


def fits_excel(amount: Decimal, pattern: str) -> bool:
    """Return whether Excel stores ``amount``, as ``pattern`` shows it, exactly: at most
    15 significant digits and at most 15 digits before the decimal point."""
    if not amount.is_finite() or amount.adjusted() >= EXCEL_DIGITS:
        return False
    return significant_digits(rounded(amount, pattern)) <= EXCEL_DIGITS


def excel_shows(amount: Decimal, pattern: str) -> str | None:
    """Return how Excel would show ``amount`` (its float, 15 significant digits), or None
    when Excel cannot hold it at all."""
    if not amount.is_finite() or amount.adjusted() > 307:
        return None
    return format_money(Decimal(f"{float(amount):.{EXCEL_DIGITS}g}"), pattern)
