"""State a build keeps that must not grow with the number of specs or units."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sheetgen.build.manifest import MANIFEST_NAME, Manifest, Record
from sheetgen.build.tasks import _Recent


def test_recent_keeps_the_most_recently_used() -> None:
    cache = _Recent(2)
    cache["a"], cache["b"] = 1, 2
    assert cache["a"] == 1  # "a" is now the most recent
    cache["c"] = 3
    assert "b" not in cache and list(cache) == ["a", "c"]


def test_manifest_written_in_chunks_holds_every_record(tmp_path: Path) -> None:
    manifest = Manifest()
    for index in range(3000):  # more than one chunk of text
        manifest.specs[f"/规格/{index:04d}.yaml"] = Record(f"{index:064x}", "上海", ["/t"], [f"/输出/{index}.docx"])
    manifest.table("selfeval").units["/u"] = Record("f", outputs=["/输出/汇总-自评.docx"])
    manifest.write(tmp_path)
    text = (tmp_path / MANIFEST_NAME).read_text(encoding="utf-8")
    assert len(text) > 1 << 17
    again, note = Manifest.read(tmp_path)
    assert note is None and again.specs == manifest.specs
    assert again.tables["selfeval"].units == manifest.tables["selfeval"].units
    stored = json.loads(text)
    assert stored["specs"] == {k: v.stored() for k, v in manifest.specs.items()}
    assert list(stored["specs"]) == sorted(manifest.specs)
    unit = manifest.tables["selfeval"].units["/u"].stored()
    assert stored["tables"] == {"selfeval": {"specs": {}, "units": {"/u": unit}}}
    assert len(text.splitlines()) > 3000  # a record to a line, readable in a diff


def test_record_key_is_the_real_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sheetgen.build.plan import key

    real = tmp_path / "真实" / "单位"
    real.mkdir(parents=True)
    (real / "01-项目.yaml").write_text("name: x\n", encoding="utf-8")
    (tmp_path / "链接").symlink_to(real)
    (real / "02-链接.yaml").symlink_to(real / "01-项目.yaml")
    monkeypatch.chdir(tmp_path)
    cases = [Path("真实"), Path("./真实/单位/"), Path("链接/01-项目.yaml"), Path("真实/单位/02-链接.yaml"),
             Path("链接/../x.yaml"), Path("."), Path(".."), Path("链接"), tmp_path / "缺少" / "f.yaml",
             Path("真实/单位/../单位/01-项目.yaml")]
    for case in cases:
        assert key(case) == str(case.resolve()), case
    assert key(Path("链接/01-项目.yaml")) == str(real / "01-项目.yaml")
