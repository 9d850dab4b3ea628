"""``sheetgen rollover``: next year's specs from this year's, edited in place
(comments and layout kept), originals untouched, a report per file and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from sheetgen.authoring.rollover import plan_rollover, shift_date, shift_mentions, write_rollover
from sheetgen.checking import check
from sheetgen.cli import main
from sheetgen.errors import SheetgenError
from sheetgen.spec.yamlload import load_yaml
from tests.conftest import REPO, SHANGHAI_DEFAULTS, SHANGHAI_SPEC


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    target = tmp_path / "specs"
    shutil.copytree(REPO / "specs", target)
    return target


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def data(path: Path) -> dict:  # type: ignore[type-arg]
    return load_yaml(path.read_bytes(), str(path)).data


def changed_lines(old: Path, new: Path) -> list[tuple[str, str]]:
    a = old.read_text(encoding="utf-8").splitlines()
    b = new.read_text(encoding="utf-8").splitlines()
    assert len(a) == len(b)
    return [(x, y) for x, y in zip(a, b, strict=True) if x != y]


def test_shanghai_unit_moves_a_year(specs: Path) -> None:
    source = specs / "sh-yifenyuan-2020"
    before = snapshot(source)
    plan = plan_rollover(source, 2021)
    assert plan.dest == specs / "sh-yifenyuan-2021"
    write_rollover(plan)
    assert snapshot(source) == before, "the originals are untouched"
    dest = specs / "sh-yifenyuan-2021"
    assert sorted(p.name for p in dest.iterdir()) == sorted(p.name for p in source.iterdir())
    assert data(dest / "_defaults.yaml")["year"] == 2021

    old, new = source / "02-检察辅助人员经费.yaml", dest / "02-检察辅助人员经费.yaml"
    assert changed_lines(old, new) == [
        (
            "start_date: 2020-01-01                  # 计划开始日期",
            "start_date: 2021-01-01                  # 计划开始日期",
        ),
        (
            "end_date: 2020-12-31                    # 计划完成日期",
            "end_date: 2021-12-31                    # 计划完成日期",
        ),
        (
            "  last_year: 4420000                    # 同名项目上年预算额",
            "  last_year: 4826500                    # 同名项目上年预算额",
        ),
        (
            "  last_year_spent: 4420000              # 同名项目上年预算执行数",
            "  last_year_spent:                      # 同名项目上年预算执行数",
        ),
    ]
    rolled = data(new)
    assert str(rolled["budget"]["last_year"]) == "4826500" and rolled["budget"]["last_year_spent"] is None
    assert "2020年度文员预计在册35人" in rolled["safeguards"], "long texts are not edited"

    report = plan.by_file()["02-检察辅助人员经费.yaml"]
    changes = {c.path: c for c in report[0]}
    assert changes["budget.last_year"].label == "同名项目上年预算额"
    assert (changes["budget.last_year"].old, changes["budget.last_year"].new) == ("4420000", "4826500")
    assert (changes["budget.last_year_spent"].old, changes["budget.last_year_spent"].new) == ("4420000", "（空）")
    notes = {n.path: n.message for n in report[1]}
    assert "2020年度文员预计在册35人" in notes["safeguards"]
    assert "沪检政[2016]" not in " ".join(notes.values()), "old cited documents are not years to check"
    assert "2021 年的预算" in notes["budget"]

    result = check([dest])
    assert result.errors == 0, [d.format() for d in result.diagnostics]


def test_tianjin_names_files_and_a_missing_carry(specs: Path) -> None:
    source = specs / "tj-xiqing-2025"
    plan = plan_rollover(source, 2026)
    write_rollover(plan)
    dest = specs / "tj-xiqing-2026"
    names = sorted(p.name for p in dest.iterdir())
    assert "01-2026年检察业务信息化运维项目-2026中央.yaml" in names
    assert "02-2025年检察业务购买服务项目-2025中央.yaml" in names
    first = data(dest / "01-2026年检察业务信息化运维项目-2026中央.yaml")
    assert first["name"] == "2026年检察业务信息化运维项目-2026中央"
    second = data(dest / "02-2025年检察业务购买服务项目-2025中央.yaml")
    assert second["year"] == 2025 and second["name"] == "2025年检察业务购买服务项目-2025中央"
    notes = [n for n in plan.notes if n.path == "budget"]
    assert len(notes) == 7 and all("没有“上年预算”一类的字段" in n.message for n in notes)
    assert check([dest]).errors == 0


def test_folder_of_units_with_output_and_blocks(specs: Path, tmp_path: Path) -> None:
    blocks = specs / "_blocks"
    blocks.mkdir()
    (blocks / "满意度.yaml").write_text('满意度:\n  检察院工作人员满意度: ">=90%"\n', encoding="utf-8")
    spec = specs / "sh-yifenyuan-2020" / "04-检察业务保障费.yaml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(
        text.replace("  效果目标:\n", "  效果目标:\n    include: ../_blocks/满意度.yaml\n", 1), encoding="utf-8"
    )
    dest = tmp_path / "specs-2021"
    plan = plan_rollover(specs, 2021, dest)
    write_rollover(plan)
    assert {p.name for p in dest.iterdir()} == {
        "_blocks",
        "sh-yifenyuan-2021",
        "sh-shijianchayuan-2021",
        "tj-xiqing-2021",
    }
    assert (dest / "_blocks" / "满意度.yaml").read_bytes() == (blocks / "满意度.yaml").read_bytes()
    assert ("sh-yifenyuan-2020/_defaults.yaml", "sh-yifenyuan-2021/_defaults.yaml") in plan.renamed
    result = check([dest])
    assert result.errors == 0, [d.format() for d in result.diagnostics]


def test_leap_day_blank_and_missing_last_year_quoted_amounts(tmp_path: Path) -> None:
    unit = tmp_path / "specs" / "unit-2020"
    unit.mkdir(parents=True)
    (unit / "_defaults.yaml").write_text(SHANGHAI_DEFAULTS, encoding="utf-8")
    spec = SHANGHAI_SPEC.replace("start_date: 2020-01-01", "start_date: 2020-02-29").replace(
        "  current_year: 100000\n  last_year: 704000\n", '  current_year: "1,000"   # 当年\n'
    )
    (unit / "01-a.yaml").write_text(spec, encoding="utf-8")
    (unit / "02-b.yaml").write_text(SHANGHAI_SPEC.replace("current_year: 100000", "current_year:"), encoding="utf-8")
    plan = plan_rollover(unit, 2021)
    write_rollover(plan)
    dest = tmp_path / "specs" / "unit-2021"
    first = (dest / "01-a.yaml").read_text(encoding="utf-8")
    assert "start_date: 2021-02-28" in first
    assert '  current_year: "1,000"   # 当年\n  last_year: "1,000"  # 同名项目上年预算额\n' in first
    assert any("2021 年没有这一天" in n.message for n in plan.notes)
    assert yaml.safe_load((dest / "02-b.yaml").read_text(encoding="utf-8"))["budget"]["last_year"] is None
    left = {(d.path.rsplit("/", 1)[-1], d.code, d.yaml_path) for d in check([dest]).diagnostics}
    assert left == {("02-b.yaml", "to-fill", "budget.current_year")}


def test_refusals(specs: Path) -> None:
    source = specs / "sh-yifenyuan-2020"
    with pytest.raises(SheetgenError, match="不能就是原文件夹"):
        plan_rollover(source, 2021, source)
    with pytest.raises(SheetgenError, match="已存在"):
        plan_rollover(source, 2021, specs / "tj-xiqing-2025")
    with pytest.raises(SheetgenError, match="里面"):
        plan_rollover(source, 2021, source / "next")
    with pytest.raises(SheetgenError, match="文件夹名里没有年度"):
        plan_rollover(specs, 2021)
    with pytest.raises(SheetgenError, match="不是文件夹"):
        plan_rollover(specs / "missing", 2021)
    write_rollover(plan_rollover(source, 2021))
    with pytest.raises(SheetgenError, match="顺延后都会成为 sh-yifenyuan-2021"):
        plan_rollover(specs, 2021, specs.parent / "all-2021")


def test_cli_dry_run_writes_nothing_and_reports(specs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = specs / "sh-yifenyuan-2020"
    assert main(["rollover", str(source), "--to", "2021", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "将生成 2021 年的项目说明" in out and "同名项目上年预算额 (budget.last_year)：（空） → 2468000" in out
    assert "请核对：项目概况 (overview)：提到年份，没有改动" in out
    assert not (specs / "sh-yifenyuan-2021").exists()
    assert main(["rollover", str(source), "--to", "2021"]) == 0
    assert (specs / "sh-yifenyuan-2021" / "_defaults.yaml").is_file()
    assert main(["rollover", str(source), "--to", "2021"]) == 1
    assert main(["rollover", str(source), "--to", "21"]) == 2


def test_year_helpers() -> None:
    assert shift_mentions("2025年检察业务-2025中央", 2025, 1) == "2026年检察业务-2026中央"
    assert (
        shift_mentions("采购2025台，2000万元，2019年文件，20250元", 2025, 1)
        == "采购2025台，2000万元，2019年文件，20250元"
    )
    assert shift_mentions("2024年-2027年", 2025, 2) == "2026年-2029年"
    assert shift_date(__import__("datetime").date(2024, 2, 29), 1).isoformat() == "2025-02-28"


def test_year_end_data_is_cleared_for_the_new_year(tmp_path: Path) -> None:
    """The 自评 data of this year (year_end and each indicator's actual, score, reason,
    not_applicable) is not next year's: rollover removes it, comments and the rest kept;
    the weighting (points) stays."""
    source = tmp_path / "specs" / "tj-xiqing-2025"
    shutil.copytree(REPO / "tests" / "fixtures" / "selfeval" / "tj-xiqing-2025", source)
    name = "01-2025年检察业务信息化运维项目-2025中央.yaml"
    spec = source / name
    text = spec.read_text(encoding="utf-8")
    text = text.replace("        actual: 99.5%\n", "        actual: 99.5%\n        points: 10\n")
    spec.write_text(text, encoding="utf-8")
    plan = plan_rollover(source, 2026)
    write_rollover(plan)
    new = tmp_path / "specs" / "tj-xiqing-2026" / name.replace("2025", "2026")
    rolled = new.read_text(encoding="utf-8")
    for gone in ("year_end:", "spent:", "achieved:", "actual:", "score:", "reason:", "not_applicable:"):
        assert gone not in rolled, gone
    assert "points: 10" in rolled and "        value: ≥200次\n        description:" not in rolled
    assert "        description: 一年内办案软件维护次数\n        value: ≥200次\n    质量指标:" in rolled
    loaded = data(new)
    assert "year_end" not in loaded
    assert loaded["indicators"]["满意度指标"]["服务对象满意度指标"]["单位干警满意度"] == {
        "description": "检察干警满意度", "value": "≥99百分之", "points": 10}
    assert [n for n in plan.notes if "年终数据" in n.message and n.file == new.name]
    report = check([new.parent])
    assert report.errors == 0, [d.format() for d in report.diagnostics]
    assert not any(s.carries_year_end for s in report.specs)
