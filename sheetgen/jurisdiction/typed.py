"""The typed parts of a jurisdiction: plain frozen records (msgspec Structs) made once when it is loaded.

Every stage reads a jurisdiction through these (labels, kinds, order, rules,
vocabularies, money, print settings, tables and their templates), never through
the raw YAML; :mod:`sheetgen.jurisdiction.loading` makes them from the checked
files.  All of them pickle, so build workers are handed the jurisdiction itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from sheetgen.errors import JurisdictionError
from sheetgen.jurisdiction.keys import TARGET_TABLE, TEMPLATE_FILES
from sheetgen.jurisdiction.scoring import Scoring
from sheetgen.mappings import FrozenDict

#: The keys every spec may have, in the order they come first in a spec (then the format's
#: header fields in ``field_order``, then ``indicators``).
SPEC_FIRST = ("jurisdiction", "year", "unit", "number", "name")


class Field(Struct, frozen=True):
    """A field a jurisdiction declares in ``schema.yaml``: a header field (``fields``), an
    amount of the budget (``budget``) or an extra column of an indicator row (``indicator``)."""

    key: str
    section: str
    label: str
    kind: str  # the Cerberus type: string, integer, decimal, date, boolean, list, dict
    required: bool = False
    long_text: bool = False
    help: str = ""  # meta.description: how to fill it in
    vocabulary: tuple[str, ...] | None = None  # the closed vocabulary, None when it has none
    rules: Mapping[str, Any] = field(default_factory=FrozenDict)  # the Cerberus rule set as written

    @property
    def path(self) -> tuple[str, ...]:
        """Return the YAML path of the field in a spec (``("budget", "total")``, ``("category",)``)."""
        return ("budget", self.key) if self.section == "budget" else (self.key,)

    @property
    def dotted(self) -> str:
        """Return the path as rules write it: ``budget.total``, ``category``."""
        return ".".join(self.path)


class Column(Struct, frozen=True):
    """A printed column of the indicator table after 一级/二级: ``name`` (三级), ``value`` or
    an extra indicator field."""

    key: str
    label: str

    def get(self, name: str, default: Any = None) -> Any:
        """Return ``key`` or ``label`` like a mapping does (``column.get("label")``)."""
        return getattr(self, name) if name in ("key", "label") else default

    def __getitem__(self, name: str) -> Any:
        if name not in ("key", "label"):
            raise KeyError(name)
        return getattr(self, name)


class Levels(Struct, frozen=True):
    """The indicator levels: the 一级/二级 vocabularies, the 二级 whose amounts are costs, and
    the printed header of each level (一级, 二级, 三级)."""

    level1: tuple[str, ...] = ()
    level2: tuple[str, ...] = ()
    cost_groups: tuple[str, ...] = ()
    labels: tuple[str, str, str] = ("", "", "")

    def label(self, level: int) -> str:
        """Return the printed header of level 1, 2 or 3."""
        return self.labels[level - 1]


class Money(Struct, frozen=True):
    """How amounts print: the table's unit, its number format and the plausible range of one
    project's amount in 元 (None: no range)."""

    unit: str
    format: str
    plausible: tuple[Decimal, Decimal] | None = None


class BudgetSum(Struct, frozen=True):
    """``total`` must equal the sum of ``parts`` (keys of the budget)."""

    total: str
    parts: tuple[str, ...]


class AtMost(Struct, frozen=True):
    """``field`` may not exceed ``limit`` (dotted paths, e.g. ``budget.current_year``)."""

    field: str
    limit: str


class Rules(Struct, frozen=True):
    """The rules between fields of ``schema.yaml``'s ``rules``."""

    budget_sum: BudgetSum | None = None
    at_most: tuple[AtMost, ...] = ()


class Rollover(Struct, frozen=True):
    """What ``sheetgen rollover`` does to the budget: new field <- this year's field, and the
    fields it clears."""

    carry: tuple[tuple[str, str], ...] = ()
    clear: tuple[str, ...] = ()


class Table(Struct, frozen=True):
    """One kind of table a jurisdiction makes (``target`` = 绩效目标表, ``selfeval`` = 绩效自评表):
    its name, the file name of each of its templates (``docx``, ``xlsx``) and the suffix its
    files' names get (``""`` for the 目标表)."""

    kind: str
    label: str
    templates: tuple[tuple[str, str], ...]
    suffix: str = ""

    def template(self, kind: str) -> str:
        """Return the file name of the ``kind`` template."""
        return dict(self.templates).get(kind, TEMPLATE_FILES.get(kind, ""))


class ImportHints(Struct, frozen=True):
    """What ``sheetgen import`` needs besides the labels: the text layouts read as this
    format and the heading each project starts with in them."""

    layouts: tuple[str, ...] = ()
    heading: str = ""


class Fonts(Struct, frozen=True):
    body: str | None = None
    title: str | None = None
    latin: str | None = None


class Sizes(Struct, frozen=True):
    title: Decimal | None = None
    heading: Decimal | None = None
    body: Decimal | None = None
    cell: Decimal | None = None


class Amounts(Struct, frozen=True):
    align: str | None = None
    padding_mm: Decimal | None = None


class Margins(Struct, frozen=True):
    top: Decimal | None = None
    bottom: Decimal | None = None
    left: Decimal | None = None
    right: Decimal | None = None


class Contents(Struct, frozen=True):
    """The words of a unit's contents (汇总): title (with ``{unit}``/``{year}``), heading and
    the column headers."""

    title: str | None = None
    heading: str | None = None
    number: str | None = None
    name: str | None = None
    page: str | None = None


class PrintSettings(Struct, frozen=True):
    """The ``print:`` block: fonts, language, sizes, amounts, paper and contents; a setting
    left out is None (the renderers use their own default)."""

    fonts: Fonts = Fonts()
    language: str | None = None
    sizes: Sizes = Sizes()
    amounts: Amounts = Amounts()
    paper: str | None = None
    orientation: str | None = None
    margins_mm: Margins = Margins()
    contents: Contents = Contents()


class Jurisdiction(Struct, frozen=True):
    """A resolved jurisdiction, typed: its name, its folders (most specific first) and every
    setting of its ``jurisdiction.yaml`` and ``schema.yaml``, checked and merged along its
    ``extends`` chain.  ``description`` and ``schema`` keep the merged files as written
    (templates see ``description`` as ``jurisdiction``); code reads the typed attributes."""

    name: str
    folders: tuple[Path, ...]
    title: str
    format_year: int | None
    extends: str
    money: Money
    date_format: str
    levels: Levels
    indicator_columns: tuple[Column, ...]
    fields: tuple[Field, ...]
    budget_fields: tuple[Field, ...]
    indicator_fields: tuple[Field, ...]
    budget_title: str
    field_order: tuple[str, ...]
    rules: Rules
    rollover: Rollover
    tables: tuple[Table, ...]
    imports: ImportHints
    print: PrintSettings
    self_evaluation: Scoring | None
    fingerprint: str
    #: Whether every folder of it is sheetgen's own (:func:`~sheetgen.jurisdiction.shipped`,
    #: worked out as it loaded): its files and templates are checked by sheetgen's tests, not by
    #: each command.
    shipped: bool = False
    description: Mapping[str, Any] = field(default_factory=FrozenDict)
    schema: Mapping[str, Any] = field(default_factory=FrozenDict)

    @property
    def folder(self) -> Path:
        """Return the most specific folder (the one the name was found in)."""
        return self.folders[0]

    @property
    def money_unit(self) -> str:
        return self.money.unit

    @property
    def money_format(self) -> str:
        return self.money.format

    @property
    def plausible_range(self) -> tuple[Decimal, Decimal] | None:
        """Return (lowest, highest) amount in 元 that is plausible for one project, or None."""
        return self.money.plausible

    @property
    def level1_names(self) -> tuple[str, ...]:
        return self.levels.level1

    @property
    def level2_names(self) -> tuple[str, ...]:
        return self.levels.level2

    @property
    def long_texts(self) -> tuple[tuple[str, str], ...]:
        """Return (key, printed label) of each header field marked ``long_text``, in schema
        order (the full-width text rows of the table)."""
        return tuple((f.key, f.label) for f in self.fields if f.long_text)

    @property
    def field_vocabularies(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """Return, for each header field with a closed vocabulary, its key -> (printed label,
        the known words)."""
        return {f.key: (f.label, f.vocabulary) for f in self.fields if f.vocabulary is not None}

    @property
    def header_fields(self) -> tuple[Field, ...]:
        """Return the header fields and the budget amounts, in schema order."""
        return (*self.fields, *self.budget_fields)

    @property
    def spec_order(self) -> tuple[str, ...]:
        """Return the order of a spec's top-level keys as ``import`` and ``new`` write them
        (keys not listed, such as ``review``, follow in their own order)."""
        return (*SPEC_FIRST, *self.field_order, "indicators")

    @property
    def column_keys(self) -> tuple[str, ...]:
        """Return the keys of the extra indicator columns (``schema.yaml`` ``indicator``, beside
        every row's value and description)."""
        return tuple(f.key for f in self.indicator_fields if f.key not in ("value", "description"))

    @property
    def budget_order(self) -> tuple[str, ...]:
        """Return the order of the keys of a spec's ``budget``: ``unit``, then the amounts."""
        return ("unit", *(f.key for f in self.budget_fields))

    def declared(self, dotted: str) -> Field | None:
        """Return the field at ``dotted`` (``budget.total``, ``category``), None if undeclared."""
        return next((f for f in self.header_fields if f.dotted == dotted), None)

    def label(self, dotted: str) -> str:
        """Return the printed label of the field at ``dotted``, the path itself when undeclared."""
        found = self.declared(dotted)
        return found.label if found else dotted

    def column_label(self, key: str) -> str:
        """Return the header of the indicator column ``key`` (its field's label if not printed)."""
        for column in self.indicator_columns:
            if column.key == key:
                return column.label
        found = next((f for f in self.indicator_fields if f.key == key), None)
        return found.label if found else ""

    def table(self, kind: str = TARGET_TABLE) -> Table:
        """Return the table ``kind`` (``target``: the 绩效目标表)."""
        for table in self.tables:
            if table.kind == kind:
                return table
        known = "、".join(t.kind for t in self.tables)
        raise JurisdictionError(f"格式“{self.name}”没有“{kind}”这种表（有：{known}）")

    def has_table(self, kind: str) -> bool:
        """Return whether the jurisdiction makes the table ``kind``."""
        return any(t.kind == kind for t in self.tables)

    def find_table(self, name: str) -> Table | None:
        """Return the table a user names (its key, its name, or a part of its name that no other
        table's has: ``自评表`` for 绩效自评表), None when no one table fits."""
        exact = [t for t in self.tables if name in (t.kind, t.label)]
        if exact:
            return exact[0]
        partial = [t for t in self.tables if name and name in t.label]
        return partial[0] if len(partial) == 1 else None

    def template_path(self, kind: str, table: str = TARGET_TABLE) -> Path:
        """Return the template file of ``kind`` (``docx`` or ``xlsx``) of a table, taken from
        the most specific folder that has one."""
        filename = self.table(table).template(kind)
        for folder in self.folders:
            candidate = folder / filename
            if candidate.is_file():
                return candidate
        where = "、".join(str(f) for f in self.folders)
        raise JurisdictionError(f"格式“{self.name}”没有 {kind} 模板（{filename}），查找过：{where}")
