"""The printed labels of a jurisdiction, as the table parser looks them up.

:class:`Labels` returns, for the text of a cell, the header field it labels
(spec key, value type and any money unit in the label, e.g. ``项目总预算（元）``)
or the indicator column it heads, from the jurisdiction's ``schema.yaml`` and
``jurisdiction.yaml`` plus the variants people write (``一级绩效指标``,
``指标名称``, ``三级指标名称``, ``指标值及单位``).  :func:`label_key`
normalises a text for lookup (full-width forms, spaces, trailing colon), so
``项目名称:`` and ``项目名称：`` are one label.  :func:`pick_jurisdiction`
returns the jurisdiction whose labels a document uses most.
"""

from __future__ import annotations

import contextlib
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sheetgen import jurisdiction as jurisdictions
from sheetgen.errors import ImportFormatError, JurisdictionError
from sheetgen.importers.common import BUDGET_LABELS
from sheetgen.jurisdiction import Jurisdiction

LEVEL1, LEVEL2, NAME, VALUE = "level1", "level2", "name", "value"
#: Column labels people use besides the jurisdiction's own, by role.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    LEVEL1: ("一级指标", "一级目标", "一级绩效指标", "一级", "一级指标名称", "一级目标名称"),
    LEVEL2: ("二级指标", "二级目标", "二级绩效指标", "二级", "二级指标名称", "二级目标名称"),
    NAME: ("三级指标", "三级目标", "三级绩效指标", "三级", "三级指标名称", "三级目标名称", "指标名称", "绩效指标名称"),
    VALUE: ("指标值", "指标目标值", "指标值及单位", "目标值", "绩效指标值", "年度指标值", "绩效目标值", "年度目标值"),
    "description": ("绩效指标描述", "指标描述", "指标说明", "指标解释", "指标内容"),
}
#: Indicator columns that carry nothing to keep (row numbers).
IGNORED_COLUMNS = frozenset({"序号", "编号"})
#: Labels of the common keys (every jurisdiction), with the variants people write.
COMMON_FIELDS: dict[str, tuple[str, str]] = {
    "项目名称": ("name", "text"),
    "申报单位名称": ("unit.name", "text"),
    "申报单位": ("unit.name", "text"),
    "单位名称": ("unit.name", "text"),
    "预算单位": ("unit.name", "text"),
    "预算单位名称": ("unit.name", "text"),
    "填报单位": ("unit.name", "text"),
    "单位编码": ("unit.code", "text"),
    "单位代码": ("unit.code", "text"),
    "预算单位编码": ("unit.code", "text"),
    "年度": ("year", "integer"),
    "预算年度": ("year", "integer"),
    "金额单位": ("budget.unit", "money"),
}
SECTIONS = frozenset({*BUDGET_LABELS.values(), "绩效指标", "年度绩效指标", "年度绩效目标", "项目绩效指标"})
_KINDS = {"string": "text", "date": "date", "boolean": "boolean", "decimal": "decimal", "list": "list",
          "integer": "integer"}  # fmt: skip
_MONEY_SUFFIX = re.compile(r"^(.*?)（(?:单位：)?(元|万元)）$")
_PAREN_SUFFIX = re.compile(r"^(.+?)（[^（）]*）$")


@dataclass(frozen=True)
class FieldDef:
    """A header field: its dotted spec key, printed label and value kind
    (``text``, ``decimal``, ``date``, ``boolean``, ``list``, ``integer``, ``money``)."""

    key: str
    label: str
    kind: str


@functools.lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    """Return ``text`` as a lookup key: NFKC, no white space, full-width brackets and colon, no trailing colon."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）").replace(":", "：")
    return text.strip("*＊").rstrip("：")


class Labels:
    """The header-field and indicator-column labels of one jurisdiction."""

    def __init__(self, found: Jurisdiction) -> None:
        self.jurisdiction = found
        schema: Mapping[str, Any] = found.schema
        self.fields: dict[str, FieldDef] = {}
        for label, (key, kind) in COMMON_FIELDS.items():
            self._add_field(label, key, kind)
        for section, prefix in (("fields", ""), ("budget", "budget.")):
            for key, rule in (schema.get(section) or {}).items():
                label = str((rule.get("meta") or {}).get("label", key))
                self._add_field(label, prefix + key, _KINDS.get(str(rule.get("type")), "text"))
        self.own_labels = {
            label_key(str((rule.get("meta") or {}).get("label", key)))
            for section in ("fields", "budget")
            for key, rule in (schema.get(section) or {}).items()
        }
        self.columns: dict[str, str] = {}
        self.extra_keys: list[str] = []
        levels = found.description.get("level_labels") or {}
        self.columns[label_key(str(levels.get(LEVEL1, "一级指标")))] = LEVEL1
        self.columns[label_key(str(levels.get(LEVEL2, "二级指标")))] = LEVEL2
        for column in found.indicator_columns:
            self.columns[label_key(str(column.get("label", "")))] = str(column.get("key"))
            if column.get("key") not in (NAME, VALUE):
                self.extra_keys.append(str(column.get("key")))
        for key, rule in (schema.get("indicator") or {}).items():
            self.columns.setdefault(label_key(str((rule.get("meta") or {}).get("label", key))), str(key))
            if key not in self.extra_keys and key != VALUE:
                self.extra_keys.append(str(key))
        self.own_labels |= set(self.columns)
        self.own_labels |= {label_key(name) for name in (*found.level1_names, *found.level2_names)}
        for role, aliases in COLUMN_ALIASES.items():
            if role in (LEVEL1, LEVEL2, NAME, VALUE) or role in self.extra_keys:
                for alias in aliases:
                    self.columns.setdefault(label_key(alias), role)

    def _add_field(self, label: str, key: str, kind: str) -> None:
        """Register ``label`` (and its form without ``其中：``) for the field ``key``."""
        field = FieldDef(key, label, kind)
        for variant in (label, label.removeprefix("其中：").removeprefix("其中:")):
            self.fields.setdefault(label_key(variant), field)

    def field(self, text: str) -> tuple[FieldDef, str | None] | None:
        """Return the field labelled by ``text`` and the money unit written in it, None if none."""
        key = label_key(text)
        found = self.fields.get(key) or self.fields.get(key.removeprefix("其中："))
        if found:
            return found, None
        match = _MONEY_SUFFIX.match(key)
        if match and (found := self.fields.get(match.group(1).removeprefix("其中："))):
            return found, match.group(2)
        return None

    def section(self, text: str) -> tuple[bool, str | None]:
        """Return whether ``text`` is a section title (no value of its own) and the money unit in it."""
        key = label_key(text)
        match = _MONEY_SUFFIX.match(key)
        if match and match.group(1) in SECTIONS:
            return True, match.group(2)
        return key in SECTIONS, None

    def column(self, text: str) -> str | None:
        """Return the role (``level1``, ``level2``, ``name``, ``value`` or an extra key) of a column label."""
        key = label_key(text)
        if key in self.columns:
            return self.columns[key]
        match = _PAREN_SUFFIX.match(key)
        return self.columns.get(match.group(1)) if match else None

    def score(self, texts: Iterable[str]) -> int:
        """Return how many distinct texts of a document are this jurisdiction's own labels or names."""
        return len({label_key(text) for text in texts} & self.own_labels)


def candidates(dirs: Sequence[Path]) -> list[str]:
    """Return the jurisdiction names found along ``dirs`` and the built-ins, in search order."""
    return jurisdictions.available(list(jurisdictions.search_path(dirs)))


def load_labels(name: str, dirs: Sequence[Path]) -> Labels:
    """Return the labels of jurisdiction ``name`` searched in ``dirs`` then the built-ins.

    Loaded once per state of the jurisdiction files (their paths, times and sizes).
    """
    search = jurisdictions.search_path(dirs)
    state = []
    for folder in search:
        for path in sorted(folder.glob(f"*/{jurisdictions.DESCRIPTION}")) + sorted(
            folder.glob(f"*/{jurisdictions.SCHEMA}")
        ):
            with contextlib.suppress(OSError):
                stat = path.stat()
                state.append((str(path), stat.st_mtime_ns, stat.st_size))
    return _load_labels(name, search, tuple(state))


@functools.lru_cache(maxsize=64)
def _load_labels(name: str, search: tuple[Path, ...], state: tuple[tuple[str, int, int], ...]) -> Labels:
    """Return the labels of ``name`` along ``search`` (``state`` only keys the cache)."""
    try:
        return Labels(jurisdictions.load(name, search))
    except JurisdictionError as exc:
        raise ImportFormatError(str(exc)) from None


def pick_jurisdiction(texts: Sequence[str], dirs: Sequence[Path], path: str) -> Labels:
    """Return the labels of the jurisdiction whose labels ``texts`` use most; raise if none fits."""
    scored = []
    for name in candidates(dirs):
        try:
            labels = load_labels(name, dirs)
        except ImportFormatError:
            continue
        scored.append((labels.score(texts), name, labels))
    scored.sort(key=lambda item: -item[0])
    if not scored or scored[0][0] < 3:
        known = "、".join(name for _, name, _ in scored) or "（无）"
        raise ImportFormatError(f"{path}: 认不出是哪种格式的绩效目标表，请用 --jurisdiction 指定（可选：{known}）")
    return scored[0][2]
