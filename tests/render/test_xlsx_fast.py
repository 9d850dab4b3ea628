"""The Excel renderer's fast paths against the slow paths they replace: the cached text
cell, the cached row height, a mixed cell's flat globals and the inline call of a cell's
Jinja (the same XML, the same heights, the same errors)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest
from markupsafe import Markup

sys.path.insert(0, str(Path(__file__).parent))

from test_xlsx_support import shanghai

from sheetgen import jurisdiction as jurisdictions
from sheetgen.errors import TemplateError
from sheetgen.render.context import build_context
from sheetgen.render.xlsx_cells import Cell, CellCompiler, _lookup_names, environment, flat_globals, text_cell_suffix
from sheetgen.render.xlsx_sheet import MAX_ROW_HEIGHT, _call, _points, _State, _typed, render_sheet, text_cell
from sheetgen.render.xlsx_styles import Variants
from sheetgen.render.xlsx_template import CompiledSheet, Row
from sheetgen.render.xlsx_text import FORMULA_STARTS, clean_text, text_height, xml_attr

TEXTS = [
    "", "项目名称", "  前后有空格 ", "=100%", "+1", "-", "@x", "a&b<c>d", "_x0041_ 与 _x", "一\r\n二\r三",
    "\x00\x07", "控制\x01字符\ufffe", "\ud800孤立代理", "很长的文字" * 40, "\t制表", "\n",
]


def _slow_text(raw: str, style: int, quoted: int, width: float, font_size: float) -> tuple[str, str, float]:
    """Return what the renderer made of a text value before the cache: cleaned, quoted when it
    starts like a formula, measured."""
    text = clean_text(raw)
    if not text:
        return f'" s="{style}"/>', "", 0.0
    chosen = quoted if text.startswith(FORMULA_STARTS) else style
    return text_cell_suffix(chosen, text), text, text_height(text, width, font_size)


@pytest.mark.parametrize("raw", TEXTS)
@pytest.mark.parametrize(("width", "font_size"), [(8.0, 11.0), (21.34, 10.5), (60.0, 14.0)])
def test_cached_text_cell_is_the_slow_one(raw: str, width: float, font_size: float) -> None:
    expected = _slow_text(raw, 9, 34, width, font_size)
    assert text_cell(raw, 9, 34, width, font_size) == expected
    assert text_cell(raw, 9, 34, width, font_size) == expected  # from the cache


def test_a_str_subclass_is_measured_apart_from_the_cache() -> None:
    """A str subclass (Markup escapes what its methods are given) equals its str as a cache key:
    it is never answered from the cache, nor kept in it."""
    cell = Cell(col=0, ref="A1", kind=3, style=9, variants=Variants(9, 34, 23, 24), width=10.0)
    text_cell("a&b 子类", 9, 34, 10.0, 11.0)
    kept = text_cell.cache_info()
    value = Markup("a&b 子类")
    assert _typed(value, cell, None, False) == text_cell.__wrapped__(value, 9, 34, 10.0, 11.0)  # type: ignore[arg-type]
    after = text_cell.cache_info()
    assert (after.hits, after.currsize) == (kept.hits, kept.currsize)


@pytest.mark.parametrize("height", [0.0, 14.25, 15.0, 15.1, 33.333, 408.9, 409.0, 1000.0])
def test_cached_row_height_is_the_slow_one(height: float) -> None:
    assert _points(height) == f"{math.ceil(min(height, MAX_ROW_HEIGHT) * 4) / 4:g}"


def _compiled(text: str) -> Cell:
    """Return a template cell ``A1`` holding ``text``, compiled as the renderer compiles it."""
    compiler = CellCompiler(environment(), lambda ref, message: TemplateError(f"{ref}: {message}"))
    kind, static, fn = compiler.compile("A1", text)
    return Cell(col=0, ref="A1", kind=kind, style=9, variants=Variants(9, 34, 23, 24), text=static, fn=fn,
                width=20.0)


MIXED_TEXTS = ["（{{ project.year }}年度）", "{% for i in range(2) %}{{ i }}{% endfor %}，{{ project.name }}",
               "{{ project.nope }}年", "x{{ 1 // 0 }}", "{{ lipsum is defined }}-{{ combined }}"]


@pytest.mark.parametrize("text", MIXED_TEXTS)
def test_flat_globals_render_as_the_template_does(text: str) -> None:
    jur = jurisdictions.load("shanghai")
    context = build_context(shanghai(), jur)
    env = environment()
    flat, plain = flat_globals(env.from_string(text)), env.from_string(text)
    assert dict(flat.globals) == dict(plain.globals)
    try:
        expected: object = plain.render(context)
    except Exception as exc:  # the same error, with the same message
        with pytest.raises(type(exc)) as caught:
            flat.render(context)
        assert str(caught.value) == str(exc)
    else:
        assert flat.render(context) == expected


@pytest.mark.parametrize("text", ["{{ project.name }}", "{{ project.nope }}", "{{ project.name.nope() }}",
                                  *MIXED_TEXTS])
def test_a_cell_renders_and_fails_as_call_does(text: str) -> None:
    jur = jurisdictions.load("shanghai")
    context = build_context(shanghai(), jur)
    cell = _compiled(text)
    sheet = CompiledSheet(body=(Row(tref=1, attrs="", height=15.0, cells=(cell,), merges=()),), widths=(20.0,),
                          last_col=0, default_height=15.0)
    try:
        value = _call(cell.fn, context, cell.ref, _State(jur, "模板", 0))
    except TemplateError as exc:
        with pytest.raises(TemplateError) as caught:
            render_sheet(sheet, context, jur, what="模板")
        assert str(caught.value) == str(exc)
        assert "单元格 A1：渲染出错：" in str(exc)
    else:
        rows = render_sheet(sheet, context, jur, what="模板").rows.decode("utf-8")
        suffix, _text, _height = _typed(value, cell, jur, cell.kind == 4)
        assert f'<c r="A1{suffix}' in rows


LOOKUPS = ["{{ project.name }}", "{{project.year}}", "{{- project.name -}}", "{{ project.nope }}", "{{ nope.x }}",
           "{{ project }}", "{{ project.name }}\n", " {{ project.name }}",
           "{{ project.name }}{{ project.year }}", "{% vm project.name %}", "{% vm nope %}"]


@pytest.mark.parametrize("text", LOOKUPS)
def test_a_cell_of_a_dotted_name_gives_what_jinja_does(text: str) -> None:
    """A cell (or {%vm%} cell) that is one dotted name is looked up without compiling it: the
    same value, the same error, as Jinja's own expression; any other text prints as Jinja's."""
    jur = jurisdictions.load("shanghai")
    context = build_context(shanghai(), jur)
    env = environment()
    cell = _compiled(text)
    assert cell.fn is not None
    vm = text.startswith("{% vm")
    if vm:  # the value of the expression
        expected = env.compile_expression(text.removeprefix("{% vm").removesuffix("%}"), undefined_to_none=False)
    else:  # the text Jinja prints of the whole cell
        expected = env.from_string(text).render
    try:
        want: object = expected(context)
        if type(want).__name__.endswith("Undefined"):
            want._fail_with_undefined_error()  # type: ignore[attr-defined]
    except Exception as exc:
        with pytest.raises(TemplateError) as caught:
            _call(cell.fn, context, cell.ref, _State(jur, "模板", 0))
        assert str(exc) in str(caught.value)
    else:
        got = _call(cell.fn, context, cell.ref, _State(jur, "模板", 0))
        assert (got if vm else str(got)) == want


def test_literals_and_operators_are_no_names_to_look_up() -> None:
    assert _lookup_names(" project.name ") == ["project", "name"]
    assert [_lookup_names(s) for s in ("none", "True", "false.x", "not", "not.x", "a .b", "a[0]", "a.b()")] == [[]] * 8


def test_a_name_jinja_cannot_read_is_still_its_syntax_error() -> None:
    with pytest.raises(TemplateError, match="语法错误"):
        _compiled("{{ not }}")
    with pytest.raises(TemplateError, match="语法错误"):
        _compiled("{% vm project. %}")


def _slow_attr(text: str) -> str:
    """Return ``text`` escaped for an attribute as xml_attr did before its quick check."""
    text = clean_text(text)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("\n", "&#10;").replace("\t", "&#9;"))


@pytest.mark.parametrize("text", [*TEXTS, '引"号', "'单引号'", "a>b", "\x1f", "\uffff", "普通的名字 Sheet1"])
def test_attribute_escaping_is_the_slow_one(text: str) -> None:
    assert xml_attr(text) == _slow_attr(text)
