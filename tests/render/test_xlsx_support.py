"""Projects for the Excel renderer tests: hand-written ones, and the seed specs
of ``specs/`` read by a small local loader (to be replaced by the real one).

Imported by the ``test_xlsx_*`` modules; holds no tests itself.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl

from sheetgen import jurisdiction as jurisdictions
from sheetgen.model import Category, Frozen, Group, Indicator, Project
from sheetgen.render.xlsx import XlsxTemplate, compile_xlsx
from tests.support import load_projects

REPO = Path(__file__).resolve().parents[2]
SPECS = REPO / "specs"

OVERVIEW = (
    "根据市机管局要求申报2020年度办公用房维修计划，根据机管局维修批复安排维修预算项目主要包括："
    "重新粉刷办公室、会议室及卫生间、茶水间的顶面和墙面；重新粉刷楼梯间的顶面和墙面；"
    "重新粉刷走道及公共空间的顶面和墙面；对财务室进行空间布局调整；对案件研究中心进行功能性调整；"
    "对案件受理中心大厅进行功能性调整。"
)


def _frozen(value: Any) -> Any:
    if isinstance(value, Mapping):
        return Frozen({k: _frozen(v) for k, v in value.items()})
    return value


def indicators(tree: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> tuple[Category, ...]:
    """Return the indicator tree of a spec mapping (compact or full form)."""
    categories = []
    for level1, groups in tree.items():
        built = []
        for level2, items in groups.items():
            rows = []
            for name, value in items.items():
                if isinstance(value, Mapping):
                    extras = {k: v for k, v in value.items() if k not in ("value", "description")}
                    rows.append(
                        Indicator(
                            str(name),
                            None if value.get("value") is None else str(value["value"]),
                            value.get("description"),
                            Frozen(extras),
                        )
                    )
                else:
                    rows.append(Indicator(str(name), None if value is None else str(value)))
            built.append(Group(str(level2), tuple(rows)))
        categories.append(Category(str(level1), tuple(built)))
    return tuple(categories)


def project(header: Mapping[str, Any], tree: Mapping[str, Any], *, number: int = 1, key: str = "p") -> Project:
    """Return a Project of ``header`` fields and an indicator ``tree``."""
    return Project(
        key=key,
        jurisdiction=str(header.get("jurisdiction", "shanghai")),
        number=number,
        header=_frozen(header),
        indicators=indicators(tree),
    )


SHANGHAI_TREE = {
    "投入与管理": {
        "投入管理": {"预算编制合理性": "合理", "预算执行率": "=100%", "预算资金到位率": "=100%"},
        "财务管理": {"财务管理制度健全性": "健全", "财务监控有效性": "有效", "资金使用规范性": "规范"},
    },
    "产出目标": {"数量": {"墙面、顶面粉刷完成率": "+1", "办公用房装修完成率": "-1"}, "质量": {"工程验收合格率": "@x"}},
    "效果目标": {"满意度": {"检察院工作人员满意度": ">=90%"}},
}


def shanghai_header(**over: Any) -> dict[str, Any]:
    """Return the header of the seed's first Shanghai project, changed by ``over``."""
    header = {
        "jurisdiction": "shanghai",
        "year": 2020,
        "unit": {"name": "上海市人民检察院第一分院"},
        "name": "办案及业务用房专项维修费",
        "category": "其他一次性项目",
        "start_date": dt.date(2020, 1, 1),
        "end_date": dt.date(2020, 12, 31),
        "government_purchase": True,
        "performance_type": "基本建设工程类",
        "overview": OVERVIEW,
        "basis": "《党政机关办公用房建设标准》发改投资[2014]2674号",
        "necessity": "必要性",
        "safeguards": "措施",
        "plan": "计划",
        "goals": "目标",
        "budget": {
            "total": Decimal("2468000"),
            "current_year": Decimal("2468000"),
            "last_year": None,
            "last_year_spent": Decimal("4420000"),
        },
    }
    header.update(over)
    return header


def shanghai(number: int = 1, **over: Any) -> Project:
    """Return a hand-written Shanghai project (seed 000, first table)."""
    return project(shanghai_header(**over), SHANGHAI_TREE, number=number)


TIANJIN_TREE = {
    "产出指标": {
        "数量指标": {"软件维护次数": {"description": "一年内办案软件维护次数", "value": "≥200次"}},
        "质量指标": {"运维服务质量": {"description": "运维服务质量", "value": "保障软、硬件正常运转。"}},
        "成本指标": {"项目总成本": {"description": "项目总成本", "value": "≤26.5万"}},
    },
    "满意度指标": {"服务对象满意度指标": {"单位干警满意度": {"description": "检察干警满意度", "value": "≥99百分之"}}},
}


def tianjin(number: int = 1, **over: Any) -> Project:
    """Return a hand-written Tianjin project (seed 002, first table)."""
    header = {
        "jurisdiction": "tianjin",
        "year": 2025,
        "unit": {"code": "263101", "name": "天津市西青区人民检察院"},
        "name": "2025年检察业务信息化运维项目-2025中央",
        "budget": {"total": Decimal("26.50"), "fiscal": Decimal("26.50"), "other": None},
        "purpose": "用于信息化运维服务费用",
        "targets": ["保障办公办案正常进行。", "保障系统安全。"],
    }
    header.update(over)
    return project(header, TIANJIN_TREE, number=number)


# ------------------------------------------------------------ seed specs








def load_unit(folder: Path) -> list[Project]:
    """Return the projects of a spec folder through the real loader and validator."""
    return load_projects(folder)


def spec_units() -> list[Path]:
    """Return the unit folders under ``specs/`` (empty until the specs land)."""
    if not SPECS.is_dir():
        return []
    return sorted(p for p in SPECS.iterdir() if (p / "_defaults.yaml").is_file())


@cache
def template(name: str) -> XlsxTemplate:
    """Return the compiled built-in template of jurisdiction ``name``."""
    return compile_xlsx(jurisdictions.load(name))


def render(projects: list[Project] | Project, name: str | None = None) -> bytes:
    """Return the workbook bytes of ``projects`` in their jurisdiction."""
    items = projects if isinstance(projects, list) else [projects]
    name = name or items[0].jurisdiction
    return template(name).render(items, jurisdictions.load(name))


def reopen(blob: bytes) -> openpyxl.Workbook:
    """Return ``blob`` read back by openpyxl."""
    return openpyxl.load_workbook(io.BytesIO(blob))
