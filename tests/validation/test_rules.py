"""The domain rules, each shown failing on a spec that breaks it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sheetgen.checking import check
from sheetgen.errors import Diagnostic
from sheetgen.validation.rules import ParsedValue, parse_value
from tests.conftest import SHANGHAI_SPEC, TIANJIN_DEFAULTS, TIANJIN_SPEC
from tests.validation.test_bad_input import line_of, only, replace


def run(unit_dir: Callable[..., Path], spec: str, *, tianjin: bool = False, strict: bool = False) -> list[Diagnostic]:
    if tianjin:
        folder = unit_dir(TIANJIN_DEFAULTS, {"01-t.yaml": spec}, name="tj")
    else:
        folder = unit_dir(specs={"01-a.yaml": spec})
    return check([folder], strict=strict).diagnostics


def test_start_after_end(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "end_date: 2020-12-31", "end_date: 2019-12-31")
    d = only(run(unit_dir, spec), "date-order")
    assert d.is_error and d.line == line_of(spec, "end_date") and d.label == "计划完成日期"


def test_negative_amount(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "last_year: 704000", "last_year: -5")
    d = only(run(unit_dir, spec), "negative")
    assert d.label == "同名项目上年预算额" and d.line == line_of(spec, "last_year: -5")


def test_amount_with_separators_is_exact(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "total: 100000", 'total: "100,000"')
    assert run(unit_dir, spec) == []


def test_tianjin_budget_must_add_up(unit_dir: Callable[..., Path]) -> None:
    spec = replace(TIANJIN_SPEC, "  other:\n", "  other: 0.50\n")
    d = only(run(unit_dir, spec, tianjin=True), "budget-sum")
    assert d.is_error and "预算数" in d.message and "10.50" in d.message and d.line == line_of(spec, "total")


def test_cost_indicator_above_budget(unit_dir: Callable[..., Path]) -> None:
    spec = replace(TIANJIN_SPEC, "value: ≤10万元", "value: ≤12万元")
    d = only(run(unit_dir, spec, tianjin=True), "cost-over-budget")
    assert d.line == line_of(spec, "≤12万元") and "司法救助总金额" in d.message


def test_cost_in_yuan_against_wan_budget(unit_dir: Callable[..., Path]) -> None:
    assert run(unit_dir, replace(TIANJIN_SPEC, "value: ≤10万元", "value: ≤99000元"), tianjin=True) == []
    found = run(unit_dir, replace(TIANJIN_SPEC, "value: ≤10万元", "value: ≤100001元"), tianjin=True)
    assert only(found, "cost-over-budget").is_error


def test_unknown_level_names_warn_with_closest(unit_dir: Callable[..., Path]) -> None:
    """A name two characters away from 产出目标 may be new: a warning (a one-character slip is an
    error, see test_vocabulary.py)."""
    spec = replace(SHANGHAI_SPEC, "  产出目标:", "  产出成果:")
    d = only(run(unit_dir, spec), "unknown-level1")
    assert not d.is_error and "产出目标" in d.message and d.line == line_of(spec, "产出成果")


def test_level2_name_in_level1_position(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "  效果目标:\n    满意度:\n", "  满意度:\n    满意度:\n")
    d = only(run(unit_dir, spec), "unknown-level1")
    assert "二级" in d.message


def test_value_syntax(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "预算执行率: =100%", "预算执行率: =>100%")
    d = only(run(unit_dir, spec), "value-syntax")
    assert d.is_error and "≥" in d.message
    spec = replace(SHANGHAI_SPEC, "预算执行率: =100%", "预算执行率: ≥百分百")
    assert only(run(unit_dir, spec), "value-syntax").is_error


def test_empty_value_is_a_warning_and_strict_makes_it_an_error(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "预算执行率: =100%", "预算执行率:")
    d = only(run(unit_dir, spec), "empty-value")
    assert not d.is_error and d.line == line_of(spec, "预算执行率")
    assert only(run(unit_dir, spec, strict=True), "empty-value").is_error


def test_parse_value_forms() -> None:
    assert parse_value("≥90%") == ParsedValue("≥", __import__("decimal").Decimal("90"), "%")
    assert parse_value(">=2辆") == ParsedValue(">=", __import__("decimal").Decimal("2"), "辆")
    assert parse_value("＝100％").unit == "％"  # type: ignore[union-attr]
    assert parse_value("合理") is None
    assert isinstance(parse_value("≤"), str)


def test_review_items_block_the_spec_until_dealt_with(unit_dir: Callable[..., Path]) -> None:
    spec = SHANGHAI_SPEC + "review:\n  - text: 无法归位的文字\n    source: old.docx 表1 第3行 第2列\n"
    d = only(run(unit_dir, spec), "needs-review")
    assert d.is_error and "无法归位的文字" in d.message and "old.docx 表1 第3行 第2列" in d.message
    assert d.line == line_of(spec, "- text:")


def test_amount_in_another_unit_that_the_table_would_round(unit_dir: Callable[..., Path]) -> None:
    spec = replace(TIANJIN_SPEC, "  total: 10.00\n  fiscal: 10.00\n", "  unit: 元\n  total: 100001\n  fiscal: 100001\n")
    spec = replace(spec, "value: ≤10万元", "value: ≤11万元")
    found = run(unit_dir, spec, tianjin=True)
    d = next(x for x in found if x.code == "amount-rounded" and x.yaml_path == "budget.total")
    assert not d.is_error and "10.0001" in d.message and "10.00" in d.message


# ----------------------------------------------------------------------------- a ≤ b (schema.yaml rules.at_most)

def test_shanghai_current_year_budget_above_the_total(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "current_year: 100000", "current_year: 120000")
    d = only(run(unit_dir, spec), "over-limit")
    assert d.is_error and d.line == line_of(spec, "current_year") and d.label == "项目当年预算"
    assert "项目当年预算" in d.message and "120,000" in d.message
    assert "项目总预算" in d.message and "100,000" in d.message


def test_shanghai_last_year_spent_above_last_years_budget(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "last_year_spent: 704000", "last_year_spent: 704001")
    d = only(run(unit_dir, spec), "over-limit")
    assert d.is_error and d.line == line_of(spec, "last_year_spent")
    assert "同名项目上年预算执行数 704,001" in d.message and "同名项目上年预算额 704,000" in d.message


def test_equal_or_blank_amounts_pass_the_limit(unit_dir: Callable[..., Path]) -> None:
    assert run(unit_dir, SHANGHAI_SPEC) == []
    spec = replace(SHANGHAI_SPEC, "  last_year: 704000\n", "  last_year:\n")
    assert [d.code for d in run(unit_dir, spec)] == []


def test_the_limit_is_compared_in_the_specs_own_unit(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "budget:\n  total: 100000\n  current_year: 100000\n",
                   "budget:\n  unit: 万元\n  total: 10\n  current_year: 10.5\n")
    spec = replace(spec, "last_year: 704000\n  last_year_spent: 704000", "last_year: 70.4\n  last_year_spent: 70.4")
    d = only(run(unit_dir, spec), "over-limit")
    assert "10.5 万元" in d.message and "10 万元" in d.message


def test_a_jurisdiction_declares_its_own_limits(unit_dir: Callable[..., Path]) -> None:
    """The rule is data: a Tianjin copy may add 其他资金 ≤ 财政资金."""
    spec = replace(TIANJIN_SPEC, "  fiscal: 10.00\n  other:\n", "  fiscal: 4.00\n  other: 6.00\n")
    folder = unit_dir(TIANJIN_DEFAULTS, {"01-t.yaml": spec}, name="tj")
    templates = folder.parent / "templates" / "tianjin"
    templates.mkdir(parents=True)
    (templates / "jurisdiction.yaml").write_text("extends: tianjin\n", encoding="utf-8")
    (templates / "schema.yaml").write_text(
        "rules:\n  budget_sum: {total: total, parts: [fiscal, other]}\n"
        "  at_most:\n    - {field: budget.other, limit: budget.fiscal}\n", encoding="utf-8")
    d = only(check([folder]).diagnostics, "over-limit")
    assert "其他资金 6.00" in d.message and "其中：财政资金 4.00" in d.message


# ----------------------------------------------------------------------------- amounts implausible for the unit

def test_tianjin_amount_written_in_yuan_gets_a_warning_suggesting_the_unit(unit_dir: Callable[..., Path]) -> None:
    spec = replace(TIANJIN_SPEC, "  total: 10.00\n  fiscal: 10.00\n", "  total: 1035000\n  fiscal: 1035000\n")
    found = run(unit_dir, spec, tianjin=True)
    d = next(x for x in found if x.code == "implausible-amount" and x.yaml_path == "budget.total")
    assert not d.is_error and d.line == line_of(spec, "total: 1035000")
    assert "103.5 亿元" in d.message and "unit: 元" in d.message and "103.50 万元" in d.message


def test_shanghai_amount_written_in_wan_gets_a_warning_suggesting_the_unit(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "  total: 100000\n  current_year: 100000\n",
                   "  total: 246.8\n  current_year: 246.8\n")
    d = next(x for x in run(unit_dir, spec) if x.code == "implausible-amount" and x.yaml_path == "budget.total")
    assert not d.is_error and "unit: 万元" in d.message and "246.8" in d.message


def test_an_amount_no_unit_makes_plausible_says_so(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "last_year: 704000\n  last_year_spent: 704000",
                   "last_year: 0.05\n  last_year_spent: 0.05")
    found = [x for x in run(unit_dir, spec) if x.code == "implausible-amount"]
    assert len(found) == 2 and all("多写或少写" in x.message and "unit:" not in x.message for x in found)


def test_zero_and_plausible_amounts_pass(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "last_year: 704000\n  last_year_spent: 704000", "last_year: 0\n  last_year_spent: 0")
    assert run(unit_dir, spec) == []


def test_a_range_with_only_an_upper_bound(unit_dir: Callable[..., Path]) -> None:
    import shutil

    from tests.conftest import REPO

    folder = unit_dir(specs={"01-a.yaml": replace(SHANGHAI_SPEC, "last_year: 704000", "last_year: 7040000000")})
    copy = folder.parent / "templates" / "shanghai"
    shutil.copytree(REPO / "templates" / "shanghai", copy)
    description = copy / "jurisdiction.yaml"
    text = description.read_text(encoding="utf-8")
    description.write_text(text.replace("plausible: {min: 1000元, max: 10亿元}", "plausible: {max: 10亿元}"),
                           encoding="utf-8")
    d = next(x for x in check([folder]).diagnostics if x.code == "implausible-amount")
    assert "70.4 亿元" in d.message and "至多 10 亿元" in d.message
