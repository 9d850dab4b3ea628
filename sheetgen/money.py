"""Money: units, exact conversion between them, and Excel-style number formats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

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


def format_money(amount: Decimal, pattern: str) -> str:
    """Return ``amount`` printed with an Excel-style ``pattern`` such as
    ``#,##0`` (2,468,000) or ``0.00`` (26.50)."""
    digits = places(pattern)
    rounded = amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    if "," in pattern.partition(".")[0]:
        return f"{rounded:,.{digits}f}"
    return f"{rounded:.{digits}f}"


def shows_exactly(amount: Decimal, pattern: str) -> bool:
    """Return whether ``pattern`` prints ``amount`` without rounding it."""
    return amount == amount.quantize(Decimal(1).scaleb(-places(pattern)), rounding=ROUND_HALF_UP)
