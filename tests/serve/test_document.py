"""The preview's reading of rendered Word files: spans against the specs and against python-docx."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
import yaml

from sheetgen.jurisdiction import load
from sheetgen.render.templates import compiled
from sheetgen.serve.document import Table, read_document
from tests.conftest import REPO
from tests.support import load_projects

SEED_SPECS = sorted(p for p in (REPO / "specs").glob("*/[!_]*.yaml"))


def rendered(spec: Path) -> bytes:
    [project] = load_projects(spec)
    jurisdiction = load(project.jurisdiction)
    return compiled("docx", jurisdiction).render([project], jurisdiction, paged=False)  # as the preview does


def indicator_table(tables: tuple[Table, ...], level1: list[str]) -> Table:
    """Return the table whose first column holds the spec's 一级 names."""
    for table in tables:
        firsts = [row.cells[0].text for row in table.rows if row.cells and row.cells[0].col == 0]
        if all(name in firsts for name in level1):
            return table
    raise AssertionError(f"no table lists {level1}")


@pytest.mark.parametrize("spec", SEED_SPECS, ids=lambda p: p.stem)
def test_every_level1_and_level2_spans_its_rows(spec: Path) -> None:
    """rowspan of each 一级 = its 三级 rows in the spec, of each 二级 = its group's size."""
    tree = yaml.safe_load(spec.read_text(encoding="utf-8"))["indicators"]
    table = indicator_table(read_document(rendered(spec)).tables, list(tree))
    spans: dict[tuple[int, str], int] = {}
    assert table.rows[0].header, "the indicator table's heading row repeats on every page"
    for row in table.rows:
        if row.header:
            continue
        for cell in row.cells:
            if cell.col in (0, 1):
                spans[(cell.col, cell.text)] = spans.get((cell.col, cell.text), 0) + cell.rowspan
    for level1, groups in tree.items():
        assert spans[(0, level1)] == sum(len(rows) for rows in groups.values()), level1
        for level2, rows in groups.items():
            assert spans[(1, str(level2))] >= len(rows), (level1, level2)
    total_rows = sum(len(rows) for groups in tree.values() for rows in groups.values())
    assert sum(span for (col, _text), span in spans.items() if col == 0) == total_rows


def python_docx_grid(data: bytes) -> list[list[list[object]]]:
    """Return, per table, the grid python-docx reads: the cell element under each grid position."""
    document = docx.Document(io.BytesIO(data))
    grids = []
    for table in document.tables:
        columns = len(table.columns)
        grids.append([[table.cell(r, c)._tc for c in range(columns)] for r in range(len(table.rows))])
    return grids


@pytest.mark.parametrize("spec", [SEED_SPECS[0], SEED_SPECS[-1]], ids=lambda p: p.stem)
def test_spans_and_texts_agree_with_python_docx(spec: Path) -> None:
    data = rendered(spec)
    grids = python_docx_grid(data)
    tables = read_document(data).tables
    assert len(tables) == len(grids)
    for table, grid in zip(tables, grids, strict=True):
        assert len(table.rows) == len(grid)
        for r, row in enumerate(table.rows):
            for cell in row.cells:
                origin = grid[r][cell.col]
                covered = {(rr, cc) for rr in range(len(grid)) for cc in range(len(grid[0])) if grid[rr][cc] is origin}
                assert covered == {(rr, cc) for rr in range(r, r + cell.rowspan)
                                   for cc in range(cell.col, cell.col + cell.colspan)}, (r, cell.text)
                assert cell.text == docx.table._Cell(origin, None).text.strip()  # type: ignore[arg-type]


def test_the_combined_document_has_a_page_per_project() -> None:
    projects = load_projects(REPO / "specs" / "tj-xiqing-2025")
    jurisdiction = load("tianjin")
    document = read_document(compiled("docx", jurisdiction).render(projects, jurisdiction, paged=False))
    breaks = [b for b in document.blocks if type(b).__name__ == "PageBreak"]
    assert len(breaks) == len(projects) - 1
    assert 150 < document.page_width - document.margin_left - document.margin_right < 200
