"""Importers: turn an existing 绩效目标表 (Word, Excel or a text export) into spec data.

:func:`import_file` returns an :class:`ImportResult` holding the unit's
``_defaults.yaml`` content, one :class:`ImportedProject` per project (file
name and spec data in the key order of docs/spec.md) and the warnings about
every guess made on the way.  Three layouts are known:

* ``grid`` -- a table of labelled fields as tab-separated text;
* ``pdftext`` -- such a table as text extracted from a PDF;
* ``docxtext`` -- a table as the text of a .docx, one cell a line;

each read as the jurisdiction that names the layout in its ``import.layouts``.

Word (.docx) and Excel (.xlsx) files are recognised by their content and read
as tables (:mod:`.docx_reader`, :mod:`.xlsx_reader`, :mod:`.table_parse`):
one table or a combined document with many projects, one sheet per project
or several on one sheet; the jurisdiction is recognised from the labels.

Nothing here prints or writes files; :mod:`sheetgen.importers.yamlwriter`
turns the data into YAML text.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sheetgen import os_errors
from sheetgen.errors import ImportFormatError
from sheetgen.importers import docxtext, grid, ole, pdftext
from sheetgen.importers.docx_reader import read_docx
from sheetgen.importers.result import ImportedProject, ImportResult, Sink
from sheetgen.importers.safety import MAX_FILE, ZIP_MAGIC, main_part, open_package
from sheetgen.importers.table_parse import parse_document
from sheetgen.importers.xlsx_reader import read_xlsx
from sheetgen.jurisdiction import Jurisdiction
from sheetgen.workspace import Formats, Workspace

__all__ = [
    "LAYOUTS", "ImportResult", "ImportedProject", "detect_layout", "import_file", "import_office", "import_text",
]  # fmt: skip
OFFICE_SUFFIXES = (".docx", ".docm", ".xlsx", ".xlsm")

#: Layout name → parser, in detection order.
LAYOUTS: dict[str, Callable[[str, Sink, Jurisdiction], ImportResult]] = {
    docxtext.LAYOUT: docxtext.parse,
    grid.LAYOUT: grid.parse,
    pdftext.LAYOUT: pdftext.parse,
}
_DETECTORS: dict[str, Callable[[str, Jurisdiction], bool]] = {
    docxtext.LAYOUT: docxtext.looks_like,
    grid.LAYOUT: grid.looks_like,
    pdftext.LAYOUT: pdftext.looks_like,
}


def _readers(layout: str, formats: Formats) -> list[Jurisdiction]:
    """Return the jurisdictions that read text in ``layout`` (``import.layouts``)."""
    return [j for j in formats.usable() if layout in j.imports.layouts]


def detect_layout(text: str, formats: Formats | None = None) -> str | None:
    """Return the name of the layout ``text`` is written in, None if no layout fits."""
    found = _detect(text, formats or Workspace.builtin_formats())
    return found[0] if found is not None else None


def _detect(text: str, formats: Formats) -> tuple[str, Jurisdiction] | None:
    """Return the first layout ``text`` is written in and the first format reading it that
    recognises it, None if no layout fits."""
    for name, looks_like in _DETECTORS.items():
        found = next((j for j in _readers(name, formats) if looks_like(text, j)), None)
        if found is not None:
            return name, found
    return None


def import_text(text: str, path: str, layout: str | None = None, formats: Formats | None = None) -> ImportResult:
    """Return the import of the document ``text`` (``path`` names it in diagnostics), read as
    the jurisdiction among ``formats`` (default: the built-in ones) that names its layout."""
    formats = formats or Workspace.builtin_formats()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not layout:
        detected = _detect(text, formats)
        if detected is None:
            known = "、".join(LAYOUTS)
            raise ImportFormatError(f"{path}: 认不出文件的版式，请用 layout 指定（可选：{known}）")
        name, found = detected
        return LAYOUTS[name](text, Sink(path), found)
    if layout not in LAYOUTS:
        raise ImportFormatError(f"未知的版式“{layout}”（可选：{'、'.join(LAYOUTS)}）")
    readers = _readers(layout, formats)
    chosen = next((j for j in readers if _DETECTORS[layout](text, j)), readers[0] if readers else None)
    if chosen is None:
        raise ImportFormatError(f"{path}: 没有哪个格式按版式“{layout}”读（jurisdiction.yaml 的 import.layouts）")
    return LAYOUTS[layout](text, Sink(path), chosen)


def import_file(
    path: Path, layout: str | None = None, jurisdiction: str | None = None, formats: Formats | None = None
) -> ImportResult:
    """Return the import of ``path``: a .docx/.xlsx (by content) or a UTF-8 text export.

    ``layout`` names the layout of a text file (skipping detection);
    ``jurisdiction`` names the format of a Word/Excel table (skipping
    detection); ``formats`` are the jurisdictions to choose from (default: the built-in ones).
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            blob = handle.read(MAX_FILE + 1)
    except OSError as exc:
        raise ImportFormatError(f"{path}: 无法读取：{os_errors.explain(exc)}") from None
    if blob.startswith(ole.MAGIC) or blob.startswith(ZIP_MAGIC) or path.suffix.lower() in OFFICE_SUFFIXES:
        return import_office(blob, str(path), jurisdiction, formats)
    if len(blob) > MAX_FILE:
        raise ImportFormatError(f"{path}: 文件超过 {MAX_FILE // 1024 // 1024} MB，不像绩效目标表，拒绝读取")
    try:
        text = blob.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"{path}: 无法读取：不是 UTF-8 文本，也不是 Word/Excel 文件（{exc.reason}）") from None
    return import_text(text, str(path), layout, formats)


def import_office(
    blob: bytes, path: str, jurisdiction: str | None = None, formats: Formats | None = None
) -> ImportResult:
    """Return the import of the bytes of a .docx or .xlsx file (``path`` names it in messages)."""
    name = Path(path).name
    if blob.startswith(ole.MAGIC):  # a password-protected .docx/.xlsx, or an old .doc/.xls
        raise ImportFormatError(f"{path}: {ole.problem(blob[: MAX_FILE + 1], name)}")
    package = open_package(blob, f"{path}: 文件")
    main = main_part(package)
    if main.startswith("word/"):
        document = read_docx(package, name)
    elif main.startswith("xl/"):
        document = read_xlsx(package, name)
    else:
        raise ImportFormatError(f"{path}: 既不是 Word 文档也不是 Excel 工作簿（正文部件是 {main}）")
    return parse_document(document, path, jurisdiction, formats or Workspace.builtin_formats())
