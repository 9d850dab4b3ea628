"""`sheetgen build` on the command line: summary, quiet/verbose, progress bar, usage errors."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from sheetgen.build.runner import BuildOptions, run_build
from sheetgen.cli import main
from sheetgen.console import Reporter
from tests.conftest import SHANGHAI_SPEC


def warning_spec() -> str:
    return SHANGHAI_SPEC.replace("预算执行率: =100%", "预算执行率:")


def test_plain_output_one_line_per_problem_and_summary(unit_dir: Callable[..., Path], tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    folder = unit_dir(specs={"01-a.yaml": warning_spec()})
    assert main(["build", str(folder.parent), "-o", str(tmp_path / "out"), "-j", "1"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert any("警告 [empty-value]" in line and "01-a.yaml:" in line for line in err)
    assert err[-1].startswith("生成 1 个，未变 0 个，失败 0 个，警告 1 条")
    assert not any("\r" in line or "\x1b" in line for line in err)


def test_quiet_shows_errors_only(unit_dir: Callable[..., Path], tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    folder = unit_dir(specs={"01-a.yaml": warning_spec(), "02-b.yaml": "name: [\n"})
    assert main(["build", str(folder.parent), "-o", str(tmp_path / "out"), "-q", "-j", "1"]) == 1
    err = capsys.readouterr().err
    assert "empty-value" not in err and "02-b.yaml" in err


def test_verbose_lists_written_files(unit_dir: Callable[..., Path], tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    folder = unit_dir()
    assert main(["build", str(folder.parent), "-o", str(tmp_path / "out"), "-v", "-j", "1"]) == 0
    err = capsys.readouterr().err
    assert "写入" in err and "01-a.docx" in err and "01-a.xlsx" in err and "汇总-" in err


def test_format_option_limits_the_kinds(unit_dir: Callable[..., Path], tmp_path: Path) -> None:
    folder = unit_dir()
    out = tmp_path / "out"
    assert main(["build", str(folder.parent), "-o", str(out), "--format", "xlsx", "-j", "1"]) == 0
    assert list(out.rglob("*.docx")) == [] and len(list(out.rglob("*.xlsx"))) == 2


@pytest.mark.parametrize("args", [["--format", "pptx"], ["--format", ""], ["--jobs", "-1"]])
def test_usage_errors(args: list[str], tmp_path: Path) -> None:
    assert main(["build", str(tmp_path), *args]) == 2


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal(unit_dir: Callable[..., Path], tmp_path: Path) -> None:
    folder = unit_dir(specs={f"{i:02d}-a.yaml": SHANGHAI_SPEC.replace("检察业务保障费", f"项目{i}")
                             for i in range(1, 6)})
    stream = _Terminal()
    reporter = Reporter(stream=stream)
    summary = run_build(BuildOptions(paths=(folder.parent,), output=tmp_path / "out", jobs=1), reporter)
    reporter.finish(summary)
    text = stream.getvalue()
    assert "\r[" in text and "5/5" in text and "#" * 30 in text
    assert text.rstrip().endswith("秒）") and "生成 5 个" in text
