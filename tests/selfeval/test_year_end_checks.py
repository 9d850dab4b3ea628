"""Year-end data checked with Chinese messages at file:line:col: a shortfall without a reason
names the indicator, an actual in another unit, a score over full marks, a qualitative
indicator not met without its score, … -- and such a slip holds back the 自评表 only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sheetgen.checking import check
from sheetgen.errors import Diagnostic
from tests.conftest import TIANJIN_DEFAULTS

#: A Tianjin spec carrying year-end data: 产出 50 over three indicators (16.67, 16.67, 16.66),
#: 满意度 10, 效益 absent (so 70 points are scored and the total rescaled).
SPEC = """\
name: 2025年检察业务信息化运维项目
budget:
  total: 26.50
  fiscal: 26.50
  other:
purpose: 用于信息化运维服务费用
targets:
  - 保障办公办案正常进行。
year_end:
  spent: {total: 25.80, fiscal: 25.80}
indicators:
  产出指标:
    数量指标:
      软件维护次数:
        value: ≥200次
        actual: 210次
    质量指标:
      运维服务质量:
        value: 保障软、硬件正常运转。
        actual: 保障软、硬件正常运转。
    时效指标:
      故障响应时间:
        value: ≤24小时
        actual: 20小时
  满意度指标:
    服务对象满意度指标:
      单位干警满意度:
        value: ≥99%
        actual: 99.5%
"""


def run(unit_dir: Callable[..., Path], spec: str) -> list[Diagnostic]:
    folder = unit_dir(TIANJIN_DEFAULTS, {"01-a.yaml": spec})
    return check([folder]).diagnostics


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """Return the 1-based line of the ``nth`` line of ``text`` containing ``needle``."""
    found = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return found[nth - 1]


def only(found: list[Diagnostic], code: str) -> Diagnostic:
    matching = [d for d in found if d.code == code]
    assert len(matching) == 1, [d.format() for d in found]
    return matching[0]


def test_the_spec_as_written_checks_clean(unit_dir: Callable[..., Path]) -> None:
    assert run(unit_dir, SPEC) == []


def test_a_shortfall_without_a_reason_names_the_indicator_at_its_line(unit_dir: Callable[..., Path]) -> None:
    spec = SPEC.replace("actual: 210次", "actual: 180次")
    d = only(run(unit_dir, spec), "reason-missing")
    assert d.is_error and (d.line, d.col) == (line_of(spec, "actual: 180次"), 17)
    assert "软件维护次数" in d.message and "偏差原因分析及改进措施" in d.message and "reason" in d.message
    assert "15.00" in d.message and "16.67" in d.message  # 180 / 200 × 16.67 = 15.003 -> 15.00
    assert d.path.endswith("01-a.yaml") and d.yaml_path.endswith("软件维护次数.actual")
    with_reason = spec.replace("actual: 180次", "actual: 180次\n        reason: 部分维护合并进行。")
    assert run(unit_dir, with_reason) == []


def test_an_actual_in_another_unit_is_an_error_at_its_line(unit_dir: Callable[..., Path]) -> None:
    spec = SPEC.replace("actual: 20小时", "actual: 1天")
    d = only(run(unit_dir, spec), "actual-unit")
    assert d.is_error and (d.line, d.col) == (line_of(spec, "actual: 1天"), 17)
    assert "故障响应时间" in d.message and "“天”" in d.message and "“小时”" in d.message
    no_unit = SPEC.replace("actual: 210次", "actual: 210")
    d = only(run(unit_dir, no_unit), "actual-unit")
    assert d.line == line_of(no_unit, "actual: 210") and "没有单位" in d.message
    # spellings of one unit, and money units, are one unit
    same = SPEC.replace("value: ≥99%", "value: ≥99百分之")
    assert run(unit_dir, same) == []


def test_a_score_over_full_marks_is_an_error_at_its_line(unit_dir: Callable[..., Path]) -> None:
    spec = SPEC.replace("actual: 保障软、硬件正常运转。",
                        "actual: 基本保障正常运转\n        score: 18\n        reason: 有两次中断。")
    d = only(run(unit_dir, spec), "score-over")
    assert d.is_error and d.line == line_of(spec, "score: 18") and d.col == 16
    assert "运维服务质量" in d.message and "18" in d.message and "16.67" in d.message


def test_a_qualitative_indicator_not_met_needs_its_score(unit_dir: Callable[..., Path]) -> None:
    spec = SPEC.replace("actual: 保障软、硬件正常运转。", "actual: 基本保障正常运转")
    d = only(run(unit_dir, spec), "score-missing")
    assert d.is_error and d.line == line_of(spec, "actual: 基本保障正常运转")
    assert "运维服务质量" in d.message and "score" in d.message and "0 至 16.67 分" in d.message


def test_an_equal_target_not_met_needs_its_score(unit_dir: Callable[..., Path]) -> None:
    spec = SPEC.replace("value: ≥99%\n        actual: 99.5%", "value: =100%\n        actual: 98%")
    d = only(run(unit_dir, spec), "score-missing")
    assert d.line == line_of(spec, "actual: 98%") and "单位干警满意度" in d.message


def test_a_missing_actual_is_still_to_fill(unit_dir: Callable[..., Path]) -> None:
    spec = SPEC.replace("        actual: 20小时\n", "")
    d = only(run(unit_dir, spec), "actual-missing")
    assert d.is_error and d.line == line_of(spec, "故障响应时间:") and "尚未填写" in d.message
    assert "not_applicable" in d.message
    blank = SPEC.replace("actual: 20小时", "actual:")
    assert only(run(unit_dir, blank), "actual-missing").line == line_of(blank, "actual:", 3)


def test_a_computed_score_cannot_be_written_otherwise(unit_dir: Callable[..., Path]) -> None:
    spec = SPEC.replace("actual: 210次", "actual: 210次\n        score: 10")
    d = only(run(unit_dir, spec), "score-computed")
    assert d.line == line_of(spec, "score: 10") and "16.67" in d.message


def test_a_quantitative_target_needs_a_number(unit_dir: Callable[..., Path]) -> None:
    spec = SPEC.replace("actual: 210次", "actual: 两百多次")
    d = only(run(unit_dir, spec), "actual-not-number")
    assert d.line == line_of(spec, "actual: 两百多次") and "≥200次" in d.message
    bound = SPEC.replace("actual: 210次", "actual: ≥210次")
    assert "不带比较符" in only(run(unit_dir, bound), "actual-syntax").message


def test_points_over_the_level1_points(unit_dir: Callable[..., Path]) -> None:
    spec = SPEC.replace("actual: 210次", "actual: 210次\n        points: 40").replace(
        "actual: 20小时", "actual: 20小时\n        points: 20")
    d = only(run(unit_dir, spec), "points-over")
    assert d.line == line_of(spec, "points: 20") and "60" in d.message and "50" in d.message
    decimals = SPEC.replace("actual: 210次", "actual: 210次\n        points: 20.125")
    assert only(run(unit_dir, decimals), "too-many-decimals").line == line_of(decimals, "points: 20.125")


def test_the_execution_figures(unit_dir: Callable[..., Path]) -> None:
    spec = SPEC.replace("spent: {total: 25.80, fiscal: 25.80}", "spent: {total: 25.80, fiscal: 25.00}")
    d = only(run(unit_dir, spec), "funds-sum")
    assert d.line == line_of(spec, "spent:") and "全年执行数" in d.message and "25.80" in d.message
    missing = SPEC.replace("year_end:\n  spent: {total: 25.80, fiscal: 25.80}\n", "")
    assert only(run(unit_dir, missing), "year-end-missing").is_error
    over = SPEC.replace("spent: {total: 25.80, fiscal: 25.80}", "spent: {total: 27.00}")
    d = only(run(unit_dir, over), "over-spent")
    assert not d.is_error and "101.89%" in d.message


def test_a_type_slip_in_year_end_data_is_reported_at_its_line(unit_dir: Callable[..., Path]) -> None:
    spec = SPEC.replace("actual: 210次", "actual: 210次\n        points: 很多")
    d = next(d for d in run(unit_dir, spec) if d.yaml_path.endswith(".points"))
    assert d.is_error and d.line == line_of(spec, "points: 很多") and d.label == "分值"


def test_year_end_errors_hold_back_the_self_evaluation_only(unit_dir: Callable[..., Path]) -> None:
    from sheetgen.spec.files import discover, read_spec
    from sheetgen.validation import Checker

    folder = unit_dir(TIANJIN_DEFAULTS, {"01-a.yaml": SPEC.replace("actual: 20小时", "actual: 1天")})
    files, _ = discover([folder])
    validated = Checker().validate(read_spec(files[0]))
    assert validated.ok and validated.carries_year_end and not validated.year_end_ok
    clean = unit_dir(TIANJIN_DEFAULTS, {"01-a.yaml": SPEC}, name="clean")
    files, _ = discover([clean])
    validated = Checker().validate(read_spec(files[0]))
    assert validated.ok and validated.year_end_ok


def test_a_spec_without_year_end_data_is_not_scored(unit_dir: Callable[..., Path]) -> None:
    from sheetgen.spec.files import discover, read_spec
    from sheetgen.validation import Checker
    from tests.conftest import TIANJIN_SPEC

    folder = unit_dir(TIANJIN_DEFAULTS, {"01-a.yaml": TIANJIN_SPEC})
    files, _ = discover([folder])
    validated = Checker().validate(read_spec(files[0]))
    assert validated.ok and not validated.carries_year_end and validated.year_end_diagnostics == []


@pytest.mark.parametrize(("old", "new", "message"), [
    ("level1: {产出指标: 50, 效益指标: 30, 满意度指标: 10}", "level1: {产出指标: 50, 效益指标: 30, 满意度指标: 20}",
     "应等于满分 100"),
    ("level1: {产出指标: 50, 效益指标: 30, 满意度指标: 10}", "level1: {产出指标: 50, 效益指票: 30, 满意度指标: 10}",
     "不在 levels.level1 里"),
    ("    - {grade: 差, min: 0}", "    - {grade: 差, min: 10}", "最低分应为 0"),
    ("initial: {total: budget.total, fiscal: budget.fiscal, other: budget.other}", "initial: {total: budget.totl}",
     "不是 schema.yaml 的 budget 里的字段"),
])
def test_the_scoring_rules_of_a_format_are_checked_at_their_line(tmp_path: Path, old: str, new: str,
                                                                message: str) -> None:
    import shutil

    from sheetgen import jurisdiction as jurisdictions
    from sheetgen.errors import JurisdictionError
    from tests.conftest import REPO

    folder = tmp_path / "templates" / "tianjin"
    shutil.copytree(REPO / "templates" / "tianjin", folder)
    path = folder / "jurisdiction.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(JurisdictionError) as raised:
        jurisdictions.load("tianjin", [tmp_path / "templates"])
    found = [d for d in raised.value.diagnostics if message in d.message]
    assert found and found[0].line == line_of(text.replace(old, new), new.strip())


def test_a_bad_character_is_one_error_in_the_part_that_holds_it(unit_dir: Callable[..., Path]) -> None:
    # the indicator's name belongs to the target part (said once, though the row carries
    # year-end data); a character in its reason to the year-end part
    spec = SPEC.replace('      软件维护次数:', '      "软件\\x01维护次数":').replace(
        "        actual: 20小时", '        actual: 20小时\n        reason: "晚\\x01了"')
    found = [d for d in run(unit_dir, spec) if d.code == "bad-char"]
    assert [d.yaml_path for d in found] == ["indicators.产出指标.数量指标.软件\x01维护次数",
                                            "indicators.产出指标.时效指标.故障响应时间.reason"], found
    assert found[1].line == line_of(spec, "reason") and found[1].label == "偏差原因分析及改进措施"
