"""A project's sheet is rendered once for its own workbook and for its unit's combined one
(:meth:`XlsxTemplate.prepare`, :meth:`XlsxTemplate.document`); a template whose cells read
``combined`` is rendered for each workbook anew, and prints what it says there."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from test_xlsx_support import reopen, shanghai
from test_xlsx_template import custom  # noqa: F401  (fixture)

from sheetgen import jurisdiction as jurisdictions
from sheetgen.render import xlsx as xlsx_render
from sheetgen.render.xlsx import compile_xlsx


@pytest.fixture
def sheet_renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Return the numbers of the projects whose sheet is rendered, as they are."""
    seen: list[int] = []
    original = xlsx_render.render_sheet

    def counting(sheet: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(context["number"])
        return original(sheet, context, *args, **kwargs)

    monkeypatch.setattr(xlsx_render, "render_sheet", counting)
    return seen


def test_one_render_per_project_for_both_workbooks(sheet_renders: list[int]) -> None:
    jurisdiction = jurisdictions.load("shanghai")
    template = compile_xlsx(jurisdiction)
    projects = [shanghai(number=n, name=f"项目{n}") for n in (1, 2, 3)]
    pieces = [template.prepare(p, jurisdiction) for p in projects]
    singles = [template.document([piece], jurisdiction) for piece in pieces]
    combined = template.document(pieces, jurisdiction)
    assert sheet_renders == [1, 2, 3]
    sheet_renders.clear()
    assert singles == [template.render([p], jurisdiction) for p in projects]
    assert combined == template.render(projects, jurisdiction)
    assert reopen(combined).sheetnames[1:] == ["项目1", "项目2", "项目3"]


def test_template_reading_combined_renders_anew(custom, sheet_renders: list[int]) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    jurisdiction = custom({"A1": "{{ '汇总' if combined else '单项' }}{{ project.name }}"})
    template = compile_xlsx(jurisdiction)
    projects = [shanghai(number=n, name=f"项目{n}") for n in (1, 2)]
    pieces = [template.prepare(p, jurisdiction) for p in projects]
    single = reopen(template.document(pieces[:1], jurisdiction))
    combined = reopen(template.document(pieces, jurisdiction))
    assert single.worksheets[0]["A1"].value == "单项项目1"
    assert [ws["A1"].value for ws in combined.worksheets[1:]] == ["汇总项目1", "汇总项目2"]
    assert sheet_renders == [1, 2, 1, 2]
