"""The three seed documents import into the expected projects, with every guess reported."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

from sheetgen import jurisdiction as jurisdictions
from sheetgen.errors import ImportFormatError, Severity
from sheetgen.importers import ImportResult, detect_layout, import_text

Seeds = dict[str, ImportResult]
GRID, PDF, DOCX = "000_843e70b5e72a22f4.txt", "001_7b6856de8c6b40d9.txt", "002_86ef9e7dadc5629d.txt"

#: Every shifted indicator row of the grid seed → (一级, 二级, 三级, 值) it must end up as.
GRID_REALIGNED = {
    42: (0, "效果目标", "满意度", "检察院工作人员满意度", ">=90%"),
    72: (1, "投入与管理", "实施管理", "项目管理制度执行有效性", "有效"),
    80: (1, "产出目标", "成本", "薪金成本合规性", "合规"),
    114: (2, "投入与管理", "实施管理", "项目管理制度健全性", "健全"),
    115: (2, "投入与管理", "实施管理", "项目管理制度执行有效性", "有效"),
    153: (3, "投入与管理", "实施管理", "项目管理制度健全性", "健全"),
    154: (3, "投入与管理", "实施管理", "救助审批规范性", "合规"),
    201: (4, "产出目标", "时效", "检察理论研究资料采购及时性", "及时"),
    238: (5, "投入与管理", "实施管理", "车辆巡检规范性", "完善"),
    239: (5, "投入与管理", "资产管理", "固定资产管理情况", "规范"),
    245: (5, "产出目标", "成本", "车辆采购单价成本", "合规"),
    250: (5, "效果目标", "满意度", "车辆使用人员满意度", ">=90%"),
    285: (6, "投入与管理", "实施管理", "设备巡检规范性", "完善"),
    286: (6, "投入与管理", "资产管理", "固定资产管理情况", "规范"),
    297: (6, "效果目标", "满意度", "检察院工作人员满意度", ">=90%"),
    332: (7, "投入与管理", "实施管理", "系统运维规范性", "规范"),
    333: (7, "投入与管理", "实施管理", "供应商资质符合程度", "符合"),
    373: (8, "投入与管理", "实施管理", "政府采购规范性", "规范"),
    379: (8, "效果目标", "社会效益", "系统综合故障率", None),
    380: (8, "效果目标", "社会效益", "有责投诉次数", "=0次"),
    381: (8, "效果目标", "社会效益", "数据安全事故发生次数", "=0次"),
    382: (8, "效果目标", "满意度", "检察院工作人员满意度", ">=90%"),
}


@pytest.mark.parametrize(("seed", "layout", "count"), [(GRID, "grid", 9), (PDF, "pdftext", 8), (DOCX, "docxtext", 7)])
def test_project_counts_and_layouts(
    seeds: Seeds, seed_text: Callable[[str], str], seed: str, layout: str, count: int
) -> None:
    assert detect_layout(seed_text(seed)) == layout
    assert seeds[seed].layout == layout
    assert len(seeds[seed].projects) == count
    numbers = [int(p.filename[:2]) for p in seeds[seed].projects]
    assert numbers == list(range(1, count + 1))
    assert all(p.filename.endswith(".yaml") and "/" not in p.filename for p in seeds[seed].projects)


def test_every_grid_realignment_is_reported_with_its_line(seeds: Seeds) -> None:
    result = seeds[GRID]
    realigned = [d for d in result.diagnostics if d.code == "import-realign"]
    assert sorted(d.line for d in realigned) == sorted(GRID_REALIGNED)
    for diagnostic in realigned:
        assert diagnostic.severity is Severity.WARNING
        assert diagnostic.path.endswith(GRID) and diagnostic.col == 1
        index, level1, level2, name, value = GRID_REALIGNED[diagnostic.line]
        assert name in diagnostic.message and level1 in diagnostic.message
        assert result.projects[index].data["indicators"][level1][level2][name] == value
    assert all(d.severity is Severity.WARNING for d in result.diagnostics)


def test_blank_value_of_the_right_shifted_row_stays_none(seeds: Seeds) -> None:
    social = seeds[GRID].projects[8].data["indicators"]["效果目标"]["社会效益"]
    assert "系统综合故障率" in social and social["系统综合故障率"] is None
    assert list(social) == ["系统综合故障率", "有责投诉次数", "数据安全事故发生次数"]


def test_grid_first_project_matches_the_spec_example(seeds: Seeds) -> None:
    data = seeds[GRID].projects[0].data
    assert seeds[GRID].defaults == {
        "jurisdiction": "shanghai",
        "year": 2020,
        "unit": {"name": "上海市人民检察院第一分院"},
    }
    assert seeds[GRID].projects[0].filename == "01-办案及业务用房专项维修费.yaml"
    assert data["start_date"] == dt.date(2020, 1, 1) and data["end_date"] == dt.date(2020, 12, 31)
    assert data["government_purchase"] is True and data["performance_type"] == "基本建设工程类"
    assert data["budget"] == {
        "total": Decimal("2468000"),
        "current_year": Decimal("2468000"),
        "last_year": None,
        "last_year_spent": None,
    }
    assert list(data["indicators"]) == ["投入与管理", "产出目标", "效果目标", "影响力目标"]
    assert list(data["indicators"]["效果目标"]) == ["社会效益", "环境效益", "满意度"]


@pytest.mark.parametrize("seed", [GRID, PDF, DOCX])
def test_keys_are_in_spec_order(seeds: Seeds, seed: str) -> None:
    result = seeds[seed]
    order = jurisdictions.load(result.defaults["jurisdiction"]).spec_order
    for project in result.projects:
        keys = list(project.data)
        assert keys == sorted(keys, key=order.index)
        assert keys[-1] == "indicators"


def test_pdf_wrapped_texts_are_joined_without_separator(seeds: Seeds) -> None:
    projects = [p.data for p in seeds[PDF].projects]
    assert seeds[PDF].defaults["unit"] == {"name": "上海市人民检察院"}
    assert "确保2020年度本院机关服务正常" in projects[1]["goals"]  # 202 / 0年 wrapped
    assert projects[0]["overview"].endswith("维修费等项目。")
    assert "确保全部内容顺利哟徐进行" in projects[3]["goals"]  # the authors' typo stays
    for data in projects:
        for key in ("overview", "basis", "necessity", "safeguards", "plan", "goals"):
            assert "\n" not in data[key] and "- 1 -" not in data[key] and "- 11 -" not in data[key]
    assert projects[6]["name"] == "派驻农场检察院机构业务经费"
    joined = [d for d in seeds[PDF].diagnostics if d.code == "import-join"]
    assert [d.line for d in joined] == [693]


def test_pdf_displaced_label_moves_the_sentence_to_its_field(seeds: Seeds) -> None:
    data = seeds[PDF].projects[7].data
    assert data["name"] == "信息化新建项目"
    assert data["basis"].endswith("《全面推进“一网通办”加快建设智慧政府工作方案》（沪委办发〔2018〕14号）")
    assert "通过本项目的建设" not in data["basis"]
    assert data["necessity"].startswith("1.上海检察机关智能卷宗管理系统通过本项目的建设，一方面")
    assert (
        "并为后续更加深入的智慧检务应用积累数据。2.全国检察机关统一业务系统2.0硬件资源平台高检院于2019年"
        in (data["necessity"])
    )
    displaced = [d for d in seeds[PDF].diagnostics if d.code == "import-displaced"]
    assert len(displaced) == 1
    assert displaced[0].line == 861 and displaced[0].severity is Severity.WARNING
    assert "858" in displaced[0].message and "立项依据" in displaced[0].message


def test_pdf_amounts_dates_and_indicators(seeds: Seeds) -> None:
    first = seeds[PDF].projects[0].data
    assert first["budget"]["total"] == Decimal("8844385")
    assert first["budget"]["last_year_spent"] == Decimal("7377222")
    assert first["government_purchase"] is False
    tree = first["indicators"]
    assert tree["效果目标"]["环境效益"] == {"建筑节能": ">=10%"}
    assert tree["影响力目标"]["长效管理"]["大楼使用管理制度建设"] == "完善"
    last = seeds[PDF].projects[6].data["indicators"]["影响力目标"]
    assert last == {"长效管理": {"建立劳改农场长效管理制度": "持续健全、完善"}}


def test_tianjin_amounts_years_targets(seeds: Seeds) -> None:
    result = seeds[DOCX]
    assert result.defaults == {
        "jurisdiction": "tianjin",
        "year": 2025,
        "unit": {"code": "263101", "name": "天津市西青区人民检察院"},
    }
    first = result.projects[0]
    assert first.filename == "01-2025年检察业务信息化运维项目-2025中央.yaml"
    total = first.data["budget"]["total"]
    assert isinstance(total, Decimal) and str(total) == "26.50"
    assert first.data["budget"] == {"total": Decimal("26.50"), "fiscal": Decimal("26.50"), "other": None}
    assert first.data["targets"] == ["保障办公办案正常进行。"]
    satisfaction = first.data["indicators"]["满意度指标"]["服务对象满意度指标"]["单位干警满意度"]
    assert satisfaction == {"description": "检察干警满意度", "value": "≥99百分之"}
    assert [p.data.get("year") for p in result.projects] == [None, 2024, 2024, None, None, None, None]
    assert result.projects[2].data["targets"] == ["目标内容1"]
    assert len(result.projects[3].data["targets"]) == 2
    assert str(result.projects[4].data["budget"]["total"]) == "103.50"


def test_tianjin_repeated_groups_are_merged_and_reported(seeds: Seeds) -> None:
    result = seeds[DOCX]
    merged = sorted(d.line for d in result.diagnostics if d.code == "import-merge")
    assert merged == [61, 135, 192, 284, 336, 348, 440]
    benefits = result.projects[0].data["indicators"]["效益指标"]
    assert list(benefits) == ["可持续影响指标", "生态效益指标"]
    timely = result.projects[2].data["indicators"]["产出指标"]["时效指标"]
    assert list(timely) == ["耗材供应及时率", "线路供应修复时间"]


def test_tianjin_numbering_gap_is_a_warning() -> None:
    text = (
        "[bookmark: _Toc_1]1.2025年测试项目绩效目标表\n\t123456测试单位\n\t单位：万元\n\n"
        "\t项目名称\n\t2025年测试项目\n\n"
        "\t预算规模及资金用途\n\t预算数\n\t1.00\n\t其中：财政资金\n\t1.00\n\t其他资金\n\t\n\n"
        "\t\n\t用途\n\n\t绩效目标\n\t1.第一\n3.第三\n\n"
        "\t一级指标\n\t二级指标\n\t三级指标\n\t绩效指标描述\n\t指标值\n\n"
        "\t产出指标\n\t数量指标\n\t个数\n\t\n\t≥1个\n"
    )
    result = import_text(text, "x.txt")
    project = result.projects[0].data
    assert project["targets"] == ["第一", "第三"]
    assert [d.code for d in result.diagnostics] == ["import-numbering"]
    assert project["indicators"]["产出指标"]["数量指标"]["个数"] == {"description": None, "value": "≥1个"}


def test_unknown_layout_is_an_import_error() -> None:
    with pytest.raises(ImportFormatError):
        import_text("nothing to see", "x.txt")
    with pytest.raises(ImportFormatError):
        import_text("nothing", "x.txt", layout="nope")
