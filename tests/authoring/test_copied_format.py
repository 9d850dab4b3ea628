"""A new province's format from a copy, with no code: the Hunan-style format of tests/hunan.py
(an extra header field, an extra indicator column, a label column merged over all indicator
rows, 一级 on every row, empty 二级 groups) checks, builds in Word and Excel, prints as it
should, and imports back to the same specs."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import yaml
from docx import Document

from sheetgen.build.runner import BuildOptions, run_build
from sheetgen.checking import check
from sheetgen.cli import main
from tests.hunan import LABEL, make_hunan, make_unit
from tests.support import load_projects

EMPTY = ("经济效益指标", "生态效益指标", "可持续影响指标")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Return (specs, output) after making the format, a unit using it, and building it."""
    root = tmp_path_factory.mktemp("hunan")
    specs = root / "specs"
    make_hunan(specs)
    make_unit(specs)
    out = root / "out"
    summary = run_build(BuildOptions(paths=(specs,), output=out, jobs=1))
    assert summary.ok and summary.built == 2, summary.failures
    return specs, out


def word_tables(path: Path) -> tuple[list[list[str]], list[list]]:
    """Return the header table's texts and the indicator rows (cells) of a built .docx."""
    from tests.render.test_docx_engine import raw_rows

    document = Document(str(path))
    header = [[c.text for c in row.cells] for row in document.tables[0].rows]
    rows = [row for table in document.tables[1:] for row in raw_rows(table)[1:]]
    return header, rows


def test_the_format_checks_clean_and_its_templates_use_the_new_names(
        built: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    specs, _ = built
    report = check([specs])
    assert report.diagnostics == [], [d.format() for d in report.diagnostics]
    assert main(["templates", "check", str(specs / "templates" / "hunan"), "--specs", str(specs)]) == 0
    out = capsys.readouterr().out
    # the 目标表's templates, the ones the format's author rebuilt (the copied 自评表 templates use
    # the 自评表's names)
    for line in (x for x in out.splitlines() if "模板" in x and "用到" in x and "/table." in x):
        assert "project.department" in line and "row.note" in line and "row.level1" in line
    assert "页脚（word/footer" not in out  # no page footer came with the copy


def test_word_prints_the_new_field_label_column_unmerged_level1_and_empty_groups(built: tuple[Path, Path]) -> None:
    from tests.render.test_docx_engine import vmerge

    _, out = built
    header, rows = word_tables(out / "hn-unit" / "01-经费.docx")
    assert header[1][:2] == ["主管部门", "湖南省人民检察院"]
    assert vmerge(rows[0][0]) == "continue" and all(vmerge(r[0]) == "continue" for r in rows)
    level1 = [r[1].text for r in rows]
    assert all(level1) and all(vmerge(r[1]) is None for r in rows)  # 一级 on every row, unmerged
    assert level1.count("效益指标") == 4
    by_group = {r[2].text: [c.text for c in r[3:]] for r in rows if r[2].text}
    for name in EMPTY:
        assert by_group[name] == ["", "", "", ""]
    notes = {r[3].text: r[6].text for r in rows}
    assert notes["办案数量"] == "以案管系统统计为准" and notes["司法公信力"] == "以年度测评为准"
    assert notes["培训人次"] == ""
    document = Document(str(out / "hn-unit" / "01-经费.docx"))
    assert not "".join(p.text for p in document.sections[0].footer.paragraphs).strip()


def test_excel_prints_the_same(built: tuple[Path, Path]) -> None:
    _, out = built
    sheet = openpyxl.load_workbook(out / "hn-unit" / "01-经费.xlsx").active
    assert [sheet["A4"].value, sheet["B4"].value] == ["主管部门", "湖南省人民检察院"]
    header = next(c.row for c in sheet["A"] if c.value == LABEL)
    assert [sheet.cell(header, col).value for col in range(2, 8)] == [
        "一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "备注"]
    last = header + 10  # the 10 printed rows of the spec (three of them empty groups)
    label = [m for m in sheet.merged_cells.ranges if m.min_col == m.max_col == 1 and m.min_row == header]
    assert [(m.min_row, m.max_row) for m in label] == [(header, last)]  # over the header and every row
    level1 = [sheet.cell(row, 2).value for row in range(header + 1, last + 1)]
    assert all(level1) and level1.count("效益指标") == 4
    assert not [m for m in sheet.merged_cells.ranges if m.min_col == 2 and m.min_row > header]
    groups = {sheet.cell(row, 3).value: [sheet.cell(row, c).value for c in range(4, 8)]
              for row in range(header + 1, last + 1) if sheet.cell(row, 3).value}
    for name in EMPTY:
        assert groups[name] == [None, None, None, None]
    notes = {sheet.cell(row, 4).value: sheet.cell(row, 7).value for row in range(header + 1, last + 1)}
    assert notes["办案数量"] == "以案管系统统计为准" and notes["培训人次"] is None
    assert sheet.print_title_rows == f"${header}:${header}"


def printed(folder: Path) -> dict[str, object]:
    """Return project name -> what it prints (header, every group, empty ones too, and its rows),
    read through the real loader and validator, amounts digit for digit."""
    from tests.importers.office_helpers import canon

    return {p.name: {"header": canon({k: v for k, v in p.header.items() if k != "number"}),
                     "groups": [(c.name, g.name, [(i.name, i.value, i.description, canon(dict(i.extras)))
                                                  for i in g.indicators]) for c in p.indicators for g in c.groups]}
            for p in load_projects(folder)}


@pytest.mark.parametrize("name", ["01-经费.docx", "01-经费.xlsx", "汇总-湖南省某县人民检察院.docx",
                                  "汇总-湖南省某县人民检察院.xlsx"])
def test_the_built_files_import_back_to_the_specs(built: tuple[Path, Path], name: str) -> None:
    specs, out = built
    target = specs / f"imported-{name.replace('.', '-')}"
    assert main(["import", str(out / "hn-unit" / name), "-o", str(target), "--jurisdiction", "hunan"]) == 0
    assert not any("review" in yaml.safe_load(p.read_text(encoding="utf-8")) for p in target.glob("0*.yaml"))
    report = check([target])
    assert report.diagnostics == [], [d.format() for d in report.diagnostics]
    imported, originals = printed(target), printed(specs / "hn-unit")
    assert len(imported) == (2 if name.startswith("汇总") else 1)
    for project, view in imported.items():
        assert view == originals[project]
