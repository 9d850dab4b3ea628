"""The two built-in Word templates: page, fonts, borders, header row, footer,
labels as literal text -- and that a user's edit in Word changes the output."""

from __future__ import annotations

import importlib.util
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from docx.shared import Mm
from lxml import etree

from sheetgen import jurisdiction as jurisdictions
from sheetgen.jurisdiction import Jurisdiction
from sheetgen.model import Project
from sheetgen.render.docx import compile_docx

REPO = Path(__file__).resolve().parents[2]
NAMES = ["shanghai", "tianjin"]
Copy = Callable[[str], tuple[Path, Callable[[], Jurisdiction]]]
Make = Callable[..., Project]
Open = Callable[[bytes], DocumentObject]


def template(name: str) -> Path:
    return jurisdictions.load(name).template_path("docx")


def styles_xml(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("word/styles.xml"))


def all_text(doc: DocumentObject) -> str:
    return "".join(t.text or "" for t in doc.element.body.iter(qn("w:t")))


@pytest.mark.parametrize("name", NAMES)
def test_page_is_a4_portrait_with_margins(name: str) -> None:
    section = Document(str(template(name))).sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    for margin in (section.left_margin, section.right_margin, section.top_margin, section.bottom_margin):
        assert Mm(15) <= margin <= Mm(35)


@pytest.mark.parametrize("name", NAMES)
def test_east_asian_font_is_declared_in_styles(name: str) -> None:
    styles = styles_xml(template(name))
    fonts = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    assert fonts.get(qn("w:eastAsia")) in ("宋体", "仿宋", "仿宋_GB2312", "黑体")
    assert fonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would win over eastAsia
    for style_id in ("Normal", "Heading1"):
        style = styles.find(f"{qn('w:style')}[@{qn('w:styleId')}='{style_id}']")
        style_fonts = style.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        assert style_fonts is not None and style_fonts.get(qn("w:eastAsia"))
        assert style_fonts.get(qn("w:eastAsiaTheme")) is None


@pytest.mark.parametrize("name", NAMES)
def test_every_table_cell_has_borders(name: str) -> None:
    doc = Document(str(template(name)))
    assert doc.tables
    for table in doc.tables:
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        assert borders is not None
        sides = {child.tag.split("}")[1]: child.get(qn("w:val")) for child in borders}
        assert sides == dict.fromkeys(("top", "left", "bottom", "right", "insideH", "insideV"), "single")


@pytest.mark.parametrize("name", NAMES)
def test_indicator_header_row_repeats(name: str) -> None:
    table = Document(str(template(name))).tables[-1]
    first = table._tbl.tr_lst[0]
    assert first.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
    labels = jurisdictions.load(name).description["level_labels"]
    texts = [c.text for c in table.rows[0].cells]
    assert texts[:2] == [labels["level1"], labels["level2"]]
    assert texts[2:] == [c["label"] for c in jurisdictions.load(name).indicator_columns]


def test_only_shanghai_has_a_footer_as_only_its_source_does() -> None:
    """Seed 001 prints '- 1 -' under each Shanghai page; no Tianjin source prints a page number, so
    the Tianjin template (which every copied format starts from) carries no footer."""
    shanghai = compile_docx(jurisdictions.load("shanghai")).headers_footers()
    assert shanghai == [("页脚（word/footer1.xml）", "- {页码} -")]
    assert compile_docx(jurisdictions.load("tianjin")).headers_footers() == []
    assert not Document(str(template("tianjin"))).sections[0].footer.paragraphs[0].text


def test_shanghai_footer_has_page_number_between_dashes() -> None:
    footer = Document(str(template("shanghai"))).sections[0].footer
    paragraph = footer.paragraphs[0]._p
    instr = "".join(t.text or "" for t in paragraph.iter(qn("w:instrText")))
    assert instr.strip() == "PAGE"
    kinds = [f.get(qn("w:fldCharType")) for f in paragraph.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"]
    texts = [t.text for t in paragraph.iter(qn("w:t"))]
    assert texts[0] == "- " and texts[-1] == " -"


def test_shanghai_labels_are_literal_text() -> None:
    text = all_text(Document(str(template("shanghai"))))
    for label in (
        "财政项目支出绩效目标表", "申报单位名称：", "项目名称：", "项目类别：", "计划开始日期：", "计划完成日期：",
        "是否含有政府购买服务：", "绩效类型：", "项目概况：", "立项依据：", "项目设立的必要性：",
        "保证项目实施的制度、措施：", "项目实施计划：", "总目标及阶段性目标：", "本项目上年度市级财政资金使用情况",
        "项目总预算（元）：", "项目当年预算（元）：", "同名项目上年预算额（元）：", "同名项目上年预算执行数（元）：",
        "年绩效目标", "{%p if combined %}", "{%tr for row in rows %}", "{%vm row.level1 %}", "{%vm row.level2 %}",
    ):  # fmt: skip
        assert label in text, label


def test_tianjin_labels_are_literal_text() -> None:
    doc = Document(str(template("tianjin")))
    text = all_text(doc)
    for label in (
        "绩效目标表", "单位：万元", "项目名称", "预算规模及资金用途", "预算数", "其中：财政资金", "其他资金",
        "资金用途", "绩效目标", "{%p for t in project.targets %}", "{{ loop.index }}.{{ t }}",
        "{%tr for row in rows %}", "{{ row.description }}",
    ):  # fmt: skip
        assert label in text, label
    assert doc.paragraphs[0].style.name == "Heading 1"


def test_edited_copy_changes_the_output_without_code_changes(
    docx_copy_jurisdiction: Copy, docx_make_project: Make, docx_shanghai_data: dict[str, Any], docx_open: Open
) -> None:
    folder, load = docx_copy_jurisdiction("shanghai")
    doc = Document(str(folder / "table.docx"))
    fonts = doc.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    fonts.set(qn("w:eastAsia"), "仿宋")
    doc.styles["Normal"].element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    label = doc.tables[0].rows[0].cells[0].paragraphs[0].runs[0]
    assert label.text == "项目名称："
    label.text = "项目全称："
    doc.save(str(folder / "table.docx"))

    jurisdiction = load()
    assert jurisdiction.template_path("docx") == folder / "table.docx"
    data = compile_docx(jurisdiction).render([docx_make_project(docx_shanghai_data)], jurisdiction)
    out = docx_open(data)
    assert out.tables[0].rows[0].cells[0].text == "项目全称："
    assert out.tables[0].rows[0].cells[1].text == "办案及业务用房专项维修费"
    assert out.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert 'w:eastAsia="仿宋"' in archive.read("word/styles.xml").decode()


def test_generator_rebuilds_templates_that_render(
    tmp_path: Path, docx_make_project: Make, docx_tianjin_data: dict[str, Any], docx_open: Open
) -> None:
    spec = importlib.util.spec_from_file_location("make_docx_templates", REPO / "tools" / "make_docx_templates.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main([str(tmp_path)]) == 0
    first = (tmp_path / "tianjin" / "table.docx").read_bytes()
    assert module.main([str(tmp_path)]) == 0
    assert (tmp_path / "tianjin" / "table.docx").read_bytes() == first  # deterministic
    for name in NAMES:
        folder = tmp_path / name
        for extra in ("jurisdiction.yaml", "schema.yaml"):
            (folder / extra).write_bytes((jurisdictions.builtin_dir() / name / extra).read_bytes())
    jurisdiction = jurisdictions.load("tianjin", [tmp_path])
    data = compile_docx(jurisdiction).render([docx_make_project(docx_tianjin_data)], jurisdiction)
    assert docx_open(data).paragraphs[0].text.endswith("绩效目标表")
