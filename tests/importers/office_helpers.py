"""Helpers of the Word/Excel import tests: build the seed specs, load a spec folder as comparable models."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from sheetgen.build.runner import BuildOptions, run_build
from sheetgen.importing import import_to_folder
from sheetgen.model import Project
from sheetgen.projects import to_project
from sheetgen.spec.files import discover, read_spec
from sheetgen.validation import Checker

REPO = Path(__file__).resolve().parent.parent.parent
SPECS = REPO / "specs"
UNITS = sorted(path.name for path in SPECS.iterdir() if path.is_dir())
SEED_SPECS = sorted(path.relative_to(SPECS).as_posix() for path in SPECS.glob("*/[!_]*.yaml"))


def build_seeds(tmp: Path) -> Path:
    """Return the output folder of building a copy of ``specs/`` under ``tmp``."""
    specs = tmp / "specs"
    shutil.copytree(SPECS, specs)
    out = tmp / "out"
    summary = run_build(BuildOptions(paths=(specs,), output=out, jobs=1))
    assert not summary.failed
    return out


def canon(value: Any) -> Any:
    """Return ``value`` with every amount as its exact digits, so 26.50 ≠ 26.5."""
    if isinstance(value, Mapping):
        return {str(key): canon(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [canon(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, Decimal)):
        return ("num", format(Decimal(value), "f"))
    if isinstance(value, dt.date):
        return ("date", value.isoformat())
    return value


def model_view(project: Project) -> dict[str, Any]:
    """Return what a project prints: jurisdiction, header (without ``number``) and the indicator tree."""
    header = {key: value for key, value in project.header.items() if key != "number"}
    rows = [
        (c.name, g.name, i.name, i.value, i.description, canon(dict(i.extras)))
        for c in project.indicators for g in c.groups for i in g.indicators
    ]  # fmt: skip
    return {"jurisdiction": project.jurisdiction, "header": canon(header), "rows": rows}


def load_models(folder: Path) -> dict[str, tuple[int, dict[str, Any]]]:
    """Return spec file name → (number, model view) of every spec under ``folder``; all must be valid."""
    specs, problems = discover([folder])
    assert not problems
    checker = Checker()
    out = {}
    for spec in specs:
        validated = checker.validate(read_spec(spec))
        errors = [d.format() for d in validated.diagnostics if d.is_error]
        assert validated.ok, errors
        project = to_project(validated)
        out[spec.path.name] = (project.number, model_view(project))
    return out


def import_into(files: list[Path], folder: Path, **options: Any) -> Any:
    """Return the report of importing ``files`` into ``folder`` (which must not fail)."""
    report = import_to_folder(files, folder, **options)
    assert not report.failed, [d.format() for d in report.diagnostics]
    return report


Grid = list[list[Any]]
Merge = tuple[int, int, int, int]  # first row, first col, last row, last col (0-based, inclusive)


def make_docx(path: Path, blocks: list[str | tuple[Grid, list[Merge]]]) -> Path:
    """Return ``path`` written as a .docx: each block a paragraph or a (rows, merges) table."""
    import docx

    document = docx.Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
            continue
        rows, merges = block
        table = document.add_table(rows=len(rows), cols=max(len(row) for row in rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                table.cell(r, c).text = str(text)
        for r1, c1, r2, c2 in merges:
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if (r, c) != (r1, c1):
                        table.cell(r, c).text = ""
            merged = table.cell(r1, c1).merge(table.cell(r2, c2))
            merged.text = str(rows[r1][c1])
    document.save(str(path))
    return path


def make_xlsx(path: Path, sheets: dict[str, tuple[Grid, list[Merge]]], formats: dict | None = None) -> Path:
    """Return ``path`` written as a .xlsx: sheet name → (rows, merges); ``formats`` maps (sheet, A1) → format."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, (rows, merges) in sheets.items():
        sheet = book.create_sheet(name)
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                if value not in ("", None):
                    cell = sheet.cell(r, c, value)
                    if isinstance(value, str) and value.startswith("="):
                        cell.data_type = "s"  # text as typed, not a formula
        for r1, c1, r2, c2 in merges:
            sheet.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
    for (name, ref), code in (formats or {}).items():
        book[name][ref].number_format = code
    book.save(str(path))
    return path


TJ_TITLE = ["1.2025年测试项目绩效目标表", "263101天津市西青区人民检察院", "单位：万元"]
TJ_HEADER: Grid = [
    ["项目名称", "2025年测试项目", ""],
    ["预算规模及资金用途", "预算数", "26.50"],
    ["", "其中：财政资金", "26.50"],
    ["", "其他资金", ""],
    ["", "资金用途", "用于测试"],
    ["绩效目标", "1.完成测试。\n2.保障运行。", ""],
]
TJ_HEADER_MERGES: list[Merge] = [(0, 1, 0, 2), (1, 0, 4, 0), (5, 1, 5, 2)]
TJ_COLUMNS = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值"]
TJ_ROWS: Grid = [
    ["产出指标", "数量指标", "维护次数", "一年内维护次数", "≥200次"],
    ["", "", "服务点位数", "服务点位数", "≥140点"],
    ["", "成本指标", "项目总成本", "项目总成本", "≤26.5万"],
    ["满意度指标", "服务对象满意度指标", "干警满意度", "检察干警满意度", "≥98%"],
]
TJ_TREE = {
    "产出指标": {
        "数量指标": {
            "维护次数": {"description": "一年内维护次数", "value": "≥200次"},
            "服务点位数": {"description": "服务点位数", "value": "≥140点"},
        },
        "成本指标": {"项目总成本": {"description": "项目总成本", "value": "≤26.5万"}},
    },
    "满意度指标": {"服务对象满意度指标": {"干警满意度": {"description": "检察干警满意度", "value": "≥98%"}}},
}


def tianjin_docx(
    path: Path,
    columns: list[str] | None = None,
    rows: Grid | None = None,
    header: Grid | None = None,
    title: list[str] | None = None,
) -> Path:
    """Return ``path`` written as a hand-made Tianjin table (blank continuation cells, no merges below)."""
    table = [columns or TJ_COLUMNS, *(rows if rows is not None else TJ_ROWS)]
    return make_docx(path, [*(title if title is not None else TJ_TITLE),
                            (header or TJ_HEADER, TJ_HEADER_MERGES), "", (table, [])])  # fmt: skip


SH_PARAGRAPHS = ["财政项目支出绩效目标表", "（2020年度）", "申报单位名称：上海市人民检察院第一分院"]
SH_LONG = [
    "项目概况：",
    "立项依据：",
    "项目设立的必要性：",
    "保证项目实施的制度、措施：",
    "项目实施计划：",
    "总目标及阶段性目标：",
]


def shanghai_header(**cells: Any) -> Grid:
    """Return the Shanghai header table rows; ``cells`` override values by label (without colon)."""
    value = {
        "项目名称": "测试项目", "项目类别": "经常性专项业务费", "计划开始日期": "2020-01-01",
        "计划完成日期": "2020-12-31", "是否含有政府购买服务": "否", "绩效类型": "其他类",
        "项目总预算（元）": "100,000", "项目当年预算（元）": "100000", "同名项目上年预算额（元）": "",
        "同名项目上年预算执行数（元）": "", **cells,
    }  # fmt: skip

    def pair(a: str, b: str) -> list[Any]:
        return [f"{a}：", value[a], f"{b}：", value[b]]

    rows = [
        pair("项目名称", "项目类别"),
        pair("计划开始日期", "计划完成日期"),
        pair("是否含有政府购买服务", "绩效类型"),
    ]
    rows += [[label, value.get(label.rstrip("："), label.rstrip("：") + "的内容"), "", ""] for label in SH_LONG]
    rows += [["本项目上年度市级财政资金使用情况", "", "", ""]]
    rows += [
        pair("项目总预算（元）", "项目当年预算（元）"),
        pair("同名项目上年预算额（元）", "同名项目上年预算执行数（元）"),
    ]
    return rows


SH_MERGES: list[Merge] = [(r, 1, r, 3) for r in range(3, 9)] + [(9, 0, 9, 3)]
SH_COLUMNS = ["一级目标", "二级目标", "三级目标", "指标目标值"]
SH_ROWS: Grid = [
    ["投入与管理", "投入管理", "预算执行率", "=100%"],
    ["", "", "预算编制合理性", "合理"],
    ["产出目标", "数量", "完成率", "=100%"],
    ["效果目标", "满意度", "检察院工作人员满意度", ">=90%"],
]
SH_TREE = {
    "投入与管理": {"投入管理": {"预算执行率": "=100%", "预算编制合理性": "合理"}},
    "产出目标": {"数量": {"完成率": "=100%"}},
    "效果目标": {"满意度": {"检察院工作人员满意度": ">=90%"}},
}


def shanghai_blocks(
    header: Grid | None = None,
    columns: list[str] | None = None,
    rows: Grid | None = None,
    paragraphs: list[str] | None = None,
) -> list[Any]:
    """Return the blocks (paragraphs and tables) of a hand-made Shanghai table."""
    table = [columns or SH_COLUMNS, *(rows if rows is not None else SH_ROWS)]
    return [*(paragraphs if paragraphs is not None else SH_PARAGRAPHS), (header or shanghai_header(), SH_MERGES),
            "2020年绩效目标", (table, [])]  # fmt: skip


def as_sheet(blocks: list[Any]) -> tuple[Grid, list[Merge]]:
    """Return the blocks of a document laid out on one sheet: paragraphs as one-cell rows."""
    rows: Grid = []
    merges: list[Merge] = []
    for block in blocks:
        if isinstance(block, str):
            rows.append([block])
            continue
        grid, block_merges = block
        merges += [(r1 + len(rows), c1, r2 + len(rows), c2) for r1, c1, r2, c2 in block_merges]
        rows += grid
    return rows, merges
