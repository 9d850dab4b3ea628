"""Hostile or broken Word/Excel files: a clear Chinese ImportFormatError, never a traceback or a hang."""

from __future__ import annotations

import io
import os
import struct
import time
import zipfile
from pathlib import Path

import pytest

from sheetgen.cli import main
from sheetgen.errors import ImportFormatError
from sheetgen.importers import import_file
from sheetgen.importers.safety import MAX_PART
from tests.importers.office_helpers import TJ_COLUMNS, TJ_HEADER, TJ_ROWS, TJ_TITLE, as_sheet, make_xlsx, tianjin_docx

XXE = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>'
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b"]><lolz>&lol9;</lolz>"
)


def _repack(source: Path, target: Path, parts: dict[str, bytes], extra: dict[str, bytes] | None = None) -> Path:
    """Return ``target``: the package ``source`` with ``parts`` replaced and ``extra`` entries added."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, parts.get(info.filename, old.read(info.filename)))
        for name, data in (extra or {}).items():
            new.writestr(name, data)
    return target


@pytest.fixture
def good_docx(tmp_path: Path) -> Path:
    return tianjin_docx(tmp_path / "good.docx")


@pytest.fixture
def good_xlsx(tmp_path: Path) -> Path:
    rows, merges = as_sheet([*TJ_TITLE, (TJ_HEADER, []), ([TJ_COLUMNS, *TJ_ROWS], [])])
    return make_xlsx(tmp_path / "good.xlsx", {"项目": (rows, merges)})


def _refused(path: Path, *words: str) -> str:
    start = time.perf_counter()
    with pytest.raises(ImportFormatError) as caught:
        import_file(path)
    assert time.perf_counter() - start < 10
    message = str(caught.value)
    assert str(path) in message
    for word in words:
        assert word in message
    return message


def test_random_bytes_named_docx(tmp_path: Path) -> None:
    path = tmp_path / "random.docx"
    path.write_bytes(os.urandom(4096))
    _refused(path, "不是有效的 Word/Excel 文件")


def test_truncated_zip(tmp_path: Path, good_docx: Path) -> None:
    path = tmp_path / "cut.docx"
    path.write_bytes(good_docx.read_bytes()[:3000])
    _refused(path, "zip")


def test_old_binary_word_file(tmp_path: Path) -> None:
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000))
    _refused(path, "另存为 .docx/.xlsx")


def test_zip_bomb_part_is_refused_before_it_is_inflated(tmp_path: Path, good_docx: Path) -> None:
    bomb = b"<w:document/>" + b" " * (MAX_PART + 10)
    path = _repack(good_docx, tmp_path / "bomb.docx", {"word/document.xml": bomb})
    assert path.stat().st_size < 1_000_000
    _refused(path, "MB", "拒绝读取")


def test_zip_bomb_of_many_parts(tmp_path: Path, good_xlsx: Path) -> None:
    filler = {f"xl/media/pad{i}.bin": bytes(MAX_PART - 1) for i in range(4)}
    path = _repack(good_xlsx, tmp_path / "bomb.xlsx", {}, filler)
    _refused(path, "zip 炸弹")


def test_part_that_lies_about_its_size(tmp_path: Path, good_docx: Path) -> None:
    big = b"<w:document>" + b"a" * 5_000_000 + b"</w:document>"
    path = _repack(good_docx, tmp_path / "liar.docx", {"word/document.xml": big})
    blob = bytearray(path.read_bytes())
    name = b"word/document.xml"
    for signature, size_at in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        start = 0
        while (start := blob.find(signature, start)) >= 0:
            name_len = struct.unpack_from("<H", blob, start + (28 if signature == b"PK\x01\x02" else 26))[0]
            name_at = start + (46 if signature == b"PK\x01\x02" else 30)
            if bytes(blob[name_at : name_at + name_len]) == name:
                struct.pack_into("<I", blob, start + size_at, 100)
            start += 4
    path.write_bytes(bytes(blob))
    message = _refused(path)
    assert "已损坏" in message or "大小与声明不符" in message


@pytest.mark.parametrize("payload", [XXE, LAUGHS], ids=["external-entity", "billion-laughs"])
def test_docx_with_a_dtd_is_refused(tmp_path: Path, good_docx: Path, payload: bytes) -> None:
    path = _repack(good_docx, tmp_path / "dtd.docx", {"word/document.xml": payload})
    _refused(path, "DOCTYPE")


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/styles.xml"])
def test_xlsx_with_a_dtd_is_refused(tmp_path: Path, good_xlsx: Path, part: str) -> None:
    path = _repack(good_xlsx, tmp_path / "dtd.xlsx", {part: XXE})
    _refused(path, "DOCTYPE")


def test_utf16_part_with_a_dtd_is_refused(tmp_path: Path, good_docx: Path) -> None:
    payload = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d [<!ENTITY x "y">]><d>&x;</d>'.encode("utf-16")
    path = _repack(good_docx, tmp_path / "dtd16.docx", {"word/document.xml": payload})
    _refused(path, "DOCTYPE")


def test_deeply_nested_xml_is_refused(tmp_path: Path, good_docx: Path) -> None:
    deep = b"<a>" * 100_000 + b"</a>" * 100_000
    path = _repack(good_docx, tmp_path / "deep.docx", {"word/document.xml": deep})
    _refused(path, "XML")


@pytest.mark.parametrize("name", ["../evil.xml", "/etc/evil.xml", "word/../../evil.xml", "C:evil.xml"])
def test_path_traversing_entries_are_refused(tmp_path: Path, good_docx: Path, name: str) -> None:
    path = _repack(good_docx, tmp_path / "trav.docx", {}, {name: b"<x/>"})
    _refused(path, "不安全的部件路径")


def test_relationship_pointing_out_of_the_package_is_refused(tmp_path: Path, good_xlsx: Path) -> None:
    with zipfile.ZipFile(good_xlsx) as old:
        rels = old.read("xl/_rels/workbook.xml.rels").replace(b'Target="/xl/worksheets', b'Target="../../../etc')
        rels = rels.replace(b'Target="worksheets', b'Target="../../../etc')
    path = _repack(good_xlsx, tmp_path / "rel.xlsx", {"xl/_rels/workbook.xml.rels": rels})
    _refused(path, "不安全的部件路径")


def _sheet_xml(body: str, merges: str = "") -> bytes:
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    return f'<worksheet xmlns="{ns}"><sheetData>{body}</sheetData>{merges}</worksheet>'.encode()


def test_huge_sheet_is_refused(tmp_path: Path, good_xlsx: Path) -> None:
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>x</t></is></c></row>' for r in range(1, 20_002))
    path = _repack(good_xlsx, tmp_path / "huge.xlsx", {"xl/worksheets/sheet1.xml": _sheet_xml(rows)})
    _refused(path, "20000 行", "200 列")


def test_too_wide_sheet_is_refused(tmp_path: Path, good_xlsx: Path) -> None:
    body = '<row r="1"><c r="GT1" t="inlineStr"><is><t>x</t></is></c></row>'
    path = _repack(good_xlsx, tmp_path / "wide.xlsx", {"xl/worksheets/sheet1.xml": _sheet_xml(body)})
    _refused(path, "200 列")


def test_huge_merge_over_a_small_sheet_does_not_hang(tmp_path: Path, good_xlsx: Path) -> None:
    with zipfile.ZipFile(good_xlsx) as old:
        sheet = old.read("xl/worksheets/sheet1.xml")
    sheet = sheet.replace(
        b"</worksheet>", b'<mergeCells count="1"><mergeCell ref="F1:XFD1048576"/></mergeCells></worksheet>'
    )
    assert sheet.count(b"<mergeCell ") == 1
    path = _repack(good_xlsx, tmp_path / "merge.xlsx", {"xl/worksheets/sheet1.xml": sheet})
    start = time.perf_counter()
    result = import_file(path)
    assert time.perf_counter() - start < 10
    assert result.projects[0].data["name"] == "2025年测试项目"


def test_word_cell_spanning_too_many_columns_is_refused(tmp_path: Path, good_docx: Path) -> None:
    with zipfile.ZipFile(good_docx) as old:
        document = old.read("word/document.xml")
    document = document.replace(b"<w:tcPr>", b'<w:tcPr><w:gridSpan w:val="1000000"/>', 1)
    path = _repack(good_docx, tmp_path / "span.docx", {"word/document.xml": document})
    _refused(path, "200 列")


def test_package_that_is_neither_word_nor_excel(tmp_path: Path) -> None:
    path = tmp_path / "odd.docx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    path.write_bytes(buffer.getvalue())
    _refused(path, "正文部件")


def test_cli_reports_each_bad_file_and_imports_the_others(tmp_path: Path, good_docx: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.docx"
    bad.write_bytes(os.urandom(512))
    xxe = _repack(good_docx, tmp_path / "xxe.docx", {"word/document.xml": XXE})
    out = tmp_path / "out"
    code = main(["import", str(bad), str(xxe), str(good_docx), "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 1
    assert "bad.docx" in captured.out and "不是有效的 Word/Excel 文件" in captured.out
    assert "xxe.docx" in captured.out and "DOCTYPE" in captured.out
    assert "Traceback" not in captured.out + captured.err
    assert (out / "01-2025年测试项目.yaml").is_file()
