"""The Word renderer: a jurisdiction's ``table.docx`` compiled once, rendered many times.

:func:`compile_docx` reads the template, turns ``word/document.xml`` (and any
header/footer holding tags) into Jinja templates (see
:mod:`sheetgen.render.docx_tags` for the tag dialect) and keeps a
:class:`~sheetgen.render.package.Package` of the other parts.
:meth:`DocxTemplate.render` is then one Jinja render of the body per project
plus one package write; it touches no file.  Each project's body is then laid
out on pages and its tables split where the pages break
(:mod:`sheetgen.render.docx_pages`).

Spec values are data: they are printed through :func:`format_value`, escaped
for XML, never compiled, and their line breaks become ``<w:br/>``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import traceback
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import TemplateSyntaxError as JinjaSyntaxError
from jinja2 import nodes, pass_context
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import Namespace
from lxml import etree
from markupsafe import Markup, escape

from sheetgen import office, os_errors
from sheetgen.errors import SheetgenError, TemplateError
from sheetgen.jurisdiction import TARGET_TABLE, Jurisdiction
from sheetgen.model import Project
from sheetgen.render import docx_tags, jinja_errors
from sheetgen.render.context import JURISDICTION_KEY, build_context, contents_labels, format_value
from sheetgen.render.docx_contents import Entry, contents_xml
from sheetgen.render.docx_pages import COMBINED_END, COMBINED_START, Layout, Pager, Placed, namespaces_of
from sheetgen.render.environment import sandbox
from sheetgen.render.package import Package
from sheetgen.render.variables import Source

_T = TypeVar("_T")
DOCUMENT = "word/document.xml"
CORE = "docProps/core.xml"
STYLES = "word/styles.xml"
_HEADER_FOOTER = re.compile(r"word/(header|footer)\d*\.xml")
# Characters XML 1.0 cannot hold (validation rejects them; never emit them).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_CORE_NS = {
    "cp": office.CORE,
    "dc": office.DC,
    "dcterms": office.DCTERMS,
    "xsi": office.XSI,
}
_TITLE_MARK = "SHEETGEN-CORE-TITLE"
_DATE_MARK = "SHEETGEN-CORE-DATE"


_NOTHING = Markup()


def word_text(text: str, prefix: str = "w") -> Markup:
    """Return ``text`` as safe WordprocessingML run content: XML-escaped,
    invalid characters dropped, line breaks as ``<w:br/>``, tabs as ``<w:tab/>``."""
    if not text:
        return _NOTHING
    if _XML_INVALID.search(text):
        text = _XML_INVALID.sub("", text)
    if "\n" not in text and "\r" not in text and "\t" not in text:
        return escape(text)  # the usual case: one line
    out = str(escape(text))
    reopen = f'<{prefix}:t xml:space="preserve">'
    out = out.replace("\r\n", "\n").replace("\r", "\n")
    out = out.replace("\n", f"</{prefix}:t><{prefix}:br/>{reopen}")
    out = out.replace("\t", f"</{prefix}:t><{prefix}:tab/>{reopen}")
    return Markup(out)


def _environment(prefix: str) -> SandboxedEnvironment:
    """Return the sandboxed, autoescaping Jinja environment of one template
    (``prefix`` is the part's WordprocessingML namespace prefix, normally ``w``)."""

    @pass_context
    def finalize(context: Context, value: Any) -> Any:
        if type(value) is not str:
            if isinstance(value, Markup):
                return value
            value = format_value(value, context[JURISDICTION_KEY])
        if value.isprintable() and context.eval_ctx.autoescape:  # the usual case: one line, no invalid character
            return value  # the output escapes it, as word_text would
        return word_text(value, prefix)

    return sandbox(autoescape=True, finalize=finalize)


def _hint(source: str, lineno: int | None) -> str:
    """Return the visible text at (or just before) one line of Jinja source, for error messages."""
    lines = source.splitlines()
    if not lineno or not 0 < lineno <= len(lines):
        return ""
    for line in reversed(lines[max(0, lineno - 6) : lineno]):
        text = re.sub(r"<[^>]*>|\{%.*?%\}", "", line)  # markup and statements (many are ours)
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()
        if text:
            return text[:80]
    return ""


_SIDE_EFFECTS = (nodes.AssignBlock, nodes.ExprStmt, nodes.Macro, nodes.CallBlock, nodes.Import,
                 nodes.FromImport, nodes.Include, nodes.Extends, nodes.Block)


def _combined_only(node: nodes.Node) -> bool:
    """Return whether ``node`` is ``{% if combined %} … {% endif %}`` (no else) whose content
    sets nothing later parts of the template could read (only ``sheetgen_ns``, ours)."""
    if not (isinstance(node, nodes.If) and isinstance(node.test, nodes.Name) and node.test.name == "combined"
            and not node.elif_ and not node.else_):
        return False
    if any(True for _ in node.find_all(_SIDE_EFFECTS)):
        return False
    return all(isinstance(a.target, nodes.NSRef) and a.target.name == "sheetgen_ns"
               for a in node.find_all(nodes.Assign))


def _mark_combined(tree: nodes.Template) -> bool:
    """Return whether everything the body prints only in a unit's combined document is in
    top-level ``{% if combined %}`` blocks, after marking each in the output (:data:`COMBINED_START`
    … :data:`COMBINED_END`) -- then one render of a project serves its own document and the
    combined one.  ``tree`` is changed in place either way (markers around empty output
    are harmless: :func:`_strip_combined`)."""
    body: list[nodes.Node] = []
    rest: list[nodes.Node] = []
    for node in tree.body:
        if _combined_only(node):
            body += [nodes.Output([nodes.TemplateData(COMBINED_START)]), node,
                     nodes.Output([nodes.TemplateData(COMBINED_END)])]
        else:
            body.append(node)
            rest.append(node)
    tree.body = body
    return not any(name.name == "combined" for node in rest for name in node.find_all(nodes.Name))


_COMBINED_PART = re.compile(f"{re.escape(COMBINED_START)}.*?{re.escape(COMBINED_END)}", re.S)


def _strip_combined(body: str, combined: bool) -> str:
    """Return a rendered body without the markers of its combined-only parts (and, unless
    ``combined``, without those parts)."""
    if COMBINED_START not in body:
        return body
    if combined:
        return body.replace(COMBINED_START, "").replace(COMBINED_END, "")
    return _COMBINED_PART.sub("", body)


class DocxPiece:
    """One project rendered by a compiled Word template (:meth:`DocxTemplate.prepare`): its body
    laid out once, then placed on pages for its own document and for its unit's combined one.
    ``layout`` is None when the template's body could not be laid out for both (it reads
    ``combined`` elsewhere than in top-level blocks): each document then renders it anew."""

    __slots__ = ("layout", "project")

    def __init__(self, project: Project, layout: Layout | None):
        self.project = project
        self.layout = layout


class _Part:
    """One compiled Jinja part of the template and its source (for messages).  With ``marked``
    (the body), what the template prints only in a combined document is marked in the output
    when it is whole top-level ``{% if combined %}`` blocks (see :func:`_mark_combined`);
    ``self.marked`` says whether it is."""

    def __init__(self, env: SandboxedEnvironment, source: str, path: str, name: str, *, marked: bool = False):
        self.source = source
        self.filename = f"{path}:{name}"
        self.path, self.name = path, name
        self.marked = False
        try:
            tree = env.parse(source, name=name, filename=self.filename)
            if marked:
                self.marked = _mark_combined(tree)
            code = env.compile(tree, name=name, filename=self.filename)
        except JinjaSyntaxError as exc:
            raise TemplateError(self.describe(exc.lineno, jinja_errors.explain(exc), "语法错误")) from None
        self.template = env.template_class.from_code(env, code, env.make_globals(None), None)

    def describe(self, lineno: int | None, message: str, what: str) -> str:
        """Return a one-line message naming the template, the part and the nearby text."""
        hint = _hint(self.source, lineno)
        near = f"，附近文字“{hint}”" if hint else ""
        return f"{self.path}: Word 模板{what}（{self.name}{near}）：{message}"

    def render(self, context: Mapping[str, Any], key: str) -> str:
        """Return the rendered part; template problems become :class:`TemplateError`."""
        try:
            return self.template.render(context)
        except SheetgenError:
            raise
        except Exception as exc:
            lineno = None
            for frame, line in traceback.walk_tb(exc.__traceback__):
                if frame.f_code.co_filename == self.filename:
                    lineno = line
            message = jinja_errors.explain(exc)
            raise TemplateError(self.describe(lineno, f"{message}（项目 {key}）", "渲染失败")) from exc


_FIELD_NAMES = {"PAGE": "{页码}", "NUMPAGES": "{总页数}", "SECTIONPAGES": "{本节页数}", "DATE": "{日期}"}


def furniture_text(xml: bytes) -> str:
    """Return the text a header or footer part prints, fields shown by name (``- {页码} -``)."""
    try:
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return ""
    w = docx_tags.w
    lines = []
    for paragraph in root.iter(w("p")):
        out, depth, instr = [], 0, ""
        for node in paragraph.iter(w("t"), w("fldChar"), w("instrText"), w("fldSimple"), w("tab")):
            if node.tag == w("fldChar"):
                kind = node.get(w("fldCharType"))
                if kind == "begin":
                    depth, instr = depth + 1, ""
                elif kind == "separate" and depth:
                    words = instr.split()
                    out.append(_FIELD_NAMES.get(words[0].upper(), "{域}") if words else "{域}")
                elif kind == "end" and depth:
                    depth -= 1
            elif node.tag == w("instrText"):
                instr += node.text or ""
            elif node.tag == w("fldSimple"):
                words = (node.get(w("instr")) or "").split()
                out.append(_FIELD_NAMES.get(words[0].upper(), "{域}") if words else "{域}")
            elif node.tag == w("tab"):
                out.append(" ")
            elif not depth and not any(a.tag == w("fldSimple") for a in node.iterancestors()):
                out.append(node.text or "")
        lines.append("".join(out))
    return " / ".join(line for line in lines if line.strip())


def _plain_xml(text: str) -> str:
    """Return ``text`` escaped for an XML text node, on one line, without invalid characters."""
    return str(escape(" ".join(_XML_INVALID.sub("", text).split())))


def _core_pieces(xml: bytes) -> str | None:
    """Return ``docProps/core.xml`` with title and dates replaced by markers
    (None when the template's core properties cannot be read: they are then kept)."""
    try:
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return None
    drop = ("dc:title", "dcterms:created", "dcterms:modified", "cp:lastModifiedBy", "cp:revision", "cp:lastPrinted")
    for name in drop:
        prefix, local = name.split(":")
        for node in root.findall(f"{{{_CORE_NS[prefix]}}}{local}"):
            root.remove(node)
    etree.SubElement(root, f"{{{_CORE_NS['dc']}}}title").text = _TITLE_MARK
    for local in ("created", "modified"):
        node = etree.SubElement(root, f"{{{_CORE_NS['dcterms']}}}{local}")
        node.set(f"{{{_CORE_NS['xsi']}}}type", "dcterms:W3CDTF")
        node.text = _DATE_MARK
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True).decode("utf-8")


def _core_date(project: Project) -> str:
    """Return the fixed document date: 1 January of the project's year."""
    year = project.header.get("year")
    if isinstance(year, int) and 1900 <= year <= 9999:
        return dt.date(year, 1, 1).strftime("%Y-%m-%dT00:00:00Z")
    return "2000-01-01T00:00:00Z"


class DocxTemplate:
    """A compiled Word template.  Pickling it ships the template bytes; the
    receiving process compiles them again (once, see :func:`compile_docx`)."""

    def __init__(self, path: str, blob: bytes, table: str = TARGET_TABLE):
        self.path = path
        self.table = table  # the kind of table it prints (its context: see render/context.py)
        self._blob = blob
        self._package = Package.from_bytes(blob, what=f"Word 模板 {path}")
        try:
            document = self._package.part(DOCUMENT)
        except KeyError:
            raise TemplateError(f"{path}: 不是 Word 文档（缺少 {DOCUMENT}）") from None
        split = _prepare(docx_tags.prepare_document, document, path)
        prefix = _prefix_of(split.head)
        self._env = _environment(prefix)
        self._head, self._tail = split.head.encode("utf-8"), split.tail.encode("utf-8")
        self._body = _Part(self._env, split.body, path, DOCUMENT, marked=True)
        self._parts: dict[str, _Part] = {}
        for name in self._package.names:
            if _HEADER_FOOTER.fullmatch(name) and docx_tags.has_tags(self._package.part(name)):
                source = _prepare(docx_tags.prepare_part, self._package.part(name), path)
                self._parts[name] = _Part(self._env, source, path, name)
        self._core = _core_pieces(self._package.part(CORE)) if CORE in self._package.names else None
        styles = self._package.part(STYLES) if STYLES in self._package.names else None
        self._pager = Pager(styles, split.tail, prefix, namespaces_of(split.head))

    @property
    def names(self) -> list[str]:
        """Return the part names of the package this template writes."""
        return self._package.names

    def __reduce__(self) -> tuple[Any, ...]:
        return (DocxTemplate, (self.path, self._blob, self.table))

    def sources(self) -> list[Source]:
        """Return the Jinja sources of the template: the body, then each header and footer
        holding tags (for :func:`sheetgen.render.variables.check`)."""
        parts = [self._body, *self._parts.values()]
        return [Source(part.name, part.source, near=partial(_hint, part.source)) for part in parts]

    def headers_footers(self) -> list[tuple[str, str]]:
        """Return each header and footer part that prints something, with the text it prints
        (a page number field as ``{页码}``): what every document made with it carries."""
        out = []
        for name in self._package.names:
            if _HEADER_FOOTER.fullmatch(name):
                text = furniture_text(self._package.part(name))
                if text.strip():
                    out.append((f"{'页眉' if 'header' in name else '页脚'}（{name}）", text))
        return out

    def render(self, projects: Sequence[Project], jurisdiction: Jurisdiction, *, combined: bool | None = None,
               paged: bool = True) -> bytes:
        """Return the .docx bytes of one project, or of a unit's combined
        document when given several (after a contents page, each project on a new
        page).  ``paged=False`` leaves the page layout to the reader: no page breaks
        placed, no contents page (the preview of ``sheetgen serve``, one long page)."""
        if not projects:
            raise ValueError("render() needs at least one project")
        combined = len(projects) > 1 if combined is None else combined
        if paged and (combined or len(projects) == 1):
            return self.document([self.prepare(p, jurisdiction) for p in projects], jurisdiction, combined=combined)
        contexts = [self._context(p, jurisdiction, combined, i, paged) for i, p in enumerate(projects)]
        bodies = []
        for ctx, project in zip(contexts, projects, strict=True):
            body = _strip_combined(self._body.render(ctx, project.key), combined)
            bodies.append(self._pager.paginate(body).parts if paged else [self._pager.unmarked(body).encode("utf-8")])
        return self._write(projects, jurisdiction, combined, [part for parts in bodies for part in parts], paged)

    def prepare(self, project: Project, jurisdiction: Jurisdiction) -> DocxPiece:
        """Return ``project`` rendered once, for its own document and its unit's combined one
        (:meth:`document`)."""
        if not self._body.marked:
            return DocxPiece(project, None)
        context = self._context(project, jurisdiction, True, 0, paged=False)  # every part, no page break
        return DocxPiece(project, self._pager.lay_out(self._body.render(context, project.key)))

    def document(self, pieces: Sequence[DocxPiece], jurisdiction: Jurisdiction, *,
                 combined: bool | None = None) -> bytes:
        """Return the .docx bytes of one prepared project, or of a unit's combined document made
        of several (a contents page, then each project's body as laid out on its own pages)."""
        if not pieces:
            raise ValueError("document() needs at least one project")
        combined = len(pieces) > 1 if combined is None else combined
        bodies = []
        for piece in pieces:
            placed = self._pager.place(piece.layout, combined=combined, page_break=combined) if piece.layout else None
            if placed is None:  # render anew, as this document needs it
                context = self._context(piece.project, jurisdiction, combined, 0)
                body = _strip_combined(self._body.render(context, piece.project.key), combined)
                placed = self._pager.paginate(body)
            bodies.append(placed)
        projects = [piece.project for piece in pieces]
        contents = [self._contents(projects, jurisdiction, bodies).encode("utf-8")] if combined else []
        return self._write(projects, jurisdiction, combined, [*contents, *(p for body in bodies for p in body.parts)])

    def _write(self, projects: Sequence[Project], jurisdiction: Jurisdiction, combined: bool, body: Sequence[bytes],
               paged: bool = True) -> bytes:
        """Return the package of a document whose body is the parts ``body`` (encoded): headers
        and footers rendered for its first project, the core properties titled after it (or its
        unit).  (A combined document's body is never made one string: a few MB more to allocate
        and copy, and each table is encoded once for the project's own document and the unit's.)"""
        changed = {DOCUMENT: b"".join([self._head, *body, self._tail])}
        if self._parts:
            context = self._context(projects[0], jurisdiction, combined, 0, paged)
            for name, part in self._parts.items():
                changed[name] = part.render(context, projects[0].key).encode("utf-8")
        if self._core is not None:
            first = projects[0]
            unit = first.header.get("unit") or {}
            title = str(unit.get("name") or first.name) if combined else first.name
            core = self._core.replace(_TITLE_MARK, _plain_xml(title)).replace(_DATE_MARK, _core_date(first))
            changed[CORE] = core.encode("utf-8")
        return self._package.write(changed)

    def _contents(self, projects: Sequence[Project], jurisdiction: Jurisdiction, bodies: list[Placed]) -> str:
        """Return the contents page of a combined document, after bookmarking each project's
        first paragraph in ``bodies`` (each project then starts on a new page)."""
        prefix = self._pager.prefix
        print_block = jurisdiction.description.get("print") or {}
        labels = contents_labels(jurisdiction, projects[0], self.table)
        tab = self._pager.section.body_width * 20

        def entries(first_page: int) -> list[Entry]:
            out, page = [], first_page
            for index, (project, body) in enumerate(zip(projects, bodies, strict=True)):
                out.append(Entry(f"{project.number}.{project.name}", f"sg_project_{index + 1}", page))
                page += body.pages
            return out

        def text(value: str) -> str:
            return str(word_text(value, prefix))

        draft = contents_xml(prefix, print_block, labels, entries(0), tab, text)
        own_pages = max(1, math.ceil(self._pager.height(draft) / self._pager.room()))
        for index in range(len(bodies)):
            bodies[index] = self._pager.bookmark(bodies[index], f"sg_project_{index + 1}", index + 1)
        return contents_xml(prefix, print_block, labels, entries(own_pages + 1), tab, text)

    def _context(self, project: Project, jurisdiction: Jurisdiction, combined: bool, index: int,
                 paged: bool = True) -> dict[str, Any]:
        """Return the Jinja context of the ``index``-th project of a document (in a paged
        combined document every project starts a page: the contents page comes first)."""
        context = build_context(project, jurisdiction, combined=combined, table=self.table)
        context["sheetgen_ns"] = Namespace(page_break=index > 0 or (combined and paged))
        return context


def _prefix_of(head: str) -> str:
    """Return the prefix ``document.xml`` binds to the WordprocessingML namespace."""
    match = re.search(r'xmlns:(\w+)="' + re.escape(docx_tags.W) + '"', head)
    return match.group(1) if match else "w"


def _prepare(step: Callable[[bytes], _T], xml: bytes, path: str) -> _T:
    """Return ``step(xml)``, naming the template file in any :class:`TemplateError`."""
    try:
        return step(xml)
    except TemplateError as exc:
        raise TemplateError(f"{path}: {exc}") from None


def compile_docx(jurisdiction: Jurisdiction, table: str = TARGET_TABLE) -> DocxTemplate:
    """Return the compiled Word template of ``jurisdiction``'s table ``table`` (compiled anew:
    the one cache of compiled templates is :func:`sheetgen.render.templates.compiled`)."""
    path: Path = jurisdiction.template_path("docx", table)
    try:
        blob = path.read_bytes()
    except OSError as exc:
        raise TemplateError(f"{path}: 无法读取 Word 模板：{os_errors.explain(exc)}") from None
    return DocxTemplate(str(path), blob, table)
