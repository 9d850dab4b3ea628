"""Word template preprocessing: WordprocessingML with tags -> Jinja source.

The tag dialect follows docxtpl:

* ``{{ expr }}`` anywhere in text;
* ``{%p stmt %}``, ``{%tr stmt %}``, ``{%tc stmt %}``: the whole paragraph, table
  row or table cell holding the tag is replaced by the Jinja statement
  ``{% stmt %}``;
* ``{%vm expr %}`` in a table cell (ours): ``expr`` is a
  :class:`sheetgen.model.Merged`; the cell opens a vertical merge
  (``<w:vMerge w:val="restart"/>``) and prints its text when ``expr.start``,
  otherwise it continues the merge and stays empty.

Everything works on the lxml tree.  Word splits typed text into several runs
(spell check, revisions, bookmarks), so the runs a tag spans are first joined
into one run (with the formatting of its first run).  Holders are then
replaced by processing instructions ``<?sgj {% … %}?>`` -- lxml never escapes
their content -- which :func:`to_jinja` turns into plain Jinja statements
after serialization.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree
from msgspec import Struct

from sheetgen import office
from sheetgen.errors import TemplateError

W = office.W
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
PI_TARGET = "sgj"
SPLIT_TARGET = "sgj-split"
# Markers around each top-level table and before each of its rows and cells, so that the
# rendered body can be cut into them without parsing it (sheetgen.render.docx_pages).
TABLE_MARK, TABLE_END_MARK, ROW_MARK, CELL_MARK = "<?sgt ?>", "<?sgT ?>", "<?sgr ?>", "<?sgc ?>"


def w(tag: str) -> str:
    """Return the Clark name of a WordprocessingML element, e.g. ``{…}p``."""
    return f"{{{W}}}{tag}"


W_P, W_R, W_T, W_TR, W_TC, W_TBL = w("p"), w("r"), w("t"), w("tr"), w("tc"), w("tbl")
W_PPR, W_RPR, W_TCPR, W_BODY, W_SECTPR = w("pPr"), w("rPr"), w("tcPr"), w("body"), w("sectPr")

# Any Jinja tag inside one run of text.
TAG_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
# A tag inside the text of one serialized w:t (never across markup).
_INLINE_TAG_RE = re.compile(r"\{\{[^<]*?\}\}|\{%[^<]*?%\}|\{#[^<]*?#\}")
# Our structural tags.
SPECIAL_RE = re.compile(r"\{%(p|tr|tc|vm)\s+(.*?)\s*%\}", re.S)
_HOLDER = {"p": W_P, "tr": W_TR, "tc": W_TC}
_HOLDER_WORD = {"p": "段落", "tr": "表格行", "tc": "表格单元格", "vm": "表格单元格"}

# Elements Word sprinkles between the runs of typed text.
_NOISE = {w("proofErr"), w("bookmarkStart"), w("bookmarkEnd"), w("lastRenderedPageBreak")}
# Inline wrappers whose runs belong to the paragraph's text flow.
_WRAPPERS = {w("smartTag"), w("customXml")}
# Children of w:tcPr that come before w:vMerge (schema order).
_BEFORE_VMERGE = {w("cnfStyle"), w("tcW"), w("gridSpan"), w("hMerge")}
# Children of w:pPr that come before w:pageBreakBefore (schema order).
#: The paragraph properties that come before ``pageBreakBefore`` in the schema's order.
BEFORE_PAGE_BREAK = ("pStyle", "keepNext", "keepLines")
_BEFORE_PAGE_BREAK = {w(tag) for tag in BEFORE_PAGE_BREAK}


def page_breaker(prefix: str) -> str:
    """Return the XML of an empty, 1-pt paragraph that starts a new page (before a table,
    which cannot carry a page break itself)."""
    return (f"<{prefix}:p><{prefix}:pPr><{prefix}:pageBreakBefore/>"
            f'<{prefix}:spacing {prefix}:before="0" {prefix}:after="0" {prefix}:line="20" '
            f'{prefix}:lineRule="exact"/><{prefix}:rPr><{prefix}:sz {prefix}:val="2"/></{prefix}:rPr>'
            f"</{prefix}:pPr></{prefix}:p>")

# Typographic quotes and spaces Word's AutoCorrect puts into typed tags.
_TAG_CHARS = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "\u00a0": " ", "\u3000": " "})
_UNESCAPE = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&"))


def _position_after(parent: etree._Element, earlier: set[str]) -> int:
    """Return the index just after the last child of ``parent`` whose tag the
    schema orders before the element to insert (``earlier``)."""
    position = 0
    for index, child in enumerate(parent):
        if child.tag in earlier:
            position = index + 1
    return position


def _pi(text: str) -> etree._ProcessingInstruction:
    """Return our processing instruction carrying Jinja ``text``."""
    if "?>" in text:
        raise TemplateError(f"模板标签中不能出现“?>”：{text}")
    return etree.ProcessingInstruction(PI_TARGET, text)


def _text_of(run: etree._Element) -> str:
    """Return the text of a run's ``w:t`` elements."""
    return "".join(t.text or "" for t in run.iter(W_T))


def _is_text_run(node: etree._Element) -> bool:
    """Return whether ``node`` is a run holding nothing but formatting and text."""
    return node.tag == W_R and all(child.tag in (W_RPR, W_T) for child in node)


def _strip_noise(root: etree._Element) -> None:
    """Return nothing; drop proofing marks, bookmarks (they would repeat in a
    combined document) and rendered page breaks, and unwrap smart tags."""
    for node in list(root.iter(*_NOISE)):
        office.detach(node)
    for wrapper in list(root.iter(*_WRAPPERS)):
        parent = wrapper.getparent()
        if parent is None or parent.tag != W_P:
            continue
        index = parent.index(wrapper)
        for child in list(wrapper):
            if child.tag in (w("smartTagPr"), w("customXmlPr")):
                continue
            parent.insert(index, child)
            index += 1
        parent.remove(wrapper)


def _segments(paragraph: etree._Element) -> Iterable[list[etree._Element]]:
    """Return the maximal sequences of adjacent text runs of a paragraph."""
    current: list[etree._Element] = []
    for child in paragraph:
        if _is_text_run(child):
            current.append(child)
        else:
            if current:
                yield current
            current = []
    if current:
        yield current


def _join_runs(runs: list[etree._Element]) -> None:
    """Return nothing; join the runs each tag spans so that every tag sits in one ``w:t``."""
    texts = [_text_of(r) for r in runs]
    joined = "".join(texts)
    if "{" not in joined:
        return
    starts, offset = [], 0
    for text in texts:
        starts.append(offset)
        offset += len(text)

    def run_at(pos: int) -> int:
        """Return the index of the run holding character ``pos`` of ``joined``."""
        index = 0
        while index + 1 < len(starts) and starts[index + 1] <= pos:
            index += 1
        return index

    groups: list[list[int]] = []
    for match in TAG_RE.finditer(joined):
        first, last = run_at(match.start()), run_at(match.end() - 1)
        if groups and first <= groups[-1][1]:
            groups[-1][1] = max(groups[-1][1], last)
        else:
            groups.append([first, last])
    tagged = set()
    for first, last in groups:
        tagged.add(first)
        _set_text(runs[first], "".join(texts[first : last + 1]))
        for index in range(first + 1, last + 1):
            office.detach(runs[index])
    for index, run in enumerate(runs):
        tagged_run = index in tagged or "{" in texts[index]
        if tagged_run and run.getparent() is not None and len(run.findall(W_T)) > 1:
            _set_text(run, texts[index])


def _set_text(run: etree._Element, text: str) -> None:
    """Return nothing; give ``run`` exactly one ``w:t`` holding ``text``."""
    ts = run.findall(W_T)
    first = ts[0] if ts else etree.SubElement(run, W_T)
    for extra in ts[1:]:
        run.remove(extra)
    first.text = text
    first.set(XML_SPACE, "preserve")


class _Special(Struct):
    kind: str
    statement: str
    holder: etree._Element


def _find_specials(root: etree._Element) -> list[_Special]:
    """Return every structural tag of the part with its holder, in document order."""
    found: list[_Special] = []
    for t in root.iter(W_T):
        text = t.text or ""
        if "{%" not in text:
            continue
        for match in SPECIAL_RE.finditer(text):
            kind, statement = match.group(1), match.group(2).translate(_TAG_CHARS).strip()
            holder = _ancestor(t, W_TC if kind == "vm" else _HOLDER[kind])
            if holder is None:
                raise TemplateError(f"标签 {match.group(0)} 必须写在{_HOLDER_WORD[kind]}里")
            found.append(_Special(kind, statement, holder))
    return found


def _ancestor(node: etree._Element, tag: str) -> etree._Element | None:
    """Return the nearest ancestor of ``node`` named ``tag``, if any."""
    for parent in node.iterancestors(tag):
        return parent
    return None


def _apply_vm(root: etree._Element, specials: list[_Special], prefix: str) -> None:
    """Return nothing; turn each ``{%vm expr %}`` into the cell's text and a
    Jinja-chosen ``w:vMerge`` in the cell's properties."""
    for special in specials:
        if special.kind != "vm":
            continue
        expr = special.statement
        for t in special.holder.iter(W_T):
            if t.text and "{%vm" in t.text:
                t.text = SPECIAL_RE.sub(
                    lambda m: f"{{{{ ({m.group(2)})|sheetgen_vm_text }}}}" if m.group(1) == "vm" else m.group(0),
                    t.text,
                )
        tcpr = special.holder.find(W_TCPR)
        if tcpr is None:
            tcpr = etree.Element(W_TCPR)
            special.holder.insert(0, tcpr)
        for old in tcpr.findall(w("vMerge")):
            tcpr.remove(old)
        tcpr.insert(
            _position_after(tcpr, _BEFORE_VMERGE),
            _pi(
                f'{{% if ({expr}) is sheetgen_vm_start %}}<{prefix}:vMerge {prefix}:val="restart"/>'
                f"{{% else %}}<{prefix}:vMerge/>{{% endif %}}"
            ),
        )


def _replace_holders(specials: list[_Special]) -> None:
    """Return nothing; replace each paragraph/row/cell holding a structural tag by its statements."""
    holders = {s.holder for s in specials if s.kind != "vm"}
    statements: dict[etree._Element, list[str]] = {}
    for special in specials:
        if special.kind == "vm":
            continue
        outer = special.holder
        for ancestor in special.holder.iterancestors():
            if ancestor in holders:
                outer = ancestor
        statements.setdefault(outer, []).append(special.statement)
    for holder, stmts in statements.items():
        parent = holder.getparent()
        if parent is None:
            continue
        index = parent.index(holder)
        parent.remove(holder)
        for offset, stmt in enumerate(stmts):
            parent.insert(index + offset, _pi(f"{{% {stmt} %}}"))


def _is_ours(node: etree._Element) -> bool:
    """Return whether ``node`` is one of our processing instructions."""
    return isinstance(node, etree._ProcessingInstruction) and node.target == PI_TARGET


def _guard_cells(root: etree._Element, prefix: str) -> None:
    """Return nothing; keep cells whose paragraphs come from loops/conditions valid: a cell
    that ends up with no paragraph gets an empty one (Word needs one)."""
    for number, cell in enumerate(list(root.iter(W_TC))):
        if not any(_is_ours(child) for child in cell):
            continue
        flag = f"sheetgen_ns.c{number}"
        for child in list(cell):
            if child.tag == W_P:
                child.addprevious(_pi(f"{{% set {flag} = 1 %}}"))
        first = cell.find(W_TCPR)
        start = _pi(f"{{% set {flag} = 0 %}}")
        if first is not None:
            first.addnext(start)
        else:
            cell.insert(0, start)
        cell.append(_pi(f"{{% if not {flag} %}}<{prefix}:p/>{{% endif %}}"))


def _page_break_hooks(body: etree._Element, prefix: str) -> None:
    """Return nothing; let the first block a project renders start a new page when asked
    (``sheetgen_ns.page_break``), for the combined document of a unit."""
    take = "{% set sheetgen_ns.page_break = false %}"
    for block in list(body):
        if not isinstance(block.tag, str) or block.tag == W_SECTPR:
            continue
        if block.tag == W_P:
            ppr = block.find(W_PPR)
            if ppr is None:
                ppr = etree.Element(W_PPR)
                block.insert(0, ppr)
            existing = ppr.find(w("pageBreakBefore"))
            if existing is not None and existing.get(w("val"), "1") not in ("0", "false", "off"):
                block.addprevious(_pi(take))
                continue
            if existing is not None:
                ppr.remove(existing)
            ppr.insert(
                _position_after(ppr, _BEFORE_PAGE_BREAK),
                _pi(f"{{% if sheetgen_ns.page_break %}}{take}<{prefix}:pageBreakBefore/>{{% endif %}}"),
            )
        else:
            block.addprevious(_pi(f"{{% if sheetgen_ns.page_break %}}{take}{page_breaker(prefix)}{{% endif %}}"))


def _mark_tables(body: etree._Element) -> None:
    """Return nothing; put :data:`TABLE_MARK` … :data:`TABLE_END_MARK` around each table of the
    body and :data:`ROW_MARK` / :data:`CELL_MARK` before each of its rows and their cells."""
    for tbl in body.findall(W_TBL):
        tbl.addprevious(etree.ProcessingInstruction("sgt"))
        tbl.addnext(etree.ProcessingInstruction("sgT"))
        for tr in tbl.findall(W_TR):
            tr.addprevious(etree.ProcessingInstruction("sgr"))
            for tc in tr.findall(W_TC):
                tc.addprevious(etree.ProcessingInstruction("sgc"))


def word_prefix(root: etree._Element) -> str:
    """Return the namespace prefix the part uses for WordprocessingML."""
    for key, value in root.nsmap.items():
        if value == W and key:
            return key
    raise TemplateError("模板不是 WordprocessingML 文档（找不到 w: 命名空间）")


def has_tags(xml: bytes) -> bool:
    """Return whether a part's XML may contain template tags (possibly split over runs)."""
    return b"{" in xml


def prepare(root: etree._Element) -> str:
    """Return the prefix used, after rewriting ``root`` in place so that every
    tag sits in one ``w:t`` and structural tags became processing instructions."""
    prefix = word_prefix(root)
    _strip_noise(root)
    for paragraph in list(root.iter(W_P)):
        for runs in _segments(paragraph):
            if len(runs) > 1 or "{" in _text_of(runs[0]):
                _join_runs(runs)
    for t in root.iter(W_T):
        if t.text and "{" in t.text and TAG_RE.search(t.text):
            t.set(XML_SPACE, "preserve")
    specials = _find_specials(root)
    _apply_vm(root, specials, prefix)
    _replace_holders(specials)
    _guard_cells(root, prefix)
    return prefix


def _fix_tag(match: re.Match[str]) -> str:
    """Return a serialized tag unescaped, with typographic quotes made straight."""
    text = match.group(0)
    for entity, char in _UNESCAPE:
        text = text.replace(entity, char)
    return text.translate(_TAG_CHARS)


def to_jinja(xml: str, prefix: str) -> str:
    """Return Jinja source from serialized, prepared XML: tags unescaped,
    our processing instructions turned into statements, and a line break
    before every paragraph/row/statement so Jinja line numbers point near
    the offending place."""
    xml = re.sub(rf"(?=<{prefix}:(?:p|tr|tbl)[ >/])", "\n", xml)
    xml = _INLINE_TAG_RE.sub(_fix_tag, xml)
    return re.sub(rf"<\?{PI_TARGET} (.*?)\?>", r"\1", xml, flags=re.S)


class Split(Struct, frozen=True):
    """Jinja source of ``document.xml`` cut around the body's content."""

    head: str  # XML declaration … ``<w:body>``
    body: str  # the blocks of one project (Jinja)
    tail: str  # final ``w:sectPr`` … ``</w:document>``


def prepare_document(xml: bytes) -> Split:
    """Return the Jinja pieces of a template's ``word/document.xml``."""
    root = _parse(xml)
    body = root.find(W_BODY)
    if body is None:
        raise TemplateError("模板的 document.xml 没有 w:body")
    prefix = prepare(root)
    _page_break_hooks(body, prefix)
    _mark_tables(body)
    body.insert(0, etree.ProcessingInstruction(SPLIT_TARGET, "here"))
    sectpr = body.find(W_SECTPR)
    if sectpr is not None:
        sectpr.addprevious(etree.ProcessingInstruction(SPLIT_TARGET, "here"))
    else:
        body.append(etree.ProcessingInstruction(SPLIT_TARGET, "here"))
    text = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True).decode("utf-8")
    head, body_xml, tail = text.split(f"<?{SPLIT_TARGET} here?>")
    return Split(head=head, body=to_jinja(body_xml, prefix), tail=tail)


def prepare_part(xml: bytes) -> str:
    """Return the Jinja source of a header/footer part."""
    root = _parse(xml)
    prefix = prepare(root)
    text = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True).decode("utf-8")
    return to_jinja(text, prefix)


def _parse(xml: bytes) -> etree._Element:
    """Return the root of a part's XML (no entities, no network)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False)
    try:
        return etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise TemplateError(f"模板的 XML 无法解析：{exc}") from None
