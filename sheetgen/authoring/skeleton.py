"""``sheetgen new``: a commented skeleton spec to fill in.

The skeleton holds every key of the jurisdiction's schema with its printed
label as a comment, the fields it cannot know left blank (``key:``), the
dates of the year when the unit's year is known, and the indicator rows most
projects of that 绩效类型 have -- data in the jurisdiction folder's
``skeletons.yaml`` (made by ``tools/make_skeletons.py`` from the seed specs).
Rows it cannot guess are named ``待填写``.  ``sheetgen check`` then reports
exactly what is left, each as ``to-fill`` (尚未填写：…).

When the folder has no ``_defaults.yaml`` yet (a new unit), one is written
too, with the unit's name and year blank.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from msgspec import Struct, field

from sheetgen import os_errors
from sheetgen.build.atomic import write_atomic
from sheetgen.build.names import safe_name
from sheetgen.errors import SheetgenError
from sheetgen.importers.common import ordered
from sheetgen.importers.yamlwriter import dump_spec
from sheetgen.jurisdiction import SELF_EVALUATION_TABLE, Jurisdiction
from sheetgen.spec import yaml_errors
from sheetgen.spec.files import DEFAULTS_NAME, SPEC_SUFFIXES
from sheetgen.validation.schema import build_schema
from sheetgen.workspace import Workspace

SKELETONS = "skeletons.yaml"
SCHEMA_FILE = "sheetgen.schema.json"
_NUMBERED = re.compile(r"^(\d+)-")


class NewSpec(Struct):
    """What ``sheetgen new`` writes: file → text (the spec first), and notes."""

    files: dict[Path, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def spec(self) -> Path:
        """Return the path of the new spec."""
        return next(iter(self.files))


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SheetgenError(f"{path}: 无法读取：{os_errors.explain(exc)}") from None
    except UnicodeDecodeError:
        raise SheetgenError(f"{path}: 无法读取：不是 UTF-8 编码；请用编辑器另存为 UTF-8") from None
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        found = yaml_errors.explain(exc, text)
        raise SheetgenError(f"{path}:{found.line}:{found.col}: {found.message}") from None
    except yaml.YAMLError as exc:
        raise SheetgenError(f"{path}: 无法读取：{yaml_errors.translate(str(exc))}") from None
    return data if isinstance(data, dict) else {}


def unit_defaults(folder: Path) -> tuple[dict[str, Any], list[Path]]:
    """Return the merged ``_defaults.yaml`` files a spec written into ``folder`` gets (the
    workspace's rule) and those files."""
    found = Workspace.unit_defaults(folder)
    return found.data, found.files


def skeleton_data(jurisdiction: Jurisdiction) -> dict[str, Any]:
    """Return the jurisdiction's ``skeletons.yaml`` (from its most specific folder that has one)."""
    for folder in jurisdiction.folders:
        if (folder / SKELETONS).is_file():
            return _read(folder / SKELETONS)
    return {}


def labels_of(schema: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Return dotted key → comment (label, and the field's help when it has one) for a spec's keys."""
    out = {}
    for key, rules in schema.items():
        if not isinstance(rules, Mapping):
            continue
        dotted = f"{prefix}{key}"
        meta = rules.get("meta") or {}
        label = str(meta.get("label") or "")
        if label:
            help_text = str(meta.get("description") or "")
            out[dotted] = f"{label}：{help_text}" if help_text and key != "indicators" else label
        if rules.get("type") == "dict" and isinstance(rules.get("schema"), Mapping):
            out.update(labels_of(rules["schema"], f"{dotted}."))
    return out


def _next_filename(folder: Path, name: str) -> str:
    """Return ``NN-<name>.yaml`` numbered after the folder's last numbered spec."""
    numbers = [
        int(m.group(1))
        for p in (folder.iterdir() if folder.is_dir() else ())
        if p.suffix.lower() in SPEC_SUFFIXES and (m := _NUMBERED.match(p.name))
    ]
    return f"{max(numbers, default=0) + 1:02d}-{safe_name(name)}.yaml"


def _schema_modeline(folder: Path) -> str:
    """Return the ``# yaml-language-server`` line for the nearest ``sheetgen.schema.json`` above ``folder``, or ''."""
    from sheetgen.authoring.schema_export import modeline

    for candidate in (folder.resolve(), *folder.resolve().parents):
        if (candidate / SCHEMA_FILE).is_file():
            return modeline(candidate / SCHEMA_FILE, folder) + "\n"
    return ""


def new_spec(
    name: str, folder: Path, *, jurisdiction: str | None = None, performance_type: str | None = None,
    workspace: Workspace | None = None,
) -> NewSpec:
    """Return the skeleton spec (and, for a new unit, its ``_defaults.yaml``) for project ``name`` in ``folder``."""
    name = name.strip()
    if not name:
        raise SheetgenError("项目名称不能为空")
    folder = Path(folder)
    defaults, chain = unit_defaults(folder)
    workspace = workspace or Workspace()
    chosen = jurisdiction or defaults.get("jurisdiction")
    if not chosen:
        known = "、".join(workspace.formats(folder).names)
        raise SheetgenError(f"{folder} 里没有 _defaults.yaml，不知道用哪个格式；"
                            f"请用 --jurisdiction 指定（可用：{known}）")
    found = workspace.jurisdiction(str(chosen), folder)
    schema = build_schema(found)
    skeletons = skeleton_data(found)
    result = NewSpec()
    year = defaults.get("year") if chain else None

    data: dict[str, Any] = {}
    if chain and jurisdiction and jurisdiction != defaults.get("jurisdiction"):
        data["jurisdiction"] = found.name
        result.notes.append(
            f"本单位的 _defaults.yaml 用的格式是 {defaults.get('jurisdiction')}，这份说明改用 {found.name}"
        )
    data["name"] = name
    type_field = skeletons.get("type_field")
    if performance_type and not type_field:
        raise SheetgenError(
            f"格式“{found.name}”没有按绩效类型分的常用指标（skeletons.yaml 里没有 type_field），不用写 --type"
        )
    dates = skeletons.get("dates") or {}
    for declared in found.fields:
        value: Any = None
        if declared.key == type_field and performance_type:
            value = performance_type
        elif declared.key in dates and isinstance(year, int):
            month, day = (int(part) for part in str(dates[declared.key]).split("-"))
            value = dt.date(year, month, day)
        elif declared.kind == "list" and not declared.rules.get("nullable"):
            value = []
        data[declared.key] = value
    data["budget"] = {f.key: None for f in found.budget_fields}

    types = skeletons.get("types") or {}
    chosen_rows = types.get(performance_type) if performance_type else None
    if performance_type and chosen_rows is None:
        known = "、".join(types) or "（无）"
        result.notes.append(f"没有“{performance_type}”类的常用指标（有：{known}），先用了各类通用的")
    indicators = (chosen_rows or skeletons.get("default") or {}).get("indicators") or {}
    if not indicators:
        result.notes.append("这个格式没有常用指标（skeletons.yaml），请在 indicators 下自己写")
    data["indicators"] = indicators
    data = ordered(data, found)

    labels = labels_of(schema)
    labels["budget"] = f"{labels['budget']}（金额单位：{found.money_unit}）"
    head = _schema_modeline(folder)
    kind = f"，绩效类型：{performance_type}" if performance_type else ""
    head += (
        f"# 由 sheetgen new 生成（{found.title}{kind}）。\n"
        "# 空着的项和“待填写”都要填好：运行 sheetgen check 会逐项列出“尚未填写”的地方；\n"
        "# 预填的指标是同类项目常用的，请按实际增删改。\n"
    )
    target = folder / _next_filename(folder, name)
    if target.exists():
        raise SheetgenError(f"{target} 已存在；不会覆盖")
    result.files[target] = head + dump_spec(data, labels) + year_end_hint(found)

    if not chain:
        unit = {"name": None, "code": None}
        new_defaults = {"jurisdiction": found.name, "year": None, "unit": unit}
        text = "# 本单位所有项目共用的内容（格式、年度、单位），由 sheetgen new 生成；请填写空着的项。\n" + dump_spec(
            new_defaults, {**labels, "unit.code": "单位编码：没有就空着"}
        )
        result.files[folder / DEFAULTS_NAME] = text
    return result


def year_end_hint(jurisdiction: Jurisdiction) -> str:
    """Return the closing comment of a skeleton: how to add the year-end data of a 绩效自评表
    (each key with its label; nothing when the format has no 自评表).  Only a comment: a
    spec carrying year-end data is scored, so a new one carries none."""
    if jurisdiction.self_evaluation is None:
        return ""
    from sheetgen.validation.evaluation import BLOCK, ROW_KEYS, row_label
    from sheetgen.validation.schema import core_label

    table = next((t.label for t in jurisdiction.tables if t.kind == SELF_EVALUATION_TABLE), "")
    rows = "、".join(f"{key}（{row_label(key)}）" for key in ROW_KEYS)
    block = "、".join(f"{key}（{core_label(BLOCK, key)}）" for key in ("spent", "adjusted", "initial", "achieved"))
    return (f"\n# 年终自评（{table}）：到年底再写，写了就生成{table}。在各指标下写：\n#   {rows}\n"
            f"# 并写 {BLOCK}（{core_label(BLOCK)}）：\n#   {block}\n# 见 docs/guide.md 第 12 节。\n")


def write_new(new: NewSpec) -> list[Path]:
    """Return the files of ``new`` after writing them (atomically; existing files are never overwritten)."""
    for path in new.files:
        if path.exists():
            raise SheetgenError(f"{path} 已存在；不会覆盖")
    for path, text in new.files.items():
        write_atomic(path, text.encode("utf-8"))
    return list(new.files)
