"""The installed `sheetgen` command works outside the repository (templates ship in the wheel),
and keeps an honest build record there: a complete 汇总 after a one-spec build, deleted specs'
files removed, an edit made during a build built next time, two builds of one folder in turn."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.support import wait_for

SCRIPT = Path(sys.executable).parent / "sheetgen"
installed = pytest.mark.skipif(not SCRIPT.is_file(),
                               reason="sheetgen is not installed in this environment (pip install .)")
TJ = "tj-xiqing-2025"
SLOW_UNIT = "zz-slow"  # sorts last
SLOW_NAME = "慢项目"
# About 64 million sandboxed loop steps (seconds here) where project 慢项目's own table is
# rendered (not in the unit's 汇总, where ``combined`` is true).
SLOW = ("{% if project.name == '" + SLOW_NAME + "' and not combined %}"
        "{% for i in range(8000) %}{% for j in range(8000) %}{% endfor %}{% endfor %}{% endif %}"
        "{{ project.name }}").replace("'", "&apos;").encode("utf-8")


def sheetgen(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def tables(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def fresh(cwd: Path) -> dict[str, bytes]:
    """Return what the installed command writes for ``cwd/specs`` into an empty folder."""
    shutil.rmtree(cwd / "fresh", ignore_errors=True)
    done = sheetgen(cwd, "build", "specs", "-o", "fresh", "-q")
    assert done.returncode == 0, done.stderr
    return tables(cwd / "fresh")


def slow_unit(specs: Path) -> Path:
    """Add a last unit of two specs, the second of which renders slowly; return that spec."""
    unit = specs / SLOW_UNIT
    unit.mkdir()
    source = REPO / "specs" / "sh-yifenyuan-2020"
    shutil.copy(source / "_defaults.yaml", unit / "_defaults.yaml")
    shutil.copy(next(source.glob("03-*.yaml")), unit / "01-快.yaml")
    spec = unit / "02-慢.yaml"
    text = next(source.glob("04-*.yaml")).read_text(encoding="utf-8")
    name = next(line for line in text.splitlines() if line.startswith("name:"))
    spec.write_text(text.replace(name, f"name: {SLOW_NAME}", 1), encoding="utf-8")
    override = unit / "templates" / "shanghai"
    shutil.copytree(REPO / "templates" / "shanghai", override)
    template = override / "table.docx"
    with zipfile.ZipFile(template) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    head, name, tail = parts["word/document.xml"].rpartition(b"{{ project.name }}")  # the table's 项目名称 cell
    assert name
    parts["word/document.xml"] = head + SLOW + tail
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    template.write_bytes(buffer.getvalue())
    return spec


def _editable() -> bool:
    """Return whether this environment's sheetgen is an editable install (pip install -e .),
    which runs the checkout's code and templates instead of the wheel's."""
    found = subprocess.run([sys.executable, "-c", "import sheetgen; print(sheetgen.__file__)"], cwd="/",
                           capture_output=True, text=True)
    return found.returncode == 0 and "site-packages" not in Path(found.stdout.strip()).parts


@installed
@pytest.mark.skipif(SCRIPT.is_file() and _editable(), reason="sheetgen is an editable install here; this test checks "
                    "the wheel's packaged templates (pip install ., as README and .ci/run do)")
def test_installed_command_checks_and_builds_outside_the_repo(tmp_path: Path) -> None:
    shutil.copytree(REPO / "specs", tmp_path / "specs")
    probe = subprocess.run([str(SCRIPT), "--version"], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert probe.stdout.startswith("sheetgen ")
    where = subprocess.run([sys.executable, "-c", "import sheetgen.jurisdiction as j; print(j.builtin_dir())"],
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).name == "_templates" and "site-packages" in Path(where).parts, (
        f"the installed package must carry its own templates, found {where}")
    check = subprocess.run([str(SCRIPT), "check", "specs"], cwd=tmp_path, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    build = subprocess.run([str(SCRIPT), "build", "specs", "-q"], cwd=tmp_path, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    assert len(list((tmp_path / "output").rglob("*.docx"))) == 27


@installed
def test_installed_command_one_spec_build_and_deleted_spec_keep_the_combined_files_right(tmp_path: Path) -> None:
    shutil.copytree(REPO / "specs", tmp_path / "specs")
    assert sheetgen(tmp_path, "build", "specs", "-q").returncode == 0
    spec = next((tmp_path / "specs" / TJ).glob("05-*.yaml"))
    spec.write_text(spec.read_text(encoding="utf-8").replace("name: ", "name: 改过的", 1), encoding="utf-8")
    one = sheetgen(tmp_path, "build", f"specs/{TJ}/{spec.name}")
    assert one.returncode == 0, one.stderr
    assert "生成 1 个，未变 6 个" in one.stderr, one.stderr
    assert tables(tmp_path / "output") == fresh(tmp_path)  # the 汇总 holds all 7 projects, the edit among them
    last = next((tmp_path / "specs" / TJ).glob("07-*.yaml"))
    last.unlink()
    after = sheetgen(tmp_path, "build", "specs")
    assert after.returncode == 0, after.stderr
    assert f"删除 output/{TJ}/{last.stem}.docx" in after.stderr, after.stderr
    assert tables(tmp_path / "output") == fresh(tmp_path)


@installed
def test_installed_command_builds_an_edit_made_during_the_build_next_time(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(REPO / "specs" / TJ, specs / TJ)
    spec = slow_unit(specs)
    first = subprocess.Popen([str(SCRIPT), "build", "specs", "-j", "1"], cwd=tmp_path, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        # with -j 1 the specs are built in order: a second after the first unit's last file is
        # there, the slow spec has been read and is being rendered (for seconds)
        assert wait_for(lambda: any((tmp_path / "output" / TJ).glob("07-*.xlsx")), 120)
        time.sleep(1.0)
        assert first.poll() is None, "the build ended before the edit: the test proves nothing"
        assert not (tmp_path / "output" / SLOW_UNIT / f"{spec.stem}.docx").exists()
        spec.write_text(spec.read_text(encoding="utf-8").replace("budget:", "# 编辑中改过\nbudget:", 1),
                        encoding="utf-8")
        _, err = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == 0, err
    again = sheetgen(tmp_path, "build", "specs")
    assert again.returncode == 0, again.stderr
    assert "生成 1 个，未变 8 个" in again.stderr, "the edit made during the first build was recorded as built"


@installed
def test_installed_command_second_build_of_one_folder_waits_for_the_first(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(REPO / "specs", specs)
    slow_unit(specs)
    first = subprocess.Popen([str(SCRIPT), "build", "specs", "-j", "1"], cwd=tmp_path, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: any((tmp_path / "output").rglob("*.docx")), 120)
        assert first.poll() is None
        second = sheetgen(tmp_path, "build", "specs", "-j", "2")
        _, err = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == 0, err
    assert second.returncode == 0, second.stderr
    assert "另一个 sheetgen 正在向 output 生成文件，等待它结束" in second.stderr, second.stderr
    assert "无法写入" not in err + second.stderr
    assert "生成 0 个，未变 26 个" in second.stderr, second.stderr  # the first built everything, recorded it
    third = sheetgen(tmp_path, "build", "specs")
    assert "生成 0 个，未变 26 个" in third.stderr, third.stderr
    assert not [p for p in (tmp_path / "output").rglob("*") if ".sheetgen-tmp-" in p.name]
