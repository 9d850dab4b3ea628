"""The Shanghai header fields: label table and the typed spec of one project.

Both Shanghai layouts (:mod:`.grid` and :mod:`.pdftext`) collect the raw text
of every labelled field and hand it to :func:`build_project`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sheetgen.importers.common import (
    build_defaults,
    common_year,
    normalize_label,
    ordered,
    parse_amount,
    parse_bool,
    parse_date,
    safe_filename,
    set_path,
)
from sheetgen.importers.result import ImportedProject, ImportResult, Sink
from sheetgen.importers.tree import IndicatorTree

JURISDICTION = "shanghai"
TITLE = "财政项目支出绩效目标表"
BUDGET_TITLE = "本项目上年度市级财政资金使用情况"
INDICATOR_HEADER = ("一级目标", "二级目标", "三级目标", "指标目标值")
UNIT_LABEL = "申报单位名称"
YEAR_RE = re.compile(r"^[（(](\d{4})年度[)）]$")
GOALS_RE = re.compile(r"^(\d{4})年绩效目标$")

#: Printed label → spec key.
FIELDS = {
    "项目名称": "name",
    "项目类别": "category",
    "计划开始日期": "start_date",
    "计划完成日期": "end_date",
    "是否含有政府购买服务": "government_purchase",
    "绩效类型": "performance_type",
    "项目概况": "overview",
    "立项依据": "basis",
    "项目设立的必要性": "necessity",
    "保证项目实施的制度、措施": "safeguards",
    "项目实施计划": "plan",
    "总目标及阶段性目标": "goals",
    "项目总预算": "budget.total",
    "项目当年预算": "budget.current_year",
    "同名项目上年预算额": "budget.last_year",
    "同名项目上年预算执行数": "budget.last_year_spent",
}
LONG_TEXTS = ("overview", "basis", "necessity", "safeguards", "plan", "goals")
_MONEY_UNIT = re.compile(r"^(.*)（(元|万元)）$")


def field_key(label: str) -> tuple[str, str | None] | None:
    """Return (spec key, money unit or None) of a printed label ``名称：``, None if it is none."""
    if not label.rstrip().endswith(("：", ":")):
        return None
    text = normalize_label(label)
    unit = None
    match = _MONEY_UNIT.match(text)
    if match:
        text, unit = match.group(1), match.group(2)
    key = FIELDS.get(text)
    return (key, unit) if key else None


@dataclass
class RawField:
    """The text of one labelled field and the line of its label."""

    label: str
    line: int
    text: str = ""


@dataclass
class RawProject:
    """What a layout read for one Shanghai project before typing."""

    line: int
    year: int | None = None
    fields: dict[str, RawField] = field(default_factory=dict)
    money_unit: str | None = None
    unit_name: str | None = None
    tree: IndicatorTree | None = None

    def set_field(self, key: str, label: str, line: int, text: str, sink: Sink) -> RawField:
        """Start the field ``key`` at ``line`` with ``text`` and return it."""
        if key in self.fields:
            sink.warn(line, "import-duplicate", f"“{label}”在本项目中出现第二次，后一个为准", label=label)
        found = self.fields[key] = RawField(normalize_label(label), line, text)
        return found


def finish(raws: list[RawProject], sink: Sink, layout: str) -> ImportResult:
    """Return the import result of the Shanghai projects ``raws`` read from one file."""
    if not raws:
        raise sink.fail(1, f"找不到“{TITLE}”，不是上海格式的绩效目标表")
    year = common_year([raw.year for raw in raws], sink)
    units = [raw.unit_name for raw in raws if raw.unit_name]
    if not units:
        sink.warn(raws[0].line, "import-missing", "找不到申报单位名称", label=UNIT_LABEL)
    for raw in raws:
        if raw.unit_name and raw.unit_name != units[0]:
            sink.warn(raw.line, "import-unit", f"申报单位“{raw.unit_name}”与第一个项目的“{units[0]}”不同")
    projects = []
    for number, raw in enumerate(raws, 1):
        data = build_project(raw, year, units[0] if units else None, sink)
        filename = safe_filename(number, str(data.get("name") or f"项目{number}"))
        projects.append(ImportedProject(filename, data, raw.line))
    unit = {"name": units[0]} if units else {}
    return ImportResult(build_defaults(JURISDICTION, year, unit), projects, sink.diagnostics, layout)


def build_project(raw: RawProject, default_year: int | None, default_unit: str | None, sink: Sink) -> dict:
    """Return the typed spec of one project (keys in spec order)."""
    data: dict[str, Any] = {}
    if raw.year is not None and raw.year != default_year:
        data["year"] = raw.year
    if raw.unit_name and raw.unit_name != default_unit:
        data["unit"] = {"name": raw.unit_name}
    for label, key in FIELDS.items():
        found = raw.fields.get(key)
        if found is None:
            sink.warn(raw.line, "import-missing", f"项目缺少“{label}”，已留空", label=label, yaml_path=key)
            set_path(data, key, None)
            continue
        set_path(data, key, _typed(key, found, sink))
    if raw.money_unit and raw.money_unit != "元":
        data["budget"]["unit"] = raw.money_unit
    data["indicators"] = raw.tree.data if raw.tree else {}
    return ordered(data, JURISDICTION)


def _typed(key: str, found: RawField, sink: Sink) -> Any:
    """Return the typed value of one field: Decimal, date, bool or text (None when blank)."""
    if key.startswith("budget."):
        return parse_amount(found.text, sink, found.line, found.label)
    if key.endswith("_date"):
        return parse_date(found.text, sink, found.line, found.label)
    if key == "government_purchase":
        return parse_bool(found.text, sink, found.line, found.label)
    return found.text or None
