"""The Excel renderer: a jurisdiction's ``table.xlsx`` compiled once, rendered
to workbooks many times.

>>> template = compile_xlsx(jurisdiction)
>>> blob = template.render([project], jurisdiction)         # one sheet
>>> blob = template.render(unit_projects, jurisdiction)     # 目录 + one sheet each

Compiling reads the template once (cells, Jinja, styles, widths, merges, page
setup; see :mod:`sheetgen.render.xlsx_template`).  Rendering writes the sheet
XML directly as strings with inline strings (so text never becomes a formula
and no shared-string table is kept) and assembles the package with
:class:`sheetgen.render.package.Package`, which copies the unchanged parts
already compressed.  The output is deterministic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from msgspec import Struct

from sheetgen import office
from sheetgen.errors import TemplateError
from sheetgen.jurisdiction import SELF_EVALUATION_TABLE, TARGET_TABLE, Jurisdiction
from sheetgen.jurisdiction.common import common_words
from sheetgen.model import Project
from sheetgen.render.context import build_context, contents_labels
from sheetgen.render.package import Package, read_package
from sheetgen.render.variables import Source
from sheetgen.render.xlsx_book import Book, compile_book, fixed_core
from sheetgen.render.xlsx_cells import environment, text_cell_suffix
from sheetgen.render.xlsx_frame import (
    DEFAULT_MARGINS,
    XML_DECLARATION,
    PageSetup,
    SheetFrame,
    column_points,
    compile_frame,
    furniture,
)
from sheetgen.render.xlsx_sheet import PageRoom, RenderedSheet, render_sheet
from sheetgen.render.xlsx_styles import NS, StyleBook, TocStyles, excel_date_format
from sheetgen.render.xlsx_summary import SummaryStyles, summary_styles, summary_xml
from sheetgen.render.xlsx_template import Choice, CompiledSheet, Loop, Row, SheetCompiler, shared_strings
from sheetgen.render.xlsx_text import COLUMNS, quote_sheet, text_height, unique_sheet_names, xml_attr

#: The name of a combined workbook's contents sheet: the first of the sheet names import skips.
TOC_NAME = common_words().contents_sheets[0]
_TOC_WIDTHS = (8.0, 72.0)


class XlsxPiece(Struct, frozen=True):
    """One project's sheet rendered by a compiled Excel template (:meth:`XlsxTemplate.prepare`),
    for its own workbook and its unit's combined one; ``combined`` and ``paged`` as rendered."""

    project: Project
    rendered: RenderedSheet
    combined: bool = False
    paged: bool = True


class XlsxTemplate(Struct, frozen=True):
    """A compiled Excel template of one jurisdiction (``reads_combined``: its cells may print
    differently in a unit's combined workbook, so a sheet is rendered for each workbook)."""

    path: str
    jurisdiction: str
    money_format: str
    date_format: str
    package: Package
    book: Book
    frame: SheetFrame
    page: PageSetup
    sheet: CompiledSheet
    title_rows: tuple[int, int] | None
    toc: TocStyles
    toc_font_size: float
    table: str = TARGET_TABLE  # the kind of table it prints (its context: see render/context.py)
    summary: SummaryStyles | None = None  # a 自评 workbook's score summary sheet
    reads_combined: bool = True

    def render(self, projects: Sequence[Project], jurisdiction: Jurisdiction, *, paged: bool = True) -> bytes:
        """Return the bytes of an .xlsx workbook: one sheet for one project;
        for several, a 目录 sheet linking to one sheet per project.  ``paged=False``
        places no page breaks (and cuts no merge at one)."""
        if not projects:
            raise TemplateError("没有要写入 Excel 的项目")
        combined = len(projects) > 1
        return self.document([self._piece(p, jurisdiction, combined, paged) for p in projects], jurisdiction)

    def prepare(self, project: Project, jurisdiction: Jurisdiction) -> XlsxPiece:
        """Return ``project``'s sheet rendered once, for its own workbook and its unit's combined
        one (:meth:`document`; a template that reads ``combined`` is rendered for each anew)."""
        return self._piece(project, jurisdiction, False, True)

    def _piece(self, project: Project, jurisdiction: Jurisdiction, combined: bool, paged: bool) -> XlsxPiece:
        if (jurisdiction.money_format, jurisdiction.date_format) != (self.money_format, self.date_format):
            raise TemplateError(f"{self.path} 是按格式“{self.jurisdiction}”编译的，不能用于格式“{jurisdiction.name}”")
        context = build_context(project, jurisdiction, combined=combined, table=self.table)
        try:
            rendered = render_sheet(self.sheet, context, jurisdiction, what=self.path,
                                    page=PageRoom(self.page.room) if paged else None, title_rows=self.title_rows)
        except TemplateError as exc:
            raise TemplateError(f"{exc}（项目 {project.key}）") from exc
        return XlsxPiece(project, rendered, combined, paged)

    def document(self, pieces: Sequence[XlsxPiece], jurisdiction: Jurisdiction) -> bytes:
        """Return the bytes of the workbook of one prepared project, or of a unit's combined
        workbook made of several (a 目录 sheet, a 自评 workbook's score summary sheet, then each
        project's sheet as rendered)."""
        if not pieces:
            raise TemplateError("没有要写入 Excel 的项目")
        combined = len(pieces) > 1
        if self.reads_combined and any(p.combined != combined for p in pieces):
            pieces = [self._piece(p.project, jurisdiction, combined, p.paged) for p in pieces]
        projects = [piece.project for piece in pieces]
        front = [TOC_NAME, *self._summary_name(jurisdiction)] if combined else []
        names = unique_sheet_names([p.name for p in projects], reserved=front)
        offset = len(front)
        changed: dict[str, bytes] = {}
        defined = []
        if combined:
            changed[self.book.sheet_path(1)] = self._toc(projects, names, jurisdiction).encode("utf-8")
            if self.summary is not None and len(front) > 1:
                xml = summary_xml(projects, names, jurisdiction, self.summary, self.toc_font_size)
                changed[self.book.sheet_path(2)] = xml.encode("utf-8")
            for index, name in enumerate(front):
                defined.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{index}">'
                               f"{xml_attr(quote_sheet(name))}!$2:$2</definedName>")
        for index, (piece, name) in enumerate(zip(pieces, names, strict=True)):
            rendered = piece.rendered
            last_row = max(rendered.last_row, 1)
            changed[self.book.sheet_path(index + 1 + offset)] = self.frame.xml(
                selected=not combined and index == 0,
                dimension=f"A1:{COLUMNS[self.sheet.last_col]}{last_row}",
                rows=rendered.rows,
                merges=rendered.merges,
                breaks=rendered.breaks,
            )
            titles = self._titles(rendered.row_map, name)
            if titles:
                defined.append(
                    f'<definedName name="_xlnm.Print_Titles" localSheetId="{index + offset}">{titles}</definedName>'
                )
        all_names = [*front, *names]
        changed.update(self.book.parts(all_names, "".join(defined)))
        return self.package.write(changed)

    def sources(self) -> list[Source]:
        """Return the Jinja sources of the template, one per cell (and loop marker), for
        :func:`sheetgen.render.variables.check`."""
        return [Source(f"单元格 {c.ref}", c.text, c.loops, c.vm) for c in self.sheet.sources]

    def headers_footers(self) -> list[tuple[str, str]]:
        """Return the page header and footer the sheet prints, with their text (``&P`` as
        ``{页码}``): what every workbook made with it carries."""
        return furniture(self.frame.tail)

    def _summary_name(self, jurisdiction: Jurisdiction) -> list[str]:
        """Return the name of the score summary sheet of a 自评 workbook (none for other tables)."""
        scoring = jurisdiction.self_evaluation
        if self.summary is None or scoring is None:
            return []
        return unique_sheet_names([scoring.summary.sheet or SELF_EVALUATION_TABLE], reserved=[TOC_NAME])

    def _titles(self, row_map: Mapping[int, int], name: str) -> str:
        """Return the print-titles reference of a rendered sheet, or ``""``."""
        if self.title_rows is None:
            return ""
        first, last = (row_map.get(r) for r in self.title_rows)
        if first is None or last is None:
            return ""
        sheet = quote_sheet(name)
        rows = f"{sheet}!${first}:${last}"
        cols = self.book.names.title_cols
        return xml_attr(f"{sheet}!{cols},{rows}" if cols else rows)

    def _toc(self, projects: Sequence[Project], names: Sequence[str], jurisdiction: Jurisdiction) -> str:
        """Return the XML of the 目录 sheet: a title naming the unit and the year, then
        序号 and linked 项目名称 per project (labels from the jurisdiction's ``print.contents``)."""
        toc = self.toc
        labels = contents_labels(jurisdiction, projects[0], self.table)
        title_height = text_height(labels["title"], sum(_TOC_WIDTHS), self.toc_font_size + 4)
        rows = [
            f'<row r="1" ht="{max(30.0, title_height):g}" customHeight="1">'
            f'<c r="A1{text_cell_suffix(toc.title, labels["title"])}<c r="B1" s="{toc.title}"/></row>',
            '<row r="2" ht="22" customHeight="1">'
            f'<c r="A2{text_cell_suffix(toc.header, labels["number"])}'
            f'<c r="B2{text_cell_suffix(toc.header, labels["name"])}</row>',
        ]
        links = []
        for row, (project, name) in enumerate(zip(projects, names, strict=True), start=3):
            title = project.name or name
            height = max(18.0, text_height(title, _TOC_WIDTHS[1], self.toc_font_size))
            rows.append(
                f'<row r="{row}" ht="{height:g}" customHeight="1">'
                f'<c r="A{row}" s="{toc.number}"><v>{project.number}</v></c>'
                f'<c r="B{row}{text_cell_suffix(toc.link, title)}</row>'
            )
            location = xml_attr(f"{quote_sheet(name)}!A1")
            links.append(f'<hyperlink ref="B{row}" location="{location}" display="{xml_attr(title)}"/>')
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>' for i, w in enumerate(_TOC_WIDTHS, 1)
        )
        return (
            f'{XML_DECLARATION}<worksheet xmlns="{NS}" xmlns:r="{office.R}">'
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
            f'<dimension ref="A1:B{len(projects) + 2}"/>'
            '<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols>'
            f"<sheetData>{''.join(rows)}</sheetData>"
            '<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>'
            f"<hyperlinks>{''.join(links)}</hyperlinks>"
            f'<printOptions horizontalCentered="1"/>{DEFAULT_MARGINS}'
            '<pageSetup paperSize="9" orientation="portrait" fitToWidth="1" fitToHeight="0"/>'
            "</worksheet>"
        )


def _default_title_rows(body: tuple[Row | Loop | Choice, ...]) -> tuple[int, int] | None:
    """Return the template row just above the first loop (the table header)."""
    previous = None
    for item in body:
        if isinstance(item, Loop):
            return (previous.tref, previous.tref) if previous is not None else None
        previous = item if isinstance(item, Row) else previous
    return None


def compile_xlsx(jurisdiction: Jurisdiction, table: str = TARGET_TABLE) -> XlsxTemplate:
    """Return the compiled Excel template of ``jurisdiction``'s table ``table`` (the 目标表's
    is its ``table.xlsx``)."""
    path = jurisdiction.template_path("xlsx", table)
    what = f"Excel 模板 {path}"
    parts, deflated = read_package(path.read_bytes(), what=what)
    book = compile_book(parts, what=what)
    styles = StyleBook(parts[book.styles_part], what=what)
    date_format = excel_date_format(jurisdiction.date_format)
    compiler = SheetCompiler(
        parts[book.sheet_part],
        shared_strings(parts.get(book.strings_part)),
        styles,
        environment(),
        what=str(path),
        money_format=jurisdiction.money_format,
        date_format=date_format,
    )
    sheet = compiler.compile()
    frame, page = compile_frame(parts[book.sheet_part], column_points(sheet.widths, *styles.normal_font()))
    title_rows = book.names.title_rows or _default_title_rows(sheet.body)
    header_style = _header_style(sheet, title_rows)
    toc = styles.toc_styles(header_style)
    scoring = jurisdiction.self_evaluation
    summary = summary_styles(styles, toc, scoring.decimals) \
        if table == SELF_EVALUATION_TABLE and scoring is not None else None
    kept = {name: blob for name, blob in parts.items() if name not in book.dropped}
    kept[book.styles_part] = styles.to_bytes()
    if "docProps/core.xml" in kept:
        kept["docProps/core.xml"] = fixed_core(kept["docProps/core.xml"])
    return XlsxTemplate(
        path=str(path),
        jurisdiction=jurisdiction.name,
        money_format=jurisdiction.money_format,
        date_format=jurisdiction.date_format,
        package=Package(kept, deflated, originals=parts),
        book=book,
        frame=frame,
        page=page,
        sheet=sheet,
        title_rows=title_rows,
        toc=toc,
        toc_font_size=styles.font_size(header_style),
        table=table,
        summary=summary,
        reads_combined=_reads(b"combined", parts[book.sheet_part], parts.get(book.strings_part) or b""),
    )


def _reads(name: bytes, *sources: bytes) -> bool:
    """Return whether ``name`` appears anywhere in the template's cells (on the safe side: any
    mention counts as a read)."""
    return any(name in source for source in sources)


def _header_style(sheet: CompiledSheet, title_rows: tuple[int, int] | None) -> int:
    """Return the style of the first cell of the header row (fonts of the 目录 sheet)."""
    for item in sheet.body:
        if isinstance(item, Row) and title_rows and item.tref == title_rows[0] and item.cells:
            return item.cells[0].style
    return 0
