"""One template contract for Word and Excel: both are strict about names the data does not
have, say so the same way, and see the same data (``project``, ``unit``, ``year``,
``number``, ``rows``, ``combined``, ``jurisdiction``, ``loop``)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from sheetgen import jurisdiction as jurisdictions
from sheetgen.errors import TemplateError
from sheetgen.jurisdiction import Jurisdiction
from sheetgen.model import Project
from sheetgen.render.docx import compile_docx
from sheetgen.render.xlsx import compile_xlsx
from tests.render.conftest import DOCX_TIANJIN, _project_from

Make = Callable[..., Jurisdiction]


@pytest.fixture
def both(tmp_path: Path) -> Make:
    """Return a factory: a format ``custom`` extending tianjin whose table.docx holds one
    paragraph per text of ``texts`` and whose table.xlsx holds them in A1, A2, … (or the
    ``cells`` given); returns the jurisdiction."""

    def make(texts: list[str], cells: dict[str, str] | None = None) -> Jurisdiction:
        folder = tmp_path / "templates" / "custom"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "jurisdiction.yaml").write_text("extends: tianjin\n", encoding="utf-8")
        document = Document()
        for text in texts:
            document.add_paragraph(text)
        document.save(str(folder / "table.docx"))
        book = openpyxl.Workbook()
        for ref, text in (cells or {f"A{i}": t for i, t in enumerate(texts, 1)}).items():
            book.active[ref] = text
        book.save(folder / "table.xlsx")
        return jurisdictions.load("custom", jurisdictions.search_path([tmp_path / "templates"]))

    return make


def tianjin_project(**changes: object) -> Project:
    return _project_from({**DOCX_TIANJIN, **changes})


def word_texts(blob: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(blob)).paragraphs]


def excel_texts(blob: bytes) -> list[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(blob)).active
    return ["" if c.value is None else str(c.value) for c in sheet["A"]]


def render_both(jurisdiction: Jurisdiction, projects: list[Project]) -> tuple[bytes, bytes]:
    docx = compile_docx(jurisdiction).render(projects, jurisdiction)
    xlsx = compile_xlsx(jurisdiction).render(projects, jurisdiction)
    return docx, xlsx


def failure(kind: str, jurisdiction: Jurisdiction, project: Project) -> str:
    """Return the message of the TemplateError compiling or rendering ``kind`` gives."""
    compile_ = compile_docx if kind == "docx" else compile_xlsx
    with pytest.raises(TemplateError) as error:
        compile_(jurisdiction).render([project], jurisdiction)
    return str(error.value)


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_a_misspelt_header_field_is_an_error_naming_it_and_the_known_fields(both: Make, kind: str) -> None:
    jurisdiction = both(["{{ project.name }}", "资金：{{ project.purpse }}"])
    message = failure(kind, jurisdiction, tianjin_project())
    assert str(jurisdiction.template_path(kind)) in message
    assert "project.purpse" in message and "purpose" in message and "targets" in message


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_a_misspelt_budget_or_unit_field_is_an_error_in_both(both: Make, kind: str) -> None:
    message = failure(kind, both(["{{ project.budget.fiscl }}"]), tianjin_project())
    assert "project.budget.fiscl" in message and "fiscal" in message
    message = failure(kind, both(["{{ project.unit.nmae }}"]), tianjin_project())
    assert "project.unit.nmae" in message and "code" in message


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_a_misspelt_row_field_is_an_error_naming_the_row_fields(both: Make, kind: str) -> None:
    texts = ["{%tr for row in rows %}", "{{ row.descripton }}", "{%tr endfor %}"]
    if kind == "docx":  # Word's row loop lives in a table
        jurisdiction = both([])
        document = Document()
        table = document.add_table(rows=3, cols=1)
        for row, text in zip(table.rows, texts, strict=True):
            row.cells[0].text = text
        document.save(str(jurisdiction.template_path("docx")))
        jurisdiction = jurisdictions.load("custom", jurisdictions.search_path([jurisdiction.folder.parent]))
    else:
        jurisdiction = both(texts)
    message = failure(kind, jurisdiction, tianjin_project())
    assert "row.descripton" in message and "description" in message and "level1" in message


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_an_unknown_name_is_an_error(both: Make, kind: str) -> None:
    message = failure(kind, both(["{{ projct.name }}"]), tianjin_project())
    assert "projct" in message


def test_both_see_the_same_names(both: Make) -> None:
    texts = [
        "{{ unit.name }}|{{ unit.code }}|{{ year }}|{{ number }}|{{ combined }}",
        "{{ project.unit.name }}|{{ project.year }}|{{ jurisdiction.title }}",
        "{% for t in project.targets %}{{ loop.index }}/{{ loop.length }}/{{ loop.revindex0 }}:{{ t }};{% endfor %}",
        "{{ rows|length }}|{{ rows[0].level1.text }}|{{ rows[0].level1.span }}|{{ rows[1].level1.start }}",
        "{% if project.budget.other %}有其他资金{% else %}无其他资金{% endif %}|{{ project.budget.unit }}",
    ]
    project = tianjin_project()
    docx, xlsx = render_both(both(texts), [project])
    expected = [
        "天津市西青区人民检察院|263101|2025|1|否",
        "天津市西青区人民检察院|2025|天津市项目绩效目标表",
        "1/2/1:保障办公办案正常进行。;2/2/0:提升运维服务质量。;",
        "4|产出指标|3|否",
        "无其他资金|万元",
    ]
    assert word_texts(docx) == expected
    assert excel_texts(xlsx) == expected


def test_a_field_of_the_format_left_out_of_the_spec_prints_nothing_in_both(both: Make) -> None:
    project = tianjin_project(purpose=None)
    docx, xlsx = render_both(both(["[{{ project.purpose }}]", "[{{ project.budget.other }}]"]), [project])
    assert word_texts(docx) == excel_texts(xlsx) == ["[]", "[]"]


def test_internals_stay_out_of_reach_in_both(both: Make) -> None:
    jurisdiction = both(["{{ project.__class__.__mro__ }}"])
    for kind in ("docx", "xlsx"):
        assert "project.__class__" in failure(kind, jurisdiction, tianjin_project())


def word_and_excel_rows(both: Make, texts: list[str]) -> Jurisdiction:
    """Return ``both``'s format with ``texts`` one per table row in Word and one per row in Excel."""
    jurisdiction = both([])
    document = Document()
    table = document.add_table(rows=len(texts), cols=1)
    for row, text in zip(table.rows, texts, strict=True):
        row.cells[0].text = text
    document.save(str(jurisdiction.template_path("docx")))
    book = openpyxl.Workbook()
    for index, text in enumerate(texts, 1):
        book.active[f"A{index}"] = text
    book.save(jurisdiction.template_path("xlsx"))
    return jurisdictions.load("custom", jurisdictions.search_path([jurisdiction.folder.parent]))


def test_a_loop_with_a_condition_filters_alike(both: Make) -> None:
    """``{% for x in y if cond %}`` (loop.length counts what passes) in Word and Excel."""
    texts = ["{%tr for row in rows if row.level1.text == '产出指标' %}",
             "{{ loop.index }}/{{ loop.length }} {{ row.name }}", "{%tr endfor %}"]
    docx, xlsx = render_both(word_and_excel_rows(both, texts), [tianjin_project()])
    expected = ["1/3 软件维护次数", "2/3 故障响应时间", "3/3 项目总成本"]
    assert [row.cells[0].text for row in Document(io.BytesIO(docx)).tables[0].rows] == expected
    assert excel_texts(xlsx) == expected


def test_rows_shown_on_a_condition_alike(both: Make) -> None:
    """``{%tr if %}`` / ``{%tr elif %}`` / ``{%tr else %}`` / ``{%tr endif %}`` rows in Word and Excel."""
    texts = ["预算数 {{ project.budget.total }}", "{%tr if project.budget.other %}",
             "其他资金 {{ project.budget.other }}", "{%tr elif project.budget.fiscal %}", "全部是财政资金",
             "{%tr else %}", "没有资金", "{%tr endif %}"]
    jurisdiction = word_and_excel_rows(both, texts)
    for other, expected in (("5.00", ["预算数 26.50", "其他资金 5.00"]), (None, ["预算数 26.50", "全部是财政资金"])):
        budget = {"total": "26.50", "fiscal": "26.50", "other": other}
        docx, xlsx = render_both(jurisdiction, [tianjin_project(budget=budget)])
        assert [row.cells[0].text for row in Document(io.BytesIO(docx)).tables[0].rows] == expected
        assert excel_texts(xlsx) == expected
    assert "project.budget.othr" in failure("xlsx", word_and_excel_rows(both, [
        "{%tr if project.budget.othr %}", "x", "{%tr endif %}"]), tianjin_project(budget={"other": "1.00"}))
