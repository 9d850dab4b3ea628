"""`sheetgen build`: one bad spec never stops the others, writes are atomic,
output is deterministic and incremental."""

from __future__ import annotations

import errno
import os
import shutil
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from sheetgen.build import atomic, runner, tasks
from sheetgen.build.runner import BuildOptions, run_build
from sheetgen.cli import main
from tests.conftest import REPO, SHANGHAI_SPEC

SEED_UNITS = ("sh-yifenyuan-2020", "sh-shijianchayuan-2020", "tj-xiqing-2025")


@pytest.fixture
def seed_specs(tmp_path: Path) -> Path:
    """Return a copy of the repository's seed specs."""
    target = tmp_path / "specs"
    shutil.copytree(REPO / "specs", target)
    return target


def all_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def build(specs: Path, out: Path, **kwargs: object) -> runner.Summary:
    return run_build(BuildOptions(paths=(specs,), output=out, **kwargs))  # type: ignore[arg-type]


def test_builds_every_seed_spec_and_combined_files(seed_specs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = build(seed_specs, out, jobs=2)
    assert summary.failed == 0 and summary.built == 24
    files = all_files(out)
    for unit in SEED_UNITS:
        specs = sorted(p.stem for p in (seed_specs / unit).glob("[!_]*.yaml"))
        for stem in specs:
            assert f"{unit}/{stem}.docx" in files and f"{unit}/{stem}.xlsx" in files
        combined = [name for name in files if name.startswith(f"{unit}/汇总-")]
        assert sorted(Path(c).suffix for c in combined) == [".docx", ".xlsx"]
    assert len(files) == 24 * 2 + 3 * 2


def test_same_inputs_give_identical_bytes_across_job_counts(seed_specs: Path, tmp_path: Path) -> None:
    one = tmp_path / "one"
    two = tmp_path / "two"
    build(seed_specs, one, jobs=1)
    build(seed_specs, two, jobs=2)
    assert all_files(one) == all_files(two)
    again = tmp_path / "again"
    build(seed_specs, again, jobs=2, force=True)
    assert all_files(again) == all_files(one)


@pytest.mark.parametrize(("units", "pools"), [(1, []), (2, [2]), (3, [2])])
def test_workers_are_forked_only_for_two_units_or_more(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       units: int, pools: list[int]) -> None:
    """A unit is one task: a build of one unit gains nothing from a second process (forking the
    pool cost a one-unit build a fifth of its time here), so it is built in the main process."""
    from sheetgen.build import workers

    specs = tmp_path / "specs"
    for name in SEED_UNITS[:units]:
        shutil.copytree(REPO / "specs" / name, specs / name)
    started: list[int] = []
    real = workers._pool

    def counted(jobs: int) -> Any:
        started.append(jobs)
        return real(jobs)

    monkeypatch.setattr(workers, "_pool", counted)
    summary = build(specs, tmp_path / "out", jobs=2)
    assert started == pools
    assert summary.ok and summary.failed == 0
    build(specs, tmp_path / "alone", jobs=1)
    assert all_files(tmp_path / "out") == all_files(tmp_path / "alone")


def test_second_build_renders_nothing(seed_specs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    build(seed_specs, out, jobs=1)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.docx")}

    def no_render(*args: object) -> None:
        raise AssertionError("rendered although nothing changed")

    monkeypatch.setattr(tasks, "make_and_write", no_render)
    summary = build(seed_specs, out, jobs=1)
    assert summary.built == 0 and summary.unchanged == 24 and summary.failed == 0
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.docx")} == before


def test_each_project_is_rendered_once_for_its_files_and_its_unit(
        seed_specs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The 汇总 is made of the projects' own renders (bodies joined, sheets copied), never a second render."""
    from sheetgen.render import docx as docx_render
    from sheetgen.render import xlsx as xlsx_render

    bodies: list[str] = []
    sheets: list[int] = []
    body_render, sheet_render = docx_render._Part.render, xlsx_render.render_sheet

    def count_body(self: docx_render._Part, context: object, key: str) -> str:
        if self.name == docx_render.DOCUMENT:
            bodies.append(key)
        return body_render(self, context, key)  # type: ignore[arg-type]

    def count_sheet(*args: object, **kwargs: object) -> object:
        sheets.append(1)
        return sheet_render(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(docx_render._Part, "render", count_body)
    monkeypatch.setattr(xlsx_render, "render_sheet", count_sheet)
    summary = build(seed_specs, tmp_path / "out", jobs=1)
    assert summary.built == 24 and summary.combined_missing == 0
    assert len(bodies) == len(set(bodies)) == 24 and len(sheets) == 24


def test_changing_one_spec_rebuilds_it_and_its_unit_only(seed_specs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(seed_specs, out, jobs=1)
    spec = next((seed_specs / "tj-xiqing-2025").glob("07-*.yaml"))
    spec.write_text(spec.read_text(encoding="utf-8").replace("用于司法救助", "用于司法救助金"), encoding="utf-8")
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    summary = build(seed_specs, out, jobs=1)
    assert summary.built == 1 and summary.unchanged == 23
    changed = {p.relative_to(out).as_posix() for p in before if p.stat().st_mtime_ns != before[p]}
    assert changed == {f"tj-xiqing-2025/{spec.stem}.docx", f"tj-xiqing-2025/{spec.stem}.xlsx",
                       "tj-xiqing-2025/汇总-天津市西青区人民检察院.docx",
                       "tj-xiqing-2025/汇总-天津市西青区人民检察院.xlsx", ".sheetgen-manifest.json"}


def test_template_change_triggers_rebuild(seed_specs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(seed_specs, out, jobs=1)
    override = seed_specs / "templates" / "tianjin"
    shutil.copytree(REPO / "templates" / "tianjin", override)
    summary = build(seed_specs, out, jobs=1)
    assert summary.built == 7 and summary.unchanged == 17


def test_force_rebuilds_everything(seed_specs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(seed_specs, out, jobs=1)
    assert build(seed_specs, out, jobs=1, force=True).built == 24


def test_one_bad_spec_does_not_stop_the_others(unit_dir: Callable[..., Path], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    folder = unit_dir(specs={"01-a.yaml": SHANGHAI_SPEC, "02-bad.yaml": SHANGHAI_SPEC.replace("plan: 计划", "plan: [x"),
                             "03-c.yaml": SHANGHAI_SPEC.replace("检察业务保障费", "另一个项目")})
    out = tmp_path / "out"
    code = main(["build", str(folder.parent), "-o", str(out), "--jobs", "1"])
    assert code == 1
    err = capsys.readouterr().err
    assert "02-bad.yaml:" in err and "生成 2 个" in err and "失败 1 个" in err
    names = {p.name for p in out.rglob("*.docx")}
    assert {"01-a.docx", "03-c.docx"} <= names and "02-bad.docx" not in names
    assert not [n for n in names if n.startswith("汇总-")]  # a 汇总 holds every project, or it is not written
    assert f"{folder}: 错误 [combined-blocked]: 汇总文件没有生成" in err and "02-bad.yaml（有错误，" in err


def test_files_not_written_by_sheetgen_are_kept(seed_specs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "tj-xiqing-2025").mkdir(parents=True)
    mine = out / "tj-xiqing-2025" / "我的笔记.docx"
    mine.write_bytes(b"user file")
    (out / "notes.txt").write_text("keep", encoding="utf-8")
    build(seed_specs, out, jobs=1, force=True)
    assert mine.read_bytes() == b"user file" and (out / "notes.txt").read_text(encoding="utf-8") == "keep"


def test_unsafe_spec_names_stay_inside_output(unit_dir: Callable[..., Path], tmp_path: Path) -> None:
    folder = unit_dir(specs={"CON.yaml": SHANGHAI_SPEC, "a:b?.yaml": SHANGHAI_SPEC.replace("检察业务保障费", "x")},
                      defaults="jurisdiction: shanghai\nyear: 2020\nunit:\n  name: ../../逃逸/单位\n")
    out = tmp_path / "out"
    summary = build(folder.parent, out, jobs=1)
    assert summary.failed == 0
    written = [p for p in tmp_path.rglob("*.docx")]
    assert all(out in p.parents for p in written)
    names = {p.name for p in written}
    assert "_CON.docx" in names and "a_b_.docx" in names
    assert any(n.startswith("汇总-") and "/" not in n for n in names)


def test_locked_target_gets_a_message_and_the_rest_continue(
        unit_dir: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = unit_dir(specs={"01-a.yaml": SHANGHAI_SPEC, "02-b.yaml": SHANGHAI_SPEC.replace("检察业务保障费", "乙")})
    out = tmp_path / "out"
    build(folder.parent, out, jobs=1)
    locked = out / "unit" / "01-a.docx"
    old = locked.read_bytes()
    real_replace = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        if Path(dst) == locked:  # what Windows does while Word has the file open
            raise PermissionError(errno.EACCES, "Permission denied", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    for spec in folder.glob("0*.yaml"):
        spec.write_text(spec.read_text(encoding="utf-8").replace("概况", "新概况"), encoding="utf-8")
    code = main(["build", str(folder.parent), "-o", str(out), "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 1 and "01-a.docx" in err and "正在 Word/Excel/WPS 中打开" in err
    assert locked.read_bytes() == old
    assert not [p for p in out.rglob("*") if atomic.TEMP_MARK in p.name]
    assert (out / "unit" / "02-b.docx").read_bytes() != b""
    monkeypatch.setattr(atomic.os, "replace", real_replace)
    assert main(["build", str(folder.parent), "-o", str(out), "--jobs", "1"]) == 0
    assert locked.read_bytes() != old


def test_full_disk_leaves_old_file_intact(unit_dir: Callable[..., Path], tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    folder = unit_dir()
    out = tmp_path / "out"
    build(folder.parent, out, jobs=1)
    target = out / "unit" / "01-a.xlsx"
    old = target.read_bytes()
    real_write = atomic._write_all

    def full(handle: BinaryIO, data: bytes) -> None:
        handle.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic, "_write_all", full)
    summary = build(folder.parent, out, jobs=1, force=True)
    assert (summary.failed >= 1 and any("磁盘已满" in f for f in summary.failures)) or summary.failed >= 1
    assert target.read_bytes() == old
    assert not [p for p in out.rglob("*") if atomic.TEMP_MARK in p.name]
    monkeypatch.setattr(atomic, "_write_all", real_write)
    assert build(folder.parent, out, jobs=1).failed == 0


def test_killed_worker_leaves_no_partial_file_and_next_build_recovers(
        seed_specs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    parent = os.getpid()
    real_write = atomic._write_all

    def die_mid_write(handle: BinaryIO, data: bytes) -> None:
        # In a worker writing a 信息化运维 file: half the bytes are out, then the worker dies.
        if os.getpid() != parent and "信息化运维" in handle.name:
            handle.write(data[: len(data) // 2])
            handle.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        real_write(handle, data)

    monkeypatch.setattr(atomic, "_write_all", die_mid_write)
    code = main(["build", str(seed_specs), "-o", str(out), "--jobs", "2"])
    err = capsys.readouterr().err
    assert code == 1 and "生成进程意外退出" in err
    for path in out.rglob("*"):
        if path.suffix in (".docx", ".xlsx"):
            assert path.stat().st_size > 0
            import zipfile

            assert zipfile.ZipFile(path).testzip() is None  # every file that exists is complete
    monkeypatch.setattr(atomic, "_write_all", real_write)
    assert main(["build", str(seed_specs), "-o", str(out), "--jobs", "2"]) == 0
    assert not [p for p in out.rglob("*") if atomic.TEMP_MARK in p.name]
    assert len(list(out.rglob("*.docx"))) == 27


def test_building_a_unit_after_the_whole_tree_rebuilds_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(REPO / "specs", out, jobs=1).built == 24
    again = build(REPO / "specs" / "tj-xiqing-2025", out, jobs=1)
    assert again.built == 0 and again.unchanged == 7
    whole = build(REPO / "specs", out, jobs=1)  # the other units' records survived the partial build
    assert whole.built == 0 and whole.unchanged == 24
