"""Fixtures for the renderer tests.  Word-renderer fixtures carry a ``docx_`` prefix.

The Word tests build :class:`~sheetgen.model.Project` objects directly from
small hand-written data (renderer unit tests), and from the YAML files in
``specs/`` through the real loader and validator.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.document import Document as DocumentObject

from sheetgen import jurisdiction as jurisdictions
from sheetgen.jurisdiction import Jurisdiction
from sheetgen.mappings import deep_merge
from sheetgen.model import Category, Frozen, Group, Indicator, Project
from tests.support import load_projects

REPO = Path(__file__).resolve().parents[2]
SPECS = REPO / "specs"

DOCX_SHANGHAI: dict[str, Any] = {
    "jurisdiction": "shanghai",
    "year": 2020,
    "unit": {"name": "上海市人民检察院第一分院"},
    "name": "办案及业务用房专项维修费",
    "category": "其他一次性项目",
    "start_date": dt.date(2020, 1, 1),
    "end_date": dt.date(2020, 12, 31),
    "government_purchase": True,
    "performance_type": "基本建设工程类",
    "overview": "根据市机管局要求申报2020年度办公用房维修计划。",
    "basis": "《党政机关办公用房建设标准》发改投资[2014]2674号",
    "necessity": "楼房使用年限已久，出现外观及功能上的缺损。",
    "safeguards": "由警务保障部负责该项目前期立项时的审批。",
    "plan": "按计划完成项目招标流程。",
    "goals": "完成本院大楼的相关改造工作。",
    "budget": {"total": 2468000, "current_year": 2468000, "last_year": None, "last_year_spent": None},
    "indicators": {
        "投入与管理": {
            "投入管理": {"预算编制合理性": "合理", "预算执行率": "=100%", "预算资金到位率": "=100%"},
            "财务管理": {"财务管理制度健全性": "健全", "财务监控有效性": "有效"},
        },
        "产出目标": {"数量": {"墙面、顶面粉刷完成率": "=100%"}, "质量": {"工程验收合格率": "=100%"}},
        "效果目标": {"满意度": {"检察院工作人员满意度": ">=90%"}},
    },
}

DOCX_TIANJIN: dict[str, Any] = {
    "jurisdiction": "tianjin",
    "year": 2025,
    "unit": {"code": "263101", "name": "天津市西青区人民检察院"},
    "name": "2025年检察业务信息化运维项目-2025中央",
    "budget": {"total": "26.50", "fiscal": "26.50", "other": None},
    "purpose": "用于信息化运维服务费用",
    "targets": ["保障办公办案正常进行。", "提升运维服务质量。"],
    "indicators": {
        "产出指标": {
            "数量指标": {"软件维护次数": {"description": "一年内办案软件维护次数", "value": "≥200次"}},
            "时效指标": {"故障响应时间": {"description": "软硬件故障响应时间", "value": "≤24小时"}},
            "成本指标": {"项目总成本": {"description": "项目总成本", "value": "≤26.5万"}},
        },
        "满意度指标": {
            "服务对象满意度指标": {"单位干警满意度": {"description": "检察干警满意度", "value": "≥99百分之"}}
        },
    },
}




def _money(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value).replace(",", ""))


def _indicator(name: str, row: Any) -> Indicator:
    if isinstance(row, Mapping):
        extras = {k: v for k, v in row.items() if k not in ("value", "description")}
        value = row.get("value")
        return Indicator(
            str(name), None if value is None else str(value), row.get("description"), extras=Frozen(extras)
        )
    return Indicator(str(name), None if row is None else str(row))


def _project_from(data: Mapping[str, Any], *, number: int = 1, key: str = "test") -> Project:
    """Return a Project built from spec-shaped data (the stand-in for the real loader)."""
    header = {k: v for k, v in data.items() if k != "indicators"}
    header["budget"] = Frozen({k: _money(v) if k != "unit" else v for k, v in data.get("budget", {}).items()})
    header["unit"] = Frozen(data.get("unit", {}))
    if "targets" in header:
        header["targets"] = tuple(str(t) for t in header["targets"])
    categories = tuple(
        Category(
            str(level1),
            tuple(
                Group(str(level2), tuple(_indicator(n, row) for n, row in (rows or {}).items()))
                for level2, rows in (groups or {}).items()
            ),
        )
        for level1, groups in data.get("indicators", {}).items()
    )
    return Project(
        key=key,
        jurisdiction=str(data.get("jurisdiction", "")),
        number=int(data.get("number") or number),
        header=Frozen(header),
        indicators=categories,
    )


def _load_spec(path: Path) -> Project:
    """Return the Project of one spec file through the real loader and validator."""
    (project,) = load_projects(path)
    return project


@pytest.fixture
def docx_load_spec() -> Callable[[Path], Project]:
    """Return the loader ``load(path) -> Project`` for one spec file of ``specs/``
    (through the real loader and validator)."""
    return _load_spec


@pytest.fixture
def docx_shanghai() -> Jurisdiction:
    """Return the built-in Shanghai jurisdiction."""
    return jurisdictions.load("shanghai")


@pytest.fixture
def docx_tianjin() -> Jurisdiction:
    """Return the built-in Tianjin jurisdiction."""
    return jurisdictions.load("tianjin")


@pytest.fixture
def docx_make_project() -> Callable[..., Project]:
    """Return a factory: ``make(base, number=1, key=..., **overrides)`` -> Project."""

    def make(base: Mapping[str, Any], *, number: int = 1, key: str = "test", **overrides: Any) -> Project:
        return _project_from(deep_merge(base, overrides), number=number, key=key)

    return make


@pytest.fixture
def docx_copy_jurisdiction(tmp_path: Path) -> Callable[[str], tuple[Path, Callable[[], Jurisdiction]]]:
    """Return a factory copying a built-in jurisdiction folder into ``tmp_path``;
    it returns the copy's folder and a loader reading the copy."""

    def copy(name: str) -> tuple[Path, Callable[[], Jurisdiction]]:
        root = tmp_path / "templates"
        folder = root / name
        shutil.copytree(jurisdictions.builtin_dir() / name, folder)
        return folder, lambda: jurisdictions.load(name, [root])

    return copy


@pytest.fixture
def docx_open() -> Callable[[bytes], DocumentObject]:
    """Return a function opening .docx bytes with python-docx."""

    def open_(data: bytes) -> DocumentObject:
        return Document(io.BytesIO(data))

    return open_


@pytest.fixture
def docx_shanghai_data() -> dict[str, Any]:
    """Return a fresh copy of the hand-written Shanghai spec data (seed 000, project 1, shortened)."""
    return deep_merge(DOCX_SHANGHAI, {})


@pytest.fixture
def docx_tianjin_data() -> dict[str, Any]:
    """Return a fresh copy of the hand-written Tianjin spec data (seed 002, project 1)."""
    return deep_merge(DOCX_TIANJIN, {})
