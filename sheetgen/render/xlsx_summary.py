"""The score summary sheet of a unit's 自评 workbook: every project's 预算执行率, 总分 and
自评等级, in the unit's order, each name linked to the project's sheet.

Its words are the jurisdiction's (``self_evaluation.summary``); rates and totals are numbers
(Excel can sort and add them), shown with the jurisdiction's decimals.
"""

from __future__ import annotations

from collections.abc import Sequence

from msgspec import Struct

from sheetgen import office
from sheetgen.errors import TemplateError
from sheetgen.jurisdiction import Jurisdiction
from sheetgen.model import Project
from sheetgen.render.context import unit_title
from sheetgen.render.xlsx_cells import text_cell_suffix
from sheetgen.render.xlsx_frame import DEFAULT_MARGINS, XML_DECLARATION
from sheetgen.render.xlsx_styles import NS, StyleBook, TocStyles
from sheetgen.render.xlsx_text import quote_sheet, text_height, xml_attr

#: Column widths (units of the Normal font's digit): 序号, 项目名称, 执行率, 总分, 等级.
WIDTHS = (8.0, 52.0, 14.0, 12.0, 12.0)


class SummaryStyles(Struct, frozen=True):
    """The styles of the summary sheet: those of the 目录 sheet, and numbers."""

    toc: TocStyles
    rate: int
    score: int


def summary_styles(styles: StyleBook, toc: TocStyles, decimals: int) -> SummaryStyles:
    """Return the styles of the summary sheet, added to ``styles`` (at compile time)."""
    digits = f".{'0' * decimals}" if decimals else ""
    return SummaryStyles(toc, styles.derive(toc.number, number_format=f"0{digits}%"),
                         styles.derive(toc.number, number_format=f"0{digits}"))


def summary_xml(projects: Sequence[Project], names: Sequence[str], jurisdiction: Jurisdiction,
                styles: SummaryStyles, font_size: float) -> str:
    """Return the XML of the summary sheet of ``projects`` (each on the sheet of ``names``)."""
    scoring = jurisdiction.self_evaluation
    if scoring is None:
        raise TemplateError(f"格式“{jurisdiction.name}”没有自评表（self_evaluation），无法生成自评得分汇总")
    labels = scoring.summary
    toc = styles.toc
    title = unit_title(labels.title, projects[0])
    title_height = text_height(title, sum(WIDTHS), font_size + 4)
    rows = [
        f'<row r="1" ht="{max(30.0, title_height):g}" customHeight="1"><c r="A1{text_cell_suffix(toc.title, title)}'
        + "".join(f'<c r="{col}1" s="{toc.title}"/>' for col in "BCDE") + "</row>",
        '<row r="2" ht="22" customHeight="1">' + "".join(
            f'<c r="{col}2{text_cell_suffix(toc.header, text)}'
            for col, text in zip("ABCDE", (labels.number, labels.name, labels.rate, labels.score, labels.grade),
                                 strict=True)) + "</row>",
    ]
    links = []
    for row, (project, name) in enumerate(zip(projects, names, strict=True), start=3):
        evaluation = project.evaluation
        if evaluation is None:
            raise TemplateError(f"项目 {project.key} 没有年终数据，无法列入自评得分汇总")
        shown = project.name or name
        height = max(18.0, text_height(shown, WIDTHS[1], font_size))
        rate = scoring.rounded(evaluation.rate * 100) / 100
        rows.append(
            f'<row r="{row}" ht="{height:g}" customHeight="1">'
            f'<c r="A{row}" s="{toc.number}"><v>{project.number}</v></c>'
            f'<c r="B{row}{text_cell_suffix(toc.link, shown)}'
            f'<c r="C{row}" s="{styles.rate}"><v>{rate:f}</v></c>'
            f'<c r="D{row}" s="{styles.score}"><v>{scoring.rounded(evaluation.total):f}</v></c>'
            f'<c r="E{row}{text_cell_suffix(toc.number, evaluation.grade)}</row>'
        )
        location = xml_attr(f"{quote_sheet(name)}!A1")
        links.append(f'<hyperlink ref="B{row}" location="{location}" display="{xml_attr(shown)}"/>')
    cols = "".join(f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>' for i, w in enumerate(WIDTHS, 1))
    return (
        f'{XML_DECLARATION}<worksheet xmlns="{NS}" xmlns:r="{office.R}">'
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
        f'<dimension ref="A1:E{len(projects) + 2}"/>'
        '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols>'
        f"<sheetData>{''.join(rows)}</sheetData>"
        '<mergeCells count="1"><mergeCell ref="A1:E1"/></mergeCells>'
        f"<hyperlinks>{''.join(links)}</hyperlinks>"
        f'<printOptions horizontalCentered="1"/>{DEFAULT_MARGINS}'
        '<pageSetup paperSize="9" orientation="portrait" fitToWidth="1" fitToHeight="0"/>'
        "</worksheet>"
    )
