"""The typed parts of a jurisdiction are imported at first use (sheetgen.jurisdiction's
``__getattr__``): a no-change build, which only finds and fingerprints formats, makes none,
and reads no YAML (PyYAML is not imported: a format extending none is not parsed)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import sheetgen.jurisdiction as jurisdictions
from sheetgen.jurisdiction import loading, scoring, typed
from tests.conftest import REPO

_BUILD_AND_LIST = ("import sys; from sheetgen.cli import main; code = main(['build', sys.argv[1], '-o', sys.argv[2], "
                   "'--quiet']); print(code, ','.join(m for m in ('sheetgen.jurisdiction.typed', 'sheetgen.model', "
                   "'sheetgen.jurisdiction.scoring', 'cerberus', 'yaml') if m in sys.modules))")


def test_lazy_names_are_those_of_their_modules() -> None:
    assert jurisdictions.Jurisdiction is typed.Jurisdiction and jurisdictions.Table is typed.Table
    assert jurisdictions.Column is typed.Column and jurisdictions.Field is typed.Field
    assert jurisdictions.Scoring is scoring.Scoring and jurisdictions.load is loading.load
    assert set(jurisdictions.__all__) <= set(dir(jurisdictions)) | set(jurisdictions._LAZY)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_part"):
        _ = jurisdictions.no_such_part  # type: ignore[attr-defined]


def test_a_no_change_build_makes_no_typed_jurisdiction(unit_dir: Callable[..., Path], tmp_path: Path) -> None:
    folder, out = unit_dir(), tmp_path / "out"
    first = subprocess.run([sys.executable, "-c", _BUILD_AND_LIST, str(folder), str(out)], capture_output=True,
                           text=True, cwd=REPO, check=True)
    assert first.stdout.split()[0] == "0" and "sheetgen.jurisdiction.typed" in first.stdout  # it built: it loaded
    again = subprocess.run([sys.executable, "-c", _BUILD_AND_LIST, str(folder), str(out)], capture_output=True,
                           text=True, cwd=REPO, check=True)
    assert again.stdout.split() == ["0"]
