"""Every one of the 24 seed projects, built by `sheetgen build`, reopened with
python-docx and openpyxl: every header field and indicator row in its cell,
merges equal to the hierarchy.  Header values of the Shanghai grid seed and the
Tianjin docx seed are also compared with the seed documents themselves."""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn

from sheetgen.build.runner import BuildOptions, run_build
from sheetgen.jurisdiction import Jurisdiction
from sheetgen.model import Project
from sheetgen.projects import to_project
from sheetgen.render.context import format_value
from sheetgen.spec.files import discover, read_spec
from sheetgen.validation import Checker
from sheetgen.validation.schema import build_schema
from tests.conftest import REPO

SEEDS = REPO / "tests" / "fixtures" / "seeds"


@dataclass(frozen=True)
class Built:
    spec: Path
    project: Project
    jurisdiction: Jurisdiction
    docx: Path
    xlsx: Path


def _seed_specs() -> list[Path]:
    return sorted(p for p in (REPO / "specs").glob("*/[0-9]*.yaml"))


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    root = tmp_path_factory.mktemp("seeds")
    specs = root / "specs"
    shutil.copytree(REPO / "specs", specs)
    out = root / "out"
    summary = run_build(BuildOptions(paths=(specs,), output=out, jobs=2))
    assert summary.failed == 0
    checker = Checker()
    files, _ = discover([specs])
    result = {}
    for file in files:
        validated = checker.validate(read_spec(file))
        assert validated.jurisdiction is not None
        folder = out / file.unit_dir.name
        result[f"{file.unit_dir.name}/{file.path.name}"] = Built(
            file.path,
            to_project(validated),
            validated.jurisdiction,
            folder / f"{file.path.stem}.docx",
            folder / f"{file.path.stem}.xlsx",
        )
    assert len(result) == 24
    return result


SPEC_IDS = [f"{p.parent.name}/{p.name}" for p in _seed_specs()]


def norm_label(text: str) -> str:
    return re.sub(r"[\s：:]|（元）|\(元\)", "", text)


def expected_header(item: Built) -> dict[str, str]:
    """Return printed label → expected printed value for every header field of the spec."""
    schema = build_schema(item.jurisdiction)
    header = item.project.header
    out: dict[str, str] = {"项目名称": item.project.name}
    for key, rules in schema.items():
        label = rules.get("meta", {}).get("label") if isinstance(rules, dict) else None
        if key in ("jurisdiction", "year", "number", "unit", "name", "budget", "indicators", "review", "spec_version",
                   "vocabulary", "year_end"):
            continue
        if label:
            value = header.get(key)
            if isinstance(value, (list, tuple)):
                out[label] = "\n".join(f"{i}.{v}" for i, v in enumerate(value, 1))
            else:
                out[label] = format_value(value, item.jurisdiction)
    for key, rules in schema["budget"]["schema"].items():
        label = rules.get("meta", {}).get("label")
        if label and key != "unit":
            out[label] = format_value(header["budget"].get(key), item.jurisdiction)
    return out


def hierarchy(project: Project) -> Iterator[tuple[str, str, bool, bool, str, str, str]]:
    for row in project.iter_rows():
        yield (
            row.level1.text,
            row.level2.text,
            row.level1.start,
            row.level2.start,
            row.name,
            row.description or "",
            row.value or "",
        )


# ----------------------------------------------------------------------------- Word


def docx_label_values(path: Path) -> dict[str, str]:
    doc = Document(str(path))
    found: dict[str, str] = {}
    for table in doc.tables:
        for row in table.rows:
            cells = row.cells
            for index, cell in enumerate(cells):
                label = norm_label(cell.text)
                if not label or label in found:
                    continue
                following = [c for c in cells[index + 1 :] if c._tc is not cell._tc]
                if following:
                    found[label] = following[0].text
    return found


def _vmerge(cell: Any) -> str | None:
    tc_pr = cell._tc.tcPr
    node = tc_pr.find(qn("w:vMerge")) if tc_pr is not None else None
    if node is None:
        return None
    return node.get(qn("w:val")) or "continue"


@pytest.mark.parametrize("key", SPEC_IDS)
def test_docx_header_fields_in_their_cells(built: dict[str, Built], key: str) -> None:
    item = built[key]
    cells = docx_label_values(item.docx)
    for label, value in expected_header(item).items():
        assert norm_label(label) in cells, f"{label} not printed"
        assert cells[norm_label(label)] == value, label
    text = "\n".join(p.text for p in Document(str(item.docx)).paragraphs)
    header = item.project.header
    if item.jurisdiction.name == "shanghai":
        assert f"（{header['year']}年度）" in text and f"申报单位名称：{header['unit']['name']}" in text
        assert f"{header['year']}年绩效目标" in text
    else:
        assert f"{item.project.number}.{item.project.name}绩效目标表" in text
        assert f"{header['unit']['code']}{header['unit']['name']}" in text and "单位：万元" in text


@pytest.mark.parametrize("key", SPEC_IDS)
def test_docx_indicator_rows_and_merges(built: dict[str, Built], key: str) -> None:
    item = built[key]
    doc = Document(str(item.docx))
    # the indicator table, split where pages break: each piece after the first starts a page
    # with the header row again, and the merges continuing there start again with their labels
    pieces = []
    for table in reversed(doc.tables):
        if table.rows[0]._tr.find(qn("w:trPr") + "/" + qn("w:tblHeader")) is None:
            break
        pieces.insert(0, list(table.rows)[1:])
    rows = [row for piece in pieces for row in piece]
    firsts = {id(piece[0]._tr) for piece in pieces[1:]}
    expected = list(hierarchy(item.project))
    assert len(rows) == len(expected)
    tianjin = item.jurisdiction.name == "tianjin"
    for row, (level1, level2, start1, start2, name, description, value) in zip(rows, expected, strict=True):
        start1 = start1 or id(row._tr) in firsts
        start2 = start2 or id(row._tr) in firsts
        cells = row.cells
        assert cells[0].text == level1 and cells[1].text == level2
        assert cells[2].text == name
        if tianjin:
            assert cells[3].text == description and cells[4].text == value
        else:
            assert cells[3].text == value
        raw = row._tr.findall(qn("w:tc"))
        assert _vmerge(_Cell(raw[0])) == ("restart" if start1 else "continue")
        assert _vmerge(_Cell(raw[1])) == ("restart" if start2 else "continue")


class _Cell:
    def __init__(self, tc: Any):
        self._tc = tc


# ----------------------------------------------------------------------------- Excel


def xlsx_label_values(path: Path) -> tuple[dict[str, Any], Any]:
    sheet = openpyxl.load_workbook(path).worksheets[0]
    found: dict[str, Any] = {}
    for row in sheet.iter_rows():
        for index, cell in enumerate(row):
            if not isinstance(cell.value, str):
                continue
            label = norm_label(cell.value)
            if not label or label in found:
                continue
            rest = [c for c in row[index + 1 :] if type(c).__name__ != "MergedCell"]
            if rest:
                found[label] = rest[0]
    return found, sheet


@pytest.mark.parametrize("key", SPEC_IDS)
def test_xlsx_header_fields_typed_in_their_cells(built: dict[str, Built], key: str) -> None:
    item = built[key]
    cells, _sheet = xlsx_label_values(item.xlsx)
    budget_labels = {
        rules["meta"]["label"]: field
        for field, rules in build_schema(item.jurisdiction)["budget"]["schema"].items()
        if field != "unit"
    }
    for label, value in expected_header(item).items():
        cell = cells[norm_label(label)]
        if label in budget_labels:
            amount = item.project.header["budget"].get(budget_labels[label])
            if amount is None:
                assert cell.value is None
            else:
                assert cell.data_type == "n" and Decimal(str(cell.value)) == amount, label
                assert cell.number_format == item.jurisdiction.money_format
        elif label in ("计划开始日期", "计划完成日期"):
            assert cell.is_date and cell.value.date().isoformat() == value
        else:
            assert cell.data_type == "s" and (cell.value or "") == value, label


@pytest.mark.parametrize("key", SPEC_IDS)
def test_xlsx_indicator_rows_and_merges(built: dict[str, Built], key: str) -> None:
    item = built[key]
    sheet = openpyxl.load_workbook(item.xlsx).worksheets[0]
    labels = item.jurisdiction.description["level_labels"]
    header_row = next(r[0].row for r in sheet.iter_rows() if r[0].value == labels["level1"])
    expected = list(hierarchy(item.project))
    merges = {
        (m.min_col, m.min_row, m.max_row)
        for m in sheet.merged_cells.ranges
        if m.min_col in (1, 2) and m.min_col == m.max_col and m.min_row > header_row
    }
    want: set[tuple[int, int, int]] = set()
    tianjin = item.jurisdiction.name == "tianjin"
    # a group continued on a new page is merged again there and shows its label again
    pages = {brk.id + 1 for brk in sheet.row_breaks.brk}
    for offset, (level1, level2, start1, start2, name, description, value) in enumerate(expected):
        row = header_row + 1 + offset
        values = [sheet.cell(row, c).value for c in range(1, 6 if tianjin else 5)]
        if start1 or row in pages:
            assert values[0] == level1
        if start2 or row in pages:
            assert values[1] == level2
        assert values[2] == name
        value_cell = sheet.cell(row, 5 if tianjin else 4)
        assert (value_cell.value or "") == value and value_cell.data_type in ("s", "n")
        if value:
            assert value_cell.data_type == "s"  # "=100%" stays text
        if tianjin:
            assert (values[3] or "") == description
    def add(col: int, first: int, last: int) -> None:
        edges = [first, *sorted(r for r in pages if first < r <= last), last + 1]
        want.update((col, a, b - 1) for a, b in itertools.pairwise(edges) if b - 1 > a)

    row = header_row + 1
    for category in item.project.indicators:
        add(1, row, row + sum(len(g.indicators) for g in category.groups) - 1)
        for group in category.groups:
            add(2, row, row + len(group.indicators) - 1)
            row += len(group.indicators)
    assert merges == want


# ----------------------------------------------------------------------------- against the seed documents


def seed_grid_headers() -> list[dict[str, str]]:
    """Return label → value of each project of the tab-separated Shanghai seed, read independently."""
    projects: list[dict[str, str]] = []
    for line in (SEEDS / "000_843e70b5e72a22f4.txt").read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if cells[0].startswith("项目名称"):
            projects.append({})
        if not projects:
            continue
        for label, value in zip(cells[::2], cells[1::2], strict=False):
            if label.endswith("：") and norm_label(label):
                projects[-1][norm_label(label)] = value
    return projects


def test_shanghai_grid_seed_header_values_match_the_source(built: dict[str, Built]) -> None:
    items = sorted((b for k, b in built.items() if k.startswith("sh-yifenyuan-2020/")), key=lambda b: b.project.number)
    seeds = seed_grid_headers()
    assert len(seeds) == len(items) == 9
    for seed, item in zip(seeds, items, strict=True):
        cells = docx_label_values(item.docx)
        for label, value in seed.items():
            assert cells[label] == value, (item.project.name, label)


def test_tianjin_docx_seed_header_values_match_the_source(built: dict[str, Built]) -> None:
    items = sorted((b for k, b in built.items() if k.startswith("tj-xiqing-2025/")), key=lambda b: b.project.number)
    lines = [line.strip() for line in (SEEDS / "002_86ef9e7dadc5629d.txt").read_text(encoding="utf-8").splitlines()]
    seeds: list[dict[str, str]] = []
    for index, line in enumerate(lines):
        label = norm_label(line)
        if label == "项目名称":
            seeds.append({})
        if seeds and label in ("项目名称", "预算数", "其中财政资金", "其他资金"):
            seeds[-1].setdefault(label, lines[index + 1])
    assert len(seeds) == len(items) == 7
    for seed, item in zip(seeds, items, strict=True):
        cells = docx_label_values(item.docx)
        for label, value in seed.items():
            assert cells[label] == value, (item.project.name, label)
