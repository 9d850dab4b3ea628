"""The data a template sees -- the same for Word and Excel -- and how typed values print.

A template sees these names (:func:`build_context`):

* ``project`` -- the header fields: ``project.name``, ``project.year``, every field of the
  jurisdiction's ``schema.yaml`` (``project.purpose``), ``project.unit.name``/``.code`` and
  ``project.budget.<key>`` (plus ``project.budget.unit``).  A field the jurisdiction declares
  but the spec leaves out is present and empty; a name it does not declare is an error.
* ``unit`` and ``year`` -- short for ``project.unit`` and ``project.year``;
* ``number`` -- the position of the project in its unit (its 序号);
* ``rows`` -- the indicator table, one :class:`sheetgen.model.Row` per printed row
  (:data:`ROW_FIELDS`, the jurisdiction's extra columns, and the merged 一级/二级 cells with
  :data:`MERGED_FIELDS`);
* ``combined`` -- true inside a unit's combined document;
* ``jurisdiction`` -- the jurisdiction's description (``jurisdiction.title``);
* in a 绩效自评表 also ``evaluation``, and ``rows`` are its rows (:mod:`sheetgen.render.evaluation`).

Inside a loop ``loop`` has :data:`LOOP_FIELDS`.  Names starting with ``sheetgen_`` are the
renderers' own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from sheetgen.jurisdiction import SELF_EVALUATION_TABLE, TARGET_TABLE, Jurisdiction
from sheetgen.model import Project
from sheetgen.money import format_money

#: What every indicator row has (besides the jurisdiction's extra columns); ``empty`` is true
#: on the one row of an empty 二级 group.
ROW_FIELDS = ("level1", "level2", "name", "value", "description", "empty")
#: What a merged 一级/二级 cell (``row.level1``) has: its text, whether this row opens the
#: merge, and (on that row) how many rows it spans.
MERGED_FIELDS = ("text", "start", "span")
#: What ``loop`` has inside a loop, in Word and Excel alike.
LOOP_FIELDS = ("index", "index0", "revindex", "revindex0", "first", "last", "length")
#: The names of a template's context, in the order messages list them.
NAMES = ("project", "unit", "year", "number", "rows", "combined", "jurisdiction")
#: The key under which the renderers keep the jurisdiction in a context (for printing values).
JURISDICTION_KEY = "sheetgen_jurisdiction"


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


class Fields:
    """Named fields as a template sees them: ``project.name``, ``project.budget.total``.
    Only keys, no methods, so a field may be called ``items`` or ``update``; ``path`` is how
    messages name it (``project.budget.``)."""

    __slots__ = ("_data", "_path")

    def __init__(self, data: Mapping[str, Any], path: str):
        object.__setattr__(self, "_data", data)
        object.__setattr__(self, "_path", path)

    def __getattr__(self, key: str) -> Any:
        try:
            return self._data[key]
        except KeyError:
            raise AttributeError(key) from None

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __repr__(self) -> str:
        return f"<fields {self._path.rstrip('.')}>"


def header_keys(jurisdiction: Jurisdiction) -> tuple[str, ...]:
    """Return the keys of the header fields the jurisdiction declares (``schema.yaml`` ``fields``)."""
    return tuple(f.key for f in jurisdiction.fields)


def list_keys(jurisdiction: Jurisdiction) -> frozenset[str]:
    """Return the keys of the header fields that hold lists (``type: list``)."""
    return frozenset(f.key for f in jurisdiction.fields if f.kind == "list")


def budget_keys(jurisdiction: Jurisdiction) -> tuple[str, ...]:
    """Return the keys of the budget amounts the jurisdiction declares (``schema.yaml`` ``budget``)."""
    return tuple(f.key for f in jurisdiction.budget_fields)


def header_fields(header: Mapping[str, Any], jurisdiction: Jurisdiction) -> Fields:
    """Return the header as :class:`Fields`, with every field the jurisdiction knows present
    (``None`` when the spec left it out; an empty list for a list field)."""
    data = dict(header)
    lists = list_keys(jurisdiction)
    for key in ("name", "year", "jurisdiction", "number", *header_keys(jurisdiction)):
        if data.get(key) is None:
            data[key] = () if key in lists else None
    unit = {"name": None, "code": None, **(data.get("unit") or {})}
    budget: dict[str, Any] = dict.fromkeys(budget_keys(jurisdiction))
    budget["unit"] = jurisdiction.money_unit
    budget.update(data.get("budget") or {})
    data["unit"] = Fields(unit, "project.unit.")
    data["budget"] = Fields(budget, "project.budget.")
    return Fields(data, "project.")


def _view(data: Any, path: str) -> Any:
    """Return ``data`` with its mappings as :class:`Fields` (named by ``path``)."""
    if isinstance(data, Mapping):
        return Fields({str(k): _view(v, f"{path}{k}.") for k, v in data.items()}, path)
    return data


_views: dict[tuple[str, str], Fields] = {}


def description_view(jurisdiction: Jurisdiction) -> Fields:
    """Return the jurisdiction's description as a template sees it (``jurisdiction.title``;
    made once per jurisdiction and state of its files)."""
    key = (jurisdiction.name, jurisdiction.fingerprint)
    view = _views.get(key)
    if view is None:
        if len(_views) > 64:
            _views.clear()
        view = _views[key] = _view(jurisdiction.description, "jurisdiction.")
    return view


def build_context(project: Project, jurisdiction: Jurisdiction, *, combined: bool = False,
                  table: str = TARGET_TABLE) -> dict[str, Any]:
    """Return the template context of one project (see the module docstring), the same for
    Word and Excel; in the 自评表 (``table`` ``selfeval``) ``rows`` are its rows and
    ``evaluation`` is there too (:mod:`sheetgen.render.evaluation`)."""
    fields = header_fields(project.header, jurisdiction)
    context = {
        "project": fields,
        "unit": fields.unit,
        "year": fields.year,
        "number": project.number,
        "combined": combined,
        "jurisdiction": description_view(jurisdiction),
        JURISDICTION_KEY: jurisdiction,
    }
    if table == SELF_EVALUATION_TABLE:  # its own rows (the target table's are not made)
        from sheetgen.render.evaluation import evaluation_context

        context.update(evaluation_context(project, jurisdiction))
    else:
        context["rows"] = list(project.iter_rows())
    return context


def unit_title(template: str, first: Project) -> str:
    """Return a unit's title with its name and year put in (``{unit}``, ``{year}``; plain
    replacement, spec text is never a format string)."""
    unit = str((first.header.get("unit") or {}).get("name") or "")
    year = first.header.get("year")
    return template.replace("{unit}", unit).replace("{year}", "" if year is None else str(year))


def contents_labels(jurisdiction: Jurisdiction, first: Project, table: str = TARGET_TABLE) -> dict[str, str]:
    """Return the labels of a unit's contents (``print.contents`` of the jurisdiction; the
    自评表's title from ``self_evaluation.contents_title`` when it has one), the title with
    the unit's name and the year put in."""
    contents = jurisdiction.print.contents
    labels = {key: getattr(contents, key) or "" for key in ("title", "heading", "number", "name", "page")}
    scoring = jurisdiction.self_evaluation
    if table == SELF_EVALUATION_TABLE and scoring is not None and scoring.contents_title:
        labels["title"] = scoring.contents_title
    labels["title"] = unit_title(labels["title"], first)
    return labels
