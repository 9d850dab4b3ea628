"""The 自评表's pages: however long its indicator table, the 总分 line never starts a page alone
(in Word the table's last piece holds the row above it too; in Excel no page starts at it)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from sheetgen import jurisdiction as jurisdictions
from sheetgen.render.templates import compiled
from tests.conftest import TIANJIN_DEFAULTS
from tests.support import load_projects


def spec(count: int) -> str:
    rows = "".join(f"      维护项目{i}:\n        value: ≥{i + 1}次\n        actual: {i + 1}次\n" for i in range(count))
    return f"""\
name: 2025年检察业务信息化运维项目
budget: {{total: 26.50, fiscal: 26.50}}
purpose: 用于信息化运维服务费用
targets: [保障办公办案正常进行。]
year_end:
  spent: {{total: 25.80}}
indicators:
  产出指标:
    数量指标:
{rows}  满意度指标:
    服务对象满意度指标:
      单位干警满意度: {{value: ≥99%, actual: 99.5%}}
"""


@pytest.mark.parametrize("count", range(14, 34, 2))
def test_the_total_line_keeps_the_row_above_it(unit_dir: Callable[..., Path], count: int) -> None:
    folder = unit_dir(TIANJIN_DEFAULTS, {"01-a.yaml": spec(count)}, name=f"u{count}")
    [project] = load_projects(folder)
    jurisdiction = jurisdictions.load("tianjin")
    document = Document(io.BytesIO(compiled("docx", jurisdiction, "selfeval").render([project], jurisdiction)))
    pieces = document.tables[1:]
    last = pieces[-1]
    assert last.rows[-1].cells[0].text == "总分"
    assert len(last.rows) >= 3, f"{len(pieces)} pieces, the last: the header row and 总分 alone"
    assert sum(len(p.rows) - 1 for p in pieces) == count + 2  # every row once, plus 总分
    book = openpyxl.load_workbook(io.BytesIO(compiled("xlsx", jurisdiction, "selfeval").render([project],
                                                                                               jurisdiction)))
    sheet = book.worksheets[0]
    total = next(r[0].row for r in sheet.iter_rows() if r[0].value == "总分")
    assert total not in {brk.id + 1 for brk in sheet.row_breaks.brk}
