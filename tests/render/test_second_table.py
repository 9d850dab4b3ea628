"""A format that prints its 实施期 (long-term) and 年度 indicators as two separate blocks whose
rows do not pair one to one: the long-term tree is a header field of the format (a ``dict``
field in schema.yaml with the tree's rules, as docs/guide.md shows), checked at its lines, and
``|indicator_rows`` turns it into rows with the same merges as ``rows`` in Word and Excel."""

from __future__ import annotations

import copy
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import openpyxl
import yaml
from docx import Document

from sheetgen import jurisdiction as jurisdictions
from sheetgen.checking import check
from sheetgen.render.templates import compiled
from sheetgen.render.variables import Source
from sheetgen.render.variables import check as check_names
from tests.support import load_projects

ROW = {"type": ["string", "dict"], "nullable": True,
       "schema": {"value": {"type": "string", "nullable": True}, "description": {"type": "string", "nullable": True}}}
LONG_TERM = {"type": "dict", "nullable": True, "meta": {"label": "实施期绩效指标"},
             "valuesrules": {"type": "dict", "valuesrules": {"type": "dict", "nullable": True, "valuesrules": ROW}}}
SPEC = """\
name: 三年信息化项目
budget: {total: 30.00, fiscal: 30.00, other: }
purpose: 用于信息化建设
targets: [三年内建成办案系统]
long_term:
  产出指标:
    数量指标:
      建成系统数: {description: 三年内建成的系统, value: ≥3个}
    时效指标:
      全部上线时间: 2027年底前
  效益指标:
    社会效益指标:
      办案效率: 显著提升
    生态效益指标:
indicators:
  产出指标:
    数量指标:
      本年建成系统数: {description: 本年建成, value: ≥1个}
  满意度指标:
    服务对象满意度指标:
      干警满意度: {description: 检察干警满意度, value: ≥90%}
"""
WORD_LOOP = ("{%tr for row in project.long_term|indicator_rows %}", "{%tr for row in rows %}")


def two_block_format(specs: Path) -> Path:
    """Return specs/templates/twoblock: tianjin with a long_term tree and a second loop in both templates."""
    folder = specs / "templates" / "twoblock"
    shutil.copytree(jurisdictions.builtin_dir() / "tianjin", folder)
    schema = yaml.safe_load((folder / "schema.yaml").read_text(encoding="utf-8"))
    schema["fields"]["long_term"] = LONG_TERM
    (folder / "schema.yaml").write_text(yaml.safe_dump(schema, allow_unicode=True), encoding="utf-8")
    document = Document(str(folder / "table.docx"))
    table = document.tables[1]
    document.add_paragraph("年度绩效指标")
    placeholder = document.add_table(rows=0, cols=0)._tbl
    placeholder.getparent().replace(placeholder, copy.deepcopy(table._tbl))
    document.add_paragraph("")
    first = document.tables[1]
    for cell in first.rows[1].cells:  # the first block loops over the long-term rows
        for paragraph in cell.paragraphs:
            for run in paragraph.runs:
                run.text = run.text.replace(WORD_LOOP[1], WORD_LOOP[0])
    document.save(str(folder / "table.docx"))
    book = openpyxl.load_workbook(folder / "table.xlsx")
    sheet = book.active
    for row in range(9, 13):  # the long-term block: the indicator block again, below the annual one
        for col in range(1, 6):
            source, target = sheet.cell(row, col), sheet.cell(row + 6, col)
            target.value, target._style = source.value, copy.copy(source._style)
    sheet["A14"] = "实施期绩效指标"
    sheet["A16"] = "{%tr for row in project.long_term|indicator_rows %}"
    book.save(folder / "table.xlsx")
    return folder


def test_the_long_term_tree_is_checked_at_its_lines(unit_dir: Callable[..., Path]) -> None:
    unit = unit_dir("jurisdiction: twoblock\nyear: 2025\nunit: {name: 某院}\n", {"01-a.yaml": SPEC})
    two_block_format(unit.parent)
    assert check([unit.parent]).diagnostics == []
    (unit / "01-a.yaml").write_text(SPEC.replace("description: 三年内建成的系统", "descripton: 三年内建成的系统"),
                                    encoding="utf-8")
    (problem,) = check([unit.parent]).diagnostics
    assert problem.code == "unknown-field" and problem.line == 8
    assert problem.yaml_path == "long_term.产出指标.数量指标.建成系统数.descripton"


def test_both_blocks_print_their_own_rows_in_word_and_excel(unit_dir: Callable[..., Path]) -> None:
    unit = unit_dir("jurisdiction: twoblock\nyear: 2025\nunit: {name: 某院}\n", {"01-a.yaml": SPEC})
    two_block_format(unit.parent)
    (project,) = load_projects(unit)
    jurisdiction = jurisdictions.load("twoblock", jurisdictions.search_path([unit.parent / "templates"]))
    long_term = ["建成系统数", "全部上线时间", "办案效率", ""]
    annual = ["本年建成系统数", "干警满意度"]

    document = Document(io.BytesIO(compiled("docx", jurisdiction).render([project], jurisdiction)))
    blocks = [[row.cells[2].text for row in table.rows[1:]] for table in document.tables[1:]]
    assert blocks == [long_term, annual]
    first = document.tables[1]
    assert [row.cells[0].text for row in first.rows[1:]] == ["产出指标"] * 2 + ["效益指标"] * 2
    assert first.rows[2].cells[3].text == "" and first.rows[1].cells[3].text == "三年内建成的系统"

    sheet = openpyxl.load_workbook(io.BytesIO(compiled("xlsx", jurisdiction).render([project], jurisdiction))).active
    names = [c.value or "" for c in sheet["C"]]
    heads = [i for i, v in enumerate(names) if v == "三级指标"]
    assert [names[heads[0] + 1 : heads[0] + 3], names[heads[1] + 1 : heads[1] + 5]] == [annual, long_term]
    merged = {str(m) for m in sheet.merged_cells.ranges}
    top = heads[1] + 2  # 1-based row of the long-term block's first row
    assert f"A{top}:A{top + 1}" in merged and f"A{top + 2}:A{top + 3}" in merged


def test_the_check_knows_what_the_filter_gives() -> None:
    jurisdiction = jurisdictions.load("tianjin")
    ok = "{% for r in project.targets|indicator_rows %}{{ r.level1.text }}{{ r.empty }}{% endfor %}"
    assert check_names([Source("x", ok)], jurisdiction).problems == []
    bad = "{% for r in project.targets|indicator_rows %}{{ r.nmae }}{% endfor %}"
    assert [p.name for p in check_names([Source("x", bad)], jurisdiction).problems] == ["r.nmae"]
