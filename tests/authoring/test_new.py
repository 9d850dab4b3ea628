"""``sheetgen new``: a commented skeleton whose check reports only what is
left to fill (``to-fill``), pre-filled with the usual rows of its 绩效类型."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sheetgen.authoring.skeleton import new_spec, skeleton_data, write_new
from sheetgen.build.runner import BuildOptions, run_build
from sheetgen.checking import check
from sheetgen.cli import main
from sheetgen.errors import SheetgenError
from sheetgen.jurisdiction import load
from tests.conftest import REPO

SHANGHAI_TYPES = [None, *skeleton_data(load("shanghai"))["types"]]
SHANGHAI_BLANKS = {
    "category",
    "government_purchase",
    "overview",
    "basis",
    "necessity",
    "safeguards",
    "plan",
    "goals",
    "budget.total",
    "budget.current_year",
}


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    target = tmp_path / "specs"
    shutil.copytree(REPO / "specs", target)
    return target


def to_fill(paths: list[Path]) -> tuple[set[str], list[str]]:
    report = check(paths)
    others = [d.format() for d in report.diagnostics if d.code != "to-fill"]
    return {d.yaml_path for d in report.diagnostics if d.code == "to-fill"}, others


@pytest.mark.parametrize("kind", SHANGHAI_TYPES)
def test_shanghai_skeleton_reports_only_what_is_left(specs: Path, kind: str | None) -> None:
    made = new_spec("新项目", specs / "sh-yifenyuan-2020", performance_type=kind)
    [path] = write_new(made)
    assert path.name == "10-新项目.yaml"
    left, others = to_fill([path])
    assert others == []
    rows = {p for p in left if p.startswith("indicators.")}
    assert left - rows == SHANGHAI_BLANKS | ({"performance_type"} if kind is None else set())
    assert rows and all(p.endswith(".待填写") for p in rows)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["start_date"].isoformat() == "2020-01-01" and data["end_date"].isoformat() == "2020-12-31"
    usual = skeleton_data(load("shanghai"))["types" if kind else "default"]
    expected = usual[kind]["indicators"] if kind else usual["indicators"]
    assert data["indicators"] == expected
    assert data["indicators"]["投入与管理"]["投入管理"]["预算执行率"] == "=100%"


def test_tianjin_skeleton_reports_only_what_is_left(specs: Path) -> None:
    [path] = write_new(new_spec("2026年新项目", specs / "tj-xiqing-2025"))
    left, others = to_fill([path])
    assert others == []
    assert {p for p in left if not p.startswith("indicators.")} == {
        "purpose",
        "targets",
        "budget.total",
        "budget.fiscal",
    }


def test_every_key_carries_its_label(specs: Path) -> None:
    made = new_spec("新项目", specs / "sh-yifenyuan-2020", performance_type="其他类")
    text = made.files[made.spec]
    for line in text.splitlines():
        if re.match(r"^(\w+):|^  (total|current_year|last_year|last_year_spent):", line):
            assert "# " in line, line
    assert "overview:                               # 项目概况" in text
    assert "budget:                                 # 预算（金额单位：元）" in text
    assert "# 项目类别：例如 经常性专项业务费、其他一次性项目" in text


def fill(text: str) -> str:
    """Return the skeleton with every blank and 待填写 filled the way a clerk would."""
    values = {
        "category": "其他一次性项目",
        "government_purchase": "false",
        "performance_type": "其他类",
        "total": "10.00",
        "current_year": "10.00",
        "purpose": "用于办案",
        "fiscal": "10.00",
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "year": "2026",
        "name": "某单位",
    }
    lines = []
    counter = 0
    for line in text.splitlines():
        match = re.match(r"^(\s*)(\w+):(\s+#.*)?$", line)
        if match and match.group(2) in values:
            line = f"{match.group(1)}{match.group(2)}: {values[match.group(2)]}"
        elif match and match.group(2) in ("overview", "basis", "necessity", "safeguards", "plan", "goals"):
            line = f"{match.group(1)}{match.group(2)}: 一段说明"
        elif match and match.group(2) == "targets":
            line = "targets:\n  - 保障办案"
        if "待填写:" in line:
            counter += 1
            line = line.replace("待填写:", f"指标{counter}:", 1)
        lines.append(line.replace(": 待填写", ": =100%"))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("unit", "jurisdiction"), [("sh-new", "shanghai"), ("tj-new", "tianjin")])
def test_filled_skeleton_of_a_new_unit_checks_clean_and_builds(tmp_path: Path, unit: str, jurisdiction: str) -> None:
    folder = tmp_path / "specs" / unit
    made = new_spec("新项目", folder, jurisdiction=jurisdiction)
    assert [p.name for p in made.files] == ["01-新项目.yaml", "_defaults.yaml"]
    write_new(made)
    left, others = to_fill([folder])
    assert others == [] and {"year", "unit.name"} <= left
    for path in made.files:
        path.write_text(fill(path.read_text(encoding="utf-8")), encoding="utf-8")
    report = check([folder])
    assert report.errors == 0, [d.format() for d in report.diagnostics]
    summary = run_build(BuildOptions(paths=(folder,), output=tmp_path / "out", formats=("docx", "xlsx"), jobs=1))
    assert (summary.built, summary.failed) == (1, 0)


def test_refusals_and_notes(specs: Path) -> None:
    folder = specs / "sh-yifenyuan-2020"
    made = new_spec("新项目", folder, performance_type="没有这类")
    assert any("没有“没有这类”类的常用指标" in note for note in made.notes)
    write_new(made)
    with pytest.raises(SheetgenError, match="已存在"):
        write_new(made)
    with pytest.raises(SheetgenError, match="没有按绩效类型分的常用指标"):
        new_spec("x", specs / "tj-xiqing-2025", performance_type="其他类")
    with pytest.raises(SheetgenError, match="--jurisdiction"):
        new_spec("x", specs / "没有的单位")
    with pytest.raises(SheetgenError, match="找不到格式"):
        new_spec("x", specs / "没有的单位", jurisdiction="hebei")


def test_modeline_when_a_schema_file_is_near(specs: Path) -> None:
    (specs / "sheetgen.schema.json").write_text("{}", encoding="utf-8")
    made = new_spec("新项目", specs / "sh-yifenyuan-2020")
    assert made.files[made.spec].startswith("# yaml-language-server: $schema=../sheetgen.schema.json\n")


def test_cli_lists_what_is_left(specs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "新项目", "-o", str(specs / "tj-xiqing-2025")]) == 0
    out = capsys.readouterr().out
    assert "写入" in out and "还要填写 11 处" in out and "资金用途" in out
    assert main(["new", "x", "-o", str(specs / "没有的单位")]) == 1


def test_committed_skeletons_match_the_seed_specs() -> None:
    done = subprocess.run(
        [sys.executable, "tools/make_skeletons.py", "--check"], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(("unit", "format_name"), [("sh-yifenyuan-2020", "shanghai"), ("tj-xiqing-2025", "tianjin")])
def test_the_skeleton_says_how_to_add_year_end_data(specs: Path, unit: str, format_name: str) -> None:
    """A new spec carries no year-end data (no 自评表 until the year ends), but its closing
    comment names each year-end key with its label, as the table prints it."""
    made = new_spec("新项目", specs / unit)
    [path] = write_new(made)
    text = path.read_text(encoding="utf-8")
    tail = text[text.index("# 年终"):]
    for key, label in (("actual", "实际完成值"), ("reason", "偏差原因分析及改进措施"), ("score", "得分"),
                       ("points", "分值"), ("not_applicable", "不适用"), ("year_end", "年终自评"),
                       ("spent", "全年执行数")):
        assert f"{key}（{label}）" in tail, key
    assert all(line.startswith("#") for line in tail.splitlines())
    report = check([path])
    assert not any(s.carries_year_end for s in report.specs)
    assert {d.code for d in report.diagnostics} == {"to-fill"}
