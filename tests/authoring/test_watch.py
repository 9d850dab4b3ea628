"""Change detection (``build --watch`` and ``serve``): real files, the real watcher, real builds.

Each test runs the watch loop in a thread and edits files from the test; a
round is waited for with a timeout, so a change that is never seen fails
instead of hanging.
"""

from __future__ import annotations

import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sheetgen.authoring.watch import Round, Scope, changes, watch
from sheetgen.build.runner import BuildOptions, Summary, run_build
from sheetgen.cli import main
from tests.conftest import SHANGHAI_SPEC

WAIT = 10.0  # seconds a round may take on a loaded machine before the test fails

BLOCK = """\
预算编制合理性: 合理
预算执行率: =100%
"""
WITH_BLOCK = SHANGHAI_SPEC.replace(
    "    投入管理:\n      预算编制合理性: 合理\n      预算执行率: =100%\n",
    "    投入管理:\n      include: ../_blocks/投入管理.yaml\n",
)


class Loop:
    """``watch`` running in a thread; ``next()`` returns its next round."""

    def __init__(self, options: BuildOptions, build: Callable[[BuildOptions], Summary] | None = None):
        self.rounds: queue.Queue[Round] = queue.Queue()
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=watch, args=(options, build or run_build, self.rounds.put), kwargs={"stop": self.stop}, daemon=True
        )
        self.thread.start()

    def next(self, timeout: float = WAIT) -> Round:
        try:
            return self.rounds.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no build within {timeout} s") from None

    def drain(self, seconds: float = 0.4) -> list[Round]:
        """Return the rounds that come until none has come for ``seconds``."""
        done = []
        while True:
            try:
                done.append(self.rounds.get(timeout=seconds))
            except queue.Empty:
                return done

    def quiet(self, seconds: float = 0.4) -> bool:
        """Return whether no round comes in the next ``seconds``."""
        return not self.drain(seconds)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(WAIT)
        assert not self.thread.is_alive(), "the watch loop stops when asked"


@pytest.fixture
def loops() -> Iterator[Callable[..., Loop]]:
    started: list[Loop] = []

    def start(options: BuildOptions, build: Callable[[BuildOptions], Summary] | None = None) -> Loop:
        started.append(Loop(options, build))
        return started[-1]

    yield start
    for loop in started:
        loop.close()


def counts(done: Round) -> tuple[int, int, int]:
    return done.summary.built, done.summary.unchanged, done.summary.failed


def test_rebuilds_after_a_save_and_shows_errors(
    unit_dir: Callable[..., Path], tmp_path: Path, loops: Callable[..., Loop]
) -> None:
    folder = unit_dir(specs={"01-a.yaml": SHANGHAI_SPEC, "02-b.yaml": SHANGHAI_SPEC})
    spec = folder / "02-b.yaml"
    loop = loops(BuildOptions(paths=(folder.parent,), output=tmp_path / "out", formats=("xlsx",), jobs=1))
    first = loop.next()
    assert counts(first) == (2, 0, 0) and first.changed == []
    assert loop.quiet(), "nothing changed: no build"
    spec.write_text(SHANGHAI_SPEC.replace("检察业务保障费", "改过的名称"), encoding="utf-8")
    second = loop.next()
    assert counts(second) == (1, 1, 0) and second.changed == [spec.resolve()]
    spec.write_text(SHANGHAI_SPEC.replace("year", "yaer").replace("budget:", "budget:\n  totl: 1"), encoding="utf-8")
    assert counts(loop.next()) == (0, 1, 1)


def test_a_block_outside_the_unit_folder_is_watched(
    unit_dir: Callable[..., Path], tmp_path: Path, loops: Callable[..., Loop]
) -> None:
    """Issue 11: ``build --watch specs/<unit>`` notices edits to the shared blocks the unit
    includes from outside its folder."""
    folder = unit_dir(specs={"01-a.yaml": WITH_BLOCK, "02-b.yaml": SHANGHAI_SPEC})
    block = folder.parent / "_blocks" / "投入管理.yaml"
    block.parent.mkdir()
    block.write_text(BLOCK, encoding="utf-8")
    out = tmp_path / "out"
    loop = loops(BuildOptions(paths=(folder,), output=out, formats=("xlsx",), jobs=1))
    assert counts(loop.next()) == (2, 0, 0)
    block.write_text(BLOCK.replace("=100%", "≥95%"), encoding="utf-8")
    done = loop.next()
    assert done.changed == [block.resolve()]
    assert counts(done) == (1, 1, 0), "the spec that includes the block is rebuilt"


def test_a_new_block_is_seen_before_it_is_included(
    unit_dir: Callable[..., Path], tmp_path: Path, loops: Callable[..., Loop]
) -> None:
    """A spec naming a block that does not exist yet gets it once it is saved."""
    folder = unit_dir(specs={"01-a.yaml": WITH_BLOCK})
    loop = loops(BuildOptions(paths=(folder,), output=tmp_path / "out", formats=("xlsx",), jobs=1))
    assert counts(loop.next()) == (0, 0, 1), "include-missing"
    block = folder.parent / "_blocks" / "投入管理.yaml"
    block.parent.mkdir()
    block.write_text(BLOCK, encoding="utf-8")
    assert counts(loop.next()) == (1, 0, 0)


def test_another_units_specs_and_the_output_do_not_trigger(
    unit_dir: Callable[..., Path], tmp_path: Path, loops: Callable[..., Loop]
) -> None:
    folder = unit_dir()
    other = unit_dir(name="other")
    out = folder.parent / "output"
    loop = loops(BuildOptions(paths=(folder,), output=out, formats=("xlsx",), jobs=1))
    assert counts(loop.next()) == (1, 0, 0)
    (other / "01-a.yaml").write_text(SHANGHAI_SPEC.replace("检察", "监察"), encoding="utf-8")
    (out / "x.xlsx").write_bytes(b"x")
    (folder / "~$01-a.yaml").write_bytes(b"lock")
    (folder / ".01-a.yaml.swp").write_bytes(b"swap")
    (folder / "notes.txt").write_text("x", encoding="utf-8")
    assert loop.quiet(0.6)


def test_several_writes_of_one_save_give_one_build(
    unit_dir: Callable[..., Path], tmp_path: Path, loops: Callable[..., Loop]
) -> None:
    folder = unit_dir()
    spec = folder / "01-a.yaml"
    loop = loops(BuildOptions(paths=(folder,), output=tmp_path / "out", formats=("xlsx",), jobs=1))
    loop.next()
    with spec.open("w", encoding="utf-8") as handle:  # an editor writing in pieces
        for line in SHANGHAI_SPEC.replace("检察", "监察").splitlines(keepends=True):
            handle.write(line)
            handle.flush()
    assert counts(loop.next()) == (1, 0, 0)
    assert loop.quiet()


def test_a_save_during_a_build_is_built_next(
    unit_dir: Callable[..., Path], tmp_path: Path, loops: Callable[..., Loop]
) -> None:
    folder = unit_dir()
    spec = folder / "01-a.yaml"
    saved = threading.Event()

    def build(options: BuildOptions) -> Summary:
        summary = run_build(options)
        if not saved.is_set():
            saved.set()
            spec.write_text(SHANGHAI_SPEC.replace("检察", "监察"), encoding="utf-8")
        return summary

    loop = loops(BuildOptions(paths=(folder,), output=tmp_path / "out", formats=("xlsx",), jobs=1), build)
    loop.next()
    done = loop.next()
    assert done.changed == [spec.resolve()] and counts(done) == (1, 0, 0)


def test_a_templates_folder_that_appears_is_watched(
    unit_dir: Callable[..., Path], tmp_path: Path, loops: Callable[..., Loop]
) -> None:
    folder = unit_dir()
    loop = loops(BuildOptions(paths=(folder.parent,), output=tmp_path / "out", formats=("xlsx",), jobs=1))
    loop.next()
    templates = folder.parent.parent / "templates" / "shanghai"
    templates.mkdir(parents=True)
    description = templates / "jurisdiction.yaml"
    description.write_text("extends: shanghai\n", encoding="utf-8")
    # the folder, and the file too if it was written after the folder was watched
    seen = {path for done in [loop.next(), *loop.drain()] for path in done.changed}
    assert seen & {templates.parent.resolve(), description.resolve()}, seen
    description.write_text("extends: shanghai\ntitle: 改过的标题\n", encoding="utf-8")
    assert loop.next().changed == [description.resolve()]


def test_scope_of_one_unit(unit_dir: Callable[..., Path], tmp_path: Path) -> None:
    folder = unit_dir(specs={"01-a.yaml": WITH_BLOCK})
    specs = folder.parent
    scope = Scope.of([folder], tmp_path / "out")
    assert specs.resolve() in scope.roots(), "blocks beside the unit are watched"
    assert scope.matters((specs / "_blocks" / "投入管理.yaml").resolve())
    assert scope.matters((folder / "_defaults.yaml").resolve())
    assert not scope.matters((specs / "other" / "01-x.yaml").resolve())
    assert scope.matters((specs / "templates" / "hebei" / "table.docx").resolve())
    assert not scope.matters((folder / "01-a.yaml~").resolve())


def test_first_batch_is_empty_and_comes_when_watching(unit_dir: Callable[..., Path], tmp_path: Path) -> None:
    folder = unit_dir()
    stop = threading.Event()
    batches = changes([folder], tmp_path / "out", stop=stop)
    assert next(batches) == []
    (folder / "01-a.yaml").write_text(SHANGHAI_SPEC + "\n", encoding="utf-8")
    assert next(batches) == [(folder / "01-a.yaml").resolve()]
    stop.set()
    assert list(batches) == []


def test_cli_stops_cleanly_on_ctrl_c(
    unit_dir: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = unit_dir()
    built = tmp_path / "out" / "unit" / "01-a.xlsx"

    def interrupt_after_first_build() -> None:
        deadline = time.monotonic() + WAIT
        while not built.is_file() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=interrupt_after_first_build, daemon=True).start()
    assert main(["build", "--watch", "--jobs", "1", "-o", str(tmp_path / "out"), str(folder)]) == 0
    err = capsys.readouterr().err
    assert "生成 1 个" in err and "监视中" in err and "已停止监视" in err
    assert built.is_file()
