"""The data a template sees, and how typed values print.

Templates see ``project`` (the header fields, e.g. ``project.name``,
``project.budget.total``, ``project.unit.name``, ``project.year``),
``number`` (position of the project in its unit), ``rows`` (the indicator
table as :class:`sheetgen.model.Row`), ``jurisdiction`` (its description) and
``combined`` (true inside a unit's combined document).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sheetgen.jurisdiction import Jurisdiction
from sheetgen.model import Project
from sheetgen.money import format_money


def format_value(value: Any, jurisdiction: Jurisdiction) -> str:
    """Return the text a typed value prints as in this jurisdiction.

    ``Decimal`` is money (number format of the jurisdiction), dates use its
    date format, booleans print 是/否, ``None`` prints nothing, lists print one
    item per line.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return format_money(value, jurisdiction.money_format)
    if isinstance(value, dt.date):
        return value.strftime(jurisdiction.date_format)
    if isinstance(value, (list, tuple)):
        return "\n".join(format_value(v, jurisdiction) for v in value)
    return str(value)


def build_context(project: Project, jurisdiction: Jurisdiction, *, combined: bool = False) -> dict[str, Any]:
    """Return the template context of one project."""
    return {
        "project": project.header,
        "number": project.number,
        "rows": list(project.iter_rows()),
        "jurisdiction": jurisdiction.description,
        "combined": combined,
    }


def contents_labels(jurisdiction: Jurisdiction, first: Project) -> dict[str, str]:
    """Return the labels of a unit's contents (``print.contents`` of the jurisdiction), the
    title with the unit's name and the year put in (``{unit}``, ``{year}``; plain replacement,
    spec text is never a format string)."""
    contents = jurisdiction.print.contents
    unit = str((first.header.get("unit") or {}).get("name") or "")
    year = first.header.get("year")
    labels = {key: getattr(contents, key) or "" for key in ("title", "heading", "number", "name", "page")}
    labels["title"] = labels["title"].replace("{unit}", unit).replace("{year}", "" if year is None else str(year))
    return labels
