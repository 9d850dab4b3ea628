"""Before a build's workers fork, the main process compiles what they will use
(:func:`sheetgen.build.tasks.warm`), so each starts with it instead of doing it again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sheetgen.build.tasks import warm
from sheetgen.jurisdiction import TARGET_TABLE
from sheetgen.render import templates
from sheetgen.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]


def test_warm_compiles_the_schema_and_templates_of_every_usable_format() -> None:
    import sheetgen.validation as validation

    templates._cache.clear()
    validation._SCHEMAS.clear()
    formats = Workspace().formats(REPO / "specs" / "sh-yifenyuan-2020")
    warm(formats, ("docx", "xlsx"), [TARGET_TABLE])
    usable = formats.usable()
    assert len(usable) >= 2
    assert len(templates._cache) == 2 * len(usable)
    assert {name for name, _ in validation._SCHEMAS} == {j.name for j in usable}
    before = dict(templates._cache)
    for jurisdiction in usable:  # what a task then asks for is what was compiled
        templates.compiled("docx", jurisdiction, TARGET_TABLE)
    assert templates._cache == before


def test_a_template_that_cannot_be_compiled_is_left_to_the_build(tmp_path: Path) -> None:
    folder = tmp_path / "specs" / "单位"
    shutil.copytree(REPO / "specs" / "sh-yifenyuan-2020", folder)
    override = tmp_path / "specs" / "templates" / "shanghai"
    override.mkdir(parents=True)
    (override / "jurisdiction.yaml").write_text("extends: shanghai\n", encoding="utf-8")
    (override / "table.docx").write_bytes(b"not a zip")
    formats = Workspace().formats(folder)
    templates._cache.clear()
    warm(formats, ("docx", "xlsx"), [TARGET_TABLE])  # no error here: the build reports it per spec
    shanghai = formats.get("shanghai")
    with pytest.raises(Exception, match="Word"):
        templates.compiled("docx", shanghai, TARGET_TABLE)
