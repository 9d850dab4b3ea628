"""No text of a seed document is lost, and the committed seed specs match the importer.

Each seed is cut into its text pieces independently of the importer (cells,
tokens, or for the PDF the wrapped text with its line breaks removed); known
labels, titles and page numbers are dropped, and every other piece must be
found in the values of the imported projects.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sheetgen.importers import ImportResult

Seeds = dict[str, ImportResult]
GRID, PDF, DOCX = "000_843e70b5e72a22f4.txt", "001_7b6856de8c6b40d9.txt", "002_86ef9e7dadc5629d.txt"
UNITS = {GRID: "sh-yifenyuan-2020", PDF: "sh-shijianchayuan-2020", DOCX: "tj-xiqing-2025"}
SPECS = Path(__file__).resolve().parent.parent.parent / "specs"

SH_TITLES = re.compile(
    r"^(?:财政项目支出绩效目标表|[（(]\d{4}年度[)）]|本项目上年度市级财政资金使用情况|\d{4}年绩效目标"
    r"|一级目标|二级目标|三级目标|指标目标值|一级目标 二级目标 三级目标 指标目标值|-\s*\d+\s*-)$"
)
SH_LABELS = re.compile(
    r"(?:申报单位名称|项目名称|项目类别|计划开始日期|计划完成日期|是否含有政府购买服务|绩效类型|项目概况|立项依据"
    r"|项目设立的必要性|保证项目实施的制度、措施|项目实施计划|总目标及阶段性目标|项目总预算|项目当年预算"
    r"|同名项目上年预算额|同名项目上年预算执行数)(?:[（(]元[)）])?[：:]"
)
TJ_LABELS = {
    "项目名称", "预算规模及资金用途", "预算数", "其中：财政资金", "其他资金", "绩效目标", "单位：万元",
    "一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值",
}  # fmt: skip


def grid_pieces(text: str) -> list[str]:
    """Return every non-label cell of the tab-separated grid."""
    pieces = []
    for line in text.split("\n"):
        for cell in (c.strip() for c in line.split("\t")):
            if not cell or SH_TITLES.match(cell):
                continue
            rest = SH_LABELS.sub("", cell).strip()
            if rest:
                pieces.append(rest)
    return pieces


def pdf_pieces(text: str) -> list[str]:
    """Return the PDF text blocks (wrapped lines joined) and indicator tokens, labels removed."""
    pieces: list[str] = []
    block: list[str] = []
    in_indicators = False

    def flush() -> None:
        if "".join(block):
            pieces.append("".join(block))
        block.clear()

    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if SH_TITLES.match(line):
            flush()
            in_indicators = line.startswith("一级目标") or (in_indicators and line.startswith("-"))
            continue
        if in_indicators:
            pieces.extend(line.split())
            continue
        segments = SH_LABELS.split(line)
        if len(segments) == 1:
            block.append(line)
            continue
        block.append(segments[0].strip())
        for segment in segments[1:]:
            flush()
            block.append(segment.strip())
    flush()
    return pieces


def docx_pieces(text: str) -> list[str]:
    """Return every non-label cell line of the docx text (target numbering and title frame removed)."""
    pieces = []
    for raw in text.split("\n"):
        line = raw.strip()
        if line.startswith("[bookmark:"):
            line = re.sub(r"^\[bookmark:[^\]]*\]\d+\.(.*)绩效目标表$", r"\1", line)
        line = re.sub(r"^\d+\.(?=\D)", "", line)  # the 绩效目标 numbering, printed by the table
        if line and re.sub(r"\s+", "", line) not in TJ_LABELS:
            pieces.append(line)
    return pieces


def haystack(result: Any) -> str:
    """Return every value of the unit (defaults, then projects; indicator names too), concatenated."""
    out: list[str] = []

    def walk(value: Any, keys: bool) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if keys:
                    out.append(key)
                walk(item, keys or key == "indicators")
        elif isinstance(value, list):
            for item in value:
                walk(item, keys)
        elif isinstance(value, bool):
            out.append("是" if value else "否")
        elif isinstance(value, Decimal):
            out.append(format(value, "f"))
        elif value is not None:
            out.append(str(value).replace("\n", ""))

    walk(result.defaults, False)
    for project in result.projects:
        walk(project.data, False)
    return "".join(out)


@pytest.mark.parametrize(
    ("seed", "cut", "minimum"), [(GRID, grid_pieces, 600), (PDF, pdf_pieces, 500), (DOCX, docx_pieces, 250)]
)
def test_every_text_of_the_seed_is_in_a_spec(
    seeds: Seeds, seed_text: Callable[[str], str], seed: str, cut: Callable[[str], list[str]], minimum: int
) -> None:
    pieces = cut(seed_text(seed))
    assert len(pieces) >= minimum
    found = haystack(seeds[seed])
    missing = []
    for piece in pieces:
        wanted = piece.replace(",", "") if re.fullmatch(r"[\d,]+(?:\.\d+)?", piece) else piece
        if wanted not in found:
            missing.append(piece)
    assert missing == []


@pytest.mark.parametrize("seed", [GRID, PDF, DOCX])
def test_committed_specs_equal_the_importer_output(
    seeds: Seeds, exact: Callable[[str], Any], canonical: Callable[[Any], Any], seed: str
) -> None:
    result = seeds[seed]
    folder = SPECS / UNITS[seed]
    expected = {"_defaults.yaml": result.defaults, **{p.filename: p.data for p in result.projects}}
    assert sorted(p.name for p in folder.glob("*.yaml")) == sorted(expected)
    for name, data in expected.items():
        committed = exact((folder / name).read_text(encoding="utf-8"))
        assert canonical(committed) == canonical(data), name
