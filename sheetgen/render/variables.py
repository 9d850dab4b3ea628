"""The names a template uses, checked against the data its jurisdiction gives it.

A compiled Word or Excel template hands over its Jinja sources (:class:`Source`: the body and
header/footer parts of a .docx, each cell of an .xlsx with the ``{%tr for %}`` loops around
it).  :func:`check` walks their syntax trees without rendering anything, so a name in a branch
no spec takes (``{% if combined %}``) is checked too, and returns every name used
(``project.budget.total``, ``row.standard``, ``number``) and each one the data does not have,
with the place and the names that exist there -- the message the renderers give when such a
name is printed (:class:`sheetgen.render.environment.Undefined`).

What exists is :func:`context_shape`, made from the same functions that build the context
(:mod:`sheetgen.render.context`), so the check and the renderers cannot disagree.  The check
is strict only where it knows: a name nothing binds, a field a known mapping lacks; whatever
an expression computes (a filter's result, a loop over a spec list) is not checked further.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from jinja2 import TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment
from msgspec import Struct, field

from sheetgen.jurisdiction import SELF_EVALUATION_TABLE, TARGET_TABLE, Jurisdiction
from sheetgen.jurisdiction.scoring import FUNDS
from sheetgen.model import Frozen
from sheetgen.render import jinja_errors
from sheetgen.render.context import (
    LOOP_FIELDS,
    MERGED_FIELDS,
    NAMES,
    ROW_FIELDS,
    Fields,
    description_view,
    header_fields,
    list_keys,
)
from sheetgen.render.environment import no_field, no_name, sandbox


class Shape(Struct, frozen=True):
    """What a name holds, as far as the check follows it: named ``fields`` (None: anything,
    not checked) and, for a list, the shape of an ``item``."""

    fields: Mapping[str, Shape] | None = None
    item: Shape | None = None


ANY = Shape()
_MERGED = Shape({name: ANY for name in MERGED_FIELDS})
LOOP = Shape({name: ANY for name in LOOP_FIELDS})
#: Filters whose result is the list they filter (rows stay rows), and those giving one item.
_SAME_LIST = frozenset({"list", "sort", "reverse", "unique", "select", "reject", "selectattr", "rejectattr"})
_ONE_ITEM = frozenset({"first", "last", "random", "min", "max"})
#: Probes that may name what does not exist: ``x is defined``, ``x|default(…)``.
_PROBE_TESTS = frozenset({"defined", "undefined"})
_PROBE_FILTERS = frozenset({"default", "d"})


def _of_fields(view: Fields, lists: frozenset[str] = frozenset()) -> Shape:
    """Return the shape of a :class:`Fields` view (nested views followed, list fields lists)."""
    out: dict[str, Shape] = {}
    for key in view:
        value = view[key]
        out[key] = _of_fields(value) if isinstance(value, Fields) else Shape(item=ANY) if key in lists else ANY
    return Shape(out)


def row_shape(jurisdiction: Jurisdiction) -> Shape:
    """Return the shape of one indicator row of ``jurisdiction``."""
    fields = {name: ANY for name in (*ROW_FIELDS, *jurisdiction.column_keys)}
    fields["level1"] = fields["level2"] = _MERGED
    return Shape(fields)


def evaluation_shapes() -> tuple[Shape, Shape]:
    """Return the shapes of ``evaluation`` and of a row of a 绩效自评表 (:mod:`sheetgen.render.evaluation`)."""
    from sheetgen.render.evaluation import EVALUATION_FIELDS, EVALUATION_ROW_FIELDS, FUNDS_COLUMNS

    funds = Shape({name: ANY for name in FUNDS})
    evaluation = Shape({name: funds if name in FUNDS_COLUMNS else ANY for name in EVALUATION_FIELDS})
    row = {name: ANY for name in EVALUATION_ROW_FIELDS}
    row["level1"] = row["level2"] = _MERGED
    return evaluation, Shape(row)


def context_shape(jurisdiction: Jurisdiction, table: str = TARGET_TABLE) -> dict[str, Shape]:
    """Return the shape of every name of a template's context (see :mod:`sheetgen.render.context`)
    of the table ``table`` (the 绩效自评表 has ``evaluation`` and rows of its own)."""
    project = _of_fields(header_fields(Frozen({}), jurisdiction), list_keys(jurisdiction))
    assert project.fields is not None
    shapes = {
        "project": project,
        "unit": project.fields["unit"],
        "year": ANY,
        "number": ANY,
        "rows": Shape(item=row_shape(jurisdiction)),
        "combined": ANY,
        "jurisdiction": _of_fields(description_view(jurisdiction)),
    }
    assert tuple(shapes) == NAMES
    if table == SELF_EVALUATION_TABLE:
        evaluation, row = evaluation_shapes()
        shapes["evaluation"] = evaluation
        shapes["rows"] = Shape(item=row)
    return shapes


class Source(Struct, frozen=True):
    """Jinja source of one place of a template: ``where`` it is (``单元格 B13``,
    ``word/document.xml``), the text, the ``{%tr for … %}`` statements around it (outer
    first), whether it is a bare expression (an Excel ``{%vm %}`` cell) and, for long
    sources, how to name the text near a line (``near(lineno)``)."""

    where: str
    text: str
    loops: tuple[str, ...] = ()
    expression: bool = False
    near: Callable[[int], str] | None = None

    def place(self, lineno: int) -> str:
        """Return where line ``lineno`` of the source is, for messages."""
        hint = self.near(lineno) if self.near is not None else ""
        return f"{self.where}，附近文字“{hint}”" if hint else self.where


class Problem(Struct, frozen=True):
    """A name a template uses that its data does not have (or a source that does not parse)."""

    place: str
    name: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}：{self.message}"


class Names(Struct):
    """What :func:`check` found: every name used (in order of first use) and the problems."""

    used: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class _Walker:
    """Walks the syntax trees of one template's sources, noting names and problems."""

    def __init__(self, env: SandboxedEnvironment, found: Names):
        self.env = env
        self.found = found
        self.current = Source("", "")
        self.seen: set[str] = set()
        self.row = ANY  # the shape of an indicator row (set by check)

    # -- noting -------------------------------------------------------------
    def use(self, name: str) -> None:
        if name and name not in self.seen and not name.startswith("sheetgen_"):
            self.seen.add(name)
            self.found.used.append(name)

    def problem(self, node: nodes.Node, name: str, message: str) -> None:
        self.found.problems.append(Problem(self.current.place(node.lineno), name, message))

    # -- shapes of expressions ------------------------------------------------
    def resolve(self, node: nodes.Node, scope: dict[str, Shape], *, probe: bool = False) -> tuple[Shape, str] | None:
        """Return the shape of expression ``node`` and its dotted name ("" when it has none);
        None when it names what does not exist (reported, unless ``probe``)."""
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name], node.name
            if node.name.startswith("sheetgen_") or node.name in self.env.globals:
                return ANY, node.name
            if not probe:
                self.problem(node, node.name, no_name(node.name))
            return None
        if isinstance(node, nodes.Getattr) or (isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const)):
            key = node.attr if isinstance(node, nodes.Getattr) else node.arg.value  # type: ignore[attr-defined]
            base = self.resolve(node.node, scope, probe=probe)
            if base is None:
                return None
            shape, text = base
            name = (f"{text}[{key}]" if isinstance(key, int) else f"{text}.{key}") if text else ""
            if isinstance(key, int):
                return (shape.item or ANY), name
            if shape.fields is None:
                return ANY, name
            if isinstance(key, str) and key in shape.fields:
                return shape.fields[key], name
            if not probe:
                self.problem(node, name or str(key), no_field(name or str(key), shape.fields))
            return None
        if isinstance(node, nodes.Getitem):
            self.visit(node.arg, scope)
            base = self.resolve(node.node, scope, probe=probe)
            if base is not None:
                self.use(base[1])
            return (base[0].item or ANY, "") if base is not None else None
        if isinstance(node, nodes.Filter) and node.node is not None:
            for child in (*node.args, *(k.value for k in node.kwargs), node.dyn_args, node.dyn_kwargs):
                if child is not None:
                    self.visit(child, scope)
            base = self.resolve(node.node, scope, probe=probe or node.name in _PROBE_FILTERS)
            if base is None:
                return None
            self.use(base[1])
            shape = base[0]
            if node.name == "indicator_rows":
                return Shape(item=self.row), ""
            if node.name in _SAME_LIST:
                return Shape(item=shape.item), ""
            if node.name in _ONE_ITEM:
                return (shape.item or ANY), ""
            return ANY, ""
        self.visit(node, scope)
        return ANY, ""

    def expression(self, node: nodes.Node, scope: dict[str, Shape], *, probe: bool = False) -> Shape:
        """Return the shape of ``node`` after noting the names it uses."""
        found = self.resolve(node, scope, probe=probe)
        if found is None:
            return ANY
        self.use(found[1])
        return found[0]

    # -- statements -----------------------------------------------------------
    def bind(self, target: nodes.Node, shape: Shape, scope: dict[str, Shape]) -> None:
        """Bind the names of an assignment or loop target in ``scope``."""
        if isinstance(target, nodes.Name):
            scope[target.name] = shape
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self.bind(item, ANY, scope)

    def visit(self, node: nodes.Node, scope: dict[str, Shape]) -> None:
        """Note the names ``node`` and its children use (``scope``: what is bound there)."""
        if isinstance(node, nodes.For):
            iterated = self.expression(node.iter, scope)
            inner = dict(scope)
            self.bind(node.target, iterated.item or ANY, inner)
            inner["loop"] = LOOP
            if node.test is not None:
                self.expression(node.test, inner)
            for child in node.body:
                self.visit(child, inner)
            for child in node.else_:
                self.visit(child, scope)
        elif isinstance(node, nodes.Assign):
            shape = self.expression(node.node, scope)
            if isinstance(node.target, nodes.NSRef):
                self.expression(nodes.Name(node.target.name, "load"), scope)
            else:
                self.bind(node.target, shape, scope)
        elif isinstance(node, nodes.AssignBlock):
            for child in node.body:
                self.visit(child, scope)
            self.bind(node.target, ANY, scope)
        elif isinstance(node, (nodes.Macro, nodes.CallBlock)):
            if isinstance(node, nodes.Macro):
                scope[node.name] = ANY
            else:
                self.visit(node.call, scope)
            inner = dict(scope)
            for arg in node.args:
                inner[arg.name] = ANY
            inner.update(dict.fromkeys(("varargs", "kwargs", "caller"), ANY))
            for default in node.defaults:
                self.visit(default, scope)
            for child in node.body:
                self.visit(child, inner)
        elif isinstance(node, nodes.With):
            inner = dict(scope)
            for target, value in zip(node.targets, node.values, strict=True):
                self.bind(target, self.expression(value, scope), inner)
            for child in node.body:
                self.visit(child, inner)
        elif isinstance(node, nodes.Test):
            self.expression(node.node, scope, probe=node.name in _PROBE_TESTS)
            for child in (*node.args, *(k.value for k in node.kwargs)):
                self.visit(child, scope)
        elif isinstance(node, (nodes.Name, nodes.Getattr, nodes.Getitem)) or (
            isinstance(node, nodes.Filter) and node.node is not None
        ):
            self.expression(node, scope)
        else:
            for child in node.iter_child_nodes():
                self.visit(child, scope)

    # -- sources --------------------------------------------------------------
    def parse(self, text: str, where: str) -> nodes.Template | None:
        try:
            return self.env.parse(text)
        except TemplateSyntaxError as exc:
            self.found.problems.append(Problem(where, "", f"模板语法错误：{jinja_errors.explain(exc)}"))
            return None

    def source(self, source: Source, scope: dict[str, Shape]) -> None:
        """Note the names of one source, inside its loops."""
        inner = dict(scope)
        self.current = Source(source.where, "")
        for statement in source.loops:
            tree = self.parse(f"{{% {statement} %}}{{% endfor %}}", source.where)
            if tree is None or not tree.body or not isinstance(tree.body[0], nodes.For):
                return
            loop = tree.body[0]
            loop.body = []
            iterated = self.expression(loop.iter, inner)
            self.bind(loop.target, iterated.item or ANY, inner)
            inner["loop"] = LOOP
            if loop.test is not None:
                self.expression(loop.test, inner)
        text = f"{{{{ {source.text} }}}}" if source.expression else source.text
        tree = self.parse(text, source.where)
        if tree is None:
            return
        self.current = source
        for child in tree.body:
            self.visit(child, inner)


def check(sources: Iterable[Source], jurisdiction: Jurisdiction, table: str = TARGET_TABLE) -> Names:
    """Return the names ``sources`` use and those ``jurisdiction``'s data does not have (in the
    table ``table``)."""
    found = Names()
    walker = _Walker(sandbox(autoescape=False, finalize=str), found)
    scope = context_shape(jurisdiction, table)
    walker.row = row_shape(jurisdiction)
    for source in sources:
        walker.source(source, scope)
    return found
