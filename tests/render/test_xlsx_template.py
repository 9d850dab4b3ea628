"""Compiling user-edited Excel templates: errors that name the file and cell,
shared strings, loops, horizontal merges in loop rows, kept print titles."""

from __future__ import annotations

import html
import io
import re
import sys
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from test_xlsx_support import SHANGHAI_TREE, project, reopen, shanghai, shanghai_header

from sheetgen import jurisdiction as jurisdictions
from sheetgen.errors import TemplateError
from sheetgen.jurisdiction import Jurisdiction
from sheetgen.render.xlsx import compile_xlsx

Cells = Mapping[str, object]


@pytest.fixture
def custom(tmp_path: Path) -> Callable[..., Jurisdiction]:
    """Return a factory: a jurisdiction ``custom`` extending Shanghai whose
    table.xlsx holds ``cells`` (and ``merges``); returns the jurisdiction."""

    def make(cells: Cells, merges: tuple[str, ...] = (), *, shared: bool = False, titles: str = "") -> Jurisdiction:
        folder = tmp_path / "templates" / "custom"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "jurisdiction.yaml").write_text("extends: shanghai\n", encoding="utf-8")
        wb = openpyxl.Workbook()
        ws = wb.active
        for ref, value in cells.items():
            ws[ref] = value
        for ref in merges:
            ws.merge_cells(ref)
        if titles:
            ws.print_title_rows = titles
        buffer = io.BytesIO()
        wb.save(buffer)
        blob = to_shared_strings(buffer.getvalue()) if shared else buffer.getvalue()
        (folder / "table.xlsx").write_bytes(blob)
        return jurisdictions.load("custom", jurisdictions.search_path([tmp_path / "templates"]))

    return make


def to_shared_strings(blob: bytes) -> bytes:
    """Return an openpyxl package rewritten to keep its text in a shared-string
    table, as Excel saves it (rich-text runs for the second string)."""
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    strings: list[str] = []

    def swap(match: re.Match[str]) -> str:
        strings.append(html.unescape(match.group(2)))
        return f'{match.group(1)} t="s"><v>{len(strings) - 1}</v></c>'

    sheet = re.sub(r'(<c r="[A-Z]+\d+"(?: s="\d+")?) t="inlineStr"><is><t>(.*?)</t></is></c>', swap, sheet)
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    items = []
    for index, text in enumerate(strings):
        if index == 1 and len(text) > 1:
            head, rest = escape(text[:1]), escape(text[1:])
            items.append(f"<si><r><t>{head}</t></r><r><rPr><b/></rPr><t>{rest}</t></r></si>")
        else:
            items.append(f"<si><t>{escape(text)}</t></si>")
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    parts["xl/sharedStrings.xml"] = (f'<sst xmlns="{ns}" count="{len(items)}">' + "".join(items) + "</sst>").encode()
    rels = (
        parts["xl/_rels/workbook.xml.rels"]
        .decode()
        .replace(
            "</Relationships>",
            '<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )
    )
    parts["xl/_rels/workbook.xml.rels"] = rels.encode()
    types = (
        parts["[Content_Types].xml"]
        .decode()
        .replace(
            "</Types>",
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sharedStrings+xml"/></Types>',
        )
    )
    parts["[Content_Types].xml"] = types.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


LOOP = {
    "A1": "{{ project.name }}",
    "A2": "一级",
    "A3": "{%tr for row in rows %}",
    "A4": "{%vm row.level1 %}",
    "B4": "{%vm row.level2 %}",
    "C4": "{{ row.name }}",
    "D4": "{{ row.value }}",
    "A5": "{%tr endfor %}",
    "A6": "合计：{{ rows | length }}",
}


def test_syntax_error_names_file_and_cell(custom) -> None:
    jur = custom({"A1": "ok", "B2": "{{ project.name "})
    with pytest.raises(TemplateError) as info:
        compile_xlsx(jur)
    message = str(info.value)
    assert str(jur.template_path("xlsx")) in message
    assert "B2" in message


def test_bad_expression_names_the_cell(custom) -> None:
    with pytest.raises(TemplateError, match=r"C3"):
        compile_xlsx(custom({"C3": "{{ 1 + }}"}))


def test_unclosed_loop(custom) -> None:
    cells = {k: v for k, v in LOOP.items() if k != "A5"}
    with pytest.raises(TemplateError, match=r"A3.*未闭合"):
        compile_xlsx(custom(cells))


def test_endfor_without_for(custom) -> None:
    with pytest.raises(TemplateError, match=r"A2"):
        compile_xlsx(custom({"A1": "x", "A2": "{%tr endfor %}"}))


def test_conditional_rows_must_be_closed_in_order(custom) -> None:
    with pytest.raises(TemplateError, match=r"A3.*endif %} 没有对应的 \{%tr if"):
        compile_xlsx(custom({"A1": "{%tr for row in rows %}", "A2": "{{ row.name }}", "A3": "{%tr endif %}"}))
    with pytest.raises(TemplateError, match=r"A1.*else … %} 不在"):
        compile_xlsx(custom({"A1": "{%tr else %}", "A2": "x"}))
    with pytest.raises(TemplateError, match=r"A1.*if … %} 没有对应的 \{%tr endif"):
        compile_xlsx(custom({"A1": "{%tr if combined %}", "A2": "x"}))


def test_vm_outside_a_loop(custom) -> None:
    with pytest.raises(TemplateError, match=r"B1"):
        compile_xlsx(custom({"B1": "{%vm row.level1 %}"}))


def test_tag_inside_text_is_refused(custom) -> None:
    with pytest.raises(TemplateError, match=r"A1"):
        compile_xlsx(custom({"A1": "x {%vm row.level1 %}"}))


def test_merge_hiding_a_loop_marker_or_leaving_a_loop_from_inside(custom) -> None:
    with pytest.raises(TemplateError, match=r"A5.*没有对应的.*合并单元格时盖掉了它"):  # merging dropped A3's text
        compile_xlsx(custom(LOOP, ("A2:A4",)))
    with pytest.raises(TemplateError, match=r"C4:C6.*循环里面开始"):
        compile_xlsx(custom(LOOP, ("C4:C6",)))


def test_render_error_names_the_cell(custom) -> None:
    jur = custom({"A1": "{{ project.name.nope() }}"})
    template = compile_xlsx(jur)
    with pytest.raises(TemplateError, match=r"A1"):
        template.render([shanghai()], jur)


def test_sandbox_blocks_internals(custom) -> None:
    jur = custom({"A1": "{{ project.__class__.__mro__ }}"})
    with pytest.raises(TemplateError, match=r"A1.*project.__class__"):  # as in Word: an error, not a blank
        compile_xlsx(jur).render([shanghai()], jur)


@pytest.mark.parametrize("shared", [False, True])
def test_loop_rows_repeat_and_markers_vanish(custom, shared: bool) -> None:
    jur = custom(LOOP, shared=shared)
    item = shanghai()
    ws = reopen(compile_xlsx(jur).render([item], jur)).active
    rows = list(item.iter_rows())
    assert ws["A1"].value == item.name
    assert ws["A2"].value == "一级"
    assert [ws[f"C{3 + i}"].value for i in range(len(rows))] == [r.name for r in rows]
    assert ws[f"A{3 + len(rows)}"].value == f"合计：{len(rows)}"
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any("{%" in t for t in texts)


def test_template_merges_below_a_loop_move_with_their_rows(custom) -> None:
    jur = custom(LOOP, ("A6:D6", "A1:D1"))
    item = shanghai()
    ws = reopen(compile_xlsx(jur).render([item], jur)).active
    last = 3 + len(list(item.iter_rows()))
    ranges = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:D1", f"A{last}:D{last}"} <= ranges
    assert ws[f"A{last}"].value.startswith("合计")


def test_horizontal_merge_in_a_loop_row_repeats(custom) -> None:
    cells = dict(LOOP)
    cells.pop("D4")
    cells["E4"] = "{{ row.value }}"
    jur = custom(cells, ("C4:D4",))
    item = project(shanghai_header(), SHANGHAI_TREE)
    ws = reopen(compile_xlsx(jur).render([item], jur)).active
    count = len(list(item.iter_rows()))
    ranges = {str(r) for r in ws.merged_cells.ranges}
    assert {f"C{3 + i}:D{3 + i}" for i in range(count)} <= ranges
    assert ws["E3"].value == "合理"


def test_vm_cell_merged_across_columns(custom) -> None:
    cells = {
        "A1": "{%tr for row in rows %}",
        "A2": "{%vm row.level1 %}",
        "C2": "{{ row.name }}",
        "A3": "{%tr endfor %}",
    }
    jur = custom(cells, ("A2:B2",))
    item = project(shanghai_header(), {"a": {"g": {"x": "1", "y": "2"}}, "b": {"h": {"z": "3"}}})
    ws = reopen(compile_xlsx(jur).render([item], jur)).active
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:B2", "A3:B3"}


def test_template_print_titles_are_kept(custom) -> None:
    cells = {
        "A1": "标题",
        "A2": "表头",
        "A3": "说明",
        "A4": "{%tr for row in rows %}",
        "A5": "{{ row.name }}",
        "A6": "{%tr endfor %}",
    }
    ws = reopen(compile_xlsx(custom(cells, titles="2:2")).render([shanghai()], custom(cells, titles="2:2"))).active
    assert ws.print_title_rows == "$2:$2"
    default = reopen(compile_xlsx(custom(cells)).render([shanghai()], custom(cells))).active
    assert default.print_title_rows == "$3:$3"  # the row above the loop


def test_loop_variable_and_typed_int(custom) -> None:
    cells = {"A1": "{%tr for row in rows %}", "A2": "{{ loop.index }}", "B2": "{{ row.name }}", "A3": "{%tr endfor %}"}
    jur = custom(cells)
    ws = reopen(compile_xlsx(jur).render([shanghai()], jur)).active
    assert [ws[f"A{i}"].value for i in (1, 2, 3)] == [1, 2, 3]
    assert ws["A1"].data_type == "n"


def test_compiled_once_renders_many(custom) -> None:
    jur = custom(LOOP)
    template = compile_xlsx(jur)
    first = template.render([shanghai()], jur)
    assert template.render([shanghai(name="别的")], jur) != first
    assert template.render([shanghai()], jur) == first



def test_render_error_in_a_unit_workbook_names_the_project(custom) -> None:
    jur = custom({"A1": "{{ project.name.nope() if project.name == '乙' else project.name }}"})
    first = project(shanghai_header(), SHANGHAI_TREE, number=1, key="specs/u/01-a.yaml")
    second = project(shanghai_header(name="乙"), SHANGHAI_TREE, number=2, key="specs/u/02-b.yaml")
    with pytest.raises(TemplateError, match=r"A1") as caught:
        compile_xlsx(jur).render([first, second], jur)
    assert "（项目 specs/u/02-b.yaml）" in str(caught.value)
