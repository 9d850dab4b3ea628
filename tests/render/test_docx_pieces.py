"""A project is rendered once for its own Word document and for its unit's combined one.

:meth:`DocxTemplate.prepare` renders a project's body once (what the template prints only in a
combined document -- ``{% if combined %}`` at the top of the body -- marked in it) and lays it out;
:meth:`DocxTemplate.document` places it on pages for either document.  A template that reads
``combined`` anywhere else is rendered anew for each document, and says the same.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from docx import Document

from sheetgen.jurisdiction import Jurisdiction
from sheetgen.model import Project
from sheetgen.render import docx as docx_render
from sheetgen.render.docx import compile_docx

Make = Callable[..., Project]
Copy = Callable[[str], tuple[Any, Callable[[], Jurisdiction]]]


def _projects(make: Make, base: dict[str, Any]) -> list[Project]:
    return [make(base, number=n, key=f"p{n}", name=f"项目{n}") for n in (1, 2, 3)]


def _texts(data: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


@pytest.fixture
def body_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Return the keys of the projects whose Word body is rendered (Jinja), as they are."""
    seen: list[str] = []
    original = docx_render._Part.render

    def counting(self: docx_render._Part, context: Any, key: str) -> str:
        if self.name == docx_render.DOCUMENT:
            seen.append(key)
        return original(self, context, key)

    monkeypatch.setattr(docx_render._Part, "render", counting)
    return seen


@pytest.mark.parametrize("which", ["shanghai", "tianjin"])
def test_one_render_per_project_for_both_documents(
    which: str, request: pytest.FixtureRequest, docx_make_project: Make, body_renders: list[str]
) -> None:
    jurisdiction = request.getfixturevalue(f"docx_{which}")
    projects = _projects(docx_make_project, request.getfixturevalue(f"docx_{which}_data"))
    template = compile_docx(jurisdiction)
    pieces = [template.prepare(p, jurisdiction) for p in projects]
    singles = [template.document([piece], jurisdiction) for piece in pieces]
    combined = template.document(pieces, jurisdiction)
    assert body_renders == ["p1", "p2", "p3"]
    assert singles == [template.render([p], jurisdiction) for p in projects]
    assert combined == template.render(projects, jurisdiction)


def test_combined_only_heading_is_in_the_combined_document_alone(
    docx_shanghai: Jurisdiction, docx_make_project: Make, docx_shanghai_data: dict[str, Any]
) -> None:
    projects = _projects(docx_make_project, docx_shanghai_data)
    template = compile_docx(docx_shanghai)
    pieces = [template.prepare(p, docx_shanghai) for p in projects]
    single = _texts(template.document(pieces[:1], docx_shanghai))
    combined = _texts(template.document(pieces, docx_shanghai))
    assert "1.项目1" not in single and single[0] == "财政项目支出绩效目标表"
    assert [t for t in combined if t in ("1.项目1", "2.项目2", "3.项目3")] == ["1.项目1", "2.项目2", "3.项目3"]


def test_template_reading_combined_elsewhere_renders_anew(
    docx_copy_jurisdiction: Copy, docx_make_project: Make, docx_shanghai_data: dict[str, Any],
    body_renders: list[str],
) -> None:
    folder, load = docx_copy_jurisdiction("shanghai")
    doc = Document(str(folder / "table.docx"))
    label = doc.tables[0].rows[0].cells[0].paragraphs[0].runs[0]
    assert label.text == "项目名称："
    label.text = "{{ '汇总项目名称：' if combined else '项目名称：' }}"  # inside a table: not a top-level block
    doc.save(str(folder / "table.docx"))
    jurisdiction = load()
    template = compile_docx(jurisdiction)
    projects = _projects(docx_make_project, docx_shanghai_data)
    pieces = [template.prepare(p, jurisdiction) for p in projects]
    single = Document(io.BytesIO(template.document(pieces[:1], jurisdiction)))
    combined = Document(io.BytesIO(template.document(pieces, jurisdiction)))
    assert single.tables[0].rows[0].cells[0].text == "项目名称："
    assert [t.rows[0].cells[0].text for t in combined.tables if t.rows[0].cells[0].text.endswith("项目名称：")] == [
        "汇总项目名称："] * 3
    assert body_renders == ["p1", "p1", "p2", "p3"]  # each document rendered anew: correct, not faster
