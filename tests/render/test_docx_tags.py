"""Template preprocessing: tags Word split over runs, structural tags, errors.

Templates here are edited copies of the built-in ones or small documents made
with python-docx, as a user would make them in Word.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml import etree

from sheetgen.errors import TemplateError
from sheetgen.jurisdiction import Jurisdiction
from sheetgen.model import Project
from sheetgen.render import docx_tags
from sheetgen.render.docx import compile_docx

W = docx_tags.W
Copy = Callable[[str], tuple[Path, Callable[[], Jurisdiction]]]
Make = Callable[..., Project]
Open = Callable[[bytes], DocumentObject]


def text(node: etree._Element) -> str:
    """Return the text of the ``w:t`` elements under ``node``."""
    return "".join(t.text or "" for t in node.iter(qn("w:t")))


def render(project: Project, jurisdiction: Jurisdiction) -> bytes:
    return compile_docx(jurisdiction).render([project], jurisdiction)


def set_runs(paragraph: Paragraph, pieces: list[str], *, noise: bool = True) -> None:
    """Replace the paragraph's runs by ``pieces``, the first bold, with the
    proofErr/bookmark clutter Word puts between runs."""
    for run in list(paragraph.runs):
        run._r.getparent().remove(run._r)
    for index, text in enumerate(pieces):
        if noise and index:
            err = OxmlElement("w:proofErr")
            err.set(qn("w:type"), "spellStart")
            paragraph._p.append(err)
            mark = OxmlElement("w:bookmarkStart")
            mark.set(qn("w:id"), str(index))
            mark.set(qn("w:name"), f"_GoBack{index}")
            paragraph._p.append(mark)
        run = paragraph.add_run(text)
        run.bold = index == 0 or None
        if noise and index:
            end = OxmlElement("w:bookmarkEnd")
            end.set(qn("w:id"), str(index))
            paragraph._p.append(end)


def test_tag_split_over_runs_with_clutter_still_renders(
    docx_copy_jurisdiction: Copy, docx_make_project: Make, docx_tianjin_data: dict[str, Any], docx_open: Open
) -> None:
    folder, load = docx_copy_jurisdiction("tianjin")
    doc = Document(str(folder / "table.docx"))
    line = doc.paragraphs[1]
    assert line.text == "{{ project.unit.code }}{{ project.unit.name }}"
    set_runs(line, ["单位编码：", "{{ pro", "ject.unit.co", "de }}", "/", "{{ project.", "unit.name }}"])
    doc.save(str(folder / "table.docx"))
    out = docx_open(render(docx_make_project(docx_tianjin_data), load()))
    paragraph = out.paragraphs[1]
    assert paragraph.text == "单位编码：263101/天津市西青区人民检察院"
    # text outside tags keeps its own run and formatting
    assert paragraph.runs[0].text == "单位编码：" and paragraph.runs[0].bold
    assert not any(r.bold for r in paragraph.runs[1:])


def test_join_runs_on_raw_xml_keeps_first_run_formatting() -> None:
    xml = (
        f'<w:document xmlns:w="{W}"><w:body><w:p>'
        "<w:r><w:rPr><w:i/></w:rPr><w:t>{{ a</w:t></w:r><w:proofErr/>"
        "<w:r><w:rPr><w:b/></w:rPr><w:t>.b }}</w:t><w:t> tail</w:t></w:r>"
        "<w:r><w:rPr><w:u/></w:rPr><w:t>plain</w:t></w:r>"
        "</w:p><w:sectPr/></w:body></w:document>"
    ).encode()
    split = docx_tags.prepare_document(xml)
    runs = etree.fromstring(
        f'<w:x xmlns:w="{W}">{split.body.split("<w:p>", 1)[1].rsplit("</w:p>", 1)[0]}</w:x>'.encode()
    )
    runs = runs.findall(f"{{{W}}}r")
    texts = [("".join(r.itertext()), [c.tag.split("}")[1] for c in r.find(f"{{{W}}}rPr")]) for r in runs]
    assert texts == [("{{ a.b }} tail", ["i"]), ("plain", ["u"])]
    assert runs[0].find(f"{{{W}}}t").get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"


def test_unclosed_row_loop_is_a_template_error_naming_the_file(docx_copy_jurisdiction: Copy) -> None:
    folder, load = docx_copy_jurisdiction("shanghai")
    doc = Document(str(folder / "table.docx"))
    rows = doc.tables[-1]._tbl.tr_lst
    assert "{%tr endfor %}" in "".join(rows[-1].itertext())
    rows[-1].getparent().remove(rows[-1])
    doc.save(str(folder / "table.docx"))
    with pytest.raises(TemplateError) as error:
        compile_docx(load())
    message = str(error.value)
    assert str(folder / "table.docx") in message
    assert "endfor" in message and "语法错误" in message


def test_bad_expression_names_the_nearby_text(docx_copy_jurisdiction: Copy) -> None:
    folder, load = docx_copy_jurisdiction("shanghai")
    doc = Document(str(folder / "table.docx"))
    cell = doc.tables[0].rows[0].cells[1]
    cell.paragraphs[0].runs[0].text = "名称是{{ project.name + }}"
    doc.save(str(folder / "table.docx"))
    with pytest.raises(TemplateError, match="名称是") as error:
        compile_docx(load())
    assert "table.docx" in str(error.value)


def _custom(folder: Path, build: Callable[[DocumentObject], None]) -> None:
    doc = Document()
    build(doc)
    doc.save(str(folder / "table.docx"))


def test_cell_paragraph_and_row_tags(
    docx_copy_jurisdiction: Copy, docx_make_project: Make, docx_shanghai_data: dict[str, Any], docx_open: Open
) -> None:
    def build(doc: DocumentObject) -> None:
        doc.add_paragraph("{%p if project.year == “2020”|int %}")
        doc.add_paragraph("年度对了：{{ project.year }}")
        doc.add_paragraph("{%p else %}")
        doc.add_paragraph("年度不对")
        doc.add_paragraph("{%p endif %}")
        table = doc.add_table(rows=4, cols=3)
        tags = ["{%tc for n in [1, 2, 3] %}", "格{{ n }}", "{%tc endfor %}"]
        for cell, text in zip(table.rows[0].cells, tags, strict=True):
            cell.text = text
        table.rows[1].cells[0].text = "{%tr for row in rows if row.level1.text == '产出目标' %}"
        table.rows[2].cells[0].text = "{{ row.name }}"
        table.rows[2].cells[1].text = "{{ row.value }}"
        table.rows[3].cells[0].text = "{%tr endfor %}"

    folder, load = docx_copy_jurisdiction("shanghai")
    _custom(folder, build)
    out = docx_open(render(docx_make_project(docx_shanghai_data), load()))
    assert [p.text for p in out.paragraphs] == ["年度对了：2020"]
    table = out.tables[0]
    rows = table._tbl.tr_lst
    assert [text(tc) for tc in rows[0].tc_lst] == ["格1", "格2", "格3"]
    assert [[text(tc) for tc in tr.tc_lst][:2] for tr in rows[1:]] == [
        ["墙面、顶面粉刷完成率", "=100%"],
        ["工程验收合格率", "=100%"],
    ]


def test_tags_in_header_are_rendered(
    docx_copy_jurisdiction: Copy, docx_make_project: Make, docx_tianjin_data: dict[str, Any]
) -> None:
    folder, load = docx_copy_jurisdiction("tianjin")
    doc = Document(str(folder / "table.docx"))
    header = doc.sections[0].header
    set_runs(header.paragraphs[0], ["{{ project.unit", ".name }}·{{ project.year }}"])
    doc.save(str(folder / "table.docx"))
    data = render(docx_make_project(docx_tianjin_data), load())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = [n for n in archive.namelist() if n.startswith("word/header")]
        text = "".join("".join(etree.fromstring(archive.read(n)).itertext()) for n in names)
    assert "天津市西青区人民检察院·2025" in text


def test_vm_tag_outside_a_table_is_an_error(docx_copy_jurisdiction: Copy) -> None:
    folder, load = docx_copy_jurisdiction("shanghai")
    _custom(folder, lambda doc: doc.add_paragraph("{%vm row.level1 %}"))
    with pytest.raises(TemplateError, match="表格单元格"):
        compile_docx(load())


@pytest.mark.parametrize(
    "tag",
    ["{{ project.__class__ }}", "{{ rows.__class__.__mro__ }}", "{{ 1 / 0 }}", "{{ nothing_here }}"],
)
def test_unsafe_or_failing_expressions_are_template_errors(
    tag: str, docx_copy_jurisdiction: Copy, docx_make_project: Make, docx_shanghai_data: dict[str, Any]
) -> None:
    folder, load = docx_copy_jurisdiction("shanghai")
    _custom(folder, lambda doc: doc.add_paragraph(tag))
    with pytest.raises(TemplateError) as error:
        render(docx_make_project(docx_shanghai_data), load())
    assert "table.docx" in str(error.value) and "渲染失败" in str(error.value)


def test_typographic_quotes_in_tags_are_straightened(
    docx_copy_jurisdiction: Copy, docx_make_project: Make, docx_shanghai_data: dict[str, Any], docx_open: Open
) -> None:
    folder, load = docx_copy_jurisdiction("shanghai")
    _custom(folder, lambda doc: doc.add_paragraph("{{ “甲” ~ ‘乙’ if project.year > 2000 }}"))
    out = docx_open(render(docx_make_project(docx_shanghai_data), load()))
    assert out.paragraphs[0].text == "甲乙"
