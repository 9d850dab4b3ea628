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


# ----------------------------------------------------------------------------- the summary line


def summary_line(err: str) -> str:
    return next(line for line in reversed(err.splitlines()) if line.startswith("生成 "))


def printed_warnings(err: str) -> int:
    return sum(": 警告 [" in line for line in err.splitlines())


def test_summary_counts_every_warning_it_printed(unit_dir: Callable[..., Path], tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Fresh, replayed and unit-level warnings all count, in every kind of round."""
    one = unit_dir(specs={"01-a.yaml": warning_spec(), "02-b.yaml": warning_spec().replace("检察业务保障费", "乙")},
                   name="one")
    two = unit_dir(specs={"01-c.yaml": warning_spec().replace("检察业务保障费", "丙"), "02-d.yaml": "name: [\n"},
                   name="two")
    out = tmp_path / "out"
    rounds = []
    for step in (lambda: None,  # first build: all fresh
                 lambda: None,  # nothing changed: unit one replayed, unit two retried (it failed)
                 lambda: (one / "02-b.yaml").write_text(warning_spec().replace("检察业务保障费", "乙改"),
                                                        encoding="utf-8")):
        step()
        main(["build", str(one.parent), "-o", str(out), "-j", "1"])
        err = capsys.readouterr().err
        rounds.append(err)
        assert f"警告 {printed_warnings(err)} 条" in summary_line(err), err
    assert [printed_warnings(err) for err in rounds] == [3, 3, 3]
    assert two.is_dir()


def test_summary_counts_failed_projects_not_files(unit_dir: Callable[..., Path], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    import errno

    from sheetgen.build import atomic

    folder = unit_dir(specs={"01-a.yaml": SHANGHAI_SPEC, "02-b.yaml": SHANGHAI_SPEC.replace("检察业务保障费", "乙")})
    out = tmp_path / "out"

    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(args[0]))

    monkeypatch.setattr(atomic.os, "replace", read_only)
    assert main(["build", str(folder.parent), "-o", str(out), "-j", "1"]) == 1
    err = capsys.readouterr().err
    assert sum(line.startswith("错误：") and "只读" in line for line in err.splitlines()) >= 6  # 4 files + 2 汇总
    assert "失败 2 个" in summary_line(err), err


def test_summary_says_where_the_files_went(unit_dir: Callable[..., Path], tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    folder = unit_dir()
    out = tmp_path / "交付"
    assert main(["build", str(folder.parent), "-o", str(out), "-j", "1"]) == 0
    assert f"文件在 {out}" in summary_line(capsys.readouterr().err)


def test_problems_with_a_path_print_without_a_line_and_column(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "没有这个文件夹"
    assert main(["build", str(missing), "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    line = next(line for line in err.splitlines() if str(missing) in line)
    assert line.startswith(f"{missing}: 错误 [not-found]"), line
