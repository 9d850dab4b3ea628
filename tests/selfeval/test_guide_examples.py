"""The messages docs/guide.md §12 quotes are the ones `sheetgen check` prints for the slips
it describes (made in a copy of the fixture's Tianjin spec)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from sheetgen.checking import check
from tests.conftest import REPO
from tests.selfeval.test_selfeval_build import FIXTURE

NAME = "01-2025年检察业务信息化运维项目-2025中央.yaml"


def quoted() -> list[str]:
    """Return the error lines §12 of the guide quotes for the example spec."""
    guide = (REPO / "docs" / "guide.md").read_text(encoding="utf-8")
    section = guide[guide.index("## 12. "):guide.index("## 13. ")]
    start = re.compile(rf"specs/tj-xiqing-2025/{re.escape(NAME)}:\d+:\d+: ")
    return [line for line in section.splitlines() if start.match(line)]


def test_the_guide_quotes_what_check_prints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    unit = tmp_path / "specs" / "tj-xiqing-2025"
    shutil.copytree(FIXTURE / "tj-xiqing-2025", unit)
    spec = unit / NAME
    text = spec.read_text(encoding="utf-8")
    reason = "        reason: 部分软件维护合并进行，次数少于计划；明年按月排定维护计划。\n"
    for old, new in (("        actual: 180次\n" + reason, "        actual: 180次\n"),
                     ("        actual: 30小时\n", "        actual: 2天\n"),
                     ("        score: 27\n", "        score: 32\n")):
        assert old in text
        text = text.replace(old, new)
    spec.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    printed = [d.format() for d in check([Path("specs")]).diagnostics]
    lines = quoted()
    assert len(lines) == 3 and lines == printed
