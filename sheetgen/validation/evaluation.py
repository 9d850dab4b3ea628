"""Scoring a project's 绩效自评 from its spec: the indicators' targets, what was achieved,
the execution figures, and the jurisdiction's scoring rules (``self_evaluation``).

The common rule, with every number the jurisdiction's (:class:`~sheetgen.jurisdiction.Scoring`):

* 预算执行率 = 全年执行数 ÷ 全年预算数; its score is the rate (at most 100 %) × its points;
* each 一级 has its points, shared evenly by its applicable indicators (an indicator with
  ``points:`` keeps its own; the rest share what is left; what does not divide goes, one
  step at a time, to the first ones, so the printed 分值 add up exactly);
* a ``≥`` target scores actual ÷ target × 分值, a ``≤`` target target ÷ actual × 分值, both
  at most full marks; an ``=`` target (or a bare number, ``100%``) and a qualitative one
  score full marks when met (the same number, or the same words), otherwise the ``score:``
  the spec gives;
* a not-applicable indicator is left out, and the total is rescaled to the full marks when
  what is scored is worth less than them;
* the grade is the first band whose minimum the total reaches.

:func:`evaluate` returns the :class:`~sheetgen.model.Evaluation` and the problems found on
the way (as validation :class:`~sheetgen.validation.findings.Finding` s, each at its YAML
path): validation reports them, the model stage uses the evaluation of a spec without any.
Scores are exact decimals, rounded half up to the jurisdiction's decimals where printed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING, Any

from msgspec import Struct, field

from sheetgen.errors import Severity
from sheetgen.jurisdiction import Jurisdiction, Scoring
from sheetgen.jurisdiction.scoring import FUNDS
from sheetgen.measures import AT_LEAST, AT_MOST, EQUAL, ParsedValue, in_unit, parse_value
from sheetgen.money import UNITS, convert
from sheetgen.validation.findings import Finding
from sheetgen.validation.rules import iter_indicators, row_value
from sheetgen.validation.schema import core_label, core_schema, indicator_row_schema

if TYPE_CHECKING:
    from sheetgen.model import Evaluation, Funds, Scored

#: The spec's block of year-end figures, and the year-end keys of an indicator row.
BLOCK = "year_end"
ROW_KEYS = ("actual", "points", "score", "reason", "not_applicable")
#: The row keys whose presence means the spec carries year-end data (``points`` alone is a
#: weighting, which a target table may carry too).
DATA_KEYS = ("actual", "score", "reason", "not_applicable")
_ONE = Decimal(1)
Row = tuple[str, str, str]


class YearEnd(Struct, frozen=True):
    """A spec's year-end data: the ``year_end`` block and each row's year-end keys (by 一级,
    二级, 三级), as written or normalized."""

    block: Mapping[str, Any] | None = None
    rows: Mapping[Row, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def carried(self) -> bool:
        """Return whether the spec carries year-end data (then it is scored and gets a 自评表)."""
        return self.block is not None or any(k in row for row in self.rows.values() for k in DATA_KEYS)


def row_label(key: str) -> str:
    """Return the label of a year-end key of an indicator row (``actual`` -> 实际完成值)."""
    return str(indicator_row_schema(core_schema())["schema"][key]["meta"]["label"])


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _shown(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"


def _same_words(a: str, b: str) -> bool:
    """Return whether two qualitative texts say the same (spaces and a final full stop aside)."""
    return "".join(a.split()).rstrip("。．.") == "".join(b.split()).rstrip("。．.")


def _shares(total: Decimal, count: int, quantum: Decimal) -> list[Decimal]:
    """Return ``total`` split into ``count`` shares of ``quantum`` steps that add up exactly."""
    if count <= 0 or total <= 0:
        return [Decimal(0)] * max(count, 0)
    base = (total / count).quantize(quantum, rounding=ROUND_DOWN)
    rest = int(((total - base * count) / quantum).to_integral_value())
    return [base + quantum if index < rest else base for index in range(count)]


class _Scorer:
    """One spec's scoring: the findings gathered while the evaluation is made."""

    def __init__(self, data: Mapping[str, Any], year_end: YearEnd, jurisdiction: Jurisdiction, scoring: Scoring):
        self.data = data
        self.year_end = year_end
        self.jurisdiction = jurisdiction
        self.scoring = scoring
        self.value_label = jurisdiction.column_label("value") or row_label("value")
        self.findings: list[Finding] = []

    def fine(self, value: Any, path: tuple[str, ...], key: str) -> Decimal | None:
        """Return a points or score the spec gives (None if none), after checking its decimals."""
        if not isinstance(value, Decimal):
            return None
        if value != self.scoring.rounded(value):
            self.error((*path, key), "too-many-decimals",
                       f"{row_label(key)} {value:f} 的小数位太多：本格式的分数保留 {self.scoring.decimals} 位小数")
        return value

    def error(self, path: tuple[str, ...], code: str, message: str, *, key: bool = False) -> None:
        self.findings.append(Finding(path, code, Severity.ERROR, message, key))

    def warning(self, path: tuple[str, ...], code: str, message: str) -> None:
        self.findings.append(Finding(path, code, Severity.WARNING, message))

    # ------------------------------------------------------------------ the indicators

    def indicators(self) -> Iterator[tuple[Row, str | None, Mapping[str, Any]]]:
        """Return (row, target value, year-end keys) of every indicator, in printed order."""
        for path, _level1, _level2, row in iter_indicators(self.data):
            here = (path[1], path[2], path[3])
            yield here, row_value(row), self.year_end.rows.get(here, {})

    def points(self) -> dict[Row, Decimal | None]:
        """Return each indicator's full marks (None: not applicable, or its 一级 has no points)."""
        by_level1: dict[str, list[tuple[Row, Mapping[str, Any]]]] = {}
        for row, _target, extra in self.indicators():
            by_level1.setdefault(row[0], []).append((row, extra))
        out: dict[Row, Decimal | None] = {}
        scoring = self.scoring
        for level1, rows in by_level1.items():
            weight = scoring.points(level1)
            if weight is None:
                known = "、".join(name for name, _ in scoring.level1)
                self.error(("indicators", level1), "level1-no-points",
                           f"一级“{level1}”在本格式的自评评分里没有分值（self_evaluation.level1 里有：{known}），"
                           "无法评分", key=True)
                out.update((row, None) for row, _ in rows)
                continue
            applicable = [(row, extra) for row, extra in rows if not extra.get("not_applicable")]
            given = [(row, extra["points"]) for row, extra in applicable
                     if self.fine(extra.get("points"), ("indicators", *row), "points") is not None]
            summed = sum((p for _, p in given), Decimal(0))
            if summed > weight:
                self.error(("indicators", *given[-1][0], "points"), "points-over",
                           f"一级“{level1}”下各指标写的分值合计 {_shown(summed)} 分，"
                           f"超过了它的分值 {_shown(weight)} 分")
            rest = [row for row, extra in applicable if not isinstance(extra.get("points"), Decimal)]
            if not rest and given and summed != weight and len(applicable) == len(rows):
                self.error(("indicators", level1), "points-sum",
                           f"一级“{level1}”下各指标写的分值合计 {_shown(summed)} 分，应为它的分值 {_shown(weight)} 分"
                           "（或少写几个 points，让其余的平分）", key=True)
            shares = dict(zip(rest, _shares(weight - summed, len(rest), scoring.quantum), strict=True))
            for row, extra in rows:
                if extra.get("not_applicable"):
                    out[row] = None
                elif row in shares:
                    out[row] = shares[row]
                else:
                    out[row] = extra["points"]
        return out

    def score(self, row: Row, target: str | None, extra: Mapping[str, Any], points: Decimal) -> Decimal | None:
        """Return the score of one applicable indicator worth ``points`` (None when it cannot be had)."""
        path = ("indicators", *row)
        name = row[2]
        actual = extra.get("actual")
        given = self.fine(extra.get("score"), path, "score")
        if actual is None or not str(actual).strip():
            self.error((*path, "actual") if "actual" in extra else path, "actual-missing",
                       f"尚未填写：指标“{name}”的{row_label('actual')}（actual）；不适用的指标写 not_applicable: true",
                       key=True)
            return None
        actual = str(actual)
        if given is not None and given > points:
            self.error((*path, "score"), "score-over",
                       f"指标“{name}”的{row_label('score')} {_shown(given)} 分超过了它的{row_label('points')} "
                       f"{self.scoring.shown(points)} 分")
            return None
        parsed = parse_value(target) if target else None
        if parsed is None and target:  # a bare number (100%) is a target to reach exactly
            parsed = parse_value(target, actual=True)
        if isinstance(parsed, ParsedValue):
            return self._measured(path, name, target or "", parsed, actual, given, points)
        if target and _same_words(actual, target):
            return given if given is not None else points
        if given is None:
            self.error((*path, "actual"), "score-missing",
                       f"定性指标“{name}”的{row_label('actual')}“{actual}”与{self.value_label}“{target or ''}”"
                       "不同（没有完全达成），"
                       f"要写{row_label('score')}（score，0 至 {self.scoring.shown(points)} 分）")
        return given

    def _measured(self, path: tuple[str, ...], name: str, target: str, parsed: ParsedValue, actual: str,
                  given: Decimal | None, points: Decimal) -> Decimal | None:
        """Return the score of an indicator with a quantitative target."""
        label = row_label("actual")
        reached = parse_value(actual, actual=True)
        if isinstance(reached, str):
            self.error((*path, "actual"), "actual-syntax", f"指标“{name}”的{label}“{actual}”：{reached}")
            return None
        if reached is None:
            unit = f"（带单位 {parsed.unit}）" if parsed.unit else ""
            self.error((*path, "actual"), "actual-not-number",
                       f"指标“{name}”的{self.value_label}是 {target}，{label}应是一个数{unit}，"
                       f"如 {parsed.number:f}{parsed.unit}；这里是“{actual}”")
            return None
        value = in_unit(reached.number, reached.unit, parsed.unit)
        if value is None:
            theirs = f"单位是“{reached.unit}”" if reached.unit else "没有单位"
            ours = f"单位是“{parsed.unit}”" if parsed.unit else "没有单位"
            self.error((*path, "actual"), "actual-unit",
                       f"指标“{name}”的{label}“{actual}”{theirs}，而{self.value_label}“{target}”{ours}；"
                       f"请按{('“' + parsed.unit + '”') if parsed.unit else '同样的写法'}写实际完成值")
            return None
        if parsed.kind in (AT_LEAST, AT_MOST):
            if parsed.kind == AT_LEAST:
                ratio = _ONE if parsed.number <= 0 and value >= parsed.number else (
                    value / parsed.number if parsed.number > 0 else Decimal(0))
            else:
                ratio = _ONE if value <= 0 or value <= parsed.number else (
                    parsed.number / value if parsed.number > 0 else Decimal(0))
            computed = self.scoring.rounded(min(max(ratio, Decimal(0)), _ONE) * points)
            if given is not None and given != computed:
                shown = self.scoring.shown(computed)
                self.error((*path, "score"), "score-computed",
                           f"指标“{name}”（{self.value_label} {target}，{label} {actual}）的{row_label('score')}"
                           f"由 sheetgen 按规则算出为 {shown} 分；请删去 score，或改成 {shown}")
                return None
            return computed
        met = (value == parsed.number) == (parsed.kind == EQUAL)
        if given is not None:
            return given
        if met:
            return points
        self.error((*path, "actual"), "score-missing",
                   f"指标“{name}”的{self.value_label}是 {target}，{label} {actual} 没有达到；这样的指标没有达到时"
                   f"要写{row_label('score')}（score，0 至 {self.scoring.shown(points)} 分）")
        return None

    # ------------------------------------------------------------------ the execution figures

    def _in_table_unit(self, value: Any) -> Decimal | None:
        if not isinstance(value, Decimal):
            return None
        unit = str(_mapping(self.data.get("budget")).get("unit") or self.jurisdiction.money_unit)
        table = self.jurisdiction.money_unit
        return convert(value, unit, table) if unit in UNITS and table in UNITS else value

    def _funds(self, column: str, written: Any, fallback: dict[str, Any] | None) -> dict[str, Any]:
        """Return one column of the 项目资金 block as written (or ``fallback``), checking its sum."""
        values = dict(written) if isinstance(written, Mapping) else dict(fallback or {})
        total = values.get("total")
        parts = [values.get(k) for k in FUNDS[1:]]
        if isinstance(total, Decimal) and any(isinstance(p, Decimal) for p in parts) and isinstance(written, Mapping):
            summed = sum((p for p in parts if isinstance(p, Decimal)), Decimal(0))
            if summed != total:
                shown = " + ".join(f"{core_label(BLOCK, column, k)} {_shown(v) if isinstance(v, Decimal) else 0}"
                                   for k, v in zip(FUNDS[1:], parts, strict=True))
                self.error((BLOCK, column, "total"), "funds-sum",
                           f"{core_label(BLOCK, column)}：{core_label(BLOCK, column, 'total')} {_shown(total)} "
                           f"不等于 {shown} = {_shown(summed)}")
        return values

    def execution(self) -> tuple[dict[str, dict[str, Any]], Decimal | None]:
        """Return the three columns of the 项目资金 block and the execution rate (None: unknown)."""
        block = _mapping(self.year_end.block)
        if self.year_end.block is None:
            self.error((), "year-end-missing",
                       f"这份说明写了实际完成值，还要写 {BLOCK}（{core_label(BLOCK)}）：至少"
                       f"{core_label(BLOCK, 'spent')}（{BLOCK}.spent.total），自评表要算预算执行率")
        budget = _mapping(self.data.get("budget"))
        from_budget = {row: budget.get(source.partition(".")[2]) for row, source in self.scoring.initial}
        initial = self._funds("initial", block.get("initial"), from_budget)
        adjusted = self._funds("adjusted", block.get("adjusted"), initial)
        spent = self._funds("spent", block.get("spent"), None)
        planned, done = adjusted.get("total"), spent.get("total")
        if self.year_end.block is not None and not isinstance(done, Decimal):
            self.error((BLOCK, "spent", "total") if isinstance(block.get("spent"), Mapping) else (BLOCK,),
                       "spent-missing",
                       f"尚未填写：{core_label(BLOCK, 'spent')}的{core_label(BLOCK, 'spent', 'total')}"
                       f"（{BLOCK}.spent.total）", key=True)
        rate = None
        if isinstance(done, Decimal) and isinstance(planned, Decimal):
            if planned <= 0:
                self.error((BLOCK, "adjusted", "total") if isinstance(block.get("adjusted"), Mapping) else (BLOCK,),
                           "budget-zero", f"{core_label(BLOCK, 'adjusted')}是 0，无法算预算执行率")
            else:
                rate = done / planned
                if rate > 1:
                    self.warning((BLOCK, "spent", "total"), "over-spent",
                                 f"{core_label(BLOCK, 'spent')} {_shown(done)} 大于{core_label(BLOCK, 'adjusted')} "
                                 f"{_shown(planned)}（执行率 {self.scoring.percent(rate)}）；得分按 100% 计")
        elif isinstance(done, Decimal):
            self.error((BLOCK,), "budget-missing",
                       f"尚未填写：{core_label(BLOCK, 'adjusted')}（{BLOCK}.adjusted.total），"
                       f"也无法从目标表的预算得到{core_label(BLOCK, 'initial')}", key=True)
        return {"initial": initial, "adjusted": adjusted, "spent": spent}, rate

    # ------------------------------------------------------------------ the whole

    def evaluate(self) -> Evaluation | None:
        # the model's classes are made here only: checking a spec without year-end data does without them
        from sheetgen.model import Evaluation, Funds, Scored

        scoring = self.scoring
        points = self.points()
        scored: list[Scored] = []
        for row, target, extra in self.indicators():
            full = points.get(row)
            score = self.score(row, target, extra, full) if full is not None else None
            if full is not None and score is not None and score < full and not str(extra.get("reason") or "").strip():
                self.error(("indicators", *row, "actual"), "reason-missing",
                           f"指标“{row[2]}”得分 {scoring.shown(score)} 分，低于分值 {scoring.shown(full)} 分"
                           f"（{self.value_label} {target or '（空）'}，{row_label('actual')} {extra.get('actual')}），"
                           f"要写{row_label('reason')}（reason）")
            actual = extra.get("actual")
            scored.append(Scored(row[0], scoring.label(row[0]), row[1], row[2], target,
                                 None if actual is None else str(actual), full,
                                 score if full is not None else None,
                                 None if extra.get("reason") is None else str(extra["reason"])))
        funds, rate = self.execution()
        if any(f.severity is Severity.ERROR for f in self.findings) or rate is None:
            return None
        execution_score = scoring.rounded(min(rate, _ONE) * scoring.execution)
        applicable = [s for s in scored if s.points is not None]
        available = scoring.execution + sum((s.points or Decimal(0) for s in applicable), Decimal(0))
        summed = execution_score + sum((s.score or Decimal(0) for s in applicable), Decimal(0))
        total = summed if available == scoring.total or available <= 0 else \
            scoring.rounded(summed * scoring.total / available)
        unit, block = _mapping(self.data.get("unit")), _mapping(self.year_end.block)

        def column(values: Mapping[str, Any]) -> Funds:
            return Funds(*(self._in_table_unit(values.get(k)) for k in FUNDS))

        return Evaluation(
            department=str(block.get("department") or unit.get("name") or ""),
            implementer=str(block.get("implementer") or unit.get("name") or ""),
            achieved=None if block.get("achieved") is None else str(block["achieved"]),
            initial=column(funds["initial"]), adjusted=column(funds["adjusted"]), spent=column(funds["spent"]),
            rate=rate, execution_points=scoring.execution, execution_score=execution_score,
            indicators=tuple(scored), points=available, score_sum=summed, total=total,
            full_marks=scoring.total, grade=scoring.grade(total),
        )


def evaluate(data: Mapping[str, Any], year_end: YearEnd, jurisdiction: Jurisdiction) -> tuple[Evaluation | None,
                                                                                                 list[Finding]]:
    """Return the 绩效自评 of a spec (its normalized ``data`` and ``year_end`` data) under the
    jurisdiction's scoring, and the problems found; the evaluation is None when there is an
    error among them, or when the jurisdiction has no 自评表."""
    if jurisdiction.self_evaluation is None:
        return None, []
    scorer = _Scorer(data, year_end, jurisdiction, jurisdiction.self_evaluation)
    evaluation = scorer.evaluate()
    return evaluation, scorer.findings
