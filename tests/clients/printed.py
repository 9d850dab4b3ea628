"""Reading printed pages back: where each indicator row, 一级 and 二级 label landed
(``pdftotext -bbox-layout``), and which faces drew the glyphs (the PDF's own
font programs against the Noto CJK collections' character maps, read with
fontTools).

Columns of the indicator table: the 三级 names are left-aligned, so their
column's left edge is where most of their words start; every header label is
centred in its column, so each further edge lies as far right of a header's
centre as the column's left edge lies left of it.  Each word goes to the
column its left end falls in.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lxml import etree

from sheetgen.model import Project

PDFTOTEXT = shutil.which("pdftotext")
NOTO = Path("/usr/share/fonts/opentype/noto")
_XHTML = "{http://www.w3.org/1999/xhtml}"


def squeeze(text: str) -> str:
    """Return ``text`` without any whitespace."""
    return "".join(text.split())


@dataclass(frozen=True)
class Line:
    """One line of text on a page and its box (points from the top left)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


def pdf_words(pdf: Path) -> list[list[Line]]:
    """Return the words of every page of ``pdf`` with their boxes (a word: text without a gap)."""
    assert PDFTOTEXT is not None
    done = subprocess.run([PDFTOTEXT, "-bbox-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          timeout=120, check=True)
    root = etree.fromstring(done.stdout, etree.XMLParser(recover=False, huge_tree=True))
    pages = []
    for page in root.iter(f"{_XHTML}page"):
        words = [
            Line(squeeze(word.text or ""), *(float(word.get(k, "0")) for k in ("xMin", "yMin", "xMax", "yMax")))
            for word in page.iter(f"{_XHTML}word")
        ]
        pages.append([word for word in words if word.text])
    return pages


@dataclass
class PageText:
    """What one page shows in each column of the indicator table, top to bottom, whitespace
    removed: ``columns[0]`` the 一级 labels, ``columns[1]`` the 二级 labels, ``columns[2]`` the
    三级 names, then the other columns."""

    columns: list[str] = field(default_factory=list)

    @property
    def level1(self) -> str:
        return self.columns[0] if self.columns else ""

    @property
    def level2(self) -> str:
        return self.columns[1] if len(self.columns) > 1 else ""

    @property
    def names(self) -> str:
        return self.columns[2] if len(self.columns) > 2 else ""

    def shows(self, text: str) -> bool:
        """Return whether ``text`` (whitespace removed) prints whole in one column of the page."""
        return any(text in column for column in self.columns[2:])


def _column_text(words: list[Line]) -> str:
    """Return the words of one column in reading order: lines top to bottom, words left to right."""
    ordered = sorted(words, key=lambda word: (word.y0, word.x0))
    lines: list[list[Line]] = []
    for word in ordered:
        if lines and abs(lines[-1][0].y0 - word.y0) < 2:
            lines[-1].append(word)
        else:
            lines.append([word])
    return "".join(word.text for line in lines for word in sorted(line, key=lambda wd: wd.x0))


def columns(pages: list[list[Line]], project: Project, headers: list[str]) -> list[PageText]:
    """Return the text of each page by column of the indicator table (``headers``: its header
    labels, each centred in its column; the 三级 names start at their column's left edge)."""
    names = [squeeze(row.name) for row in project.iter_rows()]
    out = []
    for words in pages:
        page = PageText()
        heads = {word.text: word for word in words}
        if all(squeeze(h) in heads for h in headers):
            centres = [heads[squeeze(h)].centre for h in headers]
            starts = Counter(round(word.x0) for word in words
                             if word.x0 > centres[1] and any(n.startswith(word.text) for n in names if n))
            if starts:
                edges = [float("-inf"), 0.0, starts.most_common(1)[0][0] - 1.0]
                edges[1] = 2 * centres[1] - edges[2]
                for centre in centres[2:]:
                    edges.append(2 * centre - edges[-1])
                edges[-1] = float("inf")
                page.columns = [
                    _column_text([wd for wd in words if edges[k] <= wd.x0 < edges[k + 1]])
                    for k in range(len(headers))
                ]
        out.append(page)
    return out


@dataclass
class Layout:
    """Where a project's indicator rows printed, and what is wrong with it."""

    row_pages: list[int]
    groups: int = 0
    split: list[str] = field(default_factory=list)
    unlabeled: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def layout(pdf: Path, project: Project, headers: list[str], *, long_groups: frozenset[str] = frozenset()) -> Layout:
    """Return where each indicator row of ``project`` printed in ``pdf``: 二级 groups split
    over pages (those named in ``long_groups``, longer than a page, aside), pages where a
    1级/二级 group continues without its label, and texts not found whole on their page."""
    pages = columns(pdf_words(pdf), project, headers)
    rows = list(project.iter_rows())
    found: list[int] = []
    cursor: dict[int, int] = {}
    page = 0
    result = Layout(row_pages=found)
    for row in rows:
        name = squeeze(row.name)
        for index in range(page, len(pages)):
            at = pages[index].names.find(name, cursor.get(index, 0))
            if at >= 0:
                cursor[index] = at + len(name)
                page = index
                break
        else:
            result.missing.append(f"三级 {row.name}")
            found.append(page)
            continue
        found.append(page)
        for text in (row.value, row.description):
            if text and not pages[page].shows(squeeze(text)):
                result.missing.append(f"{row.name}: {text[:30]}")
    start = 0
    for category in project.indicators:
        for group in category.groups:
            count = len(group.indicators)
            on = sorted(set(found[start : start + count]))
            result.groups += 1
            if len(on) > 1 and group.name not in long_groups:
                result.split.append(f"{category.name}/{group.name}: pages {[p + 1 for p in on]}")
            for index in on:
                if squeeze(group.name) not in pages[index].level2:
                    result.unlabeled.append(f"二级 {group.name} on page {index + 1}")
                if squeeze(category.name) not in pages[index].level1:
                    result.unlabeled.append(f"一级 {category.name} on page {index + 1}")
            start += count
    result.unlabeled = sorted(set(result.unlabeled))
    return result


# ----------------------------------------------------------------------------- faces of glyphs


@dataclass(frozen=True)
class Face:
    """One font embedded in a PDF: its name and the glyph it draws for each character."""

    name: str
    glyphs: dict[str, str]  # character -> glyph name (``cid1234`` for the Noto CJK collections)


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Return every object of a PDF: number -> (dictionary text, decoded stream or None)."""
    out: dict[int, tuple[bytes, bytes | None]] = {}
    for match in re.finditer(rb"(\d+) 0 obj\s*(.*?)endobj", data, re.S):
        body = match.group(2)
        head, _, rest = body.partition(b"stream")
        stream = None
        if rest:
            raw = rest.lstrip(b"\r\n").rsplit(b"endstream", 1)[0]
            try:
                stream = zlib.decompress(raw) if b"FlateDecode" in head else raw
            except zlib.error:
                stream = None
        out[int(match.group(1))] = (head, stream)
    return out


def _ref(head: bytes, key: bytes) -> int | None:
    match = re.search(rb"/" + key + rb"\s+(\d+) 0 R", head)
    return int(match.group(1)) if match else None


def embedded_faces(pdf: Path) -> list[Face]:
    """Return the Type 1 fonts of a LibreOffice PDF with the glyph of each character."""
    objects = _objects(pdf.read_bytes())
    faces = []
    for head, _ in objects.values():
        if b"/Type/Font" not in head.replace(b" ", b"") or b"/ToUnicode" not in head:
            continue
        base = re.search(rb"/BaseFont\s*/([^\s/<>\[\]]+)", head)
        unicode_ref, descriptor_ref = _ref(head, b"ToUnicode"), _ref(head, b"FontDescriptor")
        if base is None or unicode_ref is None or descriptor_ref is None:
            continue
        program_ref = _ref(objects[descriptor_ref][0], b"FontFile")
        program = objects[program_ref][1] if program_ref is not None else None
        cmap = objects[unicode_ref][1] or b""
        codes = {int(code, 16): chr(int(uni[:4], 16)) for code, uni in
                 re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]{4,})>", cmap.split(b"beginbfchar", 1)[-1])}
        names = {int(code): name.decode() for code, name in re.findall(rb"dup (\d+) /(\S+) put", program or b"")}
        glyphs = {char: names[code] for code, char in codes.items() if code in names}
        faces.append(Face(base.group(1).decode(), glyphs))
    return faces


@cache
def noto_cmaps(style: str) -> dict[str, dict[str, str]]:
    """Return the character maps (character -> glyph name) of the faces of one Noto CJK
    collection (``Serif`` or ``Sans``), by face: ``SC``, ``JP``, ``TC``, ``KR``, ``HK``."""
    from fontTools.ttLib import TTCollection

    out = {}
    collection = TTCollection(str(NOTO / f"Noto{style}CJK-Regular.ttc"), lazy=True)
    for font in collection.fonts:
        region = font["name"].getDebugName(1).rsplit(" ", 1)[-1]
        out[region] = {chr(code): name for code, name in font.getBestCmap().items() if code >= 0x2E80}
    return out


def jp_glyphs(faces: list[Face]) -> list[str]:
    """Return the characters drawn with a Japanese glyph where the Chinese face has its own."""
    wrong = []
    for face in faces:
        style = "Serif" if "Serif" in face.name else "Sans" if "Sans" in face.name else None
        if style is None or "CJK" not in face.name:
            continue
        maps = noto_cmaps(style)
        for char, glyph in face.glyphs.items():
            sc, jp = maps["SC"].get(char), maps["JP"].get(char)
            if jp is not None and jp != sc and glyph == jp:
                wrong.append(char)
    return sorted(set(wrong))


def faces_of(text: str, faces: list[Face]) -> Iterator[str]:
    """Return the names of the faces that draw any CJK character of ``text``."""
    chars = {c for c in text if c >= "\u2e80"}
    for face in faces:
        if chars & set(face.glyphs):
            yield face.name
