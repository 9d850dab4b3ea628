"""The rendered Word body is cut at its markers in one scan (:func:`docx_pages._tokens`), its
tables cut into rows and cells from those pieces; a table of unusual shape is cut by its text
instead, as before -- both ways must give the same table.  A table's XML, once written with
its page breaks, is kept (encoded) for the next document breaking it alike, and a combined
document's bookmark goes into its parts as it would into the whole text.  Values print as
:func:`sheetgen.render.docx.word_text` makes them, the usual ones without it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from sheetgen.jurisdiction import Jurisdiction
from sheetgen.render import docx as docx_render
from sheetgen.render import docx_pages
from sheetgen.render.context import format_value
from sheetgen.render.docx import compile_docx
from sheetgen.render.docx_pages import COMBINED_END, COMBINED_START, Pager, _joined, _Table, _tokens, paragraphs
from sheetgen.render.docx_tags import CELL_MARK, ROW_MARK, TABLE_END_MARK, TABLE_MARK, W

HEAD = ('<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="dxa"/></w:tblPr>'
        '<w:tblGrid><w:gridCol w:w="2000"/><w:gridCol w:w="3000"/></w:tblGrid>')


def _pager() -> Pager:
    return Pager(None, "", "w", {"w": W})


def _cell(text: str, merge: str = "") -> str:
    props = f'<w:vMerge w:val="{merge}"/>' if merge == "restart" else "<w:vMerge/>" if merge else ""
    return f"<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def _row(*cells: str, header: bool = False) -> str:
    props = "<w:trPr><w:tblHeader/></w:trPr>" if header else ""
    return ROW_MARK + "<w:tr>" + props + "".join(CELL_MARK + c for c in cells) + "</w:tr>\n"


def _table(*rows: str, head: str = HEAD) -> str:
    return TABLE_MARK + head + "".join(rows) + "</w:tbl>" + TABLE_END_MARK


ORDINARY = _table(_row(_cell("一级"), _cell("二级"), header=True),
                  _row(_cell("投入", "restart"), _cell("指标1")),
                  _row(_cell("", "continue"), _cell("指标2")),
                  _row(_cell("产出"), _cell("很长的指标" * 20)))
NESTED = _cell("<w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl>")
UNUSUAL = {
    "no rows": TABLE_MARK + HEAD + "</w:tbl>" + TABLE_END_MARK,
    "a cell marker before the first row": TABLE_MARK + HEAD + CELL_MARK + _row(_cell("a")) + "</w:tbl>",
    "a row's closing tag in an earlier cell": _table(_row(_cell("a")), ROW_MARK + "<w:tr>" + CELL_MARK + NESTED
                                                     + CELL_MARK + "<w:tc/>", _row(_cell("b"))),
    "the table's closing tag in an earlier cell": TABLE_MARK + HEAD + _row(NESTED, "<w:tc/>").replace("</w:tr>\n", ""),
    "no closing tags": TABLE_MARK + HEAD + ROW_MARK + "<w:tr>" + CELL_MARK + "<w:tc/>",
    "another processing instruction": _table(_row(_cell("a<?sgx ?>b"), _cell("<?sg?>")), _row(_cell("c"))),
    "no end marker": TABLE_MARK + HEAD + _row(_cell("a")) + "</w:tbl>",
}


def _tables_both_ways(pager: Pager, body: str) -> list[tuple[_Table, _Table]]:
    """Return each top-level table of ``body`` cut from its pieces and cut by its text."""
    kinds, texts = _tokens(body)
    out = []
    for start, kind in enumerate(kinds):
        if kind == "t":
            end = start + 1
            while end < len(kinds) and kinds[end] not in "tT":
                end += 1
            slow = pager._table_of_text(_joined(kinds, texts, start, end))
            out.append((pager._table(kinds, texts, start, end), slow))
    return out


def test_tokens_give_the_body_back() -> None:
    body = "<w:p/>" + ORDINARY + "<?sgx ?>" + COMBINED_START + "<w:p/>" + COMBINED_END + "<?sg"
    kinds, texts = _tokens(body)
    assert kinds == ["", "t", "r", "c", "c", "r", "c", "c", "r", "c", "c", "r", "c", "c", "T", "k", "K"]
    assert _joined(kinds, texts, 0, len(kinds)) == body
    assert texts[-2:] == ["<w:p/>", "<?sg"]


_MARKERS = (TABLE_MARK, TABLE_END_MARK, ROW_MARK, CELL_MARK, COMBINED_START, COMBINED_END)


@given(st.lists(st.sampled_from([*_MARKERS, "<?sg", " ?>", "<?sgx ?>", "t", "c ?", "<", "?", "<w:p/>", "中文"]),
                max_size=30))
def test_tokens_cut_at_every_marker_and_nowhere_else(fragments: list[str]) -> None:
    body = "".join(fragments)
    kinds, texts = _tokens(body)
    assert len(kinds) == len(texts) and kinds[0] == ""
    assert _joined(kinds, texts, 0, len(kinds)) == body
    assert not any(mark in text for text in texts for mark in _MARKERS)


@given(st.lists(st.sampled_from(["<w:p>", "<w:p/>", "<w:p ", "</w:p>", "<w:pPr>", "<w:p/x>", "/>", "/", ">", "<",
                                  " ", "\n", "\u3000", 'w:rsidR="00A1"', "<w:r><w:t>文字</w:t></w:r>", "<x:p>"]),
                max_size=25))
def test_paragraphs_are_found_as_the_pattern_finds_them(fragments: list[str]) -> None:
    xml = "".join(fragments)
    assert paragraphs(xml, "<w:p", "</w:p>") == _pager()._para.findall(xml)


@given(st.lists(st.sampled_from(["<w:pPr>", "<w:pPr/>", "<w:pPr ", "</w:pPr>", "<w:pPrChange>", "<w:jc/>", "/>", ">",
                                  " ", "<w:r><w:t>字</w:t></w:r>"]), max_size=12))
def test_paragraph_properties_end_where_the_pattern_ends_them(fragments: list[str]) -> None:
    xml = "<w:p>" + "".join(fragments)
    pager = _pager()
    match = pager._ppr.match(xml, 5)
    assert pager._properties_end(xml, 5) == (match.end() if match else 5)


#: The shapes cut by their text even on the way from the pieces.
BY_TEXT = {"no rows", "a cell marker before the first row", "a row's closing tag in an earlier cell",
           "the table's closing tag in an earlier cell"}


@pytest.mark.parametrize("name", ["ordinary", *UNUSUAL])
def test_a_table_cut_from_its_pieces_is_the_table_cut_by_its_text(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    body = "<w:p/>" + (ORDINARY if name == "ordinary" else UNUSUAL[name]) + "<w:p/>"
    by_text: list[str] = []
    cut = Pager._table_of_text
    monkeypatch.setattr(Pager, "_table_of_text", lambda self, xml: by_text.append(xml) or cut(self, xml))
    pairs = _tables_both_ways(_pager(), body)
    assert len(pairs) == 1 and len(by_text) == (2 if name in BY_TEXT else 1)  # (+1: the slow way itself)
    fast, slow = pairs[0]
    assert fast == slow
    assert not any(mark in fast.head + fast.tail + "".join(r.xml() for r in fast.rows)
                   for mark in (ROW_MARK, CELL_MARK))


def test_an_ordinary_table_is_measured() -> None:
    table = _tables_both_ways(_pager(), ORDINARY)[0][0]
    assert table.header == 1 and len(table.rows) == 4
    assert table.merges == [(0, 1, 2)] and table.heights[3] > table.heights[1]


@pytest.mark.parametrize("which", ["shanghai", "tianjin"])
def test_rendered_tables_cut_alike(which: str, request: pytest.FixtureRequest, docx_make_project: Any) -> None:
    jurisdiction = request.getfixturevalue(f"docx_{which}")
    project = docx_make_project(request.getfixturevalue(f"docx_{which}_data"))
    template = compile_docx(jurisdiction)
    body = template._body.render(template._context(project, jurisdiction, True, 0, paged=False), project.key)
    pairs = _tables_both_ways(template._pager, body)
    assert pairs and all(fast == slow for fast, slow in pairs)


@pytest.mark.parametrize("where", ["table", "paragraph"])
def test_a_combined_part_inside_a_block_cannot_be_placed(where: str) -> None:
    pager = _pager()
    if where == "table":
        body = ORDINARY.replace(CELL_MARK, CELL_MARK + COMBINED_START, 1) + COMBINED_END
    else:
        body = f"<w:p><w:r><w:t>a</w:t></w:r>{COMBINED_START}</w:p>{COMBINED_END}"
    layout = pager.lay_out(body)
    assert not layout.whole and pager.place(layout) is None
    assert pager.lay_out(COMBINED_START + "<w:p/>" + COMBINED_END + ORDINARY).whole


def test_a_table_written_with_its_breaks_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    pager = _pager()
    table = pager.lay_out(ORDINARY).blocks[0]
    assert isinstance(table, _Table)
    first = pager._write(table, breaks=[2])
    assert ROW_MARK.encode() not in first and first.count(b"<w:tbl>") == 2
    monkeypatch.setattr(Pager, "_table_xml", lambda *_: pytest.fail("written again"))
    assert pager._write(table, breaks=[2]) is first
    monkeypatch.undo()
    for breaks in range(1, 2 * docx_pages._WRITTEN_LIMIT):
        pager._write(table, breaks=[breaks])
    assert len(table.written) <= docx_pages._WRITTEN_LIMIT
    plain = ORDINARY[len(TABLE_MARK) : -len(TABLE_END_MARK)].replace(ROW_MARK, "").replace(CELL_MARK, "")
    assert pager._write(table).decode() == plain


PARAGRAPH = '<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:t>标题</w:t></w:r></w:p>'
BODIES = {
    "a paragraph first": "\n" + PARAGRAPH + ORDINARY + PARAGRAPH,
    "an empty paragraph first": "<w:p/>" + PARAGRAPH + ORDINARY,
    "a table first": ORDINARY + PARAGRAPH,
    "markup before the first paragraph": "<w:bookmarkStart/>" + PARAGRAPH,
    "no paragraph": "<w:sectPr/>",
}


@pytest.mark.parametrize("name", BODIES)
@pytest.mark.parametrize("page_break", [False, True])
def test_a_bookmark_in_the_parts_is_the_bookmark_in_the_text(name: str, page_break: bool) -> None:
    pager = _pager()
    placed = pager.place(pager.lay_out(BODIES[name]), page_break=page_break)
    if placed is None:
        assert page_break and name in ("markup before the first paragraph", "no paragraph")
        return
    marked = pager.bookmark(placed, "sg_project_1", 1)
    assert marked.pages == placed.pages
    assert marked.xml() == pager.bookmark_text(placed.xml(), "sg_project_1", 1)
    assert ("sg_project_1" in marked.xml()) == (name != "no paragraph")
    if name == "a paragraph first" or page_break:  # the quick way: the parts but the first paragraph kept
        assert len(marked.parts) == len(placed.parts) and marked.parts[-1] is placed.parts[-1]


VALUES = ["", "项目名称", "a < b & c > d", "\"引号\" 'x'", "两行\n文字", "制表\t符", "a\r\nb", "无效\x01字符",
          "全角\u3000空格", "不换行\u00a0空格", "\ufffe", Decimal("1234.5"), None, True, 3, ["一", "二<"],
          dt.date(2024, 1, 2), Markup("<w:br/>")]


@pytest.mark.parametrize("value", VALUES, ids=repr)
@pytest.mark.parametrize("escaping", ["{{ v }}", "{% autoescape false %}{{ v }}{% endautoescape %}"])
def test_values_print_as_word_text_makes_them(value: Any, escaping: str, docx_shanghai: Jurisdiction) -> None:
    """A plain one-line string is left to the output's escaping (the usual case, fast): every
    value prints exactly as :func:`word_text` of its text, escaped even where a template turns
    autoescaping off."""
    env = docx_render._environment("w")
    printed = env.from_string(escaping).render(v=value, sheetgen_jurisdiction=docx_shanghai)
    expected = value if isinstance(value, Markup) else docx_render.word_text(format_value(value, docx_shanghai))
    assert printed == str(expected)


def _margins_along(root: Any, style_id: str, seen: tuple[str, ...] = ()) -> tuple[float, ...]:
    """Return a table style's cell margins read straight from styles.xml: its own
    w:tblCellMar over its basedOn style's, as Word inherits them."""
    w = docx_pages.w
    node = next((s for s in root.iter(w("style")) if s.get(w("styleId")) == style_id), None)
    if node is None or style_id in seen:
        return (0.0, 0.0, 5.4, 5.4)
    parent = node.find(w("basedOn"))
    inherited = (_margins_along(root, parent.get(w("val"), ""), (*seen, style_id)) if parent is not None
                 else (0.0, 0.0, 5.4, 5.4))
    return docx_pages.cell_margins(node.find(f"{w('tblPr')}/{w('tblCellMar')}"), inherited)  # type: ignore[arg-type]


def _style(style_id: str, kind: str = "table", based: str | None = None, margins: str = "",
           default: bool = False) -> str:
    on = f'<w:basedOn w:val="{based}"/>' if based is not None else ""
    mar = f"<w:tblPr><w:tblCellMar>{margins}</w:tblCellMar></w:tblPr>" if margins else ""
    flag = ' w:default="1"' if default else ""
    return f'<w:style w:type="{kind}"{flag} w:styleId="{style_id}">{on}{mar}</w:style>'


CHAINED = (f'<w:styles xmlns:w="{W}">'
           + _style("Normal", "paragraph", default=True)
           + _style("Plain", default=True, margins='<w:left w:w="100" w:type="dxa"/><w:right w:w="100" w:type="dxa"/>')
           + _style("Grid", based="Plain", margins='<w:top w:w="40" w:type="dxa"/><w:start w:w="60" w:type="dxa"/>')
           + _style("GridPct", based="Grid", margins='<w:top w:w="50" w:type="pct"/>')
           + _style("ThroughPara", based="Para")
           + _style("Para", "paragraph", based="Grid", margins='<w:bottom w:w="20" w:type="dxa"/>')
           + _style("Loop1", based="Loop2", margins='<w:top w:w="10" w:type="dxa"/>')
           + _style("Loop2", based="Loop1", margins='<w:bottom w:w="30" w:type="dxa"/>')
           + _style("Orphan", based="Missing")
           + _style("Empty", based="")
           + "</w:styles>").encode()


#: The same styles written another way: with another prefix (nothing is cut out to be read
#: later), and with a table style inside an element that declares a prefix the style uses (it
#: cannot be read alone: the whole part is read then).
OTHER_PREFIX = CHAINED.replace(b"w:", b"x:").replace(b"xmlns:w=", b"xmlns:x=")
NESTED_PREFIX = CHAINED.replace(_style("Grid", based="Plain", margins='<w:top w:w="40" w:type="dxa"/>'
                                       '<w:start w:w="60" w:type="dxa"/>').encode(),
                                b'<q:wrap xmlns:q="urn:q">' + _style("Grid", based="Plain", margins='<w:top w:w="40" '
                                'w:type="dxa"/><w:start w:w="60" w:type="dxa"/>').encode().replace(
                                    b"</w:style>", b"<q:thing/></w:style>") + b"</q:wrap>")


@pytest.mark.parametrize("styles_xml", [CHAINED, OTHER_PREFIX, NESTED_PREFIX, "shanghai", "tianjin"])
def test_table_styles_give_the_margins_their_chain_sets(styles_xml: bytes | str) -> None:
    import zipfile

    from lxml import etree

    from sheetgen.jurisdiction.folders import builtin_dir

    if isinstance(styles_xml, str):  # a built-in template's (Word's 100 table styles)
        styles_xml = zipfile.ZipFile(builtin_dir() / styles_xml / "table.docx").read("word/styles.xml")
    root = etree.fromstring(styles_xml)
    w = docx_pages.w
    styles = docx_pages.read_styles(styles_xml)
    tables = [s.get(w("styleId")) for s in root.iter(w("style")) if s.get(w("type")) == "table"]
    assert styles.tables == set(tables)
    assert [styles.table_margins(t) for t in tables] == [_margins_along(root, t) for t in tables]
    assert styles.table_margins("") == _margins_along(root, styles.default_table)
    assert styles.table_margins("Para") == styles.table_margins("no such style") == (0.0, 0.0, 5.4, 5.4)
    if not isinstance(styles_xml, str) and b"<q:thing/>" in styles_xml:
        assert b"<q:thing/>" in styles_xml and styles.table_margins("Grid") == (2.0, 0.0, 3.0, 5.0)
    if styles_xml in (CHAINED, OTHER_PREFIX, NESTED_PREFIX):
        assert styles.table_margins("GridPct") == (2.0, 0.0, 3.0, 5.0)  # top 40 twips; start 60; right 100
        assert styles.table_margins("ThroughPara") == (2.0, 1.0, 3.0, 5.0)
        assert len(tables) == 8 and styles.default_table == "Plain"


def test_a_style_id_written_twice_is_the_last_one_as_before() -> None:
    """Two table styles of one id: the part is read whole, and the later one counts."""
    twice = CHAINED.replace(b"</w:styles>", _style("Grid", based="Plain", margins='<w:top w:w="200" w:type="dxa"/>')
                            .encode() + b"</w:styles>")
    for xml in (twice, twice.replace(b'w:type="table" w:styleId="Grid"', b'w:type="paragraph" w:styleId="Grid"', 1)):
        styles = docx_pages.read_styles(xml)
        assert styles.table_margins("Grid") == (10.0, 0.0, 5.0, 5.0)  # the later Grid: top 200 twips over Plain's sides
        assert styles.table_margins("GridPct") == (10.0, 0.0, 5.0, 5.0)
