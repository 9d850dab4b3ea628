"""The ``print:`` block of a built-in jurisdiction as the template generators use it
(make_docx_templates.py, make_xlsx_templates.py), read from the typed jurisdiction with the
generators' defaults written once."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sheetgen import jurisdiction as jurisdictions

ROOT = Path(__file__).resolve().parent.parent


def _number(value: Decimal | None, default: float) -> float:
    return default if value is None else float(value)


@dataclass(frozen=True)
class Printed:
    """Fonts, sizes (pt), amounts, paper and margins (mm) of one jurisdiction's tables."""

    body: str
    title: str
    latin: str
    language: str
    title_size: float
    heading_size: float
    body_size: float
    cell_size: float
    amount_align: str
    padding_mm: float
    paper: str
    landscape: bool
    margins_mm: dict[str, float]


def printed(name: str) -> Printed:
    """Return the print settings of the built-in jurisdiction ``name`` (a setting left out
    takes the generators' default: 宋体/黑体/Times New Roman, 18/14/10.5 pt, amounts right with
    1.5 mm, A4 portrait, 25 mm margins)."""
    settings = jurisdictions.load(name, [ROOT / "templates"]).print
    fonts, sizes, amounts, margins = settings.fonts, settings.sizes, settings.amounts, settings.margins_mm
    body_size = _number(sizes.body, 10.5)
    return Printed(
        body=fonts.body or "宋体",
        title=fonts.title or "黑体",
        latin=fonts.latin or "Times New Roman",
        language=settings.language or "zh-CN",
        title_size=_number(sizes.title, 18),
        heading_size=_number(sizes.heading, 14),
        body_size=body_size,
        cell_size=_number(sizes.cell, body_size),
        amount_align=amounts.align or "right",
        padding_mm=_number(amounts.padding_mm, 1.5),
        paper=settings.paper or "A4",
        landscape=settings.orientation == "landscape",
        margins_mm={side: _number(getattr(margins, side), 25) for side in ("top", "bottom", "left", "right")},
    )
