"""Office packages (.docx/.xlsx are zip files): read a template once, write many.

:class:`Package` reads a template's zip entries once and compresses each of
them once.  :meth:`Package.write` then assembles a new package in which only
the parts a document changes are compressed again; the other parts are copied
as already-compressed bytes, with their zip headers, made once too.  Python's
:mod:`zipfile` cannot write an entry from pre-compressed data, so the few lines
of the zip container are written here.  Output is deterministic: fixed entry
times (1980-01-01), entry order of the template, no extra fields.

The changed parts are deflated with ISA-L (:mod:`isal`), Intel's deflate, which
writes the same format as zlib several times as fast (see :data:`LEVEL`).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Mapping

from isal import isal_zlib
from msgspec import Struct

from sheetgen.errors import TemplateError

# Bounds for reading a template or imported package (zip bombs).
MAX_ENTRIES = 2000
MAX_UNCOMPRESSED = 200 * 1024 * 1024

#: ISA-L's deflate level of the parts each document changes (the template's own parts are
#: copied as its file holds them, or compressed once per process by zlib at 6).  Chosen by
#: ``bench/bench_zip.py`` over the seeds' files (CPU, medians of 9): ISA-L at 0 compresses a
#: project's parts in 0.032 ms a file to 270 KB for the 48 files, and a unit's 汇总 in 0.18 ms
#: to 191 KB for the 6; at 1, used before, 0.068 / 0.26 ms for 220 / 160 KB (zlib at 3, before
#: that: 0.19 / 1.45 ms for 214 / 153 KB).  A whole build of 1,000 synthetic specs, the two
#: levels alternating 10 times: CPU 4.61 -> 4.39 s (-4.6 %), the files 26.3 -> 27.5 KB a .docx
#: and 11.6 -> 13.3 KB a .xlsx on average.
LEVEL = 0
TEMPLATE_LEVEL = 6

_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01
_DOS_TIME = 0
_UTF8_FLAG = 0x800


def _local(name: bytes, crc: int, compressed: bytes, size: int) -> bytes:
    """Return an entry's local header, name and deflated data, as the package holds them."""
    flags = _UTF8_FLAG if not name.isascii() else 0
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, 8, _DOS_TIME, _DOS_DATE,
                       crc, len(compressed), size, len(name), 0) + name + compressed


def _central(name: bytes, crc: int, compressed: bytes, size: int) -> bytes:
    """Return an entry's central directory record but its last field (the local header's
    offset) and name: they follow it."""
    flags = _UTF8_FLAG if not name.isascii() else 0
    return struct.pack("<IHHHHHHIIIHHHHHI", 0x02014B50, 20, 20, flags, 8, _DOS_TIME, _DOS_DATE,
                       crc, len(compressed), size, len(name), 0, 0, 0, 0, 0)


class _Written(Struct, frozen=True):
    """An entry of the packages written: its local bytes (header, name, data) and its central
    record (without the offset), worked out once for a template's unchanged parts."""

    local: bytes
    central: bytes
    name: bytes

    @classmethod
    def of(cls, name: str, crc: int, compressed: bytes, size: int) -> _Written:
        raw = name.encode("utf-8")
        return cls(_local(raw, crc, compressed, size), _central(raw, crc, compressed, size), raw)


class _Entry(Struct, frozen=True):
    """A template's part: its bytes, and how every package written holds it when unchanged."""

    name: str
    data: bytes
    written: _Written


def _deflate(data: bytes, level: int = TEMPLATE_LEVEL) -> bytes:
    """Return ``data`` deflated (raw, no header) by zlib at ``level``: a template's part, once."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _deflate_fast(data: bytes, level: int = LEVEL) -> bytes:
    """Return ``data`` deflated (raw, no header) by ISA-L at ``level``: a document's changed part."""
    compressor = isal_zlib.compressobj(level, isal_zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def read_package(blob: bytes, *, what: str = "文件") -> tuple[dict[str, bytes], dict[str, tuple[bytes, int]]]:
    """Return the parts of a zip package by name, refusing bombs and odd names; and the deflated
    bytes and CRC of each part stored deflated, as the file holds them (to be copied into new
    packages, not compressed again: Word's 383 KB of a template's parts took zlib 3.4 ms at
    every start)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(blob))
    except zipfile.BadZipFile:
        raise TemplateError(f"{what}不是有效的 Office 文件（不是 zip 包）") from None
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise TemplateError(f"{what}包含 {len(infos)} 个部件，超过上限 {MAX_ENTRIES}")
    total = 0
    parts: dict[str, bytes] = {}
    deflated: dict[str, tuple[bytes, int]] = {}
    for info in infos:
        name = info.filename
        if name.startswith(("/", "\\")) or ".." in name.split("/") or ":" in name:
            raise TemplateError(f"{what}包含不安全的部件路径：{name}")
        if info.is_dir():
            continue
        total += info.file_size
        if total > MAX_UNCOMPRESSED:
            raise TemplateError(f"{what}解压后超过 {MAX_UNCOMPRESSED // 1024 // 1024} MB，拒绝读取")
        try:
            with archive.open(info) as handle:
                data = handle.read(MAX_UNCOMPRESSED + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
            # wrong CRC or sizes, truncated data, an unknown compression method, encryption
            raise TemplateError(f"{what}的部件 {name} 已损坏，无法读取（{exc}）") from None
        if len(data) != info.file_size:
            raise TemplateError(f"{what}的部件 {name} 大小与声明不符")
        parts[name] = data
        stored = _stored_deflated(blob, info)
        if stored is not None:
            deflated[name] = (stored, info.CRC)
    return parts, deflated


def read_parts(blob: bytes, *, what: str = "文件") -> dict[str, bytes]:
    """Return the parts of a zip package by name, refusing bombs and odd names (see
    :func:`read_package`)."""
    return read_package(blob, what=what)[0]


def _stored_deflated(blob: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """Return the deflated bytes of entry ``info`` as ``blob`` holds them (None: not deflated)."""
    if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 0x1:  # (0x1: encrypted)
        return None
    header = blob[info.header_offset : info.header_offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        return None
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    start = info.header_offset + 30 + name_length + extra_length
    data = blob[start : start + info.compress_size]
    return data if len(data) == info.compress_size else None


class Package:
    """A template package whose unchanged parts are compressed once."""

    def __init__(self, parts: Mapping[str, bytes], deflated: Mapping[str, tuple[bytes, int]] | None = None,
                 originals: Mapping[str, bytes] | None = None):
        """``deflated``: the template's own deflated bytes and CRC of its parts (see
        :func:`read_package`), copied for each part still as ``originals`` holds it
        (``parts`` itself when None); any other part is compressed here, once."""
        deflated, originals = deflated or {}, parts if originals is None else originals
        self._entries = []
        for name, data in parts.items():
            if name in deflated and originals.get(name) == data:
                compressed, crc = deflated[name]
            else:
                compressed, crc = _deflate(data), zlib.crc32(data)
            self._entries.append(_Entry(name, data, _Written.of(name, crc, compressed, len(data))))
        self._names = {e.name for e in self._entries}

    @classmethod
    def from_bytes(cls, blob: bytes, *, what: str = "模板") -> Package:
        """Return a package built from the bytes of a .docx/.xlsx file."""
        return cls(*read_package(blob, what=what))

    def part(self, name: str) -> bytes:
        """Return the original bytes of the part ``name``."""
        for entry in self._entries:
            if entry.name == name:
                return entry.data
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [e.name for e in self._entries]

    def write(self, changed: Mapping[str, bytes], *, drop: frozenset[str] = frozenset(), level: int = LEVEL) -> bytes:
        """Return a new package: the template's parts with ``changed`` ones
        replaced (new names are appended in sorted order) and ``drop`` left out."""
        entries: list[_Written] = []
        for entry in self._entries:
            if entry.name in drop:
                continue
            if entry.name in changed:
                data = changed[entry.name]
                entries.append(_Written.of(entry.name, isal_zlib.crc32(data), _deflate_fast(data, level), len(data)))
            else:
                entries.append(entry.written)
        for name in sorted(set(changed) - self._names):
            data = changed[name]
            entries.append(_Written.of(name, isal_zlib.crc32(data), _deflate_fast(data, level), len(data)))
        out: list[bytes] = []
        central: list[bytes] = []
        offset = 0
        for written in entries:
            out.append(written.local)
            central += (written.central, struct.pack("<I", offset), written.name)
            offset += len(written.local)
        directory = b"".join(central)
        out += (directory, struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory),
                                       offset, 0))
        return b"".join(out)
