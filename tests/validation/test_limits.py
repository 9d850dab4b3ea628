"""Plausible input that used to crash or be stored wrong: huge amounts, dates with a time,
texts longer than an Excel cell holds.  Each is an error at its line, and one such spec
never takes down the check or the build of the others."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from sheetgen.checking import check
from sheetgen.cli import main
from tests.conftest import SHANGHAI_SPEC, TIANJIN_DEFAULTS, TIANJIN_SPEC
from tests.validation.test_bad_input import line_of, only, replace

TWENTY_NINE = "12345678901234567890123456789"


def test_a_29_digit_amount_is_an_error_at_its_line(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "total: 100000", f"total: {TWENTY_NINE}")
    d = only(check([unit_dir(specs={"01-a.yaml": spec})]).diagnostics, "too-many-digits")
    assert d.is_error and d.line == line_of(spec, TWENTY_NINE) and d.label == "项目总预算"
    assert "15" in d.message and "Excel" in d.message


@pytest.mark.parametrize("written", [
    "12345678901234567890",        # 20 digits: Excel would show 12,345,678,901,234,600,000
    "1234567890123456",            # 16 digits
    '"12,345,678,901,234,567"',    # with separators
    "1.0e400",                     # a float YAML reads, far beyond any cell
])
def test_amounts_excel_cannot_hold_exactly_are_errors(unit_dir: Callable[..., Path], written: str) -> None:
    spec = replace(SHANGHAI_SPEC, "current_year: 100000", f"current_year: {written}")
    d = only(check([unit_dir(specs={"01-a.yaml": spec})]).diagnostics, "too-many-digits")
    assert d.is_error and d.line == line_of(spec, "current_year") and d.label == "项目当年预算"


def test_fifteen_significant_digits_are_fine(unit_dir: Callable[..., Path], tmp_path: Path) -> None:
    """The largest amount Excel keeps exactly is printed exactly (Tianjin: 13 digits and two decimals)."""
    spec = replace(TIANJIN_SPEC, "  total: 10.00\n  fiscal: 10.00\n",
                   "  total: 1234567890123.45\n  fiscal: 1234567890123.45\n")
    folder = unit_dir(TIANJIN_DEFAULTS, {"01-t.yaml": spec}, name="tj")
    assert not [d for d in check([folder]).diagnostics if d.code == "too-many-digits" or d.is_error]
    assert main(["build", str(folder), "-o", str(tmp_path / "out"), "-j", "1", "-q"]) == 0
    sheet = openpyxl.load_workbook(tmp_path / "out" / "tj" / "01-t.xlsx").active
    values = [v for row in sheet.iter_rows(values_only=True) for v in row]
    assert 1234567890123.45 in values


def test_an_amount_in_another_unit_is_counted_as_the_table_shows_it(unit_dir: Callable[..., Path]) -> None:
    """16 digits in 元 are 12 digits and two decimals in a 万元 table: Excel holds that exactly."""
    spec = replace(TIANJIN_SPEC, "  total: 10.00\n  fiscal: 10.00\n",
                   "  unit: 元\n  total: 1234567890123456\n  fiscal: 1234567890123456\n")
    spec = replace(spec, "value: ≤10万元", "value: ≤10万元")
    found = check([unit_dir(TIANJIN_DEFAULTS, {"01-t.yaml": spec}, name="tj")]).diagnostics
    assert not [d for d in found if d.code == "too-many-digits"], [d.format() for d in found]


def test_a_huge_cost_indicator_does_not_crash(unit_dir: Callable[..., Path]) -> None:
    spec = replace(TIANJIN_SPEC, "value: ≤10万元", f"value: ≤{TWENTY_NINE}万元")
    d = only(check([unit_dir(TIANJIN_DEFAULTS, {"01-t.yaml": spec}, name="tj")]).diagnostics, "cost-over-budget")
    assert d.is_error


@pytest.mark.parametrize("key", ["start_date", "end_date"])
def test_a_date_with_a_time_is_an_error_at_its_line(unit_dir: Callable[..., Path], key: str) -> None:
    spec = SHANGHAI_SPEC.replace(f"{key}: 2020-01-01\n", f"{key}: 2020-01-01 09:00:00\n")
    spec = spec.replace(f"{key}: 2020-12-31\n", f"{key}: 2020-12-31 18:00\n")
    d = only(check([unit_dir(specs={"01-a.yaml": spec})]).diagnostics, "wrong-type")
    assert d.is_error and d.line == line_of(spec, key) and d.yaml_path == key
    assert "时间" in d.message and ("2020-01-01" in d.message or "2020-12-31" in d.message)


def test_both_dates_with_a_time_are_both_reported_and_nothing_is_built(
        unit_dir: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = replace(SHANGHAI_SPEC, "start_date: 2020-01-01", "start_date: 2020-01-01 09:00:00")
    spec = replace(spec, "end_date: 2020-12-31", "end_date: 2020-12-31 18:00:00")
    folder = unit_dir(specs={"01-a.yaml": spec, "02-b.yaml": SHANGHAI_SPEC})
    found = [d for d in check([folder]).diagnostics if d.code == "wrong-type"]
    assert sorted(d.yaml_path for d in found) == ["end_date", "start_date"]
    assert main(["build", str(folder), "-o", str(tmp_path / "out"), "-j", "1"]) == 1
    printed = capsys.readouterr()
    assert "Traceback" not in printed.out + printed.err
    assert not (tmp_path / "out" / "unit" / "01-a.xlsx").exists()
    assert (tmp_path / "out" / "unit" / "02-b.xlsx").is_file()


def test_a_bad_amount_does_not_take_down_the_build(
        unit_dir: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = replace(SHANGHAI_SPEC, "total: 100000", f"total: {TWENTY_NINE}")
    folder = unit_dir(specs={"01-a.yaml": bad, "02-b.yaml": SHANGHAI_SPEC})
    assert main(["check", str(folder)]) == 1
    assert main(["build", str(folder), "-o", str(tmp_path / "out"), "-j", "2"]) == 1
    printed = capsys.readouterr()
    assert "Traceback" not in printed.out + printed.err and "too-many-digits" in printed.out + printed.err
    assert (tmp_path / "out" / "unit" / "02-b.xlsx").is_file()
    assert (tmp_path / "out" / "unit" / "02-b.docx").is_file()
    assert not (tmp_path / "out" / "unit" / "01-a.xlsx").exists()


# ----------------------------------------------------------------------------- Excel's cell limit

def test_a_text_longer_than_an_excel_cell_is_an_error_at_its_line(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "overview: 概况", "overview: " + "很" * 32_768)
    d = only(check([unit_dir(specs={"01-a.yaml": spec})]).diagnostics, "too-long")
    assert d.is_error and d.line == line_of(spec, "overview") and d.label == "项目概况"
    assert "32,768" in d.message and "32,767" in d.message


def test_a_text_of_exactly_the_limit_is_fine(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "overview: 概况", "overview: " + "很" * 32_767)
    assert not [d for d in check([unit_dir(specs={"01-a.yaml": spec})]).diagnostics if d.code == "too-long"]


def test_characters_outside_the_bmp_count_twice_as_excel_counts_them(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "overview: 概况", "overview: " + "𠀀" * 16_384)  # 32,768 UTF-16 units
    assert only(check([unit_dir(specs={"01-a.yaml": spec})]).diagnostics, "too-long").is_error


def test_a_long_indicator_value_is_an_error(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "预算执行率: =100%", "预算执行率: " + "高" * 40_000)
    d = only(check([unit_dir(specs={"01-a.yaml": spec})]).diagnostics, "too-long")
    assert d.line == line_of(spec, "预算执行率") and d.label == "三级目标" and d.yaml_path.endswith("预算执行率")


def test_targets_printed_in_one_cell_count_together(unit_dir: Callable[..., Path]) -> None:
    """Tianjin prints every 绩效目标 in one cell, numbered: together they must fit."""
    items = "".join(f"  - {'目' * 11_000}\n" for _ in range(3))
    spec = replace(TIANJIN_SPEC, "  - 对遭受侵害导致生活困难的被害人进行救助。\n", items)
    d = only(check([unit_dir(TIANJIN_DEFAULTS, {"01-t.yaml": spec}, name="tj")]).diagnostics, "too-long")
    assert d.is_error and d.line == line_of(spec, "targets") and d.label == "绩效目标"


def test_a_rule_that_fails_on_unforeseen_input_fails_only_its_spec(
        unit_dir: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault injection: a rule raising on one spec's data makes that spec an error, not a crash."""
    from sheetgen.validation import rules

    def fragile(data: object, jurisdiction: object) -> object:
        if "坏" in str(data):
            raise ArithmeticError("unforeseen")
        return iter(())

    monkeypatch.setattr(rules, "RULES", (*rules.RULES, fragile))
    folder = unit_dir(specs={"01-a.yaml": replace(SHANGHAI_SPEC, "plan: 计划", "plan: 坏"), "02-b.yaml": SHANGHAI_SPEC})
    report = check([folder])
    d = only(report.diagnostics, "internal-error")
    assert d.is_error and d.path.endswith("01-a.yaml") and "fragile" in d.message
    assert [s.ok for s in report.specs] == [False, True]
