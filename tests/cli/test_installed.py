"""The installed `sheetgen` command works outside the repository (templates ship in the wheel)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

SCRIPT = Path(sys.executable).parent / "sheetgen"


def _editable() -> bool:
    """Return whether this environment's sheetgen is an editable install (pip install -e .),
    which runs the checkout's code and templates instead of the wheel's."""
    found = subprocess.run([sys.executable, "-c", "import sheetgen; print(sheetgen.__file__)"], cwd="/",
                           capture_output=True, text=True)
    return found.returncode == 0 and "site-packages" not in Path(found.stdout.strip()).parts


@pytest.mark.skipif(not SCRIPT.is_file(), reason="sheetgen is not installed in this environment (pip install .)")
@pytest.mark.skipif(SCRIPT.is_file() and _editable(), reason="sheetgen is an editable install here; this test checks "
                    "the wheel (pip install ., as README and .ci/run do)")
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
