"""A format's fingerprint taken from its files without loading them (what a no-change build
compares) is the one its load gives, along every kind of extends chain."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sheetgen import jurisdiction as jurisdictions
from sheetgen.errors import JurisdictionError
from sheetgen.workspace import Workspace


def _override(tmp_path: Path, name: str, description: str) -> Path:
    folder = tmp_path / "templates" / name
    folder.mkdir(parents=True)
    (folder / "jurisdiction.yaml").write_text(description, encoding="utf-8")
    return tmp_path / "templates"


@pytest.mark.parametrize("name", ["shanghai", "tianjin"])
def test_builtin(name: str) -> None:
    dirs = jurisdictions.search_path()
    assert jurisdictions.fingerprint(name, dirs) == jurisdictions.load(name, dirs).fingerprint


def test_extends_another_format(tmp_path: Path) -> None:
    dirs = jurisdictions.search_path([_override(tmp_path, "pudong", "extends: shanghai\ntitle: 浦东\n")])
    loaded = jurisdictions.load("pudong", dirs)
    assert len(loaded.folders) == 2 and not loaded.shipped  # a folder of the user's: checked as it loads
    assert jurisdictions.fingerprint("pudong", dirs) == loaded.fingerprint


@pytest.mark.parametrize("description", [
    '"extends": shanghai\n',  # quoted
    '"\\x65xtends": shanghai\n',  # an escape spelling it: the word is not in the bytes
    "{extends: shanghai, title: 浦东}\n",  # a flow mapping
    "# 浦东\nextends: shanghai\n",
])
def test_extends_however_it_is_written(description: str, tmp_path: Path) -> None:
    dirs = jurisdictions.search_path([_override(tmp_path, "pudong", description)])
    loaded = jurisdictions.load("pudong", dirs)
    assert len(loaded.folders) == 2
    assert jurisdictions.fingerprint("pudong", dirs) == loaded.fingerprint


def test_extends_in_utf16(tmp_path: Path) -> None:
    templates = _override(tmp_path, "pudong", "")
    (templates / "pudong" / "jurisdiction.yaml").write_bytes("extends: shanghai\n".encode("utf-16"))
    dirs = jurisdictions.search_path([templates])
    assert b"extends" not in (templates / "pudong" / "jurisdiction.yaml").read_bytes()
    assert len(jurisdictions.load("pudong", dirs).folders) == 2
    assert jurisdictions.fingerprint("pudong", dirs) == jurisdictions.load("pudong", dirs).fingerprint


def test_a_description_that_is_no_yaml_says_so(tmp_path: Path) -> None:
    dirs = jurisdictions.search_path([_override(tmp_path, "pudong", "extends: [shanghai\n")])
    with pytest.raises(JurisdictionError, match="无法读取"):
        jurisdictions.fingerprint("pudong", dirs)


def test_extends_its_own_name_and_a_copy(tmp_path: Path) -> None:
    templates = _override(tmp_path, "shanghai", "extends: shanghai\ntitle: 改过的上海\n")
    dirs = jurisdictions.search_path([templates])
    loaded = jurisdictions.load("shanghai", dirs)
    assert jurisdictions.fingerprint("shanghai", dirs) == loaded.fingerprint
    copy = tmp_path / "copy"
    shutil.copytree(jurisdictions.builtin_dir() / "tianjin", copy / "tianjin")
    dirs = jurisdictions.search_path([copy])
    assert jurisdictions.fingerprint("tianjin", dirs) == jurisdictions.load("tianjin", dirs).fingerprint


def test_an_edit_changes_it_and_a_missing_one_says_so(tmp_path: Path) -> None:
    templates = _override(tmp_path, "pudong", "extends: shanghai\n")
    dirs = jurisdictions.search_path([templates])
    before = jurisdictions.fingerprint("pudong", dirs)
    (templates / "pudong" / "jurisdiction.yaml").write_text("extends: shanghai\ntitle: 浦东\n", encoding="utf-8")
    assert jurisdictions.fingerprint("pudong", dirs) != before
    with pytest.raises(JurisdictionError):
        jurisdictions.fingerprint("nowhere", dirs)
    assert Workspace().fingerprint("nowhere", tmp_path) == "missing"


def test_workspace_takes_it_without_loading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = jurisdictions.load("shanghai").fingerprint

    def no_load(*args: object) -> None:
        raise AssertionError("loaded")

    monkeypatch.setattr(jurisdictions, "load", no_load)
    assert Workspace().fingerprint("shanghai", tmp_path) == expected
