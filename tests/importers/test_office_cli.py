"""``sheetgen import`` with Word and Excel files: --jurisdiction, messages, exit codes, robustness."""

from __future__ import annotations

import copy
import random
from pathlib import Path

import pytest
import yaml

from sheetgen.cli import main
from sheetgen.errors import ImportFormatError
from sheetgen.importers import import_file
from sheetgen.importers.yamlwriter import dump_spec
from tests.importers.office_helpers import (
    TJ_COLUMNS,
    TJ_HEADER,
    TJ_HEADER_MERGES,
    TJ_ROWS,
    TJ_TITLE,
    as_sheet,
    make_docx,
    make_xlsx,
    shanghai_blocks,
    tianjin_docx,
)


def test_import_word_file_writes_specs_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tianjin_docx(tmp_path / "旧表.docx")
    out = tmp_path / "specs" / "tj"
    assert main(["import", str(source), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"写入 {out / '_defaults.yaml'}" in printed
    assert yaml.safe_load((out / "_defaults.yaml").read_text(encoding="utf-8"))["jurisdiction"] == "tianjin"
    assert main(["check", str(tmp_path / "specs")]) == 0


def test_jurisdiction_option_is_passed_through(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tianjin_docx(tmp_path / "t.docx")
    out = tmp_path / "out"
    assert main(["import", str(source), "-o", str(out), "--jurisdiction", "tianjin"]) == 0
    assert main(["import", str(source), "-o", str(out), "--jurisdiction", "nosuch", "--force"]) == 1
    printed = capsys.readouterr().out
    assert "找不到格式“nosuch”" in printed
    assert "Traceback" not in printed


def test_help_names_the_jurisdiction_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    assert "--jurisdiction" in capsys.readouterr().out


def test_unknown_format_asks_for_the_jurisdiction(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "letter.docx", ["尊敬的领导：", "您好！", ([["甲", "乙"], ["丙", "丁"]], [])])
    with pytest.raises(ImportFormatError, match="--jurisdiction"):
        import_file(path)


def test_excel_formula_without_a_cached_value_keeps_what_was_typed(tmp_path: Path) -> None:
    import openpyxl

    rows, merges = as_sheet(shanghai_blocks())
    path = make_xlsx(tmp_path / "s.xlsx", {"项目": (rows, merges)})
    book = openpyxl.load_workbook(path)
    book["项目"]["D19"] = "=100%"  # openpyxl stores it as a formula, with no cached result
    book.save(path)
    data = import_file(path).projects[0].data
    assert data["indicators"]["投入与管理"]["投入管理"]["预算执行率"] == "=100%"


WORDS = [
    "项目名称", "一级指标", "三级指标", "指标值", "预算数", "单位：万元", "（2020年度）", "1.甲", "2.乙绩效目标表", "",
    "产出指标", "数量指标", "=100%", "250万", "其中：财政资金", "一级目标", "指标目标值", "项目类别：", "x：y",
]  # fmt: skip


@pytest.mark.parametrize("seed", range(6))
def test_scrambled_tables_import_or_fail_cleanly(tmp_path: Path, seed: int) -> None:
    chance = random.Random(seed)
    tianjin = as_sheet([*TJ_TITLE, (TJ_HEADER, TJ_HEADER_MERGES), ([TJ_COLUMNS, *TJ_ROWS], [])])
    for attempt in range(15):
        rows, merges = copy.deepcopy(chance.choice([tianjin, as_sheet(shanghai_blocks())]))
        rows = [[*row, *[""] * (5 - len(row))] for row in rows]
        for _ in range(chance.randint(1, 8)):
            r, c = chance.randrange(len(rows)), chance.randrange(5)
            if chance.random() < 0.6:
                rows[r][c] = chance.choice(WORDS)
            elif len(rows) > 3:
                del rows[r]
        merges = [m for m in merges if m[2] < len(rows)]
        path = tmp_path / f"{attempt}.xlsx"
        make_xlsx(path, {"S": (rows, merges)})
        try:
            result = import_file(path)
        except ImportFormatError:
            continue
        for project in result.projects:
            dump_spec(project.data)
