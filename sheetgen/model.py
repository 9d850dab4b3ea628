"""The project model: plain frozen records (msgspec Structs) that renderers consume.

A :class:`Project` is built from a validated spec (see :mod:`sheetgen.validation`)
and carries no file positions and no raw YAML: renderers never see either.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from msgspec import Struct, field

from sheetgen.mappings import FrozenDict


def _frozen(mapping: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    return FrozenDict(mapping or {})


class Indicator(Struct, frozen=True):
    """A 三级 indicator: its name, target value and any extra columns."""

    name: str
    value: str | None = None
    description: str | None = None
    extras: Mapping[str, Any] = field(default_factory=_frozen)


class Group(Struct, frozen=True):
    """A 二级 group: a name and its indicators in document order."""

    name: str
    indicators: tuple[Indicator, ...]


class Category(Struct, frozen=True):
    """A 一级 category: a name and its 二级 groups in document order."""

    name: str
    groups: tuple[Group, ...]


class Funds(Struct, frozen=True):
    """One column of the 项目资金 block of a 自评表 (年初预算数, 全年预算数 or 全年执行数), in
    the table's money unit: 年度资金总额 and its parts; None where the spec leaves it blank."""

    total: Decimal | None = None
    fiscal: Decimal | None = None
    carryover: Decimal | None = None
    other: Decimal | None = None


class Scored(Struct, frozen=True):
    """One indicator of a 自评表: where it sits, its target and what was achieved, its full
    marks (分值) and score (得分) -- both None when it is not applicable -- and the reason
    given for a shortfall."""

    level1: str
    level1_label: str  # the 一级 as the 自评表 prints it, with its points (产出指标（50分）)
    level2: str
    name: str
    target: str | None
    actual: str | None
    points: Decimal | None
    score: Decimal | None
    reason: str | None = None

    @property
    def applicable(self) -> bool:
        return self.points is not None


class Evaluation(Struct, frozen=True):
    """A project's 绩效自评: the header (主管部门, 实施单位, the 项目资金 block, 实际完成情况),
    预算执行率 and its score, every indicator scored, the total and the grade.

    ``rate`` is 全年执行数 ÷ 全年预算数 (a fraction, not capped); ``points`` the full marks
    of everything scored (the jurisdiction's total unless something is not applicable);
    ``total`` the sum of the scores, rescaled to the full marks when ``points`` is not them."""

    department: str
    implementer: str
    achieved: str | None
    initial: Funds
    adjusted: Funds
    spent: Funds
    rate: Decimal
    execution_points: Decimal
    execution_score: Decimal
    indicators: tuple[Scored, ...]
    points: Decimal
    score_sum: Decimal
    total: Decimal
    full_marks: Decimal
    grade: str

    @property
    def rescaled(self) -> bool:
        """Return whether the total was rescaled to the full marks (something not applicable)."""
        return self.points != self.full_marks

    def iter_rows(self) -> Iterator[ScoredRow]:
        """Return the indicator table of the 自评表 as flat rows with their merge positions."""
        items = self.indicators
        for index, item in enumerate(items):
            first1 = index == 0 or items[index - 1].level1 != item.level1
            first2 = first1 or items[index - 1].level2 != item.level2
            span1 = span2 = 0
            if first1:
                span1 = next((n for n, other in enumerate(items[index:]) if other.level1 != item.level1),
                             len(items) - index)
            if first2:
                span2 = next((n for n, other in enumerate(items[index:])
                              if other.level1 != item.level1 or other.level2 != item.level2), len(items) - index)
            yield ScoredRow(Merged(item.level1_label, first1, span1), Merged(item.level2, first2, span2), item)


class ScoredRow(Struct, frozen=True):
    """One printed row of a 自评表's indicator table: the merged 一级/二级 cells and the indicator."""

    level1: Merged
    level2: Merged
    indicator: Scored


class Project(Struct, frozen=True):
    """One project of one unit, ready to render.

    ``header`` holds every header field of the spec (name, dates, budget, long
    texts, the jurisdiction's extra fields) with typed values: ``Decimal`` for
    money, ``datetime.date`` for dates, ``bool`` for 是/否, ``str`` for text and
    ``list[str]`` for lists.  ``number`` is the 1-based position of the project
    in its unit (spec folder) and is used for the Tianjin-style numbered title.
    ``evaluation`` is its scored 绩效自评 when the spec carries year-end data.
    """

    key: str
    jurisdiction: str
    number: int
    header: Mapping[str, Any]
    indicators: tuple[Category, ...]
    columns: tuple[str, ...] = ()  # the jurisdiction's extra indicator columns (empty on an empty group's row)
    evaluation: Evaluation | None = None  # the 绩效自评, when the spec carries year-end data

    @property
    def name(self) -> str:
        """Return the project name (项目名称)."""
        return str(self.header.get("name", ""))

    def iter_rows(self) -> Iterator[Row]:
        """Return the indicator table as flat rows with their merge positions (see :func:`rows_of`)."""
        return rows_of(self.indicators, self.columns)


def rows_of(categories: tuple[Category, ...], columns: tuple[str, ...] = ()) -> Iterator[Row]:
    """Return the indicator table of ``categories`` as flat rows with their merge positions; an
    empty 二级 group is one row with its name and an empty indicator (``Row.empty``)."""
    blank = Indicator(name="", extras=_frozen(dict.fromkeys(columns)))
    for category in categories:
        span1 = sum(len(g.indicators) or 1 for g in category.groups)
        first1 = True
        for group in category.groups:
            if not group.indicators:
                yield Row(Merged(category.name, first1, span1 if first1 else 0), Merged(group.name, True, 1),
                          blank, empty=True)
                first1 = False
                continue
            first2 = True
            for item in group.indicators:
                yield Row(
                    level1=Merged(category.name, first1, span1 if first1 else 0),
                    level2=Merged(group.name, first2, len(group.indicators) if first2 else 0),
                    indicator=item,
                )
                first1 = first2 = False


class Merged(Struct, frozen=True):
    """A cell of a vertically merged column: its text, whether it opens the
    merge, and (on the opening row) how many rows the merge spans."""

    text: str
    start: bool
    span: int

    def __str__(self) -> str:
        return self.text


class Row(Struct, frozen=True):
    """One printed indicator row: the merged 一级/二级 cells and the indicator; ``empty`` on
    the one row of a 二级 group without indicators (its name, blank cells)."""

    level1: Merged
    level2: Merged
    indicator: Indicator
    empty: bool = False

    @property
    def name(self) -> str:
        return self.indicator.name

    @property
    def value(self) -> str | None:
        return self.indicator.value

    @property
    def description(self) -> str | None:
        return self.indicator.description

    def __getattr__(self, key: str) -> Any:
        # Extra per-indicator columns defined by a jurisdiction (e.g. 绩效标准).
        extras = object.__getattribute__(self, "indicator").extras
        if key in extras:
            return extras[key]
        raise AttributeError(key)


Frozen = _frozen


def indicator(name: str, row: Any, columns: tuple[str, ...] = ()) -> Indicator:
    """Return the indicator of one row (a value, or the full form's mapping); every extra
    column the jurisdiction declares (``columns``) is present, None where the row does not set it."""
    extras = dict.fromkeys(columns)
    if isinstance(row, Mapping):
        extras.update((k, v) for k, v in row.items() if k not in ("value", "description"))
        return Indicator(name=name, value=row.get("value"), description=row.get("description"),
                         extras=_frozen(extras))
    return Indicator(name=name, value=None if row is None else str(row), extras=_frozen(extras))


def tree_categories(tree: Mapping[str, Any], columns: tuple[str, ...] = ()) -> tuple[Category, ...]:
    """Return the 一级 categories of a validated indicator tree (一级 → 二级 → 三级: row; an
    empty 二级 may be None)."""
    return tuple(
        Category(str(level1), tuple(
            Group(str(level2), tuple(indicator(str(name), row, columns) for name, row in (rows or {}).items()))
            for level2, rows in (groups or {}).items()
        ))
        for level1, groups in tree.items()
    )
