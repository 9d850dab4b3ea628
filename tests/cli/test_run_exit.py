"""``sheetgen`` (``cli.run``) ends the process at once when nothing is left to wind down, with
its output whole and its exit code; with a thread still running, a profiler or a tracer, it
ends as Python normally does."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

_RUN = """\
import atexit, sys, threading
atexit.register(lambda: print("teardown", file=sys.stderr))
mode = sys.argv[1]
if mode == "profiled":
    sys.setprofile(lambda *args: None)
elif mode == "thread":  # alive until Python's own ending stops the main thread, however slow the command
    threading.Thread(target=threading.main_thread().join).start()
sys.argv = ["sheetgen", *sys.argv[2:]]
import sheetgen.cli as cli
command = cli.main
def main():  # the command, then text still in stdout's buffer when it returns
    code = command()
    sys.stdout.write("(the last line)")  # (no newline: a line-buffered stream keeps it)
    return code
cli.main = main
cli.run()
"""


def _run(mode: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # (stdout buffered, as usual)
    return subprocess.run([sys.executable, "-c", _RUN, mode, *args], capture_output=True, text=True, cwd=REPO,
                          check=False, timeout=120, env=env)


def test_the_command_ends_at_once_with_its_output_whole() -> None:
    done = _run("plain", "check", "--format", "json", "specs")
    report, last = done.stdout.rsplit("\n", 1)
    assert last == "(the last line)", "what was still buffered was written before the end"
    assert done.returncode == 0 and len(json.loads(report)["diagnostics"]) >= 1
    assert "teardown" not in done.stderr, "the process ended without Python's teardown"


@pytest.mark.parametrize(("args", "code"), [(("check", "no-such-folder"), 2), (("--no-such-option",), 2),
                                            (("--version",), 0)])
def test_exit_codes_are_kept(args: tuple[str, ...], code: int) -> None:
    done = _run("plain", *args)
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr and "teardown" not in done.stderr


@pytest.mark.parametrize("mode", ["profiled", "thread"])
def test_with_something_left_to_wind_down_it_ends_as_python_does(mode: str) -> None:
    done = _run(mode, "check", "--format", "json", "specs")
    report, last = done.stdout.rsplit("\n", 1)
    assert done.returncode == 0 and json.loads(report)["diagnostics"] and last == "(the last line)"
    assert "teardown" in done.stderr
