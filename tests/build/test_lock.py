"""One build at a time writes into an output folder: a second one waits, saying
so, or gives up after a bounded time with a clear message; temporary files of a
live process are never removed.  (Two real builds racing: tests/faults.)"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sheetgen.build import atomic
from sheetgen.build.runner import BuildOptions, run_build
from sheetgen.cli import main
from tests.conftest import REPO

HOLD = """\
import sys, time
from pathlib import Path
from sheetgen.build.lock import output_lock
with output_lock(Path(sys.argv[1]), wait=0, on_wait=print):
    print("held", flush=True)
    sys.stdin.readline()
"""


@contextlib.contextmanager
def held(out: Path) -> Iterator[subprocess.Popen[str]]:
    """Hold the output folder's lock in another process until the block ends."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, cwd=REPO,
                              env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        if holder.poll() is None:
            assert holder.stdin is not None
            holder.stdin.write("\n")
            holder.stdin.flush()
        holder.wait(timeout=30)


def cli(*args: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(list(args))
    return code, err.getvalue()


def test_a_second_build_gives_up_after_the_wait_with_a_clear_message(unit_dir: Callable[..., Path],
                                                                     tmp_path: Path) -> None:
    folder = unit_dir()
    out = tmp_path / "out"
    out.mkdir()
    with held(out):
        started = time.monotonic()
        code, err = cli("build", str(folder.parent), "-o", str(out), "-j", "1", "--wait", "0.5")
        waited = time.monotonic() - started
    assert code == 1 and "Traceback" not in err
    assert "另一个 sheetgen" in err and str(out) in err and "正在" in err, err
    assert 0.4 < waited < 20
    assert not list(out.rglob("*.docx")), "nothing is written while another build holds the folder"


def test_a_second_build_waits_for_the_first_and_says_so(unit_dir: Callable[..., Path], tmp_path: Path) -> None:
    folder = unit_dir()
    out = tmp_path / "out"
    out.mkdir()
    notes: list[str] = []

    class Notes:
        def started(self, total: int) -> None: ...
        def advanced(self, count: int = 1) -> None: ...
        def diagnostics(self, items: object) -> None: ...
        def written(self, path: Path) -> None: ...
        def failed(self, message: str) -> None: ...
        def note(self, message: str) -> None:
            notes.append(message)

    with held(out) as holder:
        release = threading.Timer(1.0, lambda: (holder.stdin.write("\n"), holder.stdin.flush()))  # type: ignore
        release.start()
        started = time.monotonic()
        summary = run_build(BuildOptions(paths=(folder.parent,), output=out, jobs=1, wait=60), Notes())
        waited = time.monotonic() - started
        release.join()
    assert summary.ok and summary.built == 1
    assert waited >= 0.9
    assert any("另一个 sheetgen" in n and "等待" in n for n in notes), notes


def test_only_temporary_files_of_dead_processes_are_removed(unit_dir: Callable[..., Path], tmp_path: Path) -> None:
    folder = unit_dir()
    out = tmp_path / "out"
    (out / "unit").mkdir(parents=True)
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(done.stdout)
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = out / "unit" / f".01-a.docx{atomic.TEMP_MARK}{alive.pid}-0000abcd"
        dead = out / "unit" / f".01-a.xlsx{atomic.TEMP_MARK}{dead_pid}-0000abcd"
        odd = out / f".x{atomic.TEMP_MARK}notapid"
        for path in (live, dead, odd):
            path.write_bytes(b"half")
        assert run_build(BuildOptions(paths=(folder.parent,), output=out, jobs=1)).ok
        assert live.exists(), "a live process's temporary file was removed"
        assert not dead.exists() and not odd.exists()
    finally:
        alive.kill()
        alive.wait()


def test_the_lock_file_is_no_output(unit_dir: Callable[..., Path], tmp_path: Path) -> None:
    folder = unit_dir()
    out = tmp_path / "out"
    assert run_build(BuildOptions(paths=(folder.parent,), output=out, jobs=1)).ok
    visible = sorted(p.name for p in out.rglob("*") if p.is_file() and not p.name.startswith("."))
    combined = "汇总-上海市人民检察院第一分院"
    assert visible == ["01-a.docx", "01-a.xlsx", f"{combined}.docx", f"{combined}.xlsx"]


@pytest.mark.parametrize("value", ["-1", "abc"])
def test_wait_must_be_a_number_of_seconds(value: str, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_:  # argparse's own type check ends there
        code, _err = cli("build", str(tmp_path), "--wait", value)
        raise SystemExit(code)
    assert exit_.value.code == 2


def test_two_builds_in_one_process_wait_for_each_other(tmp_path: Path) -> None:
    """sheetgen serve builds in threads of one process: the lock is the open file's, not the process's."""
    from sheetgen.build.lock import BuildLocked, output_lock

    entered, leave = threading.Event(), threading.Event()

    def first() -> None:
        with output_lock(tmp_path, wait=0, on_wait=print):
            entered.set()
            leave.wait(30)

    holder = threading.Thread(target=first)
    holder.start()
    try:
        assert entered.wait(30)
        notes: list[str] = []
        with (pytest.raises(BuildLocked, match="另一个 sheetgen 正在向这个文件夹生成文件"),
              output_lock(tmp_path, wait=0.2, on_wait=notes.append)):
            pass
        assert len(notes) == 1 and "等待它结束" in notes[0]
    finally:
        leave.set()
        holder.join()
    with output_lock(tmp_path, wait=0, on_wait=notes.append):  # released when the first block ended
        pass
    assert len(notes) == 1


def test_a_killed_build_leaves_no_lock_behind(tmp_path: Path) -> None:
    from sheetgen.build.lock import output_lock

    with held(tmp_path) as holder:
        holder.kill()
        holder.wait(timeout=30)
        notes: list[str] = []
        with output_lock(tmp_path, wait=0, on_wait=notes.append):
            pass
    assert notes == [], "the lock of a killed process is the system's to release, at once"


@pytest.mark.parametrize("number", ["ENOLCK", "EOPNOTSUPP"])
def test_a_file_system_that_cannot_lock_builds_without_the_lock(number: str, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from sheetgen.build import lock

    def cannot(fd: int) -> bool:
        raise OSError(getattr(errno, number), os.strerror(getattr(errno, number)))

    monkeypatch.setattr(lock, "_try_lock", cannot)
    ran = []
    with lock.output_lock(tmp_path, wait=0, on_wait=print):
        ran.append(True)
    assert ran == [True]


def test_another_failure_to_lock_is_said_in_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from sheetgen.build import lock

    def broken(fd: int) -> bool:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(lock, "_try_lock", broken)
    with pytest.raises(lock.BuildLocked) as raised, lock.output_lock(tmp_path, wait=0, on_wait=print):
        raise AssertionError("the block must not run")
    assert "无法锁定输出文件夹" in str(raised.value) and str(tmp_path) in str(raised.value)
    assert "Input/output" not in str(raised.value), "the reason is said in Chinese"
