"""Importers: turn a text export of an existing 绩效目标表 into spec data.

:func:`import_file` returns an :class:`ImportResult` holding the unit's
``_defaults.yaml`` content, one :class:`ImportedProject` per project (file
name and spec data in the key order of docs/spec.md) and the warnings about
every guess made on the way.  Three layouts are known:

* ``grid`` -- the Shanghai 4-column table as tab-separated text;
* ``pdftext`` -- the Shanghai table as text extracted from a PDF;
* ``docxtext`` -- the Tianjin table as the text of a .docx, one cell a line.

Nothing here prints or writes files; :mod:`sheetgen.importers.yamlwriter`
turns the data into YAML text.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sheetgen.errors import ImportFormatError
from sheetgen.importers import docxtext, grid, pdftext
from sheetgen.importers.result import ImportedProject, ImportResult, Sink

__all__ = ["LAYOUTS", "ImportResult", "ImportedProject", "detect_layout", "import_file", "import_text"]

#: Layout name → parser, in detection order.
LAYOUTS: dict[str, Callable[[str, Sink], ImportResult]] = {
    docxtext.LAYOUT: docxtext.parse,
    grid.LAYOUT: grid.parse,
    pdftext.LAYOUT: pdftext.parse,
}
_DETECTORS: dict[str, Callable[[str], bool]] = {
    docxtext.LAYOUT: docxtext.looks_like,
    grid.LAYOUT: grid.looks_like,
    pdftext.LAYOUT: pdftext.looks_like,
}


def detect_layout(text: str) -> str | None:
    """Return the name of the layout ``text`` is written in, None if no layout fits."""
    for name, looks_like in _DETECTORS.items():
        if looks_like(text):
            return name
    return None


def import_text(text: str, path: str, layout: str | None = None) -> ImportResult:
    """Return the import of the document ``text`` (``path`` names it in diagnostics)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    name = layout or detect_layout(text)
    if name is None:
        known = "、".join(LAYOUTS)
        raise ImportFormatError(f"{path}: 认不出文件的版式，请用 layout 指定（可选：{known}）")
    if name not in LAYOUTS:
        raise ImportFormatError(f"未知的版式“{name}”（可选：{'、'.join(LAYOUTS)}）")
    return LAYOUTS[name](text, Sink(path))


def import_file(path: Path, layout: str | None = None) -> ImportResult:
    """Return the import of the UTF-8 text file ``path``; ``layout`` skips detection."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFormatError(f"{path}: 无法读取：{exc}") from None
    return import_text(text, str(path), layout)
