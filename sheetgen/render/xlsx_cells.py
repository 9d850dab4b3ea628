"""Compiling the text of one Excel template cell, once, in a Jinja sandbox.

* plain text is printed as is (``TEXT``);
* ``{{ expr }}`` alone keeps the value's type (``EXPR``: money → number,
  date → date, …);
* any other text with Jinja tags is a Jinja template printing text
  (``MIXED``; values print via :func:`sheetgen.render.context.format_value`);
* ``{%vm expr %}`` alone prints a :class:`sheetgen.model.Merged` on the first
  row of its group; the renderer merges the column down over the group (``VM``).

Spec values are context data, never compiled: ``{{ 7*7 }}`` inside a value
prints literally.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import Template, TemplateSyntaxError, nodes, pass_context
from jinja2.runtime import Context, Undefined
from jinja2.sandbox import SandboxedEnvironment
from msgspec import Struct
from msgspec.structs import force_setattr, replace

from sheetgen.errors import TemplateError
from sheetgen.render import jinja_errors
from sheetgen.render.context import JURISDICTION_KEY, format_value
from sheetgen.render.environment import sandbox
from sheetgen.render.xlsx_styles import Variants
from sheetgen.render.xlsx_text import COLUMNS, FORMULA_STARTS, clean_text, text_height, xml_text

EMPTY, TEXT, RAW, EXPR, MIXED, VM = range(6)

_JINJA = re.compile(r"\{\{|\{%|\{#")
VM_TAG = re.compile(r"^\{%-?\s*vm\s+(.*?)\s*-?%\}$", re.DOTALL)
_OUTPUT = re.compile(r"^\{\{-?\s*(.*?)\s*-?\}\}$", re.DOTALL)
_DOTTED = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$")
_LITERALS = {"true", "false", "none", "True", "False", "None"}
#: Names that start no name lookup in a Jinja expression (its operators); a dotted name with
#: another first name is a lookup whatever Jinja would make of it, so it is not compiled.
_OPERATORS = {"and", "or", "not", "in", "is", "if", "else"}
_CUSTOM_TAG = re.compile(r"\{%-?\s*(tr|vm)\b")

Function = Callable[[Mapping[str, Any]], Any]


@pass_context
def _finalize(context: Context, value: Any) -> Any:
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    jurisdiction = context.get(JURISDICTION_KEY)
    return format_value(value, jurisdiction) if jurisdiction is not None else value


def environment() -> SandboxedEnvironment:
    """Return the sandboxed Jinja environment cell templates compile in (the one Word
    templates compile in, printing plain text)."""
    return sandbox(autoescape=False, finalize=_finalize)


class Cell(Struct, frozen=True):
    """One compiled template cell: its column, kind and style variants; the
    compiled function (``EXPR``/``MIXED``/``VM``) or the finished XML after
    ``<c r="A1`` (``TEXT``/``EMPTY``/``RAW``); the width (column-width units)
    its text wraps in, its font size, and the extent of the template merge it
    anchors (rows down, last column); ``head``, the XML that opens it up to its
    row number (``<c r="A``), and ``blank``, the rest of it when it prints nothing."""

    col: int
    ref: str
    kind: int
    style: int
    variants: Variants
    text: str = ""
    fn: Function | None = None
    width: float = 0.0
    font_size: float = 11.0
    rows_down: int = 0
    last_col: int = 0
    suffix: str = ""
    need: float = 0.0
    head: str = ""  # (both made of the fields above by __post_init__)
    blank: str = ""

    def __post_init__(self) -> None:
        force_setattr(self, "head", '<c r="' + COLUMNS[self.col])
        force_setattr(self, "blank", f'" s="{self.variants.text}"/>')


class CellCompiler:
    """Compile cell texts in ``env``; ``error(ref, message)`` makes the errors."""

    def __init__(self, env: SandboxedEnvironment, error: Callable[[str, str], TemplateError]):
        self.env = env
        self.error = error

    def compile(self, ref: str, text: str) -> tuple[int, str, Function | None]:
        """Return the kind of the cell text, its static text and its function."""
        if not _JINJA.search(text):
            text = clean_text(text)
            return (TEXT if text else EMPTY), text, None
        vm = VM_TAG.match(text.strip())
        if vm:
            return VM, "", self.expression(ref, vm.group(1))
        if _CUSTOM_TAG.search(text):
            raise self.error(ref, "{%tr …%} / {%vm …%} 必须独占一个单元格")
        whole = _OUTPUT.fullmatch(text)  # (match: "{{ x }}\n" too, which prints its newline)
        names = _lookup_names(whole.group(1)) if whole else []
        if names:  # {{ project.name }}: most cells
            return EXPR, "", _dotted_lookup(self.env, names)
        output = _OUTPUT.match(text)
        try:
            parsed = self.env.parse(text)
        except TemplateSyntaxError as exc:
            raise self.error(ref, f"模板语法错误：{jinja_errors.explain(exc)}（单元格第 {exc.lineno} 行）") from None
        if output and _single_output(parsed):
            return EXPR, "", self.expression(ref, output.group(1))
        return MIXED, "", flat_globals(self.env.from_string(parsed)).render

    def expression(self, ref: str, source: str) -> Function:
        """Return the compiled expression ``source`` as a function of a context (a dotted name,
        ``project.name``, as a lookup of it: what Jinja would compute, without compiling it)."""
        names = _lookup_names(source)
        if names:
            return _dotted_lookup(self.env, names)
        try:
            return self.env.compile_expression(source, undefined_to_none=False)
        except TemplateSyntaxError as exc:
            raise self.error(ref, f"表达式“{source}”语法错误：{jinja_errors.explain(exc)}") from None


def _lookup_names(source: str) -> list[str]:
    """Return the names of ``source`` when it is a dotted name to look up (``project.name``),
    else none (any other expression, or a literal or operator first: ``none``, ``not``)."""
    source = source.strip()
    if not _DOTTED.match(source):
        return []
    names = source.split(".")
    return [] if names[0] in _LITERALS or names[0] in _OPERATORS else names


def flat_globals(template: Template) -> Template:
    """Return ``template`` with its globals one plain dict of the same names.

    Jinja copies a template's globals into the context of every render; they are a ChainMap
    over the environment's (which are fixed once the environment is made), and copying that
    costs more than a cell's own printing.  The names and values are the same either way.
    """
    template.globals = dict(template.globals)
    return template


def _dotted_lookup(env: SandboxedEnvironment, names: list[str]) -> Function:
    """Return a function evaluating ``a.b.c`` in a context as the compiled
    expression does (the sandbox's attribute-then-item lookup, strict about
    names that do not exist), without building a Jinja context per cell."""
    head, rest = names[0], tuple(names[1:])
    getattr_ = env.getattr
    globals_ = env.globals
    undefined = env.undefined

    def lookup(context: Mapping[str, Any]) -> Any:
        if head in context:
            value = context[head]
        elif head in globals_:
            value = globals_[head]
        else:
            undefined(name=head)._fail_with_undefined_error()
        for name in rest:
            value = getattr_(value, name)
            if isinstance(value, Undefined):
                value._fail_with_undefined_error()
        return value

    return lookup


def _single_output(parsed: nodes.Template) -> bool:
    body = parsed.body
    if len(body) != 1 or not isinstance(body[0], nodes.Output):
        return False
    parts = body[0].nodes
    return len(parts) == 1 and not isinstance(parts[0], nodes.TemplateData)


def text_cell_suffix(style: int, text: str) -> str:
    """Return the XML of an inline-string cell after ``<c r="A1``."""
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'" s="{style}" t="inlineStr"><is><t{space}>{xml_text(text)}</t></is></c>'


def finish_static(cell: Cell, raw: str = "") -> Cell:
    """Return ``cell`` with the XML and the height need of a static cell
    computed (``raw``: the value XML of a ``RAW`` cell after its style)."""
    if cell.kind == EMPTY:
        return replace(cell, suffix=f'" s="{cell.style}"/>')
    if cell.kind == RAW:
        return replace(cell, suffix=f'" s="{cell.style}"' + raw)
    if cell.kind == TEXT:
        style = cell.variants.quoted if cell.text.startswith(FORMULA_STARTS) else cell.variants.text
        need = text_height(cell.text, cell.width, cell.font_size)
        return replace(cell, suffix=text_cell_suffix(style, cell.text), need=need)
    return cell
