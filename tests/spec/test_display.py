"""How messages name a file (:func:`sheetgen.spec.files.display`): as resolving it afresh
would, though each folder is resolved once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sheetgen.spec.files import display


def _fresh(path: Path) -> str:
    """Return the name as pathlib finds it: the path resolved, relative to the working folder."""
    try:
        return str(path.resolve().relative_to(Path(os.getcwd()).resolve()))
    except ValueError:
        return str(path)


def test_names_are_those_resolved_afresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    unit = tmp_path / "specs" / "unit"
    unit.mkdir(parents=True)
    spec = unit / "01-a.yaml"
    spec.write_text("a: 1\n", "utf-8")
    (tmp_path / "link.yaml").symlink_to(spec)
    (tmp_path / "folder").symlink_to(unit)
    outside = tmp_path.parent
    paths = [spec, Path("specs/unit/01-a.yaml"), Path("link.yaml"), Path("folder/01-a.yaml"), Path("."),
             Path(".."), Path("specs/unit/.."), outside, Path("nowhere.yaml"), tmp_path / "link.yaml"]
    for cwd in (tmp_path, unit, tmp_path, outside):
        monkeypatch.chdir(cwd)
        for path in paths:
            assert display(path) == _fresh(path), (cwd, path)
    monkeypatch.chdir(tmp_path)
    later = tmp_path / "later.yaml"
    later.write_text("a: 1\n", "utf-8")
    assert display(Path("later.yaml")) == "later.yaml"
    later.unlink()
    later.symlink_to(spec)  # a name that becomes a symlink is resolved afresh
    assert display(Path("later.yaml")) == "specs/unit/01-a.yaml"
