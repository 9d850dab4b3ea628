"""The 绩效自评表 built from the seed specs with year-end data (tests/fixtures/selfeval: copies
of three Tianjin and two Shanghai seed specs, with made-up but realistic actuals covering ≥,
≤, =, a bare-number target, qualitative indicators met and not met, not applicable ones --
one a whole 一级, so the total is rescaled --, explicit points and shortfalls with reasons).

`sheetgen build` writes every project's 自评表 and each unit's 自评 汇总 in Word and Excel;
the tests reopen them with python-docx and openpyxl and compare every score, the totals,
the grades and the 一级/二级 merges with the values worked out by hand below (the scorer is
never called here)."""

from __future__ import annotations

import itertools
import shutil
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn

from sheetgen.build.runner import BuildOptions, run_build
from tests.conftest import REPO

FIXTURE = REPO / "tests" / "fixtures" / "selfeval"
NA = "不适用"  # the built-in formats' word for a not-applicable indicator (self_evaluation.not_applicable)


def q(value: Decimal) -> str:
    """Return a hand-computed score as the table prints it: two decimals, half up."""
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"


D = Decimal


@dataclass(frozen=True)
class Expected:
    """What one project's 自评表 must show, worked out by hand."""

    unit: str
    stem: str
    number: int
    name: str
    department: str
    implementer: str
    funds: dict[str, tuple[str, str, str]]  # row -> (年初预算数, 全年预算数, 全年执行数) as printed
    rate: str
    execution: tuple[str, str]  # 分值, 得分 of 预算执行率
    rows: list[tuple[str, str, str, str, str, str, str, str]]  # 一级, 二级, 三级, 指标值, 实际, 分值, 得分, 偏差原因
    points: str
    total: str
    grade: str


TJ = "tj-xiqing-2025"
SH = "sh-yifenyuan-2020"
TJ_UNIT = "天津市西青区人民检察院"
SH_UNIT = "上海市人民检察院第一分院"
OUT1, BEN1, SAT1 = "产出指标（50分）", "效益指标（30分）", "满意度指标（10分）"
IN, OUT, EFF, IMP = "投入与管理（10分）", "产出目标（40分）", "效果目标（30分）", "影响力目标（10分）"

EXPECTED = [
    # 产出 50 / 4 = 12.50 each; 效益 30: one of its two not applicable, so the other has all 30;
    # 执行率 25.80 / 26.50 = 0.97358… -> 97.36 %, × 10 = 9.74
    Expected(TJ, "01-2025年检察业务信息化运维项目-2025中央", 1, "2025年检察业务信息化运维项目-2025中央",
             TJ_UNIT, TJ_UNIT,
             {"年度资金总额": ("26.50", "26.50", "25.80"), "其中：本年财政拨款": ("26.50", "26.50", "25.80")},
             "97.36%", ("10.00", "9.74"), [
                 (OUT1, "数量指标", "软件维护次数", "≥200次", "180次", "12.50", q(D(180) / 200 * D("12.5")),
                  "部分软件维护合并进行，次数少于计划；明年按月排定维护计划。"),
                 (OUT1, "质量指标", "运维服务质量", "保障软、硬件正常运转。", "保障软、硬件正常运转。", "12.50",
                  "12.50", ""),
                 (OUT1, "时效指标", "故障响应时间", "≤24小时", "30小时", "12.50", q(D(24) / 30 * D("12.5")),
                  "两次故障需厂家远程支持，响应超时；已与厂家约定 24 小时到场。"),
                 (OUT1, "成本指标", "项目总成本", "≤26.5万", "25.8万元", "12.50", "12.50", ""),
                 (BEN1, "可持续影响指标", "保障办案正常进行", "促进依法治区", "基本促进依法治区", "30.00", "27.00",
                  "部分运维成果尚未体现在办案质效上；明年加强统计。"),
                 (BEN1, "生态效益指标", "生态效益指标", "促进我院各项工作正常进行", NA, NA, NA,
                  "本项目不涉及生态效益。"),
                 (SAT1, "服务对象满意度指标", "单位干警满意度", "≥99百分之", "99.5%", "10.00", "10.00", ""),
             ], "100.00", "92.99", "优"),  # 9.74 + 11.25 + 12.50 + 10.00 + 12.50 + 27.00 + 10.00
    # 执行率 9.60 / 10.00 = 96.00 %, × 10 = 9.60; 效益 30 / 2 = 15.00
    Expected(TJ, "02-2024年检察业务购买服务项目-2024中央", 2, "2024年检察业务购买服务项目-2024中央",
             TJ_UNIT, "天津市西青区人民检察院技术处",
             {"年度资金总额": ("10.00", "10.00", "9.60"), "其中：本年财政拨款": ("10.00", "10.00", "9.60")},
             "96.00%", ("10.00", "9.60"), [
                 (OUT1, "数量指标", "服务点位数", "≥140点", "150点", "12.50", "12.50", ""),
                 (OUT1, "质量指标", "更新及时率", "≥90%", "85%", "12.50", q(D(85) / 90 * D("12.5")),
                  "云桌面版本更新集中在第四季度，部分点位延后；明年分批更新。"),
                 (OUT1, "时效指标", "故障响应时间", "≤24小时", "12小时", "12.50", "12.50", ""),
                 (OUT1, "成本指标", "总成本", "≤10万", "9.6万元", "12.50", "12.50", ""),
                 (BEN1, "社会效益指标", "检察工作支持率", "≥98%", "98%", "15.00", "15.00", ""),
                 (BEN1, "可持续影响指标", "保障办案顺利进行", "促进依法治区", "促进依法治区", "15.00", "15.00", ""),
                 (SAT1, "服务对象满意度指标", "检察干警对购买服务事项的满意率", "≥98%", "99%", "10.00", "10.00", ""),
             ], "100.00", "98.91", "优"),  # 9.60 + 12.50 + 11.81 + 12.50 + 12.50 + 15 + 15 + 10
    # the only 效益 indicator not applicable: 10 + 50 + 10 = 70 points scored, the total rescaled
    # to 100: (8.00 + 6.25 + 12.50 + 11.00 + 12.50 + 10.00) × 100 / 70 = 60.25 × 100 / 70 = 86.07
    Expected(TJ, "07-2025年司法救助项目-2025中央", 3, "2025年司法救助项目-2025中央", TJ_UNIT, TJ_UNIT,
             {"年度资金总额": ("10.00", "10.00", "8.00"), "其中：本年财政拨款": ("10.00", "10.00", "8.00")},
             "80.00%", ("10.00", "8.00"), [
                 (OUT1, "数量指标", "救助案件当事人", "≥10人", "5人", "12.50", q(D(5) / 10 * D("12.5")),
                  "符合救助条件的当事人少于预期；救助标准不变。"),
                 (OUT1, "质量指标", "被救助人员息诉罢访率", "100%", "100%", "12.50", "12.50", ""),
                 (OUT1, "时效指标", "司法救助金及时发放率", "100%", "90%", "12.50", "11.00",
                  "一笔救助金因当事人账户变更延迟发放；发放前核对账户。"),
                 (OUT1, "成本指标", "司法救助总金额", "≤10万元", "8万元", "12.50", "12.50", ""),
                 (BEN1, "社会效益指标", "困难群众生活状况改善情况", "通过拨付救助金额改善群众生活", NA, NA, NA, ""),
                 (SAT1, "服务对象满意度指标", "被救助人员满意程度", "≥90%", "95%", "10.00", "10.00", ""),
             ], "70.00", q(D("60.25") * 100 / 70), "良"),
    # 投入与管理 10 / 7 = 1.428…: 1.42 each and the 6 steps left to the first six (1.43);
    # 产出 40 / 8 = 5.00; 效果 30 / 4 = 7.50; 影响力 10: 长效管理机制 not applicable;
    # 执行率 4,712,300 / 4,826,500 = 0.97633… -> 97.63 %, × 10 = 9.76
    Expected(SH, "02-检察辅助人员经费", 1, "检察辅助人员经费", SH_UNIT, SH_UNIT,
             {"年度资金总额": ("4,826,500", "4,826,500", "4,712,300"), "其中：本年财政拨款": ("", "", "4,712,300")},
             "97.63%", ("10.00", "9.76"), [
                 (IN, "投入管理", "预算执行率", "=100%", "97.63%", "1.43", "1.00",
                  "年末有两名辅助人员离职，薪金结余；明年按在册人数编制预算。"),
                 (IN, "投入管理", "预算资金到位率", "=100%", "100%", "1.43", "1.43", ""),
                 (IN, "投入管理", "预算编制合理性", "合理", "合理", "1.43", "1.43", ""),
                 (IN, "财务管理", "财务监控有效性", "有效", "有效", "1.43", "1.43", ""),
                 (IN, "财务管理", "财务管理制度健全性", "健全", "健全", "1.43", "1.43", ""),
                 (IN, "实施管理", "项目管理制度健全性", "健全", "健全", "1.43", "1.43", ""),
                 (IN, "实施管理", "项目管理制度执行有效性", "有效", "有效", "1.42", "1.42", ""),
                 (OUT, "数量", "辅助人员招录完成率", "=100%", "100%", "5.00", "5.00", ""),
                 (OUT, "数量", "辅助人员培训完成率", "=100%", "95%", "5.00", "4.50",
                  "两名新进人员的培训延至次年一月；明年提前安排。"),
                 (OUT, "数量", "辅助人员考核覆盖率", "=100%", "100%", "5.00", "5.00", ""),
                 (OUT, "质量", "辅助人员考核优良率", ">=80%", "86%", "5.00", "5.00", ""),
                 (OUT, "时效", "辅助人员考核及时性", "及时", "及时", "5.00", "5.00", ""),
                 (OUT, "时效", "辅助人员招录及时性", "及时", "基本及时", "5.00", "4.00",
                  "一次招录因报名人数不足顺延一个月。"),
                 (OUT, "时效", "薪金发放及时率", "=100%", "100%", "5.00", "5.00", ""),
                 (OUT, "成本", "薪金成本合规性", "合规", "合规", "5.00", "5.00", ""),
                 (EFF, "社会效益", "辅助人员专业水平", "提升", "提升", "7.50", "7.50", ""),
                 (EFF, "社会效益", "检察院工作效率", "提升", "提升", "7.50", "7.50", ""),
                 (EFF, "满意度", "辅助人员满意度", ">=85%", "82%", "7.50", q(D(82) / 85 * D("7.5")),
                  "加班较多，满意度略低；明年调整排班。"),
                 (EFF, "满意度", "检察院工作人员满意度", ">=90%", "93%", "7.50", "7.50", ""),
                 (IMP, "长效管理", "长效管理机制", "完善", NA, NA, NA, "长效管理机制的评估明年进行。"),
                 (IMP, "人力资源", "辅助人员流失率", "<=10%", "12%", "10.00", q(D(10) / 12 * 10),
                  "薪酬低于同类岗位，流失偏高；明年申请调整标准。"),
             ], "100.00", "95.90", "优"),  # 9.76 + 9.57 + 38.50 + 29.74 + 8.33
    # 投入与管理 10 / 8 = 1.25; 产出 40 / 4 = 10.00; 效果 30: 12 and 8 written, 10 left for
    # 满意度; 影响力 not applicable as a whole: 90 points scored, (10 + 10 + 39 + 29.41) × 100 / 90
    Expected(SH, "04-检察业务保障费", 2, "检察业务保障费", "上海市人民检察院", SH_UNIT,
             {"年度资金总额": ("100,000", "100,000", "100,000"), "其中：本年财政拨款": ("", "", "100,000")},
             "100.00%", ("10.00", "10.00"), [
                 *[(IN, group, name, target, target.lstrip("="), "1.25", "1.25", "") for group, name, target in (
                     ("投入管理", "预算编制合理性", "合理"), ("投入管理", "预算执行率", "=100%"),
                     ("投入管理", "预算资金到位率", "=100%"), ("财务管理", "财务管理制度健全性", "健全"),
                     ("财务管理", "财务监控有效性", "有效"), ("财务管理", "资金使用规范性", "规范"),
                     ("实施管理", "项目管理制度健全性", "健全"), ("实施管理", "救助审批规范性", "合规"))],
                 (OUT, "数量", "救助金发放完成率", "=100%", "100%", "10.00", "10.00", ""),
                 (OUT, "质量", "救助审批准确率", "=100%", "100%", "10.00", "10.00", ""),
                 (OUT, "时效", "救助金发放及时率", "=100%", "96%", "10.00", "9.00",
                  "年末两笔救助金跨年发放；明年十二月初截止受理。"),
                 (OUT, "成本", "救助金额合规性", "合规", "合规", "10.00", "10.00", ""),
                 (EFF, "社会效益", "救助对象上访率", "<=10%", "4%", "12.00", "12.00", ""),
                 (EFF, "社会效益", "骗取补助事件发生次数", "=0次", "0次", "8.00", "8.00", ""),
                 (EFF, "满意度", "救助对象满意度", ">=85%", "80%", "10.00", q(D(80) / 85 * 10),
                  "部分救助对象认为救助金额偏低；明年做好解释工作。"),
                 (IMP, "长效管理", "长效管理机制", "完善", NA, NA, NA, ""),
             ], "90.00", q(D("88.41") * 100 / 90), "优"),
]
IDS = [f"{e.unit}/{e.stem}" for e in EXPECTED]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the output folder of `sheetgen build` over a copy of the fixture."""
    root = tmp_path_factory.mktemp("selfeval")
    specs = root / "specs"
    shutil.copytree(FIXTURE, specs)
    out = root / "out"
    summary = run_build(BuildOptions(paths=(specs,), output=out, jobs=2))
    assert summary.ok and summary.failed == 0 and summary.built == len(EXPECTED), summary.failures
    return out


def test_every_table_is_written(built: Path) -> None:
    for item in EXPECTED:
        for suffix in (".docx", ".xlsx", "-自评.docx", "-自评.xlsx"):
            assert (built / item.unit / f"{item.stem}{suffix}").is_file()
    for unit, name in ((TJ, TJ_UNIT), (SH, SH_UNIT)):
        for suffix in ("", "-自评"):
            for kind in ("docx", "xlsx"):
                assert (built / unit / f"汇总-{name}{suffix}.{kind}").is_file()


# ----------------------------------------------------------------------------- Word


def _text(cell: Any) -> str:
    return cell.text.replace("\n", "")


def _vmerge(tc: Any) -> str | None:
    node = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
    if node is None:
        return None
    return node.get(qn("w:val")) or "continue"


def _starts(rows: list[tuple[str, ...]]) -> list[tuple[bool, bool]]:
    """Return, per expected row, whether it opens its 一级 and its 二级 group."""
    out = []
    for index, row in enumerate(rows):
        first1 = index == 0 or rows[index - 1][0] != row[0]
        out.append((first1, first1 or rows[index - 1][1] != row[1]))
    return out


@pytest.mark.parametrize("item", EXPECTED, ids=IDS)
def test_word_scores_totals_and_merges(built: Path, item: Expected) -> None:
    document = Document(str(built / item.unit / f"{item.stem}-自评.docx"))
    header, *pieces = document.tables
    # the header: 项目名称, 主管部门 / 实施单位, the 项目资金 block, 年度总体目标
    assert _text(header.cell(0, 1)) == item.name
    assert _text(header.cell(1, 1)) == item.department and _text(header.cell(1, 4)) == item.implementer
    labels = [_text(header.cell(r, 1)) for r in range(3, 7)]
    assert labels == ["年度资金总额", "其中：本年财政拨款", "上年结转资金", "其他资金"]
    for row, label in enumerate(labels, start=3):
        want = item.funds.get(label, ("", "", ""))
        assert tuple(_text(header.cell(row, c)) for c in (2, 3, 4)) == want, label
        # 分值, 执行率, 得分 of 预算执行率: one cell each, merged down the four rows
        assert (_text(header.cell(row, 5)), _text(header.cell(row, 6)), _text(header.cell(row, 7))) == \
            (item.execution[0], item.rate, item.execution[1])
    # the indicator table, maybe in pieces (each after the first starts a page with the header row)
    assert all(p.rows[0]._tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None for p in pieces)
    rows = [row for piece in pieces for row in list(piece.rows)[1:]]
    *rows, total = rows
    firsts = {id(piece.rows[1]._tr) for piece in pieces[1:]}
    assert len(rows) == len(item.rows)
    for row, want, (start1, start2) in zip(rows, item.rows, _starts(item.rows), strict=True):
        assert tuple(_text(c) for c in row.cells[:8]) == want
        tcs = row._tr.findall(qn("w:tc"))
        again = id(row._tr) in firsts
        assert _vmerge(tcs[0]) == ("restart" if start1 or again else "continue"), want
        assert _vmerge(tcs[1]) == ("restart" if start2 or again else "continue"), want
    cells = [_text(c) for c in total.cells]
    assert cells[0] == "总分" and cells[5:] == [item.points, item.total, f"自评等级：{item.grade}"]


# ----------------------------------------------------------------------------- Excel


@pytest.mark.parametrize("item", EXPECTED, ids=IDS)
def test_excel_scores_totals_and_merges(built: Path, item: Expected) -> None:
    sheet = openpyxl.load_workbook(built / item.unit / f"{item.stem}-自评.xlsx").worksheets[0]
    by_label = {str(sheet.cell(r, 2).value or "").replace("\n", ""): r for r in range(1, sheet.max_row + 1)}
    assert sheet["B3"].value == item.name and sheet["B4"].value == item.department
    assert sheet["E4"].value == item.implementer
    money = "#,##0" if item.unit == SH else "0.00"
    for label in ("年度资金总额", "其中：本年财政拨款", "上年结转资金", "其他资金"):
        row = by_label[label]
        want = item.funds.get(label, ("", "", ""))
        for col, text in zip("CDE", want, strict=True):
            cell = sheet[f"{col}{row}"]
            if text:  # amounts are numbers, in the format's number format
                assert cell.data_type == "n" and cell.number_format == money
                assert D(str(cell.value)) == D(text.replace(",", ""))
            else:
                assert cell.value is None
    first = by_label["年度资金总额"]
    assert (sheet[f"F{first}"].value, sheet[f"G{first}"].value, sheet[f"H{first}"].value) == \
        (item.execution[0], item.rate, item.execution[1])
    assert {f"{c}{first}:{c}{first + 3}" for c in "FGH"} <= {str(m) for m in sheet.merged_cells.ranges}
    header_row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 3).value == "三级指标")
    pages = {brk.id + 1 for brk in sheet.row_breaks.brk}
    for offset, (want, (start1, start2)) in enumerate(zip(item.rows, _starts(item.rows), strict=True)):
        row = header_row + 1 + offset
        values = tuple(str(sheet.cell(row, c).value or "") for c in range(1, 9))
        assert values[0] == (want[0] if start1 or row in pages else "")
        assert values[1] == (want[1] if start2 or row in pages else "")
        assert values[2:] == want[2:]
    total = header_row + 1 + len(item.rows)
    assert [sheet.cell(total, c).value for c in (1, 6, 7, 8)] == ["总分", item.points, item.total,
                                                                  f"自评等级：{item.grade}"]
    # 一级 and 二级 merged over their groups (cut where a page breaks)
    merges = {(m.min_col, m.min_row, m.max_row) for m in sheet.merged_cells.ranges
              if m.min_col in (1, 2) and m.min_col == m.max_col and header_row < m.min_row < total}
    want_merges: set[tuple[int, int, int]] = set()

    def add(col: int, first: int, last: int) -> None:
        edges = [first, *sorted(r for r in pages if first < r <= last), last + 1]
        want_merges.update((col, a, b - 1) for a, b in itertools.pairwise(edges) if b - 1 > a)

    for col, key in ((1, lambda r: r[0]), (2, lambda r: (r[0], r[1]))):
        row = header_row + 1
        for _group, members in itertools.groupby(item.rows, key=key):
            count = len(list(members))
            add(col, row, row + count - 1)
            row += count
    assert merges == want_merges


# ----------------------------------------------------------------------------- the unit's 自评 汇总


@pytest.mark.parametrize(("unit", "name"), [(TJ, TJ_UNIT), (SH, SH_UNIT)])
def test_the_unit_workbook_has_a_score_summary_in_the_unit_order(built: Path, unit: str, name: str) -> None:
    book = openpyxl.load_workbook(built / unit / f"汇总-{name}-自评.xlsx")
    items = [e for e in EXPECTED if e.unit == unit]
    assert book.sheetnames == ["目录", "自评得分", *[e.name for e in items]]
    sheet = book["自评得分"]
    year = "2025年" if unit == TJ else "2020年度财政"
    assert sheet["A1"].value == f"{name}{year}项目支出绩效自评得分"
    assert [c.value for c in sheet[2]] == ["序号", "项目名称", "预算执行率", "总分", "自评等级"]
    for row, item in enumerate(items, start=3):
        number, title, rate, total, grade = (sheet.cell(row, c) for c in range(1, 6))
        assert (number.value, title.value, grade.value) == (item.number, item.name, item.grade)
        assert rate.data_type == "n" and rate.number_format == "0.00%"
        assert f"{D(str(rate.value)) * 100:.2f}%" == item.rate
        assert total.data_type == "n" and total.number_format == "0.00" and q(D(str(total.value))) == item.total
        assert title.hyperlink is not None and title.hyperlink.location == f"'{item.name}'!A1"
    for item in items:  # each project's sheet is its 自评表
        sheet = book[item.name]
        assert any(r[0].value == "总分" and item.total in [c.value for c in r] for r in sheet.iter_rows())


@pytest.mark.parametrize(("unit", "name"), [(TJ, TJ_UNIT), (SH, SH_UNIT)])
def test_the_unit_document_holds_every_project(built: Path, unit: str, name: str) -> None:
    document = Document(str(built / unit / f"汇总-{name}-自评.docx"))
    # the contents page (in Word's table-of-contents control) is titled as the 自评表's
    text = "".join(t.text or "" for t in document.element.body.iter(qn("w:t")))
    year = "2025年项目支出绩效自评表" if unit == TJ else "2020年度财政项目支出绩效自评表"
    assert f"{name}{year}" in text
    totals = [[c.text for c in r.cells][5:] for t in document.tables for r in t.rows if r.cells[0].text == "总分"]
    assert totals == [[e.points, e.total, f"自评等级：{e.grade}"] for e in EXPECTED if e.unit == unit]
