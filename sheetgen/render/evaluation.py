"""What a 绩效自评表 template sees besides ``project``: ``evaluation`` (the header of the
自评表, the execution figures, the total and the grade) and ``rows`` (its indicator table).

Scores print with the jurisdiction's decimals (``8.34``, ``10.00``), the rate as a percent
(``97.36%``); a not-applicable indicator prints the jurisdiction's word for it in its
实际完成值, 分值 and 得分 cells.  Amounts of the 项目资金 block stay :class:`~decimal.Decimal`
and print as every amount does (the jurisdiction's money format).

Template variables: ``evaluation.department`` (主管部门), ``evaluation.implementer``
(实施单位), ``evaluation.initial`` / ``adjusted`` / ``spent`` (年初预算数, 全年预算数,
全年执行数, each with ``total``, ``fiscal``, ``carryover``, ``other``),
``evaluation.execution_points``, ``evaluation.rate``, ``evaluation.execution_score``,
``evaluation.achieved`` (实际完成情况), ``evaluation.points`` (the full marks scored),
``evaluation.total`` (总分), ``evaluation.grade`` (自评等级); each row of ``rows`` has
``level1`` and ``level2`` (merged cells: ``{%vm row.level1 %}``), ``name``, ``value`` (the
target), ``actual``, ``points``, ``score`` and ``reason``.
"""

from __future__ import annotations

from typing import Any

from sheetgen.errors import TemplateError
from sheetgen.jurisdiction import Jurisdiction, Scoring
from sheetgen.jurisdiction.scoring import FUNDS
from sheetgen.model import Evaluation, Funds, Project
from sheetgen.render.context import Fields

#: What ``evaluation`` has; ``initial``, ``adjusted`` and ``spent`` have :data:`FUNDS`.
EVALUATION_FIELDS = ("department", "implementer", "initial", "adjusted", "spent", "execution_points", "rate",
                     "execution_score", "achieved", "points", "total", "grade")
FUNDS_COLUMNS = ("initial", "adjusted", "spent")
#: What a row of a 自评表 has (``level1``, ``level2``: merged cells, as in the 目标表).
EVALUATION_ROW_FIELDS = ("level1", "level2", "name", "value", "actual", "points", "score", "reason")


def _funds(funds: Funds, column: str) -> Fields:
    return Fields({key: getattr(funds, key) for key in FUNDS}, f"evaluation.{column}.")


def _rows(evaluation: Evaluation, scoring: Scoring) -> list[Fields]:
    out = []
    word = scoring.not_applicable
    for row in evaluation.iter_rows():
        item = row.indicator
        scored = item.points is not None
        out.append(Fields({
            "level1": row.level1, "level2": row.level2, "name": item.name, "value": item.target,
            "actual": item.actual if scored else word,
            "points": scoring.shown(item.points) if item.points is not None else word,
            "score": scoring.shown(item.score) if item.score is not None else word,
            "reason": item.reason,
        }, "row."))
    return out


def evaluation_context(project: Project, jurisdiction: Jurisdiction) -> dict[str, Any]:
    """Return ``evaluation`` and ``rows`` of a 自评表 of ``project`` (which must be evaluated)."""
    scoring, evaluation = jurisdiction.self_evaluation, project.evaluation
    if scoring is None or evaluation is None:
        raise TemplateError(f"项目 {project.key} 没有年终数据（或格式“{jurisdiction.name}”没有自评表），无法生成自评表")
    header = Fields({
        "department": evaluation.department, "implementer": evaluation.implementer,
        "initial": _funds(evaluation.initial, "initial"), "adjusted": _funds(evaluation.adjusted, "adjusted"),
        "spent": _funds(evaluation.spent, "spent"),
        "execution_points": scoring.shown(evaluation.execution_points), "rate": scoring.percent(evaluation.rate),
        "execution_score": scoring.shown(evaluation.execution_score), "achieved": evaluation.achieved,
        "points": scoring.shown(evaluation.points), "total": scoring.shown(evaluation.total),
        "grade": evaluation.grade,
    }, "evaluation.")
    assert tuple(header) == EVALUATION_FIELDS
    return {"evaluation": header, "rows": _rows(evaluation, scoring)}
