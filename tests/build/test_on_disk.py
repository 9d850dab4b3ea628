"""Planning tells which recorded outputs are on disk from one listing per folder
(:class:`sheetgen.build.plan.OnDisk`): it must answer as ``os.path.isfile`` does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sheetgen.build.plan import OnDisk


@pytest.fixture()
def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    unit = tmp_path / "out" / "单位"
    unit.mkdir(parents=True)
    (unit / "01-项目.docx").write_bytes(b"x")
    (unit / "汇总-单位.xlsx").write_bytes(b"x")
    (unit / "a folder.docx").mkdir()
    (unit / "link.docx").symlink_to(unit / "01-项目.docx")
    (unit / "dangling.xlsx").symlink_to(unit / "nowhere.xlsx")
    (unit / "to-folder.docx").symlink_to(unit / "a folder.docx", target_is_directory=True)
    (tmp_path / "top.docx").write_bytes(b"x")
    return tmp_path


NAMES = ["01-项目.docx", "汇总-单位.xlsx", "a folder.docx", "link.docx", "dangling.xlsx", "to-folder.docx",
         "missing.docx", ".01-项目.docx.sheetgen-tmp-1-1"]


def test_it_answers_as_isfile_does(place: Path) -> None:
    on_disk = OnDisk()
    paths = [str(place / "out" / "单位" / name) for name in NAMES]
    paths += [os.path.join("out", "单位", name) for name in NAMES]  # relative to the working folder
    paths += [str(place / "out" / "gone" / "01.docx"), "top.docx", str(place / "top.docx"), "nothing.docx"]
    assert [on_disk(p) for p in paths] == [os.path.isfile(p) for p in paths]
    assert [on_disk(p) for p in paths].count(True) == 8  # the file, the 汇总, the link to a file (x2); top.docx (x2)


def test_a_folder_is_listed_once_per_planning(place: Path) -> None:
    on_disk = OnDisk()
    unit = place / "out" / "单位"
    assert on_disk(str(unit / "01-项目.docx"))
    (unit / "01-项目.docx").unlink()
    assert on_disk(str(unit / "01-项目.docx"))  # the listing made for this unit's planning
    assert not OnDisk()(str(unit / "01-项目.docx"))  # the next unit's planning lists it anew
