"""The workbook-level parts of an Excel template: read once, rewritten per
workbook for its list of sheets.

Compiling drops the template's sheets (and their rels, printer settings,
shared strings and calculation chain: rendered sheets use inline strings and
no formulas) and keeps everything else of the package: theme, styles,
properties.  :meth:`Book.parts` then returns ``workbook.xml``, its rels,
``[Content_Types].xml`` and ``docProps/app.xml`` for the rendered sheets.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from lxml import etree
from msgspec import Struct

from sheetgen import office
from sheetgen.errors import TemplateError
from sheetgen.render.xlsx_frame import XML_DECLARATION
from sheetgen.render.xlsx_styles import NS
from sheetgen.render.xlsx_text import xml_attr, xml_text

_Q = f"{{{NS}}}"
DOC_REL = office.R
_R_ID = f"{{{DOC_REL}}}id"
WORKSHEET_TYPE = f"{DOC_REL}/worksheet"
WORKSHEET_CONTENT = office.WORKSHEET_TYPE
_SHEET_RELS = {
    WORKSHEET_TYPE,
    f"{DOC_REL}/chartsheet",
    f"{DOC_REL}/dialogsheet",
    office.MACROSHEET,
    f"{DOC_REL}/sharedStrings",
    f"{DOC_REL}/calcChain",
}
_PLACEHOLDER = "SHEETGEN-SHEETS"
_FIXED_DATE = "2020-01-01T00:00:00Z"


class TemplateNames(Struct, frozen=True):
    """The template sheet's print titles (template rows) and other kept names."""

    title_rows: tuple[int, int] | None
    title_cols: str
    global_names: str


class Book(Struct, frozen=True):
    """A template package's workbook parts, ready to list new sheets."""

    workbook: str
    sheet_part: str
    styles_part: str
    strings_part: str
    sheet_dir: str
    dropped: frozenset[str]
    workbook_head: str
    workbook_tail: str
    rels_head: str
    types_head: str
    app: bool
    sheet_name: str
    names: TemplateNames

    def sheet_path(self, index: int) -> str:
        """Return the part name of the ``index``-th (1-based) rendered sheet."""
        return f"{self.sheet_dir}sheet{index}.xml"

    def parts(self, names: Sequence[str], defined: str) -> dict[str, bytes]:
        """Return the workbook parts listing sheets ``names`` (in order) and the
        ``<definedName>`` elements ``defined``."""
        sheets = "".join(
            f'<sheet name="{xml_attr(name)}" sheetId="{i}" r:id="sgSheet{i}"/>' for i, name in enumerate(names, start=1)
        )
        defined = defined + self.names.global_names
        workbook = (
            self.workbook_head
            + f'<sheets xmlns:r="{DOC_REL}">{sheets}</sheets>'
            + (f"<definedNames>{defined}</definedNames>" if defined else "")
            + self.workbook_tail
        )
        base = posixpath.dirname(self.workbook)
        rels = self.rels_head + "".join(
            f'<Relationship Id="sgSheet{i}" Type="{WORKSHEET_TYPE}" '
            f'Target="{_relative(self.sheet_path(i), base)}"/>'
            for i in range(1, len(names) + 1)
        )
        types = self.types_head + "".join(
            f'<Override PartName="/{self.sheet_path(i)}" ContentType="{WORKSHEET_CONTENT}"/>'
            for i in range(1, len(names) + 1)
        )
        parts = {
            self.workbook: workbook.encode("utf-8"),
            _rels_of(self.workbook): (rels + "</Relationships>").encode("utf-8"),
            "[Content_Types].xml": (types + "</Types>").encode("utf-8"),
        }
        if self.app:
            parts["docProps/app.xml"] = app_xml(names).encode("utf-8")
        return parts


@lru_cache(maxsize=256)  # keys are part names of sheets: bounded memory
def _relative(part: str, base: str) -> str:
    """Return the name of ``part`` relative to the folder ``base`` (as a relationship targets it)."""
    return posixpath.relpath(part, base)


@lru_cache(maxsize=64)  # keys are the workbook parts of templates: bounded memory
def _rels_of(part: str) -> str:
    """Return the name of the relationships part of ``part``."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _resolve(base_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def _parse(parts: Mapping[str, bytes], name: str, what: str) -> etree._Element:
    if name not in parts:
        raise TemplateError(f"{what}缺少部件 {name}，不是有效的 Excel 模板")
    try:
        return etree.fromstring(parts[name])
    except etree.XMLSyntaxError as exc:
        raise TemplateError(f"{what}的部件 {name} 无法解析：{exc}") from None


def _head(root: etree._Element) -> str:
    """Return ``root`` serialized without its closing tag."""
    text = etree.tostring(root, encoding="unicode")
    close = f"</{root.tag.split('}')[-1]}>"
    if text.endswith("/>"):
        return XML_DECLARATION + text[:-2] + ">"
    return XML_DECLARATION + text[: -len(close)]


def compile_book(parts: Mapping[str, bytes], *, what: str) -> Book:
    """Return the workbook parts of a template package (``parts`` by name).

    ``Book.dropped`` names the parts rendered workbooks leave out: the
    template's sheets and what only they use.
    """
    root_rels = _parse(parts, "_rels/.rels", what)
    workbook = next(
        (_resolve("", rel.get("Target", "")) for rel in root_rels if rel.get("Type", "").endswith("/officeDocument")),
        "xl/workbook.xml",
    )
    book_root = _parse(parts, workbook, what)
    rels_root = _parse(parts, _rels_of(workbook), what)
    targets = {rel.get("Id"): rel for rel in rels_root}
    sheets = book_root.find(f"{_Q}sheets")
    first = sheets[0] if sheets is not None and len(sheets) else None
    if first is None or first.get(_R_ID) not in targets:
        raise TemplateError(f"{what}没有工作表")
    sheet_part = _resolve(workbook, targets[first.get(_R_ID)].get("Target", ""))
    sheet_name = first.get("name", "")
    if sheet_part not in parts:
        raise TemplateError(f"{what}缺少工作表部件 {sheet_part}")

    dropped = set()
    for rel in list(rels_root):
        if rel.get("Type") in _SHEET_RELS:
            dropped.add(_resolve(workbook, rel.get("Target", "")))
            rels_root.remove(rel)
    for name in list(parts):
        folder = posixpath.dirname(name)
        if name in dropped or folder.endswith("printerSettings"):
            dropped.add(name)
        owner = posixpath.join(posixpath.dirname(folder), posixpath.basename(name).removesuffix(".rels"))
        if folder.endswith("_rels") and owner in dropped:
            dropped.add(name)

    names = _template_names(book_root, sheet_name)
    for view in book_root.iterfind(f"{_Q}bookViews/{_Q}workbookView"):
        view.set("activeTab", "0")
        view.set("firstSheet", "0")
    for tag in ("definedNames", "externalReferences"):
        element = book_root.find(f"{_Q}{tag}")
        if element is not None:
            book_root.remove(element)
    if sheets is None:
        raise TemplateError(f"{what}: 工作簿里没有 sheets 元素")
    placeholder = etree.Element(_PLACEHOLDER)
    sheets.addprevious(placeholder)
    book_root.remove(sheets)
    book_text = XML_DECLARATION + etree.tostring(book_root, encoding="unicode")
    head, _, tail = book_text.partition(f"<{_PLACEHOLDER}/>")

    types_root = _parse(parts, "[Content_Types].xml", what)
    for override in list(types_root):
        if override.get("PartName", "").lstrip("/") in dropped:
            types_root.remove(override)

    styles_part = strings_part = ""
    for rel in targets.values():
        if rel.get("Type") == f"{DOC_REL}/styles":
            styles_part = _resolve(workbook, rel.get("Target", ""))
        elif rel.get("Type") == f"{DOC_REL}/sharedStrings":
            strings_part = _resolve(workbook, rel.get("Target", ""))
    if styles_part not in parts:
        raise TemplateError(f"{what}缺少样式部件（styles.xml）")
    return Book(
        workbook=workbook,
        sheet_part=sheet_part,
        styles_part=styles_part,
        strings_part=strings_part,
        sheet_dir=posixpath.dirname(workbook) + "/worksheets/",
        dropped=frozenset(dropped),
        workbook_head=head,
        workbook_tail=tail,
        rels_head=_head(rels_root),
        types_head=_head(types_root),
        app="docProps/app.xml" in parts,
        sheet_name=sheet_name,
        names=names,
    )


def fixed_core(blob: bytes) -> bytes:
    """Return ``docProps/core.xml`` with fixed creation and modification dates."""
    core = blob.decode("utf-8")
    core = re.sub(r"(<dcterms:(created|modified)\b[^>]*>)[^<]*", rf"\g<1>{_FIXED_DATE}", core)
    return core.encode("utf-8")


_ROWS = re.compile(r"\$?(\d+):\$?(\d+)")
_COLS = re.compile(r"(\$?[A-Z]{1,3}:\$?[A-Z]{1,3})(?![\d$])")


def _template_names(book_root: etree._Element, sheet_name: str) -> TemplateNames:
    title_rows, title_cols, kept = None, "", []
    quoted = (f"'{sheet_name}'!", f"{sheet_name}!")
    for name in book_root.iterfind(f"{_Q}definedNames/{_Q}definedName"):
        label, text = name.get("name", ""), name.text or ""
        if name.get("localSheetId") is not None:
            if name.get("localSheetId") == "0" and label == "_xlnm.Print_Titles":
                rows = _ROWS.search(text)
                if rows:
                    title_rows = (int(rows.group(1)), int(rows.group(2)))
                cols = _COLS.search(text.replace("'", ""))
                title_cols = cols.group(1) if cols else ""
            continue
        if not any(q in text for q in quoted):
            attrs = "".join(f' {office.text_of(k)}="{xml_attr(office.text_of(v))}"' for k, v in name.attrib.items())
            kept.append(f"<definedName{attrs}>{xml_text(text)}</definedName>")
    return TemplateNames(title_rows=title_rows, title_cols=title_cols, global_names="".join(kept))


def app_xml(names: Sequence[str]) -> str:
    """Return ``docProps/app.xml`` listing the sheets ``names``."""
    titles = "".join(f"<vt:lpstr>{xml_text(n)}</vt:lpstr>" for n in names)
    return (
        XML_DECLARATION
        + f'<Properties xmlns="{office.EXTENDED}" xmlns:vt="{office.VT}">'
        "<Application>sheetgen</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
        '<HeadingPairs><vt:vector size="2" baseType="variant">'
        "<vt:variant><vt:lpstr>工作表</vt:lpstr></vt:variant>"
        f"<vt:variant><vt:i4>{len(names)}</vt:i4></vt:variant></vt:vector></HeadingPairs>"
        f'<TitlesOfParts><vt:vector size="{len(names)}" baseType="lpstr">{titles}</vt:vector></TitlesOfParts>'
        "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
        "<HyperlinksChanged>false</HyperlinksChanged><AppVersion>16.0300</AppVersion></Properties>"
    )
