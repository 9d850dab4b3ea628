"""An empty 二级 group (Hunan prints 经济效益指标, 生态效益指标, 可持续影响指标 with no row of
their own): written ``经济效益指标:`` or ``经济效益指标: {}``, checked without a warning, printed
as one blank row with its label in Word and Excel, inside its 一级 merge."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from pathlib import Path

import jsonschema
import openpyxl
from docx import Document

from sheetgen import jurisdiction as jurisdictions
from sheetgen.authoring.schema_export import spec_schema
from sheetgen.checking import check
from sheetgen.render.docx import compile_docx
from sheetgen.render.xlsx import compile_xlsx
from tests.conftest import TIANJIN_DEFAULTS
from tests.support import load_projects

sys.path.insert(0, str(Path(__file__).parent))

from test_docx_engine import indicator_rows, vmerge

SPEC = """\
name: 2025年司法救助项目
budget:
  total: 10.00
  fiscal: 10.00
  other:
purpose: 用于司法救助
targets:
  - 对遭受侵害导致生活困难的被害人进行救助。
indicators:
  产出指标:
    数量指标:
      救助人数:
        description: 救助人数
        value: ≥10人
  效益指标:
    经济效益指标:
    社会效益指标:
      检察工作支持率:
        description: 检察工作支持率
        value: ≥98%
    生态效益指标: {}
    可持续影响指标:
  满意度指标:
    服务对象满意度指标:
      被救助人员满意程度:
        description: 被救助人员满意程度
        value: ≥90%
"""
EMPTY = ["经济效益指标", "生态效益指标", "可持续影响指标"]


def test_an_empty_group_is_checked_without_a_word(unit_dir: Callable[..., Path]) -> None:
    folder = unit_dir(TIANJIN_DEFAULTS, {"01-a.yaml": SPEC})
    report = check([folder])
    assert report.diagnostics == [], [d.format() for d in report.diagnostics]
    schema = spec_schema(jurisdictions.load("tianjin"))
    import yaml

    jsonschema.validate(json.loads(json.dumps(yaml.safe_load(SPEC), default=str)), schema)  # editors agree


def test_a_whole_empty_category_is_still_refused(unit_dir: Callable[..., Path]) -> None:
    spec = SPEC[: SPEC.index("  满意度指标:")] + "  满意度指标:\n"
    folder = unit_dir(TIANJIN_DEFAULTS, {"01-a.yaml": spec})
    found = [d.yaml_path for d in check([folder]).diagnostics if d.code == "indicator-shape"]
    assert found == ["indicators.满意度指标"]


def test_an_empty_group_prints_one_blank_row_with_its_label(unit_dir: Callable[..., Path]) -> None:
    (project,) = load_projects(unit_dir(TIANJIN_DEFAULTS, {"01-a.yaml": SPEC}))
    rows = list(project.iter_rows())
    assert [(r.level2.text, r.name, r.empty) for r in rows if r.level1.text == "效益指标"] == [
        ("经济效益指标", "", True), ("社会效益指标", "检察工作支持率", False),
        ("生态效益指标", "", True), ("可持续影响指标", "", True)]
    benefit = next(r for r in rows if r.level1.text == "效益指标")
    assert benefit.level1.start and benefit.level1.span == 4
    jurisdiction = jurisdictions.load("tianjin")

    table = indicator_rows(Document(io.BytesIO(compile_docx(jurisdiction).render([project], jurisdiction))))
    printed = [[c.text for c in row] for row in table]
    assert [p[1:] for p in printed if p[1] in EMPTY] == [[name, "", "", ""] for name in EMPTY]
    first = next(i for i, p in enumerate(printed) if p[0] == "效益指标")
    assert [vmerge(r[0]) for r in table[first:first + 4]] == ["restart", "continue", "continue", "continue"]

    sheet = openpyxl.load_workbook(io.BytesIO(compile_xlsx(jurisdiction).render([project], jurisdiction))).active
    lines = {c.row: [sheet.cell(c.row, col).value for col in range(2, 6)] for c in sheet["B"] if c.value in EMPTY}
    assert sorted(lines.values()) == sorted([[name, None, None, None] for name in EMPTY])
    top = next(c.row for c in sheet["A"] if c.value == "效益指标")
    assert f"A{top}:A{top + 3}" in {str(m) for m in sheet.merged_cells.ranges}
