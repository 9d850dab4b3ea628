"""The preview's HTML pages: the index, a project, a unit's 汇总, and messages.

Pages are Jinja templates (``templates/`` beside this module) with
autoescaping on: every text from a spec is data, shown as text (``<script>``
prints as ``<script>``), never read as markup or as a template.  Each page
can also be asked for its main part alone (``part=True``), which the page's
script swaps in when the live channel says the specs changed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape
from msgspec import Struct

from sheetgen.errors import Diagnostic
from sheetgen.serve.document import Cell, Document, Paragraph, Table
from sheetgen.serve.downloads import Downloads
from sheetgen.serve.marks import Place
from sheetgen.serve.site import ProjectPage, Snapshot, UnitPage

PDF_NOTE = "PDF 由 LibreOffice 生成，第一次要等一会儿"


@cache
def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(project_url=project_url, unit_url=unit_url)
    return env


def project_url(page: ProjectPage) -> str:
    return "/p/" + quote(page.key)


def unit_url(unit: UnitPage) -> str:
    return "/u/" + quote(unit.key)


class View(Struct, frozen=True):
    """What every page needs besides its own subject."""

    snapshot: Snapshot
    downloads: Downloads
    pdf: bool


def _style(paragraph: Paragraph) -> str:
    style = f"text-align: {paragraph.align}"
    if paragraph.bold:
        style += "; font-weight: bold"
    if paragraph.size:
        style += f"; font-size: {paragraph.size:g}pt"
    return style


def _cell(cell: Cell, place: Place, marks: dict[Place, list[int]],
          diagnostics: tuple[Diagnostic, ...]) -> dict[str, Any]:
    found = marks.get(place, [])
    style = f"vertical-align: {cell.valign}" + (f"; background: {cell.fill}" if cell.fill else "")
    mark = ("error" if any(diagnostics[n].is_error for n in found) else "warning") if found else ""
    return {
        "colspan": cell.colspan, "rowspan": cell.rowspan, "style": style, "mark": mark,
        "id": "c-{}-{}-{}".format(*place),
        "title": "\n".join(diagnostics[n].message for n in found),
        "paragraphs": [{"style": _style(p), "text": p.text} for p in cell.paragraphs],
    }


def sheet(document: Document, marks: dict[Place, list[int]], diagnostics: tuple[Diagnostic, ...]) -> dict[str, Any]:
    """Return the view of a document the ``render`` macro draws: blocks with styles, cells with their marks."""
    blocks: list[dict[str, Any]] = []
    t = 0
    for block in document.blocks:
        if isinstance(block, Paragraph):
            blocks.append({"kind": "paragraph", "style": _style(block), "text": block.text})
        elif isinstance(block, Table):
            rows = [[_cell(cell, (t, r, c), marks, diagnostics) for c, cell in enumerate(row.cells)]
                    for r, row in enumerate(block.rows)]
            heads = 0
            while heads < len(block.rows) and block.rows[heads].header:
                heads += 1
            blocks.append({"kind": "table", "widths": block.widths, "head": rows[:heads], "body": rows[heads:]})
            t += 1
        else:
            blocks.append({"kind": "break"})
    width = document.page_width - document.margin_left - document.margin_right
    return {"width": f"{width:.1f}mm", "blocks": blocks}


def _page(name: str, title: str, view: View, part: bool, **context: Any) -> str:
    template = _environment().get_template(name)
    context = {"title": title, "version": view.snapshot.version, **context}
    if not part:
        return str(template.render(context))
    main = "".join(template.blocks["main"](template.new_context(context)))
    return str(Markup('<div id="main-part" data-version="{}" data-title="{}">').format(
        view.snapshot.version, escape(title)) + Markup(main) + Markup("</div>"))


def index_page(view: View, *, part: bool = False) -> str:
    """Return the index: every unit and project in build order, with its status and the unit's 汇总."""
    snapshot = view.snapshot

    def unit_downloads(unit: UnitPage) -> list[Any]:
        return view.downloads.of_unit(unit.key)

    return _page("index.html", "全部项目", view, part, units=snapshot.units, problems=snapshot.problems,
                 root=str(snapshot.root), count=len(snapshot.projects), unit_downloads=unit_downloads)


def project_page(view: View, page: ProjectPage, *, part: bool = False) -> str:
    """Return a project's page: its problems, then its table as the Word file holds it."""
    unit = view.snapshot.by_unit[page.unit_key]
    marked: dict[int, str] = {}
    for place, numbers in sorted(page.marks.items()):
        for n in numbers:
            marked.setdefault(n, "c-{}-{}-{}".format(*place))
    return _page(
        "project.html", page.title, view, part, page=page, unit=unit, marked=marked,
        files=view.downloads.of_project(page.key), pdf_note=PDF_NOTE if view.pdf else "",
        sheet=sheet(page.document, page.marks, page.diagnostics) if page.document else None,
        stale=sheet(page.last_good, page.marks, page.diagnostics) if page.last_good else None,
    )


def unit_page(view: View, unit: UnitPage, *, part: bool = False) -> str:
    """Return a unit's page: its 汇总 as the Word file holds it."""
    document = unit.document
    return _page("unit.html", unit.combined_title, view, part, unit=unit,
                 files=view.downloads.of_unit(unit.key), pdf_note=PDF_NOTE if view.pdf else "",
                 sheet=sheet(document, {}, ()) if document else None)


def message_page(view: View, title: str, text: str, *, part: bool = False) -> str:
    """Return a page that only says something (not found, cannot download yet)."""
    return _page("message.html", title, view, part, text=text)
