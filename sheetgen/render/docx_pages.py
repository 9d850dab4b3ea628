"""Page-aware Word output: the rendered body of one project laid out on pages,
its tables split where the pages break.

Word, WPS and LibreOffice each break pages themselves, and a vertically merged
cell cut by a page break shows its text on the first page only: the rows of a
一级 group continued on the next page would sit next to a blank cell.  So the
layout is estimated here -- paragraph and row heights from the fonts' metrics
(:mod:`sheetgen.render.metrics`), the line heights, cell margins and column
widths of the template, the page of its section -- on the safe side (a page is
filled to at most :data:`FILL` of its height), and
:func:`sheetgen.render.pages.breaks` chooses the breaks (a 二级 group that fits
on a page is never cut, headings and header rows stay with what follows).  At
each break inside a table the table is split in two: the second part starts
on a new page with a copy of the header rows, and every merge that continues
there starts again with its label.  A break before a paragraph is a
``w:pageBreakBefore``.  Every program then prints the same pages.

The rendered body is read as text: the template marks each of its top-level
tables, rows and cells (:data:`sheetgen.render.docx_tags.ROW_MARK` …), so the
body is cut at them in one ``str.split``; the properties of each, which come
from the template, are parsed once and remembered; rows, the text between
tables and the heights of cells are remembered by their XML, and a table once
written with its page breaks is kept, encoded, for the next document breaking
it alike (a project's own and its unit's combined one).  A whole XML parse and
serialization per document would cost several times the rendering itself.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence

from lxml import etree
from msgspec import Struct, field
from msgspec.structs import replace

from sheetgen import office
from sheetgen.render import metrics, pages
from sheetgen.render.docx_tags import (
    BEFORE_PAGE_BREAK,
    CELL_MARK,
    ROW_MARK,
    TABLE_END_MARK,
    TABLE_MARK,
    W,
    page_breaker,
    w,
)

FILL = 0.96  # of a page's height: room for what rounding in Word, WPS and LibreOffice may add
_VAL = w("val")
_DEFAULT_MARGIN = 108 / 20  # points: Word's default left/right cell margin
_BREAKER_HEIGHT = 1.0  # points of the paragraph that starts a table's next part on a new page
_BORDER = 0.5  # points a row's border adds
_CACHE_LIMIT = 256  # entries per cache (keys are XML of cells and rows; small enough to fill in the first units)


def _twips(node: etree._Element | None, attr: str, default: float = 0.0) -> float:
    """Return a twips attribute (``w:`` namespace) of ``node`` in points."""
    if node is None:
        return default
    value = node.get(w(attr))
    try:
        return float(value) / 20 if value is not None else default
    except ValueError:
        return default


def _on(node: etree._Element | None) -> bool:
    """Return whether an on/off property element is on."""
    return node is not None and node.get(_VAL, "1") not in ("0", "false", "off")


class ParaStyle(Struct, frozen=True):
    """What a paragraph's style and properties set for layout."""

    size: float = 10.0
    before: float = 0.0
    after: float = 0.0
    line: float = 240.0  # twips (exact/atLeast) or 240ths of a line (auto)
    rule: str = "auto"
    keep_next: bool = False
    indent: float = 0.0  # points lost to the indents
    page_break: bool = False

    def changed(self, ppr: etree._Element | None, rpr: etree._Element | None = None) -> ParaStyle:
        """Return this style with what ``ppr`` (a ``w:pPr``) and ``rpr`` (run properties) set."""
        values: dict[str, object] = {}
        if rpr is not None:
            size = rpr.find(w("sz"))
            points = size.get(_VAL) if size is not None else None
            if points is not None and points.isdigit():
                values["size"] = int(points) / 2
        if ppr is not None:
            spacing = ppr.find(w("spacing"))
            if spacing is not None:
                for name in ("before", "after"):
                    if spacing.get(w(name)) is not None:
                        values[name] = _twips(spacing, name)
                if spacing.get(w("line")) is not None:
                    values["line"] = _twips(spacing, "line") * 20
                    values["rule"] = spacing.get(w("lineRule"), "auto")
            if ppr.find(w("keepNext")) is not None:
                values["keep_next"] = _on(ppr.find(w("keepNext")))
            if ppr.find(w("pageBreakBefore")) is not None:
                values["page_break"] = _on(ppr.find(w("pageBreakBefore")))
            ind = ppr.find(w("ind"))
            if ind is not None:
                sides = max(_twips(ind, "left"), _twips(ind, "start")) + max(_twips(ind, "right"), _twips(ind, "end"))
                values["indent"] = sides + max(0.0, _twips(ind, "firstLine"))
        return replace(self, **values) if values else self  # type: ignore[arg-type]

    def line_height(self, size: float) -> float:
        """Return the height of one line of text ``size`` points high."""
        if self.rule == "exact":
            return self.line / 20
        natural = metrics.line_height(size)
        if self.rule == "atLeast":
            return max(self.line / 20, natural)
        return natural * self.line / 240


Margins = tuple[float, float, float, float]  # top, bottom, left, right (points)
_NO_MARGINS: Margins = (0.0, 0.0, _DEFAULT_MARGIN, _DEFAULT_MARGIN)


def cell_margins(node: etree._Element | None, inherited: Margins) -> Margins:
    """Return the cell margins a ``w:tblCellMar``/``w:tcMar`` sets over ``inherited``."""
    return inherited if node is None else _set_over(_sides(node), inherited)


def _sides(node: etree._Element) -> dict[str, float]:
    """Return the sides a ``w:tblCellMar``/``w:tcMar`` sets (points), by name."""
    sides = {}
    for name in ("top", "bottom", "left", "right", "start", "end"):
        side = node.find(w(name))
        if side is not None and side.get(w("type"), "dxa") == "dxa":
            sides[name] = _twips(side, "w")
    return sides


def _set_over(sides: Mapping[str, float], inherited: Margins) -> Margins:
    top, bottom, left, right = inherited
    return (sides.get("top", top), sides.get("bottom", bottom), sides.get("left", sides.get("start", left)),
            sides.get("right", sides.get("end", right)))


class Styles(Struct):
    """A template's paragraph styles (resolved), default paragraph style and table styles (the
    cell margins of one are worked out when a table asks for them: :meth:`table_margins`)."""

    paragraphs: dict[str, ParaStyle] = field(default_factory=dict)
    default: ParaStyle = field(default_factory=ParaStyle)
    tables: set[str] = field(default_factory=set)  # the ids of the table styles
    default_table: str = ""
    #: each style's basedOn and the cell margin sides its w:tblPr/w:tblCellMar sets (None: none),
    #: worked out when a table's margins go through it: from its element, of the parsed styles
    #: or of the table styles kept unparsed (:func:`read_styles`)
    cell_sides: dict[str, tuple[str | None, dict[str, float] | None]] = field(default_factory=dict)
    _margins: dict[str, Margins] = field(default_factory=dict)
    _nodes: dict[str, etree._Element] = field(default_factory=dict)
    _unparsed: dict[str, bytes] = field(default_factory=dict)  # table styles: their XML, in their namespaces
    _whole: bytes = b""  # the part as it is, read whole should a table style not read alone

    def table_margins(self, style_id: str) -> Margins:
        """Return the cell margins of table style ``style_id`` (the default table style's for
        ""; none set when there is no such table style), through its basedOn chain."""
        style_id = style_id or self.default_table
        if style_id not in self.tables:
            return _NO_MARGINS
        if style_id not in self._margins:
            self._margins[style_id] = self._table(style_id, ())
        return self._margins[style_id]

    def _facts(self, style_id: str) -> tuple[str | None, dict[str, float] | None] | None:
        """Return the basedOn and cell margin sides of style ``style_id`` (None: no such style)."""
        facts = self.cell_sides.get(style_id)
        if facts is None:
            node = self._nodes.get(style_id)
            if node is None and style_id in self._unparsed:
                try:
                    node = etree.fromstring(self._unparsed[style_id], _PARSER)[0]
                except etree.XMLSyntaxError:  # (a prefix declared elsewhere than on the root, say)
                    root = etree.fromstring(self._whole, _PARSER)
                    self._nodes.update((str(e.get(w("styleId"), "")), e) for e in root.iter(w("style")))
                    self._unparsed.clear()
                    node = self._nodes.get(style_id)
            if node is None:
                return None
            parent, sides = node.find(w("basedOn")), node.find(_CELL_MARGINS)
            facts = self.cell_sides[style_id] = (parent.get(_VAL, "") if parent is not None else None,
                                                 _sides(sides) if sides is not None else None)
        return facts

    def _table(self, style_id: str, seen: tuple[str, ...]) -> Margins:
        facts = self._facts(style_id)
        if facts is None or style_id in seen:
            return _NO_MARGINS
        parent, sides = facts
        inherited = self._table(parent, (*seen, style_id)) if parent is not None else _NO_MARGINS
        return inherited if sides is None else _set_over(sides, inherited)


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_CELL_MARGINS = f"{w('tblPr')}/{w('tblCellMar')}"
_STYLES_START = re.compile(rb"<w:styles\b[^>]*>")  # the root's start tag, with the usual prefix
_TAG_ENDS = frozenset(b" \t\r\n/>")


def _cut_table_styles(xml: bytes) -> tuple[bytes, dict[str, bytes], list[tuple[str, bool]]]:
    """Return ``styles.xml`` without its table styles; each of them, by id, as a document of its
    own (its element in the root's namespaces), read when a table's margins need it; and the
    id and default flag of each, in order.  Word's styles hold 100 table styles, 300 of their
    344 KB: parsed and walked, they cost 8 ms a template of the time before a build's workers
    start.  When the part is not as usual (another prefix, say), nothing is cut."""
    root_start = _STYLES_START.search(xml)
    if root_start is None or root_start.group(0).endswith(b"/>"):
        return xml, {}, []
    head, close = root_start.group(0), b"</w:styles>"
    kept, cut, order = [], {}, []
    at, kept_from = root_start.end(), 0
    while (start := xml.find(b"<w:style", at)) >= 0:
        at = start + len(b"<w:style")
        if at >= len(xml) or xml[at] not in _TAG_ENDS:
            continue  # <w:styles…>, <w:styleId…>: another element
        tag_end = xml.find(b">", at)
        if tag_end < 0:
            return xml, {}, []
        start_tag = xml[start : tag_end + 1]
        if start_tag.endswith(b"/>"):
            end = tag_end + 1
        else:
            close_at = xml.find(b"</w:style>", tag_end)
            if close_at < 0:
                return xml, {}, []
            end = close_at + len(b"</w:style>")
        at = end
        if b'w:type="table"' not in start_tag:
            continue
        try:
            element = etree.fromstring(head + start_tag[:-1].rstrip(b"/") + b"/>" + close, _PARSER)[0]
        except etree.XMLSyntaxError:
            return xml, {}, []
        style_id = str(element.get(w("styleId"), ""))
        if element.get(w("type")) != "table" or style_id in cut:
            return xml, {}, []  # (an id used twice: the part is read whole, as Word reads it)
        kept.append(xml[kept_from:start])
        kept_from = end
        cut[style_id] = head + xml[start:end] + close
        order.append((style_id, element.get(w("default")) in ("1", "true")))
    kept.append(xml[kept_from:])
    return b"".join(kept), cut, order


def read_styles(xml: bytes | None) -> Styles:
    """Return the layout facts of ``word/styles.xml`` (its table styles read when asked for)."""
    out = Styles()
    if not xml:
        return out
    out._whole = xml
    rest, out._unparsed, tables = _cut_table_styles(xml)
    root = etree.fromstring(rest, _PARSER)
    if tables and any(s.get(w("styleId"), "") in out._unparsed for s in root.iter(w("style"))):
        root, out._unparsed, tables = etree.fromstring(xml, _PARSER), {}, []  # an id used twice: read whole
    base = ParaStyle()
    defaults = root.find(w("docDefaults"))
    if defaults is not None:
        base = base.changed(defaults.find(f"{w('pPrDefault')}/{w('pPr')}"),
                            defaults.find(f"{w('rPrDefault')}/{w('rPr')}"))
    out.default = base
    raw = out._nodes = {str(s.get(w("styleId"), "")): s for s in root.iter(w("style"))}

    def paragraph(style_id: str, seen: tuple[str, ...] = ()) -> ParaStyle:
        if style_id in out.paragraphs:
            return out.paragraphs[style_id]
        node = raw.get(style_id)
        if node is None or style_id in seen:
            return base
        parent = node.find(w("basedOn"))
        start = paragraph(parent.get(_VAL, ""), (*seen, style_id)) if parent is not None else base
        out.paragraphs[style_id] = start.changed(node.find(w("pPr")), node.find(w("rPr")))
        return out.paragraphs[style_id]

    for style_id, node in raw.items():
        default = node.get(w("default")) in ("1", "true")
        if node.get(w("type")) == "paragraph":
            style = paragraph(style_id)
            if default:
                out.default = style
        elif node.get(w("type")) == "table":
            tables.append((style_id, default))
    for style_id, default in tables:
        out.tables.add(style_id)
        if default:
            out.default_table = style_id
    return out


class Section(Struct, frozen=True):
    """The page of the template's section (points)."""

    width: float = 595.3
    height: float = 841.9
    top: float = 72.0
    bottom: float = 72.0
    left: float = 72.0
    right: float = 72.0

    @property
    def body_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def body_height(self) -> float:
        return self.height - self.top - self.bottom


def read_section(tail: str, prefix: str) -> Section:
    """Return the page of the body's final ``w:sectPr`` (in ``tail``, the end of the document)."""
    match = re.search(rf"<{prefix}:sectPr\b.*?</{prefix}:sectPr>", tail, re.S)
    if match is None:
        return Section()
    wrapper = f'<r xmlns:{prefix}="{W}" xmlns:r="{office.R}">'
    try:
        sect = etree.fromstring(wrapper + match.group(0) + "</r>")[0]
    except etree.XMLSyntaxError:
        return Section()
    size, margins = sect.find(w("pgSz")), sect.find(w("pgMar"))
    width, height = _twips(size, "w", 595.3), _twips(size, "h", 841.9)
    top = max(abs(_twips(margins, "top", 72.0)), _twips(margins, "header"))
    bottom = max(abs(_twips(margins, "bottom", 72.0)), _twips(margins, "footer"))
    return Section(width, height, top, bottom, _twips(margins, "left", 72.0), _twips(margins, "right", 72.0))


# ----------------------------------------------------------------------------- the rendered body as text


class _CellFacts(Struct, frozen=True):
    span: int
    merge: str  # "", "restart" or "continue"
    margins: Margins | None


class _RowFacts(Struct, frozen=True):
    header: bool
    height: float
    exact: bool


class _TableFacts(Struct, frozen=True):
    grid: tuple[float, ...]
    margins: Margins


class _RowCells(Struct, frozen=True):
    """The cells of a table row, measured: (grid column, merge, content height) of each, their
    (grid column, merge), the grid columns they start in, and whether the first spans several
    columns (a closing line, such as 总分)."""

    measured: tuple[tuple[int, str, float], ...]
    placed: tuple[tuple[int, str], ...]
    columns: frozenset[int]
    wide_first: bool


class _Row(Struct, frozen=True):
    """One rendered row of a top-level table: its opening (``w:tr`` and properties), cells,
    closing -- without our markers."""

    opening: str
    cells: tuple[str, ...]
    closing: str

    def xml(self) -> str:
        """Return the row's XML."""
        return self.opening + "".join(self.cells) + self.closing


class _Table(Struct):
    """A rendered top-level table: head (``w:tbl``, properties, grid), rows, closing (without
    our markers); row heights, header rows, and each row's cells as (grid column, merge, cell
    index).  ``written`` keeps its XML (encoded) as written with page breaks before the rows of
    its key (a project's own document and its unit's combined one often break it alike)."""

    head: str
    rows: list[_Row]
    tail: str
    header: int = 0
    heights: list[float] = field(default_factory=list)
    cells: list[tuple[tuple[int, str], ...]] = field(default_factory=list)
    merges: list[tuple[int, int, int]] = field(default_factory=list)  # (grid column, first row, last row)
    closing: bool = False  # its last row is a closing line (a first cell over several columns: 总分)
    written: dict[tuple[int, ...], bytes] = field(default_factory=dict)

    def groups(self) -> list[tuple[int, int]]:
        """Return the row ranges to keep on one page: the merges of the innermost merged column
        (not those starting in the header rows, such as a label column over the whole table)."""
        spans = [m for m in self.merges if m[2] > m[1] and m[1] >= self.header]
        if not spans:
            return []
        inner = max(m[0] for m in spans)
        return [(first, last) for col, first, last in spans if col == inner]

    def kept(self) -> list[tuple[int, int]]:
        """Return the row ranges to keep on one page: :meth:`groups`, and a closing line of a
        table with header rows (a 总分 row) with the row above it, so it never starts a page alone."""
        last = len(self.rows) - 1
        closing = [(last - 1, last)] if self.header and self.closing and last - 1 >= self.header else []
        return [*self.groups(), *closing]


class _Paragraph(Struct, frozen=True):
    """A top-level paragraph, measured: its height (across the page's body) and style."""

    xml: str
    height: float
    style: ParaStyle


Block = _Table | _Paragraph | str  # str: whatever else lies between blocks (kept as is)

#: Around what a template prints only in a unit's combined document (``{% if combined %}`` at
#: the top of the body; :mod:`sheetgen.render.docx`): one render serves both documents.
COMBINED_START, COMBINED_END = "<?sgk ?>", "<?sgK ?>"
_COMBINED_MARKS = re.compile(f"({re.escape(COMBINED_START)}|{re.escape(COMBINED_END)})")
#: Every marker of ours is ``<?sg`` + its kind + `` ?>``; the kinds, and the marker of each.
_MARK_START, _MARK_END = "<?sg", " ?>"
_MARKS = {mark[len(_MARK_START)]: mark
          for mark in (TABLE_MARK, TABLE_END_MARK, ROW_MARK, CELL_MARK, COMBINED_START, COMBINED_END)}
assert all(mark == f"{_MARK_START}{kind}{_MARK_END}" for kind, mark in _MARKS.items())
_TABLE, _TABLE_END, _ROW = (mark[len(_MARK_START)] for mark in (TABLE_MARK, TABLE_END_MARK, ROW_MARK))
_COMBINED = frozenset(mark[len(_MARK_START)] for mark in (COMBINED_START, COMBINED_END))
#: Our markers, their kind captured: ``split`` cuts a body at every marker in one scan, in C
#: (110 -> 70 us a body of the bundled specs, 142 markers each, against ``str.split`` and a
#: check of every piece).  A marker holds one ``<``, so no two overlap: the cut is the only one.
_MARK_SPLIT = re.compile(f"{re.escape(_MARK_START)}([{re.escape(''.join(sorted(_MARKS)))}]){re.escape(_MARK_END)}")
_WRITTEN_LIMIT = 4  # ways of breaking one table kept written (its own document, the combined one)


def _tokens(body: str) -> tuple[list[str], list[str]]:
    """Return ``body`` cut at our markers: the kind of each piece's marker (``t``, ``T``, ``r``,
    ``c``, ``k``, ``K``; "" for the first piece, before any marker) and the text after it (one
    scan of the body, by :data:`_MARK_SPLIT`; any other processing instruction ``<?sg…`` stays
    in the text)."""
    parts = _MARK_SPLIT.split(body)  # text, kind, text, kind, … text
    return ["", *parts[1::2]], parts[0::2]


def paragraphs(xml: str, opening: str, closing: str) -> list[str]:
    """Return the paragraphs of ``xml`` (``opening``: ``<w:p``, ``closing``: ``</w:p>``) as the
    paragraph pattern of :class:`Pager` finds them -- an empty ``<w:p …/>``, or ``<w:p …>`` up to
    the first ``</w:p>`` -- by ``str.find``: 1.45 instead of 2.9 us a cell of the bundled specs,
    where the pattern's lazy ``.*?`` tries the closing tag at every character."""
    found: list[str] = []
    at, skip = 0, len(opening)
    while True:
        start = xml.find(opening, at)
        if start < 0:
            return found
        after = start + skip
        mark = xml[after : after + 1]
        end = -1
        if mark == "/" or mark == ">" or mark.isspace():
            tag_end = xml.find(">", after)
            if tag_end >= 0 and xml[tag_end - 1] == "/":
                end = tag_end + 1  # <w:p …/>
            elif tag_end >= 0 and mark != "/":
                close = xml.find(closing, tag_end + 1)
                if close >= 0:
                    end = close + len(closing)
        if end < 0:
            at = start + 1
            continue
        found.append(xml[start:end])
        at = end


def _joined(kinds: Sequence[str], texts: Sequence[str], start: int, end: int) -> str:
    """Return the body's text of pieces ``start`` … ``end - 1`` of :func:`_tokens`, markers
    included but the first piece's own."""
    if start >= end:
        return ""
    return texts[start] + "".join(_MARKS[kinds[i]] + texts[i] for i in range(start + 1, end))


class Layout(Struct, frozen=True):
    """One project's rendered body cut into blocks (tables measured), to be placed on pages as
    its own document or as part of its unit's combined one (:meth:`Pager.place`).
    ``combined_only``: the blocks printed only in the combined document; ``whole``: False when
    such a part is not made of whole blocks (then the body cannot be placed both ways)."""

    blocks: list[Block]
    combined_only: frozenset[int]
    whole: bool = True


class Placed(Struct, frozen=True):
    """A project's body with its page breaks placed (:meth:`Pager.place`): its XML block by
    block, encoded (UTF-8), and the number of pages it prints on."""

    parts: list[bytes]
    pages: int

    def xml(self) -> str:
        """Return the body's XML."""
        return b"".join(self.parts).decode("utf-8")


class Pager:
    """Places page breaks in the rendered body of one project (see the module docstring)."""

    def __init__(self, styles_xml: bytes | None, tail: str, prefix: str, namespaces: Mapping[str, str]):
        self.styles = read_styles(styles_xml)
        self.section = read_section(tail, prefix)
        self.prefix = p = prefix
        declarations = "".join(f' xmlns:{k}="{v}"' for k, v in namespaces.items() if k)
        self._wrap = f"<{p}:wrap{declarations}>", f"</{p}:wrap>"
        self._para = re.compile(rf"<{p}:p(?=[\s/>])[^>]*?/>|<{p}:p(?=[\s>])[^>]*>.*?</{p}:p>", re.S)
        self._texts = re.compile(rf"<{p}:t(?:\s[^>]*)?>([^<]*)</{p}:t>|<{p}:(br|tab|cr)\b([^>]*)/>")
        self._sizes = re.compile(rf'<{p}:sz {p}:val="(\d+)"')
        self._ppr_open, self._ppr_close = f"<{p}:pPr>", f"</{p}:pPr>"
        self._p_open, self._p_close = f"<{p}:p", f"</{p}:p>"
        self._ppr = re.compile(rf"<{p}:pPr\s*/>|<{p}:pPr\b[^>]*>.*?</{p}:pPr>", re.S)
        self._props = {kind: re.compile(rf"<{p}:{kind}\s*/>|<{p}:{kind}\b[^>]*>.*?</{p}:{kind}>", re.S)
                       for kind in ("tcPr", "trPr")}
        self._vmerge = re.compile(rf"<{p}:vMerge(?:\s+{p}:val=\"continue\")?\s*/>")
        self._close = {kind: f"</{p}:{kind}>" for kind in ("tbl", "tr", "tc")}
        self._tc_pr_close = f"</{p}:tcPr>"
        self._styles: dict[str, ParaStyle] = {}
        self._cells: dict[str, _CellFacts] = {}
        self._rows: dict[str, _RowFacts] = {}
        self._tables: dict[str, _TableFacts] = {}
        self._heights: dict[tuple[str, float], float] = {}
        self._row_cache: dict[tuple[str, tuple[str, ...]], _RowCells] = {}
        self._loose_cache: dict[str, tuple[_Paragraph | str, ...]] = {}
        self._cut_rows: dict[tuple[str, ...], _Row] = {}
        self.breaker = page_breaker(p)

    # -- facts of template properties (parsed once) -----------------------
    def _parse(self, xml: str) -> etree._Element:
        return etree.fromstring(self._wrap[0] + xml + self._wrap[1])

    @staticmethod
    def _remember(cache: dict, key: object, value: object) -> None:  # type: ignore[type-arg]
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[key] = value

    def _style(self, ppr: str) -> ParaStyle:
        style = self._styles.get(ppr)
        if style is None:
            style = self.styles.default
            if ppr:
                element = self._parse(ppr)[0]
                named = element.find(w("pStyle"))
                if named is not None:
                    style = self.styles.paragraphs.get(named.get(_VAL, ""), style)
                style = style.changed(element)
            self._remember(self._styles, ppr, style)
        return style

    def _cell_facts(self, tc_pr: str) -> _CellFacts:
        facts = self._cells.get(tc_pr)
        if facts is None:
            span, merge, margins = 1, "", None
            if tc_pr:
                element = self._parse(tc_pr)[0]
                grid_span = element.find(w("gridSpan"))
                spans = grid_span.get(_VAL) if grid_span is not None else None
                if spans is not None and spans.isdigit():
                    span = max(1, int(spans))
                vmerge = element.find(w("vMerge"))
                if vmerge is not None:
                    merge = "restart" if vmerge.get(_VAL) == "restart" else "continue"
                if element.find(w("tcMar")) is not None:
                    margins = cell_margins(element.find(w("tcMar")), _NO_MARGINS)
            facts = _CellFacts(span, merge, margins)
            self._remember(self._cells, tc_pr, facts)
        return facts

    def _row_facts(self, opening: str) -> _RowFacts:
        facts = self._rows.get(opening)
        if facts is None:
            header, height, exact = False, 0.0, False
            match = self._props["trPr"].search(opening)
            if match:
                element = self._parse(match.group(0))[0]
                header = _on(element.find(w("tblHeader")))
                rule = element.find(w("trHeight"))
                if rule is not None:
                    height, exact = _twips(rule, "val"), rule.get(w("hRule")) == "exact"
            facts = _RowFacts(header, height, exact)
            self._remember(self._rows, opening, facts)
        return facts

    def _table_facts(self, head: str) -> _TableFacts:
        facts = self._tables.get(head)
        if facts is None:
            start = head.find(f"<{self.prefix}:tbl")
            end = head.find(">", start) + 1
            element = self._parse(head[end:])
            tbl_pr = element.find(w("tblPr"))
            named = tbl_pr.find(w("tblStyle")) if tbl_pr is not None else None
            style_id = str(named.get(_VAL, "")) if named is not None else ""
            inherited = self.styles.table_margins(style_id)
            margins = cell_margins(tbl_pr.find(w("tblCellMar")) if tbl_pr is not None else None, inherited)
            grid = tuple(_twips(col, "w") for col in element.iterfind(f"{w('tblGrid')}/{w('gridCol')}"))
            facts = _TableFacts(grid, margins)
            self._remember(self._tables, head, facts)
        return facts

    # -- heights ----------------------------------------------------------
    def _paragraph(self, xml: str, width: float) -> tuple[float, ParaStyle]:
        """Return the height of one paragraph's XML laid out ``width`` points wide, and its style."""
        opening = xml.index(">") + 1
        if xml[opening - 2] == "/":  # <w:p/>
            style = self.styles.default
            return style.before + style.after + style.line_height(style.size), style
        runs = self._properties_end(xml, opening)
        style = self._style(xml[opening:runs])
        found = self._texts.findall(xml, runs)
        if len(found) == 1 and not found[0][1]:  # one run of text (most paragraphs)
            text = found[0][0]
        else:
            parts = []
            for text, tag, attrs in found:
                if not tag:
                    parts.append(text)
                elif tag == "tab":
                    parts.append("    ")
                elif "page" not in attrs and "column" not in attrs:
                    parts.append("\n")
            text = "".join(parts)
        if "&" in text:
            text = html.unescape(text)
        sizes = self._sizes.findall(xml, runs)
        size = max(int(s) for s in sizes) / 2 if sizes else style.size
        lines = metrics.line_count(text, max(width - style.indent, size), size) if text else 1
        return style.before + style.after + lines * style.line_height(size), style

    def _properties_end(self, xml: str, at: int) -> int:
        """Return where the ``w:pPr`` that :attr:`_ppr` matches at ``at`` ends (``at`` when none):
        the usual ``<w:pPr>…</w:pPr>`` by ``str.find``, anything else by the pattern."""
        if xml.startswith(self._ppr_open, at):
            close = xml.find(self._ppr_close, at)
            return close + len(self._ppr_close) if close >= 0 else at
        match = self._ppr.match(xml, at)
        return match.end() if match else at

    def _measured(self, xml: str) -> _Paragraph:
        """Return a top-level paragraph's XML measured across the page's body."""
        height, style = self._paragraph(xml, self.section.body_width)
        return _Paragraph(xml, height, style)

    def _table(self, kinds: Sequence[str], texts: Sequence[str], start: int, end: int) -> _Table:
        """Return the top-level table of pieces ``start`` … ``end - 1`` of :func:`_tokens` (a table
        marker, then its rows' and cells' markers) cut into its rows and cells, with row heights."""
        rows_at = [i for i in range(start + 1, end) if kinds[i] == _ROW]
        if not rows_at or rows_at[0] != start + 1:  # no rows, or cell markers before the first
            return self._table_of_text(_joined(kinds, texts, start, end))
        close_table, close_row = self._close["tbl"], self._close["tr"]
        rows, tail = [], ""
        for first, last in zip(rows_at, [*rows_at[1:], end], strict=True):
            pieces = list(texts[first:last])
            if last == end:  # the table's closing tag ends the last row
                cut = pieces[-1].rfind(close_table)
                if cut < 0 and any(close_table in piece for piece in pieces):
                    return self._table_of_text(_joined(kinds, texts, start, end))
                if cut >= 0:
                    pieces[-1], tail = pieces[-1][:cut], pieces[-1][cut:]
            key = tuple(pieces)
            row = self._cut_rows.get(key)  # (remembered: its strings' hashes are then known)
            if row is None:
                cut = pieces[-1].rfind(close_row)
                if cut < 0 and any(close_row in piece for piece in pieces):
                    return self._table_of_text(_joined(kinds, texts, start, end))
                closing = pieces[-1][cut:] if cut >= 0 else ""
                if cut >= 0:
                    pieces[-1] = pieces[-1][:cut]
                row = _Row(pieces[0], tuple(pieces[1:]), closing)
                self._remember(self._cut_rows, key, row)
            rows.append(row)
        return self._measured_table(texts[start], rows, tail)

    def _table_of_text(self, xml: str) -> _Table:
        """Return a rendered top-level table (its text after the table marker) cut into its rows
        and cells by the text, with row heights: what :meth:`_table` does in a table of unusual
        shape (a row whose closing tag is not at its end, cell markers outside rows, no rows)."""
        head, *chunks = xml.split(ROW_MARK)
        close = self._close["tbl"]
        if not chunks:
            return _Table(_unmarked(head), [], "")
        end = chunks[-1].rfind(close)
        tail = chunks[-1][end:] if end >= 0 else ""
        chunks[-1] = chunks[-1][:end] if end >= 0 else chunks[-1]
        rows = []
        for chunk in chunks:
            end = chunk.rfind(self._close["tr"])
            opening, *cells = (chunk[:end] if end >= 0 else chunk).split(CELL_MARK)
            rows.append(_Row(opening, tuple(cells), _unmarked(chunk[end:]) if end >= 0 else ""))
        return self._measured_table(head, rows, _unmarked(tail))

    def _measured_table(self, head: str, rows: list[_Row], tail: str) -> _Table:
        """Return the table of ``head`` (``w:tbl`` to the first row, read for its properties),
        ``rows`` and ``tail``, its rows measured."""
        table = _Table(_unmarked(head), rows, tail)
        facts = self._table_facts(head)
        open_merges: dict[int, tuple[int, float]] = {}
        needs: list[tuple[int, int, float]] = []
        for index, row in enumerate(rows):
            row_facts = self._row_facts(row.opening)
            if row_facts.header and index == table.header:
                table.header += 1
            height = 0.0
            cells = self._row_cells(row.cells, head, facts)
            for column, merge, content in cells.measured:
                if not (merge == "continue" and column in open_merges):
                    if column in open_merges:
                        first, need = open_merges.pop(column)
                        needs.append((first, index - 1, need))
                        table.merges.append((column, first, index - 1))
                    if merge:
                        open_merges[column] = (index, content)
                    elif content > height:
                        height = content
            for col in [c for c in open_merges if c not in cells.columns] if open_merges else ():
                first, need = open_merges.pop(col)
                needs.append((first, index - 1, need))
                table.merges.append((col, first, index - 1))
            if row_facts.height:
                height = row_facts.height if row_facts.exact else max(height, row_facts.height)
            table.cells.append(cells.placed)
            table.heights.append(height + _BORDER)
            table.closing = cells.wide_first and index > table.header
        for col, (first, need) in open_merges.items():
            needs.append((first, len(rows) - 1, need))
            table.merges.append((col, first, len(rows) - 1))
        for first, last, need in needs:
            have = sum(table.heights[first : last + 1])
            if have < need:
                table.heights[last] += need - have
        return table

    def _row_cells(self, row: tuple[str, ...], head: str, facts: _TableFacts) -> _RowCells:
        """Return the cells of a row of the table ``head`` starts, measured (remembered by their
        XML: rows repeat within and across documents)."""
        key = (head, row)
        cells = self._row_cache.get(key)
        if cells is None:
            measured, column, first_span = [], 0, 0
            grid = facts.grid
            columns = len(grid)
            for cell in row:
                cell_facts = self._cell_facts_of(cell)
                span = cell_facts.span
                width = (grid[column] if span == 1 and column < columns else sum(grid[column : column + span])) or 100.0
                first_span = first_span or span
                measured.append((column, cell_facts.merge,
                                 self._content(cell, width, cell_facts.margins or facts.margins)))
                column += span
            cells = _RowCells(tuple(measured), tuple([(c, m) for c, m, _ in measured]),
                              frozenset([c for c, _, _ in measured]), first_span > 1)
            self._remember(self._row_cache, key, cells)
        return cells

    def _cell_facts_of(self, cell: str) -> _CellFacts:
        """Return the properties of a cell (its ``w:tcPr``, which the template wrote)."""
        end = cell.find(self._tc_pr_close)
        if end < 0:
            opening = cell.index(">") + 1
            match = self._props["tcPr"].match(cell, opening)
            return self._cell_facts(match.group(0) if match else "")
        tc_pr = cell[cell.index(">") + 1 : end + len(self._tc_pr_close)]
        facts = self._cells.get(tc_pr)  # (most often known: the template wrote it)
        return facts if facts is not None else self._cell_facts(tc_pr)

    def _content(self, cell: str, width: float, margins: Margins) -> float:
        """Return the height of a cell (content and margins) in a column ``width`` wide."""
        key = (cell, width)
        height = self._heights.get(key)
        if height is None:
            top, bottom, left, right = margins
            inner = max(width - left - right, 1.0)
            height = top + bottom
            for paragraph in paragraphs(cell, self._p_open, self._p_close):
                height += self._paragraph(paragraph, inner)[0]
            self._remember(self._heights, key, height)
        return height

    # -- reading the body ---------------------------------------------------
    def _blocks(self, body: str) -> list[Block] | None:
        """Return the body cut into top-level paragraphs, tables and what lies between them
        (None when a table holds a marker of a part printed only in a combined document)."""
        kinds, texts = _tokens(body)
        blocks: list[Block] = []
        at = 0  # the first piece after the last table (its marker, a table's end, is dropped)
        for start in [index for index, kind in enumerate(kinds) if kind == _TABLE]:
            if start < at:
                continue
            self._loose(_joined(kinds, texts, at, start), blocks)
            end = start + 1  # a table ends at the first end marker, or where the next starts
            while end < len(kinds) and kinds[end] not in (_TABLE, _TABLE_END):
                end += 1
            if any(kind in _COMBINED for kind in kinds[start:end]):
                return None
            blocks.append(self._table(kinds, texts, start, end))
            at = end
        self._loose(_joined(kinds, texts, at, len(kinds)), blocks)
        return blocks

    def _loose(self, xml: str, blocks: list[Block]) -> None:
        """Add to ``blocks`` the top-level paragraphs of ``xml`` (between tables), measured, and
        what lies between them (remembered by their XML: most of it is the template's own)."""
        cut = self._loose_cache.get(xml)
        if cut is None:
            out: list[_Paragraph | str] = []
            at = 0
            for match in self._para.finditer(xml):
                if match.start() > at:
                    out.append(xml[at : match.start()])
                out.append(self._measured(match.group(0)))
                at = match.end()
            if at < len(xml):
                out.append(xml[at:])
            cut = tuple(out)
            self._remember(self._loose_cache, xml, cut)
        blocks.extend(cut)

    # -- placing ------------------------------------------------------------
    def paginate(self, body: str) -> Placed:
        """Return ``body`` (the blocks of one project, no part marked as printed only in a
        combined document) with page breaks placed."""
        placed = self.place(self.lay_out(body))
        if placed is None:
            raise ValueError("paginate() got a body with parts marked for a combined document only")
        return placed

    def lay_out(self, body: str) -> Layout:
        """Return ``body`` (the blocks of one project) cut into blocks and measured, ready to be
        placed on pages with or without its parts printed only in a unit's combined document
        (between :data:`COMBINED_START` and :data:`COMBINED_END`)."""
        blocks: list[Block] = []
        only: set[int] = set()
        inside = False
        cut = self._blocks(body)
        if cut is None:  # a table holds a part printed only in a combined document
            return Layout([], frozenset(), whole=False)
        for block in cut:
            if not isinstance(block, str):
                if isinstance(block, _Paragraph) and (COMBINED_START in block.xml or COMBINED_END in block.xml):
                    return Layout(blocks, frozenset(only), whole=False)  # a part that is not whole blocks
                if inside:
                    only.add(len(blocks))
                blocks.append(block)
                continue
            for piece in _COMBINED_MARKS.split(block):
                if piece in (COMBINED_START, COMBINED_END):
                    if inside == (piece == COMBINED_START):
                        return Layout(blocks, frozenset(only), whole=False)
                    inside = piece == COMBINED_START
                elif piece:
                    if inside:
                        only.add(len(blocks))
                    blocks.append(piece)
        return Layout(blocks, frozenset(only), whole=not inside)

    def place(self, layout: Layout, *, combined: bool = False, page_break: bool = False) -> Placed | None:
        """Return the body of ``layout`` with page breaks placed -- with the parts printed only in
        a combined document when ``combined``, starting a new page when ``page_break``; None when
        ``layout`` cannot be placed so (its parts are not whole blocks, or something other than a
        paragraph or table comes first: render anew)."""
        if not layout.whole:
            return None
        blocks = [b for i, b in enumerate(layout.blocks) if combined or i not in layout.combined_only]
        if page_break:
            first = next((i for i, b in enumerate(blocks) if not isinstance(b, str)), None)
            if first is None or any(b.strip() for b in blocks[:first] if isinstance(b, str)):
                return None
            head = blocks[first]
            if not isinstance(head, _Paragraph):
                blocks.insert(first, self._measured(self.breaker))
            elif not head.style.page_break:
                blocks[first] = self._measured(self._break_paragraph(head.xml))
        heights: list[float] = []
        where: list[tuple[int, int]] = []  # (block, row of a table or -1) of each height
        together: list[tuple[int, int]] = []
        keep: set[int] = set()
        forced: set[int] = set()
        repeats: list[tuple[int, int, float]] = []
        for number, block in enumerate(blocks):
            if isinstance(block, _Paragraph):
                if block.style.page_break:
                    forced.add(len(heights))
                if block.style.keep_next:
                    keep.add(len(heights))
                where.append((number, -1))
                heights.append(block.height)
            elif isinstance(block, _Table) and block.rows:
                start = len(heights)
                where.extend((number, index) for index in range(len(block.rows)))
                heights.extend(block.heights)
                together.extend((start + a, start + b) for a, b in block.kept())
                if block.header:
                    keep.update(range(start, start + block.header))
                    header = sum(block.heights[: block.header]) + _BREAKER_HEIGHT
                    repeats.append((start + block.header - 1, start + len(block.rows) - 1, header))
        room = self.room()
        found = pages.breaks(heights, pages.Page(room, room, tuple(repeats)), together, keep, forced)
        before: set[int] = set()  # paragraphs placed after a page break
        rows: dict[int, list[int]] = {}  # table rows placed after a page break
        for index in found:
            number, row = where[index]
            if row < 0:
                before.add(number)
            else:
                rows.setdefault(number, []).append(row)
        count = 1 + len(found) + sum(1 for row in forced if row > 0)
        parts = [self._write(block, number in before, rows.get(number, ())) for number, block in enumerate(blocks)]
        return Placed(parts, count)

    @staticmethod
    def unmarked(body: str) -> str:
        """Return ``body`` without the markers of its tables, rows and cells (no page breaks placed)."""
        for mark in (TABLE_MARK, TABLE_END_MARK, ROW_MARK, CELL_MARK):
            body = body.replace(mark, "")
        return body

    def height(self, xml: str) -> float:
        """Return the height of body-wide paragraphs (``xml``: paragraphs only)."""
        width = self.section.body_width
        return sum([self._paragraph(paragraph, width)[0] for paragraph in paragraphs(xml, self._p_open, self._p_close)])

    def room(self) -> float:
        """Return the height of a page's body that :meth:`paginate` fills."""
        return self.section.body_height * FILL

    def bookmark(self, placed: Placed, name: str, number: int) -> Placed:
        """Return ``placed`` with a bookmark ``name`` around the text of its first paragraph:
        the first of its parts holding markup, when that part is a paragraph (as in a combined
        document, where each project starts a page with one), else wherever it is in the body."""
        for index, part in enumerate(placed.parts):
            xml = part.decode("utf-8")
            if "<" not in xml:
                continue  # what lies between blocks
            match = self._para.match(xml)
            if match is None or match.end() != len(xml) or xml.endswith("/>"):
                break
            parts = list(placed.parts)
            parts[index] = self._bookmarked(xml, name, number).encode("utf-8")
            return Placed(parts, placed.pages)
        return Placed([self.bookmark_text(placed.xml(), name, number).encode("utf-8")], placed.pages)

    def bookmark_text(self, body: str, name: str, number: int) -> str:
        """Return ``body`` with a bookmark ``name`` around the text of its first paragraph."""
        for match in self._para.finditer(body):
            xml = match.group(0)
            if not xml.endswith("/>"):
                return body[: match.start()] + self._bookmarked(xml, name, number) + body[match.end() :]
        return body

    def _bookmarked(self, xml: str, name: str, number: int) -> str:
        """Return a paragraph's XML with a bookmark ``name`` around its text."""
        p = self.prefix
        opening = xml.index(">") + 1
        ppr = self._ppr.match(xml, opening)
        at = ppr.end() if ppr else opening
        close = xml.rindex(f"</{p}:p>")
        return (xml[:at] + f'<{p}:bookmarkStart {p}:id="{number}" {p}:name="{name}"/>' + xml[at:close]
                + f'<{p}:bookmarkEnd {p}:id="{number}"/>' + xml[close:])

    def _write(self, block: Block, page_break: bool = False, breaks: Sequence[int] = ()) -> bytes:
        """Return the XML of a block with its page breaks (a paragraph after one; the rows of a
        table that start a page), without our markers, encoded (UTF-8)."""
        if isinstance(block, str):
            return block.replace(ROW_MARK, "").replace(CELL_MARK, "").encode("utf-8")
        if isinstance(block, _Paragraph):
            return (self._break_paragraph(block.xml) if page_break else block.xml).encode("utf-8")
        key = tuple(breaks)
        written = block.written.get(key)
        if written is None:
            written = self._table_xml(block, key).encode("utf-8")
            if len(block.written) >= _WRITTEN_LIMIT:
                block.written.clear()
            block.written[key] = written
        return written

    def _table_xml(self, block: _Table, breaks: Sequence[int]) -> str:
        """Return the XML of a table with a page break before each of rows ``breaks``."""
        out = []
        if 0 in breaks:
            out.append(self.breaker)
        out.append(block.head)
        for index, row in enumerate(block.rows):
            if index in breaks and index > 0:
                headers = "".join(r.xml() for r in block.rows[: block.header]) if index >= block.header else ""
                out.append(self._close["tbl"] + self.breaker + block.head + headers)
                out.append(self._restarted(block, index))
            else:  # (the row's pieces, not row.xml(): no string of each row made on the way)
                out.append(row.opening)
                out.extend(row.cells)
                out.append(row.closing)
        out.append(block.tail)
        return "".join(out)

    def _break_paragraph(self, xml: str) -> str:
        """Return a paragraph's XML with a page break before it."""
        p = self.prefix
        opening = xml.index(">") + 1
        if xml[opening - 2] == "/":
            return f"<{p}:p><{p}:pPr><{p}:pageBreakBefore/></{p}:pPr></{p}:p>"
        match = self._ppr.match(xml, opening)
        if match is None:
            return xml[:opening] + f"<{p}:pPr><{p}:pageBreakBefore/></{p}:pPr>" + xml[opening:]
        ppr = match.group(0)
        if ppr.endswith("/>"):
            return xml[: match.start()] + f"<{p}:pPr><{p}:pageBreakBefore/></{p}:pPr>" + xml[match.end() :]
        at = ppr.index(">") + 1  # schema order: pStyle, keepNext, keepLines, then pageBreakBefore
        for tag in BEFORE_PAGE_BREAK:
            found = re.search(rf"<{p}:{tag}\b[^>]*/>|<{p}:{tag}\b.*?</{p}:{tag}>", ppr)
            if found:
                at = max(at, found.end())
        at += match.start()
        return xml[:at] + f"<{p}:pageBreakBefore/>" + xml[at:]

    def _restarted(self, table: _Table, index: int) -> str:
        """Return row ``index`` with each merge it continues started again, holding the label above."""
        row = table.rows[index]
        cells = list(row.cells)
        for position, (column, merge) in enumerate(table.cells[index]):
            if merge != "continue":
                continue
            start, source = self._merge_start(table, index, column)
            if start is not None and start < table.header <= index:
                continue  # it starts in a header row, which the new page repeats: it continues from there
            cell = cells[position]
            opening = cell.index(">") + 1
            match = self._props["tcPr"].match(cell, opening)
            tc_pr = match.group(0) if match else ""
            restarted = self._vmerge.sub(f'<{self.prefix}:vMerge {self.prefix}:val="restart"/>', tc_pr, count=1)
            content = cell[opening + len(tc_pr) :]
            if source is not None:
                source_open = source.index(">") + 1
                source_match = self._props["tcPr"].match(source, source_open)
                source_end = source.rfind(self._close["tc"])
                content = source[source_open + (len(source_match.group(0)) if source_match else 0) : source_end]
                content += cell[cell.rfind(self._close["tc"]) :]
            cells[position] = cell[:opening] + restarted + content
        return _Row(row.opening, tuple(cells), row.closing).xml()

    @staticmethod
    def _merge_start(table: _Table, index: int, column: int) -> tuple[int | None, str | None]:
        """Return the row and the cell that start the merge row ``index``'s cell in ``column``
        continues (None, None when there is none)."""
        for above in range(index - 1, -1, -1):
            for position, (col, merge) in enumerate(table.cells[above]):
                if col == column:
                    if merge == "restart":
                        return above, table.rows[above].cells[position]
                    if merge != "continue":
                        return None, None
        return None, None


def _unmarked(text: str) -> str:
    """Return ``text`` without row and cell markers."""
    return text.replace(ROW_MARK, "").replace(CELL_MARK, "") if _MARK_START in text else text


def namespaces_of(head: str) -> dict[str, str]:
    """Return the namespace declarations of the document element in ``head``."""
    start = head.find("<", head.find("?>") + 2 if "?>" in head else 0)
    return dict(re.findall(r'xmlns:(\w+)="([^"]*)"', head[start : head.index(">", start)]))
