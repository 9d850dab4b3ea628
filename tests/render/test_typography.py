"""Chinese typography of what sheetgen writes, as each jurisdiction's ``print:`` block says:
explicit faces on every Word run and in every Excel style (no theme fonts, which WPS
resolves its own way), zh-CN as the East Asian language, and amounts aligned alike
in both formats."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from lxml import etree

from sheetgen import jurisdiction as jurisdictions
from sheetgen.errors import JurisdictionError
from sheetgen.render.docx import compile_docx
from sheetgen.render.xlsx import compile_xlsx
from tests.render.conftest import DOCX_SHANGHAI, DOCX_TIANJIN, _project_from

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DATA = {"shanghai": DOCX_SHANGHAI, "tianjin": DOCX_TIANJIN}
JURISDICTIONS = ("shanghai", "tianjin")


def rendered(which: str, kind: str) -> bytes:
    jurisdiction = jurisdictions.load(which)
    template = compile_docx(jurisdiction) if kind == "docx" else compile_xlsx(jurisdiction)
    return template.render([_project_from(DATA[which])], jurisdiction)


def typography(which: str) -> dict:  # type: ignore[type-arg]
    return dict(jurisdictions.load(which).description["print"])


@pytest.mark.parametrize("which", JURISDICTIONS)
def test_every_word_run_names_its_faces(which: str) -> None:
    fonts = typography(which)["fonts"]
    with zipfile.ZipFile(io.BytesIO(rendered(which, "docx"))) as docx:
        document = etree.fromstring(docx.read("word/document.xml"))
        styles = docx.read("word/styles.xml").decode("utf-8")
        settings = docx.read("word/settings.xml").decode("utf-8")
        table = docx.read("word/fontTable.xml").decode("utf-8")
    runs = [r for r in document.iter(f"{W}r") if r.find(f"{W}t") is not None]
    assert runs
    for run in runs:
        faces = run.find(f"{W}rPr/{W}rFonts")
        assert faces is not None, etree.tostring(run, encoding="unicode")[:200]
        assert faces.get(f"{W}eastAsia") in (fonts["body"], fonts["title"])
        assert faces.get(f"{W}ascii") == faces.get(f"{W}hAnsi") == fonts["latin"]
    assert "Theme=" not in styles
    assert 'w:eastAsia="zh-CN"' in settings and "ja-JP" not in settings
    assert all(f'w:name="{face}"' in table for face in fonts.values())


@pytest.mark.parametrize("which", JURISDICTIONS)
def test_the_title_prints_in_the_title_face(which: str) -> None:
    title_face = typography(which)["fonts"]["title"]
    document = etree.fromstring(zipfile.ZipFile(io.BytesIO(rendered(which, "docx"))).read("word/document.xml"))
    faces = {r.find(f"{W}rPr/{W}rFonts").get(f"{W}eastAsia") for r in document.iter(f"{W}r")
             if "绩效目标表" in "".join(r.itertext())}
    styles = Document(io.BytesIO(rendered(which, "docx"))).styles
    heading = styles["Heading 1"].element.find(f"{W}rPr/{W}rFonts")
    assert title_face in faces or heading.get(f"{W}eastAsia") == title_face


@pytest.mark.parametrize("which", JURISDICTIONS)
def test_excel_styles_name_chinese_faces_without_theme_fonts(which: str) -> None:
    fonts = typography(which)["fonts"]
    styles = zipfile.ZipFile(io.BytesIO(rendered(which, "xlsx"))).read("xl/styles.xml").decode("utf-8")
    assert "<scheme" not in styles
    ws = openpyxl.load_workbook(io.BytesIO(rendered(which, "xlsx"))).active
    faces = {cell.font.name for row in ws.iter_rows() for cell in row if isinstance(cell.value, str)}
    assert faces <= {fonts["body"], fonts["title"]}
    assert ws["A1"].font.name == fonts["title"]
    body = next(cell for row in ws.iter_rows(min_row=4) for cell in row if cell.value and cell.font.name)
    assert body.font.name == fonts["body"] and body.font.charset == 134  # GB2312


@pytest.mark.parametrize("which", JURISDICTIONS)
def test_amounts_align_alike_in_word_and_excel(which: str) -> None:
    amounts = typography(which)["amounts"]
    expected = {"left": "left", "center": "center", "right": "right"}[amounts["align"]]
    ws = openpyxl.load_workbook(io.BytesIO(rendered(which, "xlsx"))).active
    money = [cell for row in ws.iter_rows() for cell in row if cell.data_type == "n" and cell.value]
    assert money
    for cell in money:
        assert cell.alignment.horizontal == expected
        if expected != "center":
            assert cell.alignment.indent >= 1  # padded from the border
    document = etree.fromstring(zipfile.ZipFile(io.BytesIO(rendered(which, "docx"))).read("word/document.xml"))
    total = "2,468,000" if which == "shanghai" else "26.50"
    paragraphs = [p for p in document.iter(f"{W}p") if "".join(p.itertext()) == total]
    assert paragraphs
    for paragraph in paragraphs:
        jc = paragraph.find(f"{W}pPr/{W}jc")
        assert (jc.get(f"{W}val") if jc is not None else "left") in ({"center": "center"}.get(expected, expected),)
        if expected == "right":
            assert int(paragraph.find(f"{W}pPr/{W}ind").get(f"{W}right")) > 0


def test_a_typo_in_the_print_block_is_reported_at_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "templates" / "shanghai"
    shutil.copytree(jurisdictions.builtin_dir() / "shanghai", folder)
    text = (folder / "jurisdiction.yaml").read_text(encoding="utf-8")
    (folder / "jurisdiction.yaml").write_text(text.replace("    latin: Times", "    latn: Times"), encoding="utf-8")
    with pytest.raises(JurisdictionError) as caught:
        jurisdictions.load("shanghai", [tmp_path / "templates"])
    assert "print.fonts.latn" in str(caught.value) and "jurisdiction.yaml:" in str(caught.value)
