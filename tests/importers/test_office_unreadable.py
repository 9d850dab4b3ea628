"""Word/Excel files sheetgen cannot read as they are: it says why and what to do, in Chinese.

A password-protected .xlsx/.docx is not a zip but an OLE compound file holding the streams
``EncryptionInfo`` and ``EncryptedPackage`` (ECMA-376 encryption, written the same way by Excel,
Word and WPS); a table inside a text box, or a whole table inside a cell of another one, is no
table of the body.  Each gets a message saying so instead of "not a zip" or a project whose
项目名称 is the whole table text.
"""

from __future__ import annotations

import struct
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml

from sheetgen.cli import main
from sheetgen.errors import ImportFormatError
from sheetgen.importers import import_file
from tests.importers.office_helpers import TJ_ROWS, TJ_TITLE, make_docx, tianjin_docx

SECTOR = 512
FREE, END, FAT_SECTOR = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def compound_file(streams: dict[str, bytes]) -> bytes:
    """Return an OLE compound file (CFB version 3, [MS-CFB]) holding ``streams`` at its root.

    Each stream is padded with zeros to at least 4096 bytes, the mini-stream cutoff, so that all
    live in regular sectors: sector 0 is the FAT, sector 1 the directory, then the streams.
    """
    names = list(streams)
    assert len(names) <= 3
    data = [streams[name].ljust(4096, b"\0") for name in names]
    fat = [FAT_SECTOR, END]
    starts = []
    for blob in data:
        count = len(blob) // SECTOR
        first = len(fat)
        starts.append(first)
        fat += [first + i + 1 for i in range(count - 1)] + [END]
    fat += [FREE] * (SECTOR // 4 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        return (encoded.ljust(64, b"\0") + struct.pack("<HBBIII", len(encoded), kind, 1, FREE, right, child)
                + bytes(16) + struct.pack("<IQQIQ", 0, 0, 0, start, size))

    # Directory: the root's child is the first stream, each stream's right sibling the next one
    # (names sorted as [MS-CFB] compares them: by length, then upper-cased).
    order = sorted(range(len(names)), key=lambda i: (len(names[i]), names[i].upper()))
    directory = entry("Root Entry", 5, order[0] + 1 if names else FREE, FREE, END, 0)
    for index, name in enumerate(names):  # entries in the order of ``names``; siblings point by index
        position = order.index(index)
        right = order[position + 1] + 1 if position + 1 < len(order) else FREE
        directory += entry(name, 2, FREE, right, starts[index], len(data[index]))
    directory = directory.ljust(SECTOR, b"\0")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + bytes(6) + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END, 0, END, 0)
              + struct.pack("<I", 0) + struct.pack("<I", FREE) * 108)
    assert len(header) == SECTOR
    return header + struct.pack(f"<{SECTOR // 4}I", *fat) + directory + b"".join(data)


#: The start of a real agile EncryptionInfo stream (version 4.4, then the XML descriptor).
ENCRYPTION_INFO = struct.pack("<HHI", 4, 4, 0x40) + (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<encryption '
    b'xmlns="http://schemas.microsoft.com/office/2006/encryption"><keyData saltSize="16" blockSize="16" '
    b'keyBits="256" hashSize="64" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" '
    b'hashAlgorithm="SHA512" saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/></encryption>')


def encrypted(path: Path) -> Path:
    """Return ``path`` written as a password-protected Office file (the encrypted bytes are random)."""
    import os

    package = struct.pack("<Q", 6000) + os.urandom(6000)
    path.write_bytes(compound_file({"EncryptionInfo": ENCRYPTION_INFO, "EncryptedPackage": package}))
    return path


def test_the_compound_file_is_read_by_olefile(tmp_path: Path) -> None:
    import olefile

    path = encrypted(tmp_path / "x.xlsx")
    with olefile.OleFileIO(str(path)) as ole:
        assert sorted("/".join(p) for p in ole.listdir()) == ["EncryptedPackage", "EncryptionInfo"]
        assert ole.openstream("EncryptionInfo").read(4) == b"\x04\x00\x04\x00"


@pytest.mark.parametrize(("name", "program"), [("去年.xlsx", "Excel"), ("去年.docx", "Word"), ("去年.xlsm", "Excel")])
def test_password_protected_file_is_reported_as_encrypted(tmp_path: Path, name: str, program: str) -> None:
    path = encrypted(tmp_path / name)
    with pytest.raises(ImportFormatError) as caught:
        import_file(path)
    message = str(caught.value)
    assert str(path) in message and "密码" in message and "加密" in message, message
    assert program in message and "保存" in message and "zip" not in message, message


def test_password_protected_file_without_a_known_suffix(tmp_path: Path) -> None:
    path = encrypted(tmp_path / "去年的表")
    with pytest.raises(ImportFormatError, match="密码") as caught:
        import_file(path)
    assert "旧版" not in str(caught.value)


@pytest.mark.parametrize(("stream", "old"), [("WordDocument", ".doc"), ("Workbook", ".xls"), ("Book", ".xls")])
def test_old_binary_files_are_named_by_what_they_hold(tmp_path: Path, stream: str, old: str) -> None:
    path = tmp_path / "去年.docx"  # misnamed: the suffix must not decide
    path.write_bytes(compound_file({stream: b"\x00" * 100}))
    with pytest.raises(ImportFormatError) as caught:
        import_file(path)
    message = str(caught.value)
    assert f"旧版 {old}" in message and "另存为" in message and "zip" not in message, message


def test_a_damaged_compound_file_is_still_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "坏.xlsx"
    path.write_bytes(compound_file({"EncryptionInfo": ENCRYPTION_INFO})[:700])
    with pytest.raises(ImportFormatError) as caught:
        import_file(path)
    assert str(path) in str(caught.value)


def test_import_command_says_encrypted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = encrypted(tmp_path / "去年.xlsx")
    assert main(["import", str(path), "-o", str(tmp_path / "specs")]) == 1
    shown = "".join(capsys.readouterr())
    assert "密码" in shown and "不是 zip" not in shown
    assert not (tmp_path / "specs").exists() or not list((tmp_path / "specs").rglob("*.yaml"))


# ----------------------------------------------------------------------------- tables Word hides from the body

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TEXT_BOX = (
    f'<w:r xmlns:w="{W}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml">'
    '<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor distT="0" distB="0" distL="0" distR="0" '
    'simplePos="0" relativeHeight="1" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">'
    '<wp:simplePos x="0" y="0"/><wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset></wp:positionH>'
    '<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>'
    '<wp:extent cx="5000000" cy="6000000"/><wp:wrapSquare wrapText="bothSides"/><wp:docPr id="1" name="文本框 1"/>'
    '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
    '<wps:wsp><wps:spPr><a:prstGeom prst="rect"/></wps:spPr><wps:txbx><w:txbxContent>CHOICE</w:txbxContent>'
    '</wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>'
    '<mc:Fallback><w:pict><v:shape style="width:400pt;height:500pt"><v:textbox><w:txbxContent>FALLBACK'
    '</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>'
)


def _tianjin_table_xml(tmp_path: Path) -> str:
    """Return the XML of the Tianjin indicator table of a hand-made document."""
    source = docx.Document(str(tianjin_docx(tmp_path / "source.docx")))
    from lxml import etree

    return etree.tostring(source.tables[-1]._tbl, encoding="unicode")


def test_table_in_a_text_box_is_reported(tmp_path: Path) -> None:
    table = _tianjin_table_xml(tmp_path)
    document = docx.Document()
    for line in TJ_TITLE:
        document.add_paragraph(line)
    holder = document.add_paragraph("")
    holder._p.append(parse_xml(TEXT_BOX.replace("CHOICE", table).replace("FALLBACK", table)))
    path = tmp_path / "文本框.docx"
    document.save(str(path))
    with pytest.raises(ImportFormatError) as caught:
        import_file(path)
    message = str(caught.value)
    assert "文本框" in message and "正文" in message and str(path) in message, message
    assert "第4段" in message, message


def test_text_in_a_text_box_is_still_read(tmp_path: Path) -> None:
    document = docx.Document(str(tianjin_docx(tmp_path / "t.docx")))
    holder = document.paragraphs[0]
    box = '<w:p><w:r><w:t>框里的说明</w:t></w:r></w:p>'
    holder._p.append(parse_xml(TEXT_BOX.replace("CHOICE", box).replace("FALLBACK", box).replace(
        "<w:p>", f'<w:p xmlns:w="{W}">')))
    path = tmp_path / "框.docx"
    document.save(str(path))
    assert len(import_file(path).projects) == 1


def test_whole_table_inside_a_cell_of_another_table_is_reported(tmp_path: Path) -> None:
    table = _tianjin_table_xml(tmp_path)
    path = make_docx(tmp_path / "套表.docx", [*TJ_TITLE, ([["外框"]], [])])
    document = docx.Document(str(path))
    cell = document.tables[0].cell(0, 0)
    cell._tc.append(parse_xml(table))
    cell._tc.append(parse_xml(f'<w:p xmlns:w="{W}"/>'))  # a cell ends with a paragraph
    document.save(str(path))
    with pytest.raises(ImportFormatError) as caught:
        import_file(path)
    message = str(caught.value)
    assert "套在" in message and "表1第1行第1格" in message and str(path) in message, message
    assert f"{len(TJ_ROWS) + 1} 行" in message


def test_a_small_table_inside_a_cell_is_read_as_its_text(tmp_path: Path) -> None:
    path = tianjin_docx(tmp_path / "小表.docx")
    document = docx.Document(str(path))
    cell = document.tables[0].cell(4, 2)  # 资金用途
    cell._tc.append(parse_xml(
        f'<w:tbl xmlns:w="{W}"><w:tr><w:tc><w:p><w:r><w:t>设备</w:t></w:r></w:p></w:tc>'
        '<w:tc><w:p><w:r><w:t>维护</w:t></w:r></w:p></w:tc></w:tr></w:tbl>'))
    cell._tc.append(parse_xml(f'<w:p xmlns:w="{W}"/>'))
    document.save(str(path))
    (project,) = import_file(path).projects
    assert "设备\t维护" in project.data["purpose"]
