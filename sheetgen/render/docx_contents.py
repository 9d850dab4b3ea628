"""The contents page of a unit's combined Word document.

A heading (``print.contents.heading`` of the jurisdiction), the unit's title
(``print.contents.title`` with ``{unit}`` and ``{year}`` put in), then one line
per project: its number and name, linked to a bookmark in the project's first
paragraph, a dot leader and its page.  The page is a ``PAGEREF`` field to that
bookmark (Word, WPS and LibreOffice recompute it; its stored value is the page
sheetgen's own layout gives, see :mod:`sheetgen.render.docx_pages`).  Faces
and sizes come from the jurisdiction's ``print`` block, set on every run.  The
page is wrapped in the content control Word uses for a table of contents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import escape
from msgspec import Struct


class Entry(Struct, frozen=True):
    """One line of the contents: the text shown, the bookmark it links to, its page."""

    text: str
    anchor: str
    page: int


def _run_properties(prefix: str, print_block: Mapping[str, Any], *, title: bool, size: float | None) -> str:
    """Return a ``w:rPr`` naming the jurisdiction's faces (and a size in points)."""
    fonts = print_block.get("fonts") or {}
    latin = escape(str(fonts.get("latin", "")))
    face = escape(str(fonts.get("title" if title else "body", "")))
    p = prefix
    parts = []
    if latin or face:
        parts.append(f'<{p}:rFonts {p}:ascii="{latin}" {p}:hAnsi="{latin}" {p}:eastAsia="{face}" {p}:cs="{latin}" '
                     f'{p}:hint="eastAsia"/>')
    if size:
        half = round(size * 2)
        parts.append(f'<{p}:sz {p}:val="{half}"/><{p}:szCs {p}:val="{half}"/>')
    return f"<{p}:rPr>{''.join(parts)}</{p}:rPr>"


def contents_xml(prefix: str, print_block: Mapping[str, Any], labels: Mapping[str, str], entries: Sequence[Entry],
                 tab_position: float, text: Any) -> str:
    """Return the paragraphs of the contents page (``tab_position``: the right edge of the
    text in twips; ``text``: the function making safe run text of a string)."""
    p = prefix
    sizes = print_block.get("sizes") or {}
    heading_size = float(sizes.get("heading", 14))
    body = _run_properties(p, print_block, title=False, size=None)
    heading = _run_properties(p, print_block, title=True, size=heading_size)
    exact = f'<{p}:spacing {p}:before="0" {p}:after="240" {p}:line="{round(heading_size * 30)}" {p}:lineRule="exact"/>'
    out = [
        f'<{p}:p><{p}:pPr><{p}:keepNext/>{exact}<{p}:jc {p}:val="center"/></{p}:pPr>'
        f"<{p}:r>{heading}<{p}:t>{text(labels.get('heading', ''))}</{p}:t></{p}:r></{p}:p>",
        f'<{p}:p><{p}:pPr><{p}:spacing {p}:after="240"/><{p}:jc {p}:val="center"/></{p}:pPr>'
        f"<{p}:r>{body}<{p}:t>{text(labels.get('title', ''))}</{p}:t></{p}:r></{p}:p>",
    ]
    tab = round(tab_position)
    for entry in entries:
        field = (
            f'<{p}:r>{body}<{p}:fldChar {p}:fldCharType="begin"/></{p}:r>'
            f'<{p}:r>{body}<{p}:instrText xml:space="preserve"> PAGEREF {entry.anchor} \\h </{p}:instrText></{p}:r>'
            f'<{p}:r>{body}<{p}:fldChar {p}:fldCharType="separate"/></{p}:r>'
            f"<{p}:r>{body}<{p}:t>{entry.page}</{p}:t></{p}:r>"
            f'<{p}:r>{body}<{p}:fldChar {p}:fldCharType="end"/></{p}:r>'
        )
        out.append(
            f'<{p}:p><{p}:pPr><{p}:tabs><{p}:tab {p}:val="right" {p}:leader="dot" {p}:pos="{tab}"/></{p}:tabs>'
            f'<{p}:spacing {p}:after="120"/></{p}:pPr>'
            f'<{p}:hyperlink {p}:anchor="{entry.anchor}" {p}:history="1">'
            f'<{p}:r>{body}<{p}:t xml:space="preserve">{text(entry.text)}</{p}:t></{p}:r></{p}:hyperlink>'
            f"<{p}:r>{body}<{p}:tab/></{p}:r>{field}</{p}:p>"
        )
    # Word's own wrapper of a table of contents: programs show it as one, importers skip it
    return (f'<{p}:sdt><{p}:sdtPr><{p}:docPartObj><{p}:docPartGallery {p}:val="Table of Contents"/>'
            f"<{p}:docPartUnique/></{p}:docPartObj></{p}:sdtPr><{p}:sdtContent>{''.join(out)}</{p}:sdtContent>"
            f"</{p}:sdt>")
