"""The 自评表 follows the build's rules: current and complete, or said loudly that it is not.
A slip in year-end data holds back the 自评表 (its old file is moved aside as 已过期) while the
目标表 is still made; a spec that drops its year-end data loses its 自评表; the unit's 自评 汇总
waits (with a warning) for projects without year-end data; ``--table 自评表`` makes a missing
one an error; a changed actual makes the 自评表 again."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import openpyxl
import pytest

from sheetgen.build.runner import BuildOptions, Summary, run_build
from sheetgen.cli import main
from sheetgen.errors import Diagnostic
from tests.conftest import TIANJIN_DEFAULTS, TIANJIN_SPEC
from tests.selfeval.test_year_end_checks import SPEC

UNIT = "天津市西青区人民检察院"


class Collect:
    """A reporter that keeps the diagnostics a build shows."""

    def __init__(self) -> None:
        self.shown: list[Diagnostic] = []

    def started(self, total: int) -> None: ...
    def advanced(self, count: int = 1) -> None: ...
    def diagnostics(self, items: Sequence[Diagnostic]) -> None:
        self.shown.extend(items)
    def written(self, path: Path) -> None: ...
    def failed(self, message: str) -> None: ...
    def note(self, message: str) -> None: ...


def build(folder: Path, out: Path, **options: object) -> tuple[Summary, Collect]:
    seen = Collect()
    summary = run_build(BuildOptions(paths=(folder,), output=out, jobs=1, **options), seen)  # type: ignore[arg-type]
    return summary, seen


def names(out: Path) -> set[str]:
    return {p.name for p in (out / "unit").iterdir()}


def score_of(path: Path) -> object:
    sheet = openpyxl.load_workbook(path).worksheets[0]
    return next(r[6].value for r in sheet.iter_rows() if r[0].value == "总分")


@pytest.fixture
def unit(unit_dir: Callable[..., Path]) -> Path:
    return unit_dir(TIANJIN_DEFAULTS, {"01-a.yaml": SPEC})


def test_a_year_end_slip_holds_back_the_self_evaluation_only(unit: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary, _ = build(unit, out)
    assert summary.ok and {"01-a.docx", "01-a-自评.docx", "01-a-自评.xlsx", f"汇总-{UNIT}-自评.xlsx"} <= names(out)
    spec = unit / "01-a.yaml"
    spec.write_text(SPEC.replace("actual: 20小时", "actual: 1天"), encoding="utf-8")
    summary, seen = build(unit, out)
    assert not summary.ok and summary.failed == 1
    assert any(d.code == "actual-unit" for d in seen.shown)
    now = names(out)
    assert {"01-a.docx", "01-a.xlsx"} <= now  # the 目标表 is still current
    assert "01-a-自评.docx" not in now and {"01-a-自评（已过期）.docx", "01-a-自评（已过期）.xlsx"} <= now
    assert f"汇总-{UNIT}-自评（已过期）.xlsx" in now and f"汇总-{UNIT}.xlsx" in now
    spec.write_text(SPEC, encoding="utf-8")
    summary, _ = build(unit, out)
    assert summary.ok
    assert not any("已过期" in name for name in names(out)) and "01-a-自评.docx" in names(out)


def test_a_changed_actual_makes_the_self_evaluation_again(unit: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(unit, out)
    table = out / "unit" / "01-a-自评.xlsx"
    before = score_of(table)
    summary, _ = build(unit, out)
    assert summary.ok and summary.unchanged == 1 and summary.files == []
    (unit / "01-a.yaml").write_text(SPEC.replace("actual: 210次", "actual: 180次\n        reason: 合并维护。"),
                                    encoding="utf-8")
    summary, _ = build(unit, out)
    assert summary.ok and table in summary.files
    assert before != score_of(table)
    # 执行率 25.80 / 26.50 -> 9.74; 180 / 200 × 16.67 = 15.00; 16.67; 16.66; 10: 68.07 of 70 points,
    # rescaled: 68.07 × 100 / 70 = 97.242… -> 97.24
    assert score_of(table) == "97.24"


def test_a_spec_that_drops_its_year_end_data_loses_its_self_evaluation(unit: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(unit, out)
    (unit / "01-a.yaml").write_text(TIANJIN_SPEC, encoding="utf-8")
    summary, _ = build(unit, out)
    assert summary.ok
    assert not any("自评" in name for name in names(out)) and "01-a.docx" in names(out)
    assert any(path.name == "01-a-自评.docx" for path in summary.removed)


def test_the_unit_self_evaluation_waits_for_every_project(unit: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(unit, out)
    (unit / "02-b.yaml").write_text(TIANJIN_SPEC, encoding="utf-8")
    summary, seen = build(unit, out)
    blocked = [d for d in seen.shown if d.code == "combined-blocked"]
    assert len(blocked) == 1 and not blocked[0].is_error and "02-b.yaml（还没有年终数据）" in blocked[0].message
    assert summary.ok  # nothing is wrong: a project still to be evaluated
    now = names(out)
    assert f"汇总-{UNIT}-自评.xlsx" not in now and f"汇总-{UNIT}-自评（已过期）.xlsx" in now
    assert f"汇总-{UNIT}.xlsx" in now and "01-a-自评.xlsx" in now and "02-b-自评.xlsx" not in now


def test_asking_for_the_self_evaluation_makes_a_missing_one_an_error(unit_dir: Callable[..., Path],
                                                                     tmp_path: Path) -> None:
    folder = unit_dir(TIANJIN_DEFAULTS, {"01-a.yaml": SPEC, "02-b.yaml": TIANJIN_SPEC})
    out = tmp_path / "out"
    summary, seen = build(folder, out, tables=("selfeval",))
    assert not summary.ok and summary.failed == 1 and summary.combined_missing == 1
    missing = [d for d in seen.shown if d.code == "no-year-end"]
    assert len(missing) == 1 and missing[0].path.endswith("02-b.yaml")
    assert main(["build", str(folder), "-o", str(out), "--table", "自评表", "-q"]) == 1
    assert main(["build", str(folder), "-o", str(out), "--table", "没有这种表"]) == 2


def test_a_table_left_out_keeps_its_files_only_while_the_spec_is_unchanged(unit: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(unit, out)
    summary, _ = build(unit, out, tables=("target",))
    assert summary.ok and "01-a-自评.docx" in names(out)
    (unit / "01-a.yaml").write_text(SPEC.replace("actual: 20小时", "actual: 22小时"), encoding="utf-8")
    summary, _ = build(unit, out, tables=("target",))
    assert summary.ok and "01-a-自评（已过期）.docx" in names(out) and "01-a-自评.docx" not in names(out)
    summary, _ = build(unit, out, tables=("selfeval",))
    assert summary.ok and "01-a-自评.docx" in names(out) and not any("已过期" in n for n in names(out))
