"""The scoring rules of a jurisdiction's 绩效自评表 (``self_evaluation`` in jurisdiction.yaml),
typed, and the problems between its keys that the declared shape cannot see.

Every number of the scoring is the jurisdiction's: the full marks, the points of 预算执行率
and of each 一级, the decimals, the grade bands; so are the words it prints (how a 一级 label
shows its points, what a not-applicable row prints, the titles of the unit's files).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from msgspec import Struct

from sheetgen.errors import Diagnostic, Severity
from sheetgen.jurisdiction.keys import SELF_EVALUATION_TABLE
from sheetgen.spec.yamlload import Path_, Positions

#: The rows of the 项目资金 block of a 自评表 (keys of ``year_end.initial`` … in a spec).
FUNDS = ("total", "fiscal", "carryover", "other")
_CODE = "jurisdiction-file"


class Grade(Struct, frozen=True):
    """One 自评等级: its name and the lowest total that earns it."""

    name: str
    min: Decimal


class SummaryLabels(Struct, frozen=True):
    """The words of the unit's score summary sheet (``self_evaluation.summary``)."""

    sheet: str = ""
    title: str = ""
    number: str = ""
    name: str = ""
    rate: str = ""
    score: str = ""
    grade: str = ""


class Scoring(Struct, frozen=True):
    """How a 自评表 is scored and what it prints (see ``shape.yaml`` for each key)."""

    total: Decimal
    execution: Decimal
    level1: tuple[tuple[str, Decimal], ...]
    decimals: int
    grades: tuple[Grade, ...]
    level1_label: str
    not_applicable: str
    initial: tuple[tuple[str, str], ...]
    contents_title: str
    summary: SummaryLabels

    def points(self, level1: str) -> Decimal | None:
        """Return the points of a 一级, None when the jurisdiction gives it none."""
        return dict(self.level1).get(level1)

    @property
    def quantum(self) -> Decimal:
        """Return the smallest step of a score (``0.01`` for two decimals)."""
        return Decimal(1).scaleb(-self.decimals)

    def rounded(self, value: Decimal) -> Decimal:
        """Return ``value`` rounded half up to the jurisdiction's decimals."""
        return value.quantize(self.quantum, rounding=ROUND_HALF_UP)

    def shown(self, value: Decimal) -> str:
        """Return a score as printed (``8.34``, ``50.00``)."""
        return f"{self.rounded(value):f}"

    def percent(self, rate: Decimal) -> str:
        """Return an execution rate as printed (``97.36%``)."""
        return f"{self.rounded(rate * 100):f}%"

    def grade(self, total: Decimal) -> str:
        """Return the grade a total earns ('' below the lowest band)."""
        return next((g.name for g in self.grades if total >= g.min), "")

    def label(self, level1: str) -> str:
        """Return how a 一级 label prints with its points (``产出指标（50分）``); plain
        replacement, a spec's name is never a format string."""
        points = self.points(level1)
        shown = "" if points is None else f"{points.normalize():f}"
        return self.level1_label.replace("{name}", level1).replace("{points}", shown)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _number(value: Any, default: Decimal | None = None) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return default
    return Decimal(str(value))


def _text(value: Any, default: str = "") -> str:
    return str(value) if value is not None else default


def scoring_of(description: Mapping[str, Any]) -> Scoring | None:
    """Return the typed ``self_evaluation`` block of a checked description, None without one."""
    block = description.get("self_evaluation")
    if not isinstance(block, Mapping):
        return None
    level1 = _mapping(block.get("level1"))
    grades = [g for g in block.get("grades") or () if isinstance(g, Mapping)]
    summary, initial = _mapping(block.get("summary")), _mapping(block.get("initial"))
    decimals = block.get("decimals")
    return Scoring(
        total=_number(block.get("total"), Decimal(100)) or Decimal(100),
        execution=_number(block.get("execution"), Decimal(0)) or Decimal(0),
        level1=tuple((str(k), _number(v, Decimal(0)) or Decimal(0)) for k, v in level1.items()),
        decimals=decimals if isinstance(decimals, int) and not isinstance(decimals, bool) else 2,
        grades=tuple(Grade(str(g.get("grade")), _number(g.get("min"), Decimal(0)) or Decimal(0)) for g in grades),
        level1_label=_text(block.get("level1_label"), "{name}"),
        not_applicable=_text(block.get("not_applicable"), "—"),
        initial=tuple((str(k), str(v)) for k, v in initial.items() if str(k) in FUNDS),
        contents_title=_text(block.get("contents_title")),
        summary=SummaryLabels(**{k: _text(summary.get(k)) for k in SummaryLabels.__struct_fields__}),
    )


def _problem(tables: Sequence[Positions], path: Path_, message: str) -> Diagnostic:
    positions = next((t for t in tables if t.locate(path)), tables[0] if tables else Positions("jurisdiction.yaml"))
    line, col = positions.locate(path) or (1, 1)
    return Diagnostic(positions.file, line, col, _CODE, Severity.ERROR, message, "", ".".join(path))


def scoring_problems(description: Mapping[str, Any], schema: Mapping[str, Any],
                     tables: Sequence[Positions]) -> list[Diagnostic]:
    """Return the problems between the keys of a merged, shape-checked description that
    concern the 自评表 (``tables``: the description files, most specific first)."""
    declared = _mapping(description.get("tables"))
    block = description.get("self_evaluation")
    found: list[Diagnostic] = []
    if SELF_EVALUATION_TABLE in declared and not isinstance(block, Mapping):
        found.append(_problem(tables, ("tables", SELF_EVALUATION_TABLE),
                              "有 tables.selfeval（绩效自评表）就要写 self_evaluation："
                              "预算执行率、各一级指标的分值和自评等级"))
    if not isinstance(block, Mapping):
        return found
    if SELF_EVALUATION_TABLE not in declared:
        found.append(_problem(tables, ("self_evaluation",),
                              "写了 self_evaluation，却没有 tables.selfeval（绩效自评表的名称和模板）"))
    scoring = scoring_of(description)
    assert scoring is not None
    known = [str(n) for n in _mapping(description.get("levels")).get("level1") or ()]
    for name, _points in scoring.level1:
        if known and name not in known:
            found.append(_problem(tables, ("self_evaluation", "level1", name),
                                  f"一级指标“{name}”不在 levels.level1 里（有：{'、'.join(known)}）"))
    summed = scoring.execution + sum((p for _, p in scoring.level1), Decimal(0))
    if summed != scoring.total:
        parts = " + ".join(f"{p.normalize():f}" for p in (scoring.execution, *(p for _, p in scoring.level1)))
        found.append(_problem(tables, ("self_evaluation", "level1"),
                              f"预算执行率和各一级指标的分值加起来是 {parts} = {summed.normalize():f}，"
                              f"应等于满分 {scoring.total.normalize():f}"))
    previous = None
    for index, grade in enumerate(scoring.grades):
        if previous is not None and grade.min >= previous:
            found.append(_problem(tables, ("self_evaluation", "grades", str(index), "min"),
                                  f"自评等级要从高到低列出：“{grade.name}”的最低分 {grade.min.normalize():f} "
                                  f"不低于上一等的 {previous.normalize():f}"))
        previous = grade.min
    if scoring.grades and scoring.grades[-1].min != 0:
        found.append(_problem(tables, ("self_evaluation", "grades", str(len(scoring.grades) - 1), "min"),
                              f"最低一等“{scoring.grades[-1].name}”的最低分应为 0，否则低于 "
                              f"{scoring.grades[-1].min.normalize():f} 分的项目没有等级"))
    budget = _mapping(schema.get("budget"))
    for row, source in scoring.initial:
        key = source.partition(".")[2]
        if key not in budget:
            found.append(_problem(tables, ("self_evaluation", "initial", row),
                                  f"“{source}”不是 schema.yaml 的 budget 里的字段"
                                  f"（有：{'、'.join(map(str, budget))}）"))
    return found
