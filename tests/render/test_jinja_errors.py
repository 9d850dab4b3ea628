"""A broken Word or Excel template is reported in Chinese, keeping the tag or name it is about."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from docx import Document
from jinja2 import StrictUndefined, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from sheetgen import jurisdiction as jurisdictions
from sheetgen.errors import TemplateError
from sheetgen.jurisdiction import Jurisdiction
from sheetgen.render import jinja_errors
from sheetgen.render.docx import compile_docx
from sheetgen.render.xlsx import compile_xlsx

ALLOWED = {"Word", "Excel", "docx", "xlsx", "table", "project", "templates",
           # Jinja's tags, named as the template author writes them
           "for", "endfor", "elif", "else", "endif", "set", "endset", "macro", "endmacro", "block", "endblock",
           "range", "extends",
           # the names a template sees, as the template author writes them
           "unit", "year", "number", "rows", "combined", "jurisdiction", "loop"}


def english(message: str, *typed: str) -> set[str]:
    """Return the ASCII words of 3+ letters in ``message`` that are neither allowed, nor in a path,
    nor typed in the template (``typed``)."""
    known = ALLOWED | {w for t in typed for w in re.findall(r"[A-Za-z]{3,}", t)}
    rest = re.sub(r"\S*/\S*", " ", message)
    return {w for w in re.findall(r"[A-Za-z]{3,}", rest) if w not in known}


SYNTAX = ["{{ a + }}", "{{ a", "{% for x in y %}", "{% endfor %}", "{% foo %}", "{% if a %}{% endfor %}",
          "{{ a | nofilter }}", "{{ a is notest }}", "{{ a.0x }}", "{% %}", "{{ 'abc }}", "{{ a ! b }}",
          "{# comment", "{{ a(1=2) }}", "{{ a) }}", "{{ a } }}", "{{ (a] }}", "{{ 1 is 2 is 3 }}", "{% for %}",
          "{{ a.b. }}", "{{ '\\x' }}", "{% macro m(a=1, b) %}{% endmacro %}", "{{ a[ }}",
          "{% block x %}{% endblock %}{% block x %}{% endblock %}", "{% set %}", "{% for x in %}{% endfor %}"]


@pytest.mark.parametrize("source", SYNTAX)
def test_every_syntax_error_reads_in_chinese(source: str) -> None:
    env = SandboxedEnvironment(undefined=StrictUndefined, extensions=["jinja2.ext.loopcontrols"])
    with pytest.raises(TemplateSyntaxError) as caught:
        env.from_string(source)
    shown = jinja_errors.explain(caught.value)
    assert re.search("[\u4e00-\u9fff]", shown) and not english(shown, source), (caught.value.message, shown)


RENDER = {"{{ x }}": {}, "{{ a.b }}": {"a": {}}, "{{ a[5] }}": {"a": {}}, "{{ 1/0 }}": {},
          "{{ a.__class__ }}": {"a": {}}, "{{ 'a' + 1 }}": {}, "{{ range(10**9) | list }}": {},
          "{{ b() }}": {"b": None}, "{{ a.b.c }}": {"a": {}}, "{{ a.split(1) }}": {"a": "1"}}


@pytest.mark.parametrize("source", sorted(RENDER))
def test_every_render_error_reads_in_chinese(source: str) -> None:
    env = SandboxedEnvironment(undefined=StrictUndefined)
    with pytest.raises(Exception) as caught:
        env.from_string(source).render(RENDER[source])
    shown = jinja_errors.explain(caught.value)
    assert re.search("[\u4e00-\u9fff]", shown) and not english(shown, source), (caught.value, shown)


def test_details_are_kept() -> None:
    env = SandboxedEnvironment()
    with pytest.raises(TemplateSyntaxError) as caught:
        env.from_string("{% if a %}{% endfor %}")
    shown = jinja_errors.explain(caught.value)
    assert "endfor" in shown and "endif" in shown and "if" in shown
    with pytest.raises(TemplateSyntaxError) as caught:
        env.from_string("{{ a } }}")
    assert "}" in jinja_errors.explain(caught.value)
    assert "nofilter" in jinja_errors.explain(TemplateSyntaxError("No filter named 'nofilter'.", 1))


# ----------------------------------------------------------------------------- through the real templates

def _docx_with(tmp_path: Path, text: str) -> Jurisdiction:
    folder = tmp_path / "templates" / "custom"
    folder.mkdir(parents=True)
    (folder / "jurisdiction.yaml").write_text("extends: shanghai\n", encoding="utf-8")
    doc = Document()
    doc.add_paragraph(text)
    doc.save(str(folder / "table.docx"))
    return jurisdictions.load("custom", jurisdictions.search_path([tmp_path / "templates"]))


def _xlsx_with(tmp_path: Path, cells: dict[str, str]) -> Jurisdiction:
    folder = tmp_path / "templates" / "custom"
    folder.mkdir(parents=True)
    (folder / "jurisdiction.yaml").write_text("extends: shanghai\n", encoding="utf-8")
    book = openpyxl.Workbook()
    for ref, value in cells.items():
        book.active[ref] = value
    buffer = io.BytesIO()
    book.save(buffer)
    (folder / "table.xlsx").write_bytes(buffer.getvalue())
    return jurisdictions.load("custom", jurisdictions.search_path([tmp_path / "templates"]))


@pytest.mark.parametrize("tag", ["名称：{{ project.name } }}", "{{ project.name + }}", "{% if project.name %}开始"])
def test_a_broken_word_template_is_reported_in_chinese(tmp_path: Path, tag: str) -> None:
    with pytest.raises(TemplateError) as caught:
        compile_docx(_docx_with(tmp_path, tag))
    shown = str(caught.value)
    assert "table.docx" in shown and "语法错误" in shown
    assert not english(shown, tag), shown


@pytest.mark.parametrize("tag", ["{{ 1 / 0 }}", "{{ nothing_here }}", "{{ project.name.__class__ }}"])
def test_a_word_template_failing_to_render_is_reported_in_chinese(
        tmp_path: Path, tag: str, docx_make_project: Callable[..., Any], docx_shanghai_data: dict[str, Any]) -> None:
    with pytest.raises(TemplateError) as caught:
        found = _docx_with(tmp_path, tag)
        compile_docx(found).render([docx_make_project(docx_shanghai_data)], found)
    shown = str(caught.value)
    assert "渲染失败" in shown and not english(shown, tag, "test"), shown  # the project's key is "test"


@pytest.mark.parametrize("cell", ["{{ project.name } }}", "{{ project.name + }}", "{{ 1 is 2 is 3 }}"])
def test_a_broken_excel_template_is_reported_in_chinese(tmp_path: Path, cell: str) -> None:
    with pytest.raises(TemplateError) as caught:
        compile_xlsx(_xlsx_with(tmp_path, {"A1": "标题", "B2": cell}))
    shown = str(caught.value)
    assert "table.xlsx" in shown and "B2" in shown and not english(shown, cell), shown
