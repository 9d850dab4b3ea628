"""`sheetgen check`: one line per problem, exit codes, JSON output."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sheetgen.cli import main
from tests.conftest import REPO, SHANGHAI_SPEC

LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<sev>错误|警告) \[(?P<code>[a-z0-9-]+)\]"
                  r"(?: (?P<label>[^(:]+?))?(?: \((?P<ypath>[^)]+)\))?: (?P<message>.+)$")


def test_clean_specs_exit_zero(unit_dir: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(unit_dir())]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "0 个错误" in err


def test_errors_exit_one_with_one_line_each(unit_dir: Callable[..., Path],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    spec = SHANGHAI_SPEC.replace("name: 检察业务保障费\n", "").replace("plan: 计划", "plan: 计划\nplan: 再来")
    folder = unit_dir(specs={"01-a.yaml": spec})
    assert main(["check", str(folder)]) == 1
    lines = capsys.readouterr().out.splitlines()
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), lines
    by_code = {m["code"]: m for m in parsed if m}
    assert by_code["missing-field"]["label"] == "项目名称" and by_code["missing-field"]["ypath"] == "name"
    assert by_code["duplicate-key"]["sev"] == "错误" and by_code["duplicate-key"]["path"].endswith("01-a.yaml")


def test_warnings_alone_exit_zero_unless_strict(unit_dir: Callable[..., Path],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    folder = unit_dir(specs={"01-a.yaml": SHANGHAI_SPEC.replace("预算执行率: =100%", "预算执行率:")})
    assert main(["check", str(folder)]) == 0
    assert "警告 [empty-value]" in capsys.readouterr().out
    assert main(["check", "--strict", str(folder)]) == 1


def test_json_format(unit_dir: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    folder = unit_dir(specs={"01-a.yaml": SHANGHAI_SPEC.replace("overview", "overveiw")})
    assert main(["check", "--format", "json", str(folder)]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert payload["errors"] == 2 and payload["files"] == 1
    codes = {d["code"]: d for d in payload["diagnostics"]}
    assert codes["unknown-field"]["line"] == 7 and codes["unknown-field"]["severity"] == "error"


def test_usage_errors_exit_two(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["check", "--format", "xml", str(tmp_path)])
    assert exc.value.code == 2
    assert main(["check", str(tmp_path / "missing")]) == 2
    assert "找不到" in capsys.readouterr().out


def test_problem_in_defaults_points_at_defaults_file(unit_dir: Callable[..., Path],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    folder = unit_dir(defaults="jurisdiction: shanghai\nyear: 二〇二〇\nunit:\n  name: 单位\n")
    assert main(["check", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "_defaults.yaml:2:7: 错误 [wrong-type] 年度 (year)" in out


def test_help_is_in_chinese_and_fast_to_import() -> None:
    done = subprocess.run([sys.executable, "-m", "sheetgen", "--help"], capture_output=True, text=True,
                          cwd=REPO, check=True)
    assert "检查" in done.stdout and "生成" in done.stdout
    heavy = "('docx', 'openpyxl', 'cerberus', 'jinja2', 'yaml')"
    probe = subprocess.run([sys.executable, "-c", "import sys, sheetgen.cli; "
                            f"print(','.join(m for m in {heavy} if m in sys.modules))"],
                           capture_output=True, text=True, cwd=REPO, check=True)
    assert probe.stdout.strip() == ""
