"""``sheetgen build --watch``: a bounded number of rounds, with file edits made
by a stand-in for ``time.sleep`` (no real waiting)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from sheetgen.authoring.watch import Round, changed_files, snapshot, watch
from sheetgen.build.runner import BuildOptions, Summary, run_build
from sheetgen.cli import main
from tests.conftest import SHANGHAI_SPEC


def touch(path: Path, text: str) -> None:
    """Write ``text`` and move the modification time on (file systems with coarse clocks)."""
    stat = path.stat() if path.exists() else None
    path.write_text(text, encoding="utf-8")
    if stat is not None:
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def scripted(steps: list[Callable[[], None]]) -> Callable[[float], None]:
    """Return a sleep that runs the next step (an edit, or nothing) instead of waiting."""

    def sleep(_seconds: float) -> None:
        if steps:
            steps.pop(0)()

    return sleep


def test_rebuilds_after_a_save_and_shows_errors(unit_dir: Callable[..., Path], tmp_path: Path) -> None:
    folder = unit_dir(specs={"01-a.yaml": SHANGHAI_SPEC, "02-b.yaml": SHANGHAI_SPEC})
    options = BuildOptions(paths=(folder.parent,), output=tmp_path / "out", formats=("xlsx",), jobs=1)
    spec = folder / "02-b.yaml"
    rounds: list[Round] = []
    steps = [
        lambda: None,  # nothing changed: no build
        lambda: touch(spec, SHANGHAI_SPEC.replace("检察业务保障费", "改过的名称")),
        lambda: None,  # settled
        lambda: touch(spec, SHANGHAI_SPEC.replace("year", "yaer").replace("budget:", "budget:\n  totl: 1")),
        lambda: None,
    ]
    count = watch(options, lambda o: run_build(o), rounds.append, interval=0, max_rounds=3, sleep=scripted(steps))
    assert count == 3
    assert [(r.summary.built, r.summary.unchanged, r.summary.failed) for r in rounds] == [
        (2, 0, 0),
        (1, 1, 0),
        (0, 1, 1),
    ]
    assert rounds[1].changed == [spec] and rounds[0].changed == []


def test_waits_until_the_files_settle(unit_dir: Callable[..., Path], tmp_path: Path) -> None:
    folder = unit_dir()
    spec = folder / "01-a.yaml"
    options = BuildOptions(paths=(folder,), output=tmp_path / "out", formats=("xlsx",), jobs=1)
    builds: list[int] = []

    def build(_options: BuildOptions) -> Summary:
        builds.append(len(builds))
        return Summary()

    steps = [lambda: touch(spec, SHANGHAI_SPEC + "\n"), lambda: touch(spec, SHANGHAI_SPEC + "\n\n"), lambda: None]
    watch(options, build, lambda r: None, interval=0, max_rounds=2, sleep=scripted(steps))
    assert builds == [0, 1], "two saves in a row give one build"


def test_template_edits_are_seen_and_output_is_ignored(unit_dir: Callable[..., Path], tmp_path: Path) -> None:
    folder = unit_dir()
    out = folder.parent / "output-here"
    options = BuildOptions(paths=(folder.parent,), output=out, formats=("xlsx",), jobs=1)
    before = snapshot(options)
    out.mkdir()
    (out / "x.xlsx").write_bytes(b"x")
    assert changed_files(before, snapshot(options)) == []
    templates = folder.parent.parent / "templates" / "shanghai"
    templates.mkdir(parents=True)
    (templates / "jurisdiction.yaml").write_text("extends: shanghai\n", encoding="utf-8")
    assert changed_files(before, snapshot(options)) == [templates / "jurisdiction.yaml"]


def test_cli_stops_cleanly_on_ctrl_c(
    unit_dir: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = unit_dir()

    def interrupt(_seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("time.sleep", interrupt)
    assert main(["build", "--watch", "--jobs", "1", "-o", str(tmp_path / "out"), str(folder)]) == 0
    err = capsys.readouterr().err
    assert "生成 1 个" in err and "监视中" in err and "已停止监视" in err
    assert (tmp_path / "out" / "unit" / "01-a.xlsx").is_file()
