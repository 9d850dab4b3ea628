"""The Office Open XML format's names, in one place: the namespaces of WordprocessingML,
SpreadsheetML and the package parts.  The renderers (:mod:`sheetgen.render`), the readers
(:mod:`sheetgen.importers`) and the PDF notes of :mod:`sheetgen.build.pdf` import them from
here, as python-docx keeps them in its ``oxml`` layer."""

from __future__ import annotations

from typing import Any

#: WordprocessingML (``word/document.xml``).
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#: SpreadsheetML (``xl/workbook.xml``, the sheets, styles and shared strings).
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#: Relationships between the parts of a document (``r:id``, relationship types).
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#: A package's ``_rels/*.rels`` parts.
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
#: ``[Content_Types].xml``.
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
#: Markup compatibility (``mc:AlternateContent``).
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
#: ``docProps/core.xml`` and the vocabularies it uses.
CORE = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
#: ``docProps/app.xml`` and its variant types.
EXTENDED = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
#: The relationship type of an Excel 4.0 macro sheet.
MACROSHEET = "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet"

#: The content types of the files and parts sheetgen writes.
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def detach(node: Any) -> None:
    """Remove ``node`` (an lxml element) from its parent, if it has one."""
    parent = node.getparent()
    if parent is not None:
        parent.remove(node)


def text_of(value: str | bytes | None) -> str:
    """Return an lxml attribute or text value as ``str`` ("" for None; lxml gives bytes only
    for documents parsed from bytes without an encoding, never for ours)."""
    if value is None:
        return ""
    return value.decode("utf-8") if isinstance(value, bytes) else value


def qn(namespace: str, tag: str) -> str:
    """Return the Clark name ``{namespace}tag`` lxml uses for ``tag`` in ``namespace``."""
    return f"{{{namespace}}}{tag}"
