"""Faults beyond tests/build/test_build.py (locked target, injected ENOSPC, killed worker):
a read-only output folder, a template that fails for one spec only, Ctrl-C in
the middle of ``sheetgen build``, and a real full (and read-only) tmpfs.

In every case: a clear message, no traceback, the files written before stay
whole, and the next build recovers.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sheetgen.build import atomic
from sheetgen.build.runner import BuildOptions, Summary, run_build
from sheetgen.cli import main
from tests.conftest import REPO, SHANGHAI_DEFAULTS, SHANGHAI_SPEC
from tests.support import wait_for

KINDS = (".docx", ".xlsx")


# ----------------------------------------------------------------------------- helpers


def make_unit(root: Path, specs: dict[str, str], name: str = "unit") -> Path:
    folder = root / "specs" / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_defaults.yaml").write_text(SHANGHAI_DEFAULTS, encoding="utf-8")
    for filename, text in specs.items():
        (folder / filename).write_text(text, encoding="utf-8")
    return folder


THREE = {
    "01-a.yaml": SHANGHAI_SPEC,
    "02-b.yaml": SHANGHAI_SPEC.replace("检察业务保障费", "乙乙乙"),
    "03-c.yaml": SHANGHAI_SPEC.replace("检察业务保障费", "丙项目名称"),
}


def build(specs: Path, out: Path, **options: Any) -> Summary:
    return run_build(BuildOptions(paths=(specs,), output=out, **options))


def cli(*args: str) -> tuple[int, str]:
    """Return the exit code and stderr of ``sheetgen args``."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(list(args))
    return code, err.getvalue()


def outputs(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.suffix in KINDS}


def assert_whole(out: Path) -> None:
    """Every .docx/.xlsx in ``out`` is a complete zip; no temporary file is left."""
    for path in out.rglob("*"):
        if path.suffix in KINDS:
            with zipfile.ZipFile(path) as archive:
                assert archive.testzip() is None, path
    assert not [p for p in out.rglob("*") if atomic.TEMP_MARK in p.name]


def edit_all(folder: Path) -> None:
    """Change every spec of ``folder`` so that the next build renders it again."""
    for spec in folder.glob("0*.yaml"):
        spec.write_text(spec.read_text(encoding="utf-8").replace("概况", "新的概况"), encoding="utf-8")


# ----------------------------------------------------------------------------- read-only output


def test_output_folder_under_a_file_is_a_clear_error(tmp_path: Path) -> None:
    make_unit(tmp_path, THREE)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the output folder's parent should be", encoding="utf-8")
    code, err = cli("build", str(tmp_path / "specs"), "-o", str(blocker / "out"), "--jobs", "1")
    assert code == 1 and "无法创建输出文件夹" in err and "Traceback" not in err
    assert blocker.read_text(encoding="utf-8").startswith("a file")
    code, err = cli("build", str(tmp_path / "specs"), "-o", str(tmp_path / "out"), "--jobs", "1")
    assert code == 0 and len(outputs(tmp_path / "out")) == 8


@pytest.mark.parametrize("where", ["create", "rename"])
def test_read_only_output_folder_keeps_earlier_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """EROFS where a read-only file system reports it: creating the temporary file, or renaming it."""
    folder = make_unit(tmp_path, THREE)
    out = tmp_path / "out"
    assert build(folder.parent, out, jobs=1).failed == 0
    before = outputs(out)
    manifest = (out / ".sheetgen-manifest.json").read_bytes()
    edit_all(folder)

    def read_only(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.EROFS, "Read-only file system", str(args[0]))

    if where == "create":
        monkeypatch.setattr(atomic, "_new_file", read_only)
    else:
        monkeypatch.setattr(atomic.os, "replace", read_only)
    code, err = cli("build", str(folder.parent), "-o", str(out), "--jobs", "2")
    assert code == 1 and "Traceback" not in err
    assert "只读" in err and "原文件保持不变" in err
    assert "01-a.docx" in err and "02-b.xlsx" in err
    assert outputs(out) == before
    assert (out / ".sheetgen-manifest.json").read_bytes() == manifest
    assert_whole(out)
    monkeypatch.undo()
    code, err = cli("build", str(folder.parent), "-o", str(out), "--jobs", "2")
    assert code == 0, err
    after = outputs(out)
    assert after.keys() == before.keys() and all(after[k] != before[k] for k in before)


# ----------------------------------------------------------------------------- one spec's template fails


def _patch_template(package: Path, part: str, old: bytes, new: bytes) -> None:
    with zipfile.ZipFile(package) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    assert old in parts[part]
    parts[part] = parts[part].replace(old, new)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    package.write_bytes(buffer.getvalue())


def test_template_failing_for_one_spec_fails_that_spec_only(tmp_path: Path) -> None:
    folder = make_unit(tmp_path, THREE)
    jurisdiction = tmp_path / "specs" / "templates" / "shanghai"
    shutil.copytree(REPO / "templates" / "shanghai", jurisdiction)
    # Word: an expression that divides by zero for the project 乙乙乙 only;
    # Excel: a filter chain that divides by zero when the name is three characters long.
    _patch_template(
        jurisdiction / "table.docx",
        "word/document.xml",
        b"{{ project.name }}",
        b"{{ project.name if project.name != &apos;\xe4\xb9\x99\xe4\xb9\x99\xe4\xb9\x99&apos; else 1/0 }}",
    )
    _patch_template(
        jurisdiction / "table.xlsx",
        "xl/worksheets/sheet1.xml",
        b"<t>{{ project.name }}</t>",
        b"<t>{{ project.name }}{{ (1 // (project.name|length - 3)) * 0 }}</t>",
    )
    out = tmp_path / "out"
    code, err = cli("build", str(folder.parent), "-o", str(out), "--jobs", "2")
    assert code == 1 and "Traceback" not in err
    failures = [line for line in err.splitlines() if line.startswith("错误：")]
    assert any("02-b.docx" in f and "除数是零" in f and "02-b.yaml" in f for f in failures), err
    assert any("02-b.xlsx" in f and "除数是零" in f and "B4" in f for f in failures), err
    assert not any("01-a" in f or "03-c" in f for f in failures), err
    names = set(outputs(out))
    for stem in ("01-a", "03-c"):
        assert {f"unit/{stem}.docx", f"unit/{stem}.xlsx"} <= names
    assert "unit/02-b.docx" not in names and "unit/02-b.xlsx" not in names
    assert_whole(out)
    # the combined files would miss 乙乙乙's table: not written, and the message names the project
    assert not [name for name in names if "汇总-" in name]
    blocked = next(line for line in err.splitlines() if "[combined-blocked]" in line)
    assert blocked.startswith(f"{folder}: 错误") and "02-b.yaml（表格生成失败" in blocked, blocked
    # fixing the project lets the next build finish everything
    spec = folder / "02-b.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("乙乙乙", "乙项目名"), encoding="utf-8")
    code, err = cli("build", str(folder.parent), "-o", str(out), "--jobs", "2")
    assert code == 0, err
    assert len(outputs(out)) == 8


# ----------------------------------------------------------------------------- Ctrl-C


COPIES = 2
ENDLESS_UNIT = "zz-endless"  # sorts last
ENDLESS = (b"{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
           b"{{ project.name }}")


def _many_specs(target: Path, copies: int) -> Path:
    """Return a specs tree of the 24 seed specs copied ``copies`` times (one unit folder per copy),
    plus a last unit whose Word template never finishes rendering (10^10 sandboxed loop steps),
    so that no build of the tree can finish before it is interrupted."""
    for index in range(copies):
        for unit in sorted(p for p in (REPO / "specs").iterdir() if p.is_dir()):
            shutil.copytree(unit, target / f"{unit.name}-{index}")
    endless = target / ENDLESS_UNIT
    shutil.copytree(REPO / "specs" / "sh-yifenyuan-2020", endless)
    override = endless / "templates" / "shanghai"
    shutil.copytree(REPO / "templates" / "shanghai", override)
    _patch_template(override / "table.docx", "word/document.xml", b"{{ project.name }}", ENDLESS)
    return target


def _session_processes(sid: int) -> list[str]:
    """Return the processes still alive in session ``sid`` (the build and its workers)."""
    result = subprocess.run(["ps", "-eo", "pid=,sid=,stat=,cmd="], capture_output=True, text=True, check=True)
    alive = []
    for line in result.stdout.splitlines():
        fields = line.split(None, 3)
        if len(fields) >= 3 and fields[1] == str(sid) and not fields[2].startswith("Z"):
            alive.append(line.strip())
    return alive


def _combined_files(out: Path) -> int:
    return len([p for p in out.rglob("汇总-*") if p.suffix in KINDS]) if out.is_dir() else 0


@pytest.mark.parametrize("group", [True, False], ids=["ctrl-c-to-the-process-group", "sigint-to-the-main-process"])
def test_interrupted_build_exits_130_with_whole_files_and_recovers(tmp_path: Path, group: bool) -> None:
    specs = _many_specs(tmp_path / "specs", COPIES)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "sheetgen", "build", str(specs), "-o", str(out), "--jobs", "2"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    finite = 3 * COPIES  # every unit but the endless one finishes
    try:
        done = wait_for(lambda: _combined_files(out) == finite * 2, 120)
        assert done, f"the finite units were not built within 120 s ({_combined_files(out)} 汇总 files)"
        assert process.poll() is None, "the build finished although one unit cannot"
        signalled = time.monotonic()
        if group:
            os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        else:
            process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
        took = time.monotonic() - signalled
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    err = stderr.decode("utf-8", "replace")
    assert process.returncode == 130, err[-2000:]
    assert took < 10, f"Ctrl-C took {took:.1f} s to stop the build"
    assert "已中断" in err and "Traceback" not in err and "KeyboardInterrupt" not in err, err[-3000:]
    if shutil.which("ps"):  # no worker outlives the build
        assert wait_for(lambda: not _session_processes(process.pid), 10), _session_processes(process.pid)
    assert not list((out / ENDLESS_UNIT).glob("*.docx")) if (out / ENDLESS_UNIT).is_dir() else True
    for path in (p for p in out.rglob("*") if p.suffix in KINDS):
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None, path
    # the next build (the endless template fixed) removes leftover temporary files and finishes everything
    shutil.rmtree(specs / ENDLESS_UNIT / "templates")
    code, err = cli("build", str(specs), "-o", str(out), "--jobs", "2")
    assert code == 0, err[-2000:]
    assert len(outputs(out)) == (24 * 2 + 3 * 2) * COPIES + 9 * 2 + 2
    assert_whole(out)


# ----------------------------------------------------------------------------- real tmpfs


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """Return a function mounting a fresh tmpfs with ``options`` (e.g. ``size=256k``); skip where
    mounting is not allowed (not root, no CAP_SYS_ADMIN, not Linux)."""
    mounted: list[Path] = []

    def mount(options: str) -> Path:
        target = tmp_path / f"tmpfs{len(mounted)}"
        target.mkdir()
        try:
            result = subprocess.run(
                ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], capture_output=True, timeout=30
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            pytest.skip(f"cannot mount a tmpfs here: {exc}")
        if result.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here (needs root): {result.stderr.decode(errors='replace').strip()}")
        mounted.append(target)
        return target

    try:
        yield mount
    finally:
        for target in reversed(mounted):
            if subprocess.run(["umount", str(target)], capture_output=True).returncode != 0:
                subprocess.run(["umount", "-l", str(target)], capture_output=True)


def _fill(folder: Path) -> Path:
    """Return a file that fills the file system of ``folder`` up to the last block."""
    filler = folder / "filler.bin"
    with contextlib.suppress(OSError), open(filler, "wb", buffering=0) as handle:
        while True:
            handle.write(b"\0" * 4096)
    return filler


def test_real_full_disk_keeps_earlier_outputs_and_recovers(tmp_path: Path, tmpfs: Callable[[str], Path]) -> None:
    folder = make_unit(tmp_path, THREE)
    disk = tmpfs("size=1m")
    out = disk / "out"
    assert build(folder.parent, out, jobs=2).failed == 0
    before = outputs(out)
    edit_all(folder)
    filler = _fill(disk)
    code, err = cli("build", str(folder.parent), "-o", str(out), "--jobs", "2")
    assert code == 1 and "Traceback" not in err
    assert "磁盘已满" in err and "原文件保持不变" in err
    assert outputs(out) == before
    assert_whole(out)
    filler.unlink()
    code, err = cli("build", str(folder.parent), "-o", str(out), "--jobs", "2")
    assert code == 0, err
    assert outputs(out).keys() == before.keys() and outputs(out) != before
    assert_whole(out)


def test_real_read_only_file_system_keeps_earlier_outputs_and_recovers(
    tmp_path: Path, tmpfs: Callable[[str], Path]
) -> None:
    folder = make_unit(tmp_path, THREE)
    disk = tmpfs("size=1m")
    out = disk / "out"
    assert build(folder.parent, out, jobs=1).failed == 0
    before = outputs(out)
    edit_all(folder)
    remount = subprocess.run(["mount", "-o", "remount,ro", str(disk)], capture_output=True)
    if remount.returncode != 0:
        pytest.skip(f"cannot remount read-only: {remount.stderr.decode(errors='replace').strip()}")
    try:
        code, err = cli("build", str(folder.parent), "-o", str(out), "--jobs", "2")
        assert code == 1 and "Traceback" not in err
        assert "只读" in err
        assert outputs(out) == before
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
    code, err = cli("build", str(folder.parent), "-o", str(out), "--jobs", "2")
    assert code == 0, err
    assert outputs(out).keys() == before.keys() and outputs(out) != before
    assert_whole(out)
