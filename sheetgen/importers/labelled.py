"""Text layouts of labelled header fields (``标签： 值``): the words they are read by and the
typed spec of one project.

Both such layouts (:mod:`.grid` and :mod:`.pdftext`) collect the raw text of every labelled
field and hand it to :func:`finish`.  Every word they look for -- the heading a project
starts with, the field labels, the budget section's title, the indicator header, which
fields are long texts -- is the jurisdiction's (:class:`Words`): a format that declares
``import.layouts`` in its ``jurisdiction.yaml`` is read the same way.
"""

from __future__ import annotations

import re
from typing import Any

from msgspec import Struct, field

from sheetgen.importers.common import (
    build_defaults,
    common_year,
    normalize_label,
    ordered,
    parse_amount,
    parse_bool,
    parse_date,
    safe_filename,
    set_path,
)
from sheetgen.importers.result import ImportedProject, ImportResult, Sink
from sheetgen.importers.tree import IndicatorTree, Vocabulary
from sheetgen.jurisdiction import Jurisdiction

YEAR_RE = re.compile(r"^[（(](\d{4})年度[)）]$")
GOALS_RE = re.compile(r"^(\d{4})年绩效目标$")
_MONEY_UNIT = re.compile(r"^(.*)（(元|万元)）$")


class Words(Struct, frozen=True):
    """What a labelled text layout looks for, from one jurisdiction."""

    jurisdiction: Jurisdiction
    heading: str
    budget_title: str
    indicator_header: tuple[str, ...]
    unit_label: str
    name_label: str
    fields: tuple[tuple[str, str, str], ...]  # (printed label, dotted key, kind), in schema order
    long_texts: frozenset[str]

    @classmethod
    def of(cls, found: Jurisdiction) -> Words:
        """Return the words of ``found``."""
        from sheetgen.validation.schema import core_label

        name_label = core_label("name")
        columns = tuple(c.label for c in found.indicator_columns)
        return cls(
            jurisdiction=found,
            heading=found.imports.heading or found.title,
            budget_title=found.budget_title,
            indicator_header=(found.levels.label(1), found.levels.label(2), *columns),
            unit_label=core_label("unit", "name"),
            name_label=name_label,
            fields=((name_label, "name", "string"), *((f.label, f.dotted, f.kind) for f in found.header_fields)),
            long_texts=frozenset(key for key, _ in found.long_texts),
        )

    @property
    def vocabulary(self) -> Vocabulary:
        return Vocabulary(self.jurisdiction.level1_names, self.jurisdiction.level2_names)

    def field_key(self, label: str) -> tuple[str, str | None] | None:
        """Return (spec key, money unit or None) of a printed label ``名称：``, None if it is none."""
        if not label.rstrip().endswith(("：", ":")):
            return None
        text = normalize_label(label)
        unit = None
        match = _MONEY_UNIT.match(text)
        if match:
            text, unit = match.group(1), match.group(2)
        key = next((key for printed, key, _ in self.fields if printed == text), None)
        return (key, unit) if key else None

    def kind(self, key: str) -> str:
        return next((kind for _, dotted, kind in self.fields if dotted == key), "string")


class RawField(Struct):
    """The text of one labelled field and the line of its label."""

    label: str
    line: int
    text: str = ""


class RawProject(Struct):
    """What a layout read for one project before typing."""

    line: int
    year: int | None = None
    fields: dict[str, RawField] = field(default_factory=dict)
    money_unit: str | None = None
    unit_name: str | None = None
    tree: IndicatorTree | None = None

    def set_field(self, key: str, label: str, line: int, text: str, sink: Sink) -> RawField:
        """Start the field ``key`` at ``line`` with ``text`` and return it."""
        if key in self.fields:
            sink.warn(line, "import-duplicate", f"“{label}”在本项目中出现第二次，后一个为准", label=label)
        found = self.fields[key] = RawField(normalize_label(label), line, text)
        return found


def finish(raws: list[RawProject], sink: Sink, layout: str, words: Words) -> ImportResult:
    """Return the import result of the projects ``raws`` read from one file."""
    if not raws:
        raise sink.fail(1, f"找不到“{words.heading}”，不是{words.jurisdiction.title}")
    year = common_year([raw.year for raw in raws], sink)
    units = [raw.unit_name for raw in raws if raw.unit_name]
    if not units:
        sink.warn(raws[0].line, "import-missing", f"找不到{words.unit_label}", label=words.unit_label)
    for raw in raws:
        if raw.unit_name and raw.unit_name != units[0]:
            sink.warn(raw.line, "import-unit", f"申报单位“{raw.unit_name}”与第一个项目的“{units[0]}”不同")
    projects = []
    for number, raw in enumerate(raws, 1):
        data = build_project(raw, year, units[0] if units else None, sink, words)
        filename = safe_filename(number, str(data.get("name") or f"项目{number}"))
        projects.append(ImportedProject(filename, data, raw.line))
    unit = {"name": units[0]} if units else {}
    return ImportResult(build_defaults(words.jurisdiction, year, unit), projects, sink.diagnostics, layout)


def build_project(raw: RawProject, default_year: int | None, default_unit: str | None, sink: Sink,
                  words: Words) -> dict[str, Any]:
    """Return the typed spec of one project (keys in spec order)."""
    data: dict[str, Any] = {}
    if raw.year is not None and raw.year != default_year:
        data["year"] = raw.year
    if raw.unit_name and raw.unit_name != default_unit:
        data["unit"] = {"name": raw.unit_name}
    for label, key, kind in words.fields:
        found = raw.fields.get(key)
        if found is None:
            sink.warn(raw.line, "import-missing", f"项目缺少“{label}”，已留空", label=label, yaml_path=key)
            set_path(data, key, None)
            continue
        set_path(data, key, _typed(kind, found, sink))
    if raw.money_unit and raw.money_unit != words.jurisdiction.money_unit:
        data.setdefault("budget", {})["unit"] = raw.money_unit
    data["indicators"] = raw.tree.data if raw.tree else {}
    return ordered(data, words.jurisdiction)


def _typed(kind: str, found: RawField, sink: Sink) -> Any:
    """Return the typed value of one field: Decimal, date, bool or text (None when blank)."""
    if kind == "decimal":
        return parse_amount(found.text, sink, found.line, found.label)
    if kind == "date":
        return parse_date(found.text, sink, found.line, found.label)
    if kind == "boolean":
        return parse_bool(found.text, sink, found.line, found.label)
    return found.text or None
