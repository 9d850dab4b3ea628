"""Safe reading of Office packages (.docx/.xlsx) handed to the importer.

:func:`open_package` returns a :class:`SafePackage` after checking the zip
directory (entry count, declared sizes, names that climb out with ``..``);
:meth:`SafePackage.xml` returns a part parsed with a parser that loads no DTD,
resolves no entity and never touches the network, and refuses any part that
declares a DOCTYPE or an entity (an Office file never does).  Every problem
is an :class:`~sheetgen.errors.ImportFormatError` with a Chinese message.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator

from lxml import etree

from sheetgen import office
from sheetgen.errors import ImportFormatError
from sheetgen.render.package import MAX_ENTRIES, MAX_UNCOMPRESSED

#: Largest single part read (a document.xml or one sheet), decompressed.
MAX_PART = 64 * 1024 * 1024
#: Largest input file read at all.
MAX_FILE = 100 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)
_DTD16 = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.I)


def _parser() -> etree.XMLParser:
    """Return a parser that never loads a DTD, resolves an entity or uses the network."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )


class SafePackage:
    """A checked zip package whose parts are read on demand within the size bounds."""

    def __init__(self, archive: zipfile.ZipFile, what: str) -> None:
        self._archive = archive
        self.what = what
        self._infos = {info.filename: info for info in archive.infolist() if not info.is_dir()}

    def has(self, name: str) -> bool:
        """Return whether the package holds the part ``name``."""
        return name in self._infos

    def read(self, name: str) -> bytes:
        """Return the bytes of part ``name``, refusing a part larger than :data:`MAX_PART`."""
        info = self._infos.get(name)
        if info is None:
            raise ImportFormatError(f"{self.what}缺少部件 {name}，不是完整的 Office 文件")
        if info.file_size > MAX_PART:
            raise ImportFormatError(f"{self.what}的部件 {name} 解压后超过 {MAX_PART // 1024 // 1024} MB，拒绝读取")
        try:
            with self._archive.open(info) as handle:
                data = handle.read(MAX_PART + 1)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise ImportFormatError(f"{self.what}的部件 {name} 已损坏，无法解压：{exc}") from None
        if len(data) > MAX_PART or len(data) != info.file_size:
            raise ImportFormatError(f"{self.what}的部件 {name} 解压后的大小与声明不符，拒绝读取")
        return data

    def xml(self, name: str) -> etree._Element:
        """Return the root element of the XML part ``name``, parsed safely."""
        return parse_xml(self.read(name), f"{self.what}的部件 {name}")


def open_package(blob: bytes, what: str) -> SafePackage:
    """Return the package in ``blob`` after checking its directory; ``what`` names it in messages."""
    if len(blob) > MAX_FILE:
        raise ImportFormatError(f"{what}超过 {MAX_FILE // 1024 // 1024} MB，拒绝读取")
    if not blob.startswith(ZIP_MAGIC):
        raise ImportFormatError(
            f"{what}不是有效的 Word/Excel 文件（不是 zip 包）；请用 Word 或 Excel 另存为 .docx/.xlsx"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(blob))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        raise ImportFormatError(f"{what}不是有效的 Word/Excel 文件（zip 包已损坏：{exc}）") from None
    if len(infos) > MAX_ENTRIES:
        raise ImportFormatError(f"{what}包含 {len(infos)} 个部件，超过上限 {MAX_ENTRIES}，拒绝读取")
    total = 0
    for info in infos:
        check_entry_name(info.filename, what)
        total += info.file_size
    if total > MAX_UNCOMPRESSED:
        raise ImportFormatError(f"{what}解压后超过 {MAX_UNCOMPRESSED // 1024 // 1024} MB（可能是“zip 炸弹”），拒绝读取")
    return SafePackage(archive, what)


def check_entry_name(name: str, what: str) -> None:
    """Refuse a zip entry name that is absolute, climbs out with ``..`` or names a drive."""
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or ".." in parts or ":" in name or "\x00" in name:
        raise ImportFormatError(f"{what}包含不安全的部件路径“{name}”，拒绝读取")


def part_path(base: str, target: str) -> str:
    """Return the package part a relationship ``target`` of part ``base`` points to."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def refuse_dtd(data: bytes, what: str) -> None:
    """Raise if the XML ``data`` declares a DOCTYPE or an entity (in UTF-8 or UTF-16)."""
    utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff")
    if _DTD.search(data) or (utf16 and _utf16_dtd(data)):
        raise ImportFormatError(f"{what}含有 DOCTYPE 或实体声明（Office 文件不会有），可能是恶意文件，拒绝读取")


def iter_xml(data: bytes, what: str, tags: tuple[str, ...]) -> Iterator[etree._Element]:
    """Return the ``tags`` elements of the XML ``data`` one by one (each cleared after use)."""
    refuse_dtd(data, what)
    events = etree.iterparse(
        io.BytesIO(data), events=("end",), tag=tags, resolve_entities=False, no_network=True,
        load_dtd=False, huge_tree=False,
    )  # fmt: skip
    try:
        for _, element in events:
            yield element
            element.clear()
    except etree.XMLSyntaxError as exc:
        raise ImportFormatError(f"{what}不是有效的 XML：{exc}") from None


def parse_xml(data: bytes, what: str) -> etree._Element:
    """Return the root of the XML ``data``; refuse DTDs and entities and report bad XML in Chinese."""
    refuse_dtd(data, what)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise ImportFormatError(f"{what}不是有效的 XML：{exc}") from None
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise ImportFormatError(f"{what}含有 DOCTYPE 或实体声明（Office 文件不会有），可能是恶意文件，拒绝读取")
    return root


def _utf16_dtd(data: bytes) -> bool:
    """Return whether UTF-16 XML ``data`` declares a DOCTYPE or an entity."""
    try:
        return bool(_DTD16.search(data.decode("utf-16")))
    except UnicodeDecodeError:
        return True


_RELS_NS = office.qn(office.PACKAGE_RELS, "")
_OFFICE_DOCUMENT = "/officeDocument"


def main_part(package: SafePackage) -> str:
    """Return the name of the package's main part (``word/document.xml``, ``xl/workbook.xml``)."""
    if package.has("_rels/.rels"):
        for rel in package.xml("_rels/.rels").iter(f"{_RELS_NS}Relationship"):
            if str(rel.get("Type", "")).endswith(_OFFICE_DOCUMENT):
                target = part_path("", str(rel.get("Target", "")))
                check_entry_name(target, package.what)
                return target
    for name in ("word/document.xml", "xl/workbook.xml"):
        if package.has(name):
            return name
    raise ImportFormatError(f"{package.what}里找不到正文部件，不是 Word 或 Excel 文件")


def relationships(package: SafePackage, part: str) -> dict[str, tuple[str, str]]:
    """Return relationship id → (type's last word, target part) of ``part``'s internal relationships."""
    rels = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    if not package.has(rels):
        return {}
    out = {}
    for rel in package.xml(rels).iter(f"{_RELS_NS}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = part_path(part, str(rel.get("Target", "")))
        check_entry_name(target, package.what)
        out[str(rel.get("Id", ""))] = (str(rel.get("Type", "")).rsplit("/", 1)[-1], target)
    return out
