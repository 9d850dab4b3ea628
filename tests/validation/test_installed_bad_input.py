"""The installed `sheetgen` command on the input that used to crash it: a 29-digit amount
and dates with a time.  Each is an error at its line, the other specs are built, and no
traceback reaches the clerk."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import SHANGHAI_DEFAULTS, SHANGHAI_SPEC

SCRIPT = Path(sys.executable).parent / "sheetgen"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not SCRIPT.is_file(), reason="sheetgen is not installed in this environment (pip install .)"),
]


def test_huge_amount_and_dates_with_a_time_through_the_installed_command(tmp_path: Path) -> None:
    unit = tmp_path / "specs" / "unit"
    unit.mkdir(parents=True)
    (unit / "_defaults.yaml").write_text(SHANGHAI_DEFAULTS, encoding="utf-8")
    huge = SHANGHAI_SPEC.replace("total: 100000", "total: 12345678901234567890123456789")
    timed = SHANGHAI_SPEC.replace("start_date: 2020-01-01", "start_date: 2020-01-01 09:00:00").replace(
        "end_date: 2020-12-31", "end_date: 2020-12-31 18:00:00")
    for name, text in (("01-huge.yaml", huge), ("02-timed.yaml", timed), ("03-good.yaml", SHANGHAI_SPEC)):
        (unit / name).write_text(textwrap.dedent(text), encoding="utf-8")

    check = subprocess.run([str(SCRIPT), "check", "specs"], cwd=tmp_path, capture_output=True, text=True)
    assert check.returncode == 1 and "Traceback" not in check.stdout + check.stderr
    lines = check.stdout.splitlines()
    assert any(line.startswith("specs/unit/01-huge.yaml:14:") and "[too-many-digits]" in line for line in lines)
    assert any(line.startswith("specs/unit/02-timed.yaml:3:") and "不写时间" in line for line in lines)
    assert any(line.startswith("specs/unit/02-timed.yaml:4:") and "不写时间" in line for line in lines)

    build = subprocess.run([str(SCRIPT), "build", "specs"], cwd=tmp_path, capture_output=True, text=True)
    assert build.returncode == 1 and "Traceback" not in build.stdout + build.stderr
    written = sorted(p.name for p in (tmp_path / "output" / "unit").glob("0*"))
    assert written == ["03-good.docx", "03-good.xlsx"]
