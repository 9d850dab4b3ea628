"""Word and Excel tables as people make them: each variant built by hand (python-docx / openpyxl)."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from sheetgen.cli import main
from sheetgen.importers import import_file
from sheetgen.importers.yamlwriter import dump_spec
from sheetgen.workspace import Workspace
from tests.importers.office_helpers import (
    REPO,
    SH_TREE,
    TJ_COLUMNS,
    TJ_HEADER,
    TJ_HEADER_MERGES,
    TJ_ROWS,
    TJ_TITLE,
    TJ_TREE,
    as_sheet,
    canon,
    import_into,
    load_models,
    make_docx,
    make_xlsx,
    shanghai_blocks,
    shanghai_header,
    tianjin_docx,
)


def _only(result):  # type: ignore[no-untyped-def]
    assert len(result.projects) == 1
    return result.projects[0].data


def _codes(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [d.code for d in result.diagnostics]


# -- column names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "columns",
    [
        ["一级绩效指标", "二级绩效指标", "三级指标名称", "绩效指标描述", "指标值及单位"],
        ["一级指标", "二级指标", "指标名称", "指标描述", "指标值（含单位）"],
        ["一级 指标", "二级指标", "三级指标", "绩效指标描述", "指标值"],
    ],
)
def test_alternative_tianjin_column_names(tmp_path: Path, columns: list[str]) -> None:
    data = _only(import_file(tianjin_docx(tmp_path / "t.docx", columns=columns)))
    assert data["indicators"] == TJ_TREE


@pytest.mark.parametrize(
    "columns", [["一级指标", "二级指标", "指标名称", "指标值"], ["一级", "二级", "三级目标", "目标值"]]
)
def test_alternative_shanghai_column_names(tmp_path: Path, columns: list[str]) -> None:
    path = make_xlsx(tmp_path / "s.xlsx", {"项目": as_sheet(shanghai_blocks(columns=columns))})
    result = import_file(path)
    assert result.defaults["jurisdiction"] == "shanghai"
    assert _only(result)["indicators"] == SH_TREE


# -- extra indicator columns -------------------------------------------------------------------

STANDARD_ROWS = [[*row, f"标准{index}"] for index, row in enumerate(TJ_ROWS)]


def _jurisdiction_with_standard(root: Path, name: str = "tianjin") -> Path:
    """Return ``root/templates`` holding a copy of tianjin (as ``name``) with a 绩效标准 column."""
    folder = root / "templates" / name
    shutil.copytree(REPO / "templates" / "tianjin", folder)
    schema = yaml.safe_load((folder / "schema.yaml").read_text(encoding="utf-8"))
    schema["indicator"]["standard"] = {"type": "string", "nullable": True, "meta": {"label": "绩效标准"}}
    (folder / "schema.yaml").write_text(yaml.safe_dump(schema, allow_unicode=True), encoding="utf-8")
    description = yaml.safe_load((folder / "jurisdiction.yaml").read_text(encoding="utf-8"))
    description["indicator_columns"].append({"key": "standard", "label": "绩效标准"})
    (folder / "jurisdiction.yaml").write_text(yaml.safe_dump(description, allow_unicode=True), encoding="utf-8")
    return root / "templates"


def test_extra_column_defined_by_the_jurisdiction_found_through_the_spec_tree(tmp_path: Path) -> None:
    _jurisdiction_with_standard(tmp_path)
    source = tianjin_docx(tmp_path / "t.docx", columns=[*TJ_COLUMNS, "绩效标准"], rows=STANDARD_ROWS)
    out = tmp_path / "specs" / "tj"
    report = import_into([source], out)
    assert not [d for d in report.diagnostics if d.code in ("import-review", "import-column")]
    spec = yaml.safe_load((out / "01-2025年测试项目.yaml").read_text(encoding="utf-8"))
    row = spec["indicators"]["产出指标"]["数量指标"]["维护次数"]
    assert row == {"description": "一年内维护次数", "value": "≥200次", "standard": "标准0"}
    ((_, view),) = load_models(tmp_path / "specs").values()
    assert view["rows"][0][5] == {"standard": "标准0"}


def test_extra_column_of_a_jurisdiction_named_on_the_command_line(tmp_path: Path) -> None:
    templates = _jurisdiction_with_standard(tmp_path, "tianjin-std")
    source = tianjin_docx(tmp_path / "t.docx", columns=[*TJ_COLUMNS, "绩效标准"], rows=STANDARD_ROWS)
    formats = Workspace().formats(templates.parent, tree=True)  # the unit folders of tmp_path share templates/
    result = import_file(source, jurisdiction="tianjin-std", formats=formats)
    assert result.defaults["jurisdiction"] == "tianjin-std"
    rows = _only(result)["indicators"]["满意度指标"]["服务对象满意度指标"]
    assert rows["干警满意度"]["standard"] == "标准3"


def test_column_the_jurisdiction_does_not_define_goes_to_review(tmp_path: Path) -> None:
    source = tianjin_docx(tmp_path / "t.docx", columns=[*TJ_COLUMNS, "绩效标准"], rows=STANDARD_ROWS)
    result = import_file(source)
    data = _only(result)
    assert data["indicators"] == TJ_TREE
    names = ["维护次数", "服务点位数", "项目总成本", "干警满意度"]
    assert data["review"] == [
        {"text": f"标准{i}", "source": f"t.docx 表2 第{i + 2}行 第6列（“绩效标准”列，三级指标“{name}”）"}
        for i, name in enumerate(names)
    ]
    assert _codes(result).count("import-column") == 1
    assert _codes(result).count("import-review") == 4


# -- symbols, amounts, units --------------------------------------------------------------------


def test_full_width_symbols_are_recognised_and_kept(tmp_path: Path) -> None:
    rows = [["产出指标", "数量指标", "完成率", "完成率", "＝100％"], ["", "", "满意度", "满意度", "≥90％"]]
    header = [["项目名称:", "2025年测试项目", ""], *TJ_HEADER[1:]]
    header[1] = ["预算规模及资金用途", "预算数", "２６．５０"]
    title = ["1.2025年测试项目绩效目标表", "263101天津市西青区人民检察院", "单位:万元"]
    data = _only(import_file(tianjin_docx(tmp_path / "t.docx", rows=rows, header=header, title=title)))
    assert data["name"] == "2025年测试项目"
    assert canon(data["budget"]["total"]) == ("num", "26.50")
    assert data["indicators"]["产出指标"]["数量指标"] == {
        "完成率": {"description": "完成率", "value": "＝100％"},
        "满意度": {"description": "满意度", "value": "≥90％"},
    }


@pytest.mark.parametrize("written", ["250万", "250万元", "250", " 250 万元 "])
def test_wan_amounts_under_a_wanyuan_header(tmp_path: Path, written: str) -> None:
    header = [TJ_HEADER[0], ["预算规模及资金用途", "预算数", written], ["", "其中：财政资金", "250.00"], *TJ_HEADER[3:]]
    result = import_file(tianjin_docx(tmp_path / "t.docx", header=header))
    assert canon(_only(result)["budget"]["total"]) == ("num", "250")
    assert "import-value" not in _codes(result)


def test_wan_amount_under_a_yuan_header_is_converted_with_a_warning(tmp_path: Path) -> None:
    header = shanghai_header(**{"项目总预算（元）": "250万", "项目当年预算（元）": "26.5万元"})
    result = import_file(make_docx(tmp_path / "s.docx", shanghai_blocks(header=header)))
    budget = _only(result)["budget"]
    assert canon(budget["total"]) == ("num", "2500000")
    assert canon(budget["current_year"]) == ("num", "265000")
    assert _codes(result).count("import-value") == 2


def test_amounts_with_separators_and_number_cells(tmp_path: Path) -> None:
    header = shanghai_header(**{"项目总预算（元）": "2,468,000", "项目当年预算（元）": 2468000})
    header[11][1] = 0.1 + 0.2  # float noise: Excel shows 0.3
    header[11][3] = 1234.5
    rows, merges = as_sheet(shanghai_blocks(header=header))
    path = make_xlsx(tmp_path / "s.xlsx", {"项目": (rows, merges)}, {("项目", "D15"): "#,##0.00"})
    budget = _only(import_file(path))["budget"]
    assert canon(budget) == {
        "total": ("num", "2468000"),
        "current_year": ("num", "2468000"),
        "last_year": ("num", "0.3"),
        "last_year_spent": ("num", "1234.50"),
    }


def test_excel_number_format_keeps_every_digit(tmp_path: Path) -> None:
    rows, merges = as_sheet([*TJ_TITLE, (TJ_HEADER, []), (([TJ_COLUMNS, *TJ_ROWS]), [])])
    rows[4][2] = 26.5
    rows[5][2] = 26.456
    path = make_xlsx(tmp_path / "t.xlsx", {"项目": (rows, merges)}, {("项目", "C5"): "0.00", ("项目", "C6"): "0.00"})
    budget = _only(import_file(path))["budget"]
    assert canon(budget["total"]) == ("num", "26.50")
    assert canon(budget["fiscal"]) == ("num", "26.456")


def test_dates_from_excel_date_cells_and_from_text(tmp_path: Path) -> None:
    header = shanghai_header(**{"计划开始日期": dt.datetime(2020, 1, 1), "计划完成日期": "2020年12月31日"})
    path = make_xlsx(tmp_path / "s.xlsx", {"项目": as_sheet(shanghai_blocks(header=header))})
    data = _only(import_file(path))
    assert data["start_date"] == dt.date(2020, 1, 1)
    assert data["end_date"] == dt.date(2020, 12, 31)


# -- layout -------------------------------------------------------------------------------------


def test_blank_continuation_cells_in_excel_without_merges(tmp_path: Path) -> None:
    rows, _ = as_sheet([*TJ_TITLE, (TJ_HEADER, []), ([TJ_COLUMNS, *TJ_ROWS], [])])
    data = _only(import_file(make_xlsx(tmp_path / "t.xlsx", {"项目": (rows, [])})))
    assert data["indicators"] == TJ_TREE
    assert data["targets"] == ["完成测试。", "保障运行。"]


def test_merged_level_cells_in_word(tmp_path: Path) -> None:
    rows = [[*row] for row in TJ_ROWS]
    rows[1][0], rows[1][1] = "产出指标", "数量指标"
    table = [TJ_COLUMNS, *rows]
    blocks = [*TJ_TITLE, (TJ_HEADER, []), ([row[:] for row in table], [(1, 0, 3, 0), (1, 1, 2, 1)])]
    data = _only(import_file(make_docx(tmp_path / "t.docx", blocks)))
    assert data["indicators"] == TJ_TREE


def test_header_fields_in_unusual_cells(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["", "", "", "2025年测试项目绩效目标表"],
        ["单位：万元", "", "", "", "单位名称：天津市西青区人民检察院"],
        ["预算数", "其中：财政资金", "其他资金"],
        ["10", "10", ""],
        ["", "", "项目名称", "2025年测试项目"],
        ["资金用途", "用于测试", "绩效目标", "1.完成测试。"],
        [],
        TJ_COLUMNS,
        *TJ_ROWS,
    ]
    result = import_file(make_xlsx(tmp_path / "t.xlsx", {"Sheet1": (rows, [])}))
    data = _only(result)
    assert result.defaults["unit"] == {"name": "天津市西青区人民检察院"}
    assert data["name"] == "2025年测试项目"
    assert canon(data["budget"]) == {"total": ("num", "10"), "fiscal": ("num", "10"), "other": None}
    assert data["purpose"] == "用于测试"
    assert data["targets"] == ["完成测试。"]
    assert data["indicators"] == TJ_TREE
    assert "review" not in data


def test_several_projects_on_one_sheet_and_an_index_sheet(tmp_path: Path) -> None:
    second = [["项目名称", "2024年第二个项目", ""], *TJ_HEADER[1:]]
    one, _ = as_sheet([*TJ_TITLE[1:], (TJ_HEADER, []), ([TJ_COLUMNS, *TJ_ROWS], [])])
    two, _ = as_sheet([(second, []), ([TJ_COLUMNS, *TJ_ROWS[:1]], [])])
    index = ([["序号", "项目名称"], [1, "2025年测试项目"], [2, "2024年第二个项目"]], [])
    path = make_xlsx(tmp_path / "t.xlsx", {"目录": index, "全部": ([*one, [], *two], [])})
    result = import_file(path)
    assert [p.data["name"] for p in result.projects] == ["2025年测试项目", "2024年第二个项目"]
    assert [p.filename for p in result.projects] == ["01-2025年测试项目.yaml", "02-2024年第二个项目.yaml"]
    assert result.projects[1].data["year"] == 2024
    assert result.defaults["year"] == 2025
    assert "review" not in result.projects[0].data and "review" not in result.projects[1].data


def test_combined_word_document_with_cover_text(tmp_path: Path) -> None:
    blocks = ["2025年项目绩效目标汇总", *TJ_TITLE, (TJ_HEADER, TJ_HEADER_MERGES), "", ([TJ_COLUMNS, *TJ_ROWS], [])]
    blocks += ["2.2024年第二个项目绩效目标表", "263101天津市西青区人民检察院", "单位：万元"]
    blocks += [([["项目名称", "2024年第二个项目", ""], *TJ_HEADER[1:]], []), ([TJ_COLUMNS, *TJ_ROWS[:1]], [])]
    result = import_file(make_docx(tmp_path / "all.docx", blocks))
    assert [p.filename for p in result.projects] == ["01-2025年测试项目.yaml", "02-2024年第二个项目.yaml"]
    first = result.projects[0].data
    assert first["review"] == [{"text": "2025年项目绩效目标汇总", "source": "all.docx 第1段"}]


# -- nothing lost -------------------------------------------------------------------------------


def test_unplaceable_text_ends_in_review_and_check_blocks_the_spec(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    header = [[*row, ""] for row in TJ_HEADER]
    header[0][3] = "（盖章）"
    blocks = [*TJ_TITLE, (header, []), "", ([TJ_COLUMNS, *TJ_ROWS], []), "备注：以上数据仅供参考"]
    out = tmp_path / "specs" / "tj"
    report = import_into([make_docx(tmp_path / "old.docx", blocks)], out)
    assert sum(d.code == "import-review" for d in report.diagnostics) == 2
    text = (out / "01-2025年测试项目.yaml").read_text(encoding="utf-8")
    spec = yaml.safe_load(text)
    assert spec["review"] == [
        {"text": "（盖章）", "source": "old.docx 表1 第1行 第4列"},
        {"text": "备注：以上数据仅供参考", "source": "old.docx 第5段"},
    ]
    assert spec["indicators"] == TJ_TREE
    capsys.readouterr()
    assert main(["check", str(tmp_path / "specs")]) == 1
    assert "needs-review" in capsys.readouterr().out


def test_written_spec_is_readable_yaml(tmp_path: Path) -> None:
    long_text = "第一段，很长的文字。\n第二段：继续写。"
    header = shanghai_header(**{"项目概况": long_text})
    result = import_file(make_docx(tmp_path / "s.docx", shanghai_blocks(header=header)))
    data = _only(result)
    text = dump_spec(data)
    assert "overview: |-\n  第一段，很长的文字。\n  第二段：继续写。\n" in text
    assert "预算执行率: =100%" in text  # compact indicator form, Chinese unescaped
    assert yaml.safe_load(text)["overview"] == long_text
    assert isinstance(data["budget"]["total"], Decimal)


def test_title_numbers_out_of_order_are_renumbered_with_a_warning(tmp_path: Path) -> None:
    second = [["项目名称", "2024年第二个项目", ""], *TJ_HEADER[1:]]
    blocks = [*TJ_TITLE, (TJ_HEADER, []), ([TJ_COLUMNS, *TJ_ROWS], [])]
    blocks += ["1.2024年第二个项目绩效目标表", (second, []), ([TJ_COLUMNS, *TJ_ROWS[:1]], [])]
    result = import_file(make_docx(tmp_path / "all.docx", blocks))
    assert [p.filename for p in result.projects] == ["01-2025年测试项目.yaml", "02-2024年第二个项目.yaml"]
    assert [d.line for d in result.diagnostics if d.code == "import-number"] == [4]


def test_single_project_keeps_its_title_number_in_the_file_name(tmp_path: Path) -> None:
    title = ["3.2025年测试项目绩效目标表", *TJ_TITLE[1:]]
    result = import_file(tianjin_docx(tmp_path / "t.docx", title=title))
    assert [p.filename for p in result.projects] == ["03-2025年测试项目.yaml"]
    assert "import-number" not in _codes(result)
