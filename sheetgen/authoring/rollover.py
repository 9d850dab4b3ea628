"""``sheetgen rollover``: next year's specs, started from this year's.

:func:`plan_rollover` reads a unit folder (or a folder of units) and returns
everything the copy will hold plus a report; :func:`write_rollover` writes it
as a new folder (the originals are never touched).  In each spec and
``_defaults.yaml``:

* ``year`` and every date move by the difference between the new year and
  the unit's year (month and day kept; 02-29 becomes 02-28);
* year mentions in the project name (``2025年…-2025中央``) move too, and so
  do the file and unit-folder names that carry them;
* the jurisdiction's ``rollover`` rules (``schema.yaml``) carry this year's
  budget into last year's fields -- Shanghai: ``budget.current_year`` →
  ``budget.last_year``, ``budget.last_year_spent`` emptied (it is known only
  when the year closes); a jurisdiction without them is reported;
* this year's year-end data (the ``year_end`` block, and each indicator's ``actual``,
  ``score``, ``reason`` and ``not_applicable``) is removed: next year's 自评表 starts empty
  (an indicator's ``points`` stay);
* year mentions anywhere else (long texts, targets, indicators) are not
  changed but listed, for a person to read.

The files are edited as text, value by value, at the positions the YAML
parser reports: comments, key order, quoting and block texts stay exactly as
they were (re-writing with ``dump_spec`` would drop the user's comments and
re-flow the file), and a trailing ``# 标签`` comment keeps its column.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import shutil
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from msgspec import Struct, field

from sheetgen import os_errors
from sheetgen.authoring.skeleton import unit_defaults
from sheetgen.errors import JurisdictionError, SheetgenError
from sheetgen.importers.yamlwriter import scalar
from sheetgen.jurisdiction import Jurisdiction
from sheetgen.jurisdiction.folders import TEMPLATES
from sheetgen.spec.files import DEFAULTS_NAME, SPEC_SUFFIXES
from sheetgen.spec.yamlload import SpecLoader, decode
from sheetgen.validation.evaluation import BLOCK, DATA_KEYS
from sheetgen.validation.schema import build_schema, core_label, label_for
from sheetgen.workspace import Workspace

#: A year mention: four digits, not part of a longer number or an amount (2000万, 2020台).
_YEAR = re.compile(r"(?<![0-9.])((?:19|20)[0-9]{2})(?![0-9]|\.[0-9]|[万元亿千百台个人次件套辆户家名份%])")
#: Mentions from the year before the unit's year to two years after it are years to move
#: (older ones are mostly cited documents, such as 沪检政[2016]73号).
WINDOW = (-1, 2)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_STR = "tag:yaml.org,2002:str"
_SKIPPED = {"output", "__pycache__"}
Path_ = tuple[str, ...]


class Change(Struct, frozen=True):
    """One value changed in one file (``file`` relative to the new folder)."""

    file: str
    path: str
    label: str
    old: str
    new: str


class Note(Struct, frozen=True):
    """Something a person should look at in one file of the new folder."""

    file: str
    path: str
    label: str
    message: str


class RolloverPlan(Struct):
    """Everything the new folder will hold (relative path → bytes) and what changed."""

    source: Path
    dest: Path
    year: int
    files: dict[Path, bytes] = field(default_factory=dict)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    def by_file(self) -> dict[str, tuple[list[Change], list[Note]]]:
        """Return the changes and notes grouped by file, in file order."""
        out: dict[str, tuple[list[Change], list[Note]]] = {}
        for change in self.changes:
            out.setdefault(change.file, ([], []))[0].append(change)
        for note in self.notes:
            out.setdefault(note.file, ([], []))[1].append(note)
        return dict(sorted(out.items()))


# ----------------------------------------------------------------------------- years in text


def shift_mentions(text: str, base: int, delta: int) -> str:
    """Return ``text`` with every year mention near ``base`` moved by ``delta`` years."""

    def move(match: re.Match[str]) -> str:
        year = int(match.group(1))
        return str(year + delta) if WINDOW[0] <= year - base <= WINDOW[1] else match.group(1)

    return _YEAR.sub(move, text)


def mentions(text: str, base: int) -> list[str]:
    """Return a short excerpt around each year mention near ``base`` in ``text``."""
    out = []
    for match in _YEAR.finditer(text):
        if WINDOW[0] <= int(match.group(1)) - base <= WINDOW[1]:
            start, end = max(0, match.start() - 12), min(len(text), match.end() + 12)
            excerpt = " ".join(text[start:end].split())
            out.append(("…" if start else "") + excerpt + ("…" if end < len(text) else ""))
    return out


def shift_date(value: dt.date, delta: int) -> dt.date:
    """Return ``value`` moved by ``delta`` years (02-29 becomes 02-28 in a common year)."""
    try:
        return value.replace(year=value.year + delta)
    except ValueError:
        return value.replace(year=value.year + delta, day=28)


# ----------------------------------------------------------------------------- YAML positions


class _Entry(Struct, frozen=True):
    key: yaml.Node | None
    value: yaml.Node


def _entries(text: str) -> dict[Path_, _Entry]:
    """Return every node of a YAML text by path (mapping keys and list indexes)."""
    loader = SpecLoader(text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    out: dict[Path_, _Entry] = {}

    def walk(node: yaml.Node, path: Path_) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    here = (*path, str(key.value))
                    out[here] = _Entry(key, value)
                    walk(value, here)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                here = (*path, str(index))
                out[here] = _Entry(None, item)
                walk(item, here)

    if root is not None:
        walk(root, ())
    return out


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class _Editor:
    """Replacements of whole scalars in one text, keeping trailing comments in their column."""

    def __init__(self, text: str):
        self.text = text
        self.edits: list[tuple[int, int, str]] = []

    def _span(self, entry: _Entry) -> tuple[int, int]:
        node = entry.value
        if node.tag == "tag:yaml.org,2002:null" and node.value == "" and entry.key is not None:
            colon = self.text.index(":", entry.key.end_mark.index)
            return colon + 1, colon + 1
        start = node.start_mark.index
        return start - 1 if self.text[start - 1] == " " else start, node.end_mark.index

    def set(self, entry: _Entry, new: str) -> None:
        """Replace the value of ``entry`` with the scalar text ``new`` ('' leaves it blank)."""
        start, end = self._span(entry)
        replacement = f" {new}" if new else ""
        tail = re.match(r"( +)(?=#)", self.text[end:])
        if tail:
            spaces = len(tail.group(1))
            keep = max(2 if spaces >= 2 else 1, spaces + _width(self.text[start:end]) - _width(replacement))
            end += spaces
            replacement += " " * keep
        self.edits.append((start, end, replacement))

    def insert_after(self, entry: _Entry, line: str) -> None:
        """Insert ``line`` (without indentation) after the line of ``entry``, indented like its key."""
        assert entry.key is not None
        indent = " " * entry.key.start_mark.column
        end = self.text.find("\n", entry.value.end_mark.index - 1)
        end = len(self.text) if end < 0 else end + 1
        prefix = "" if self.text[:end].endswith("\n") or not self.text else "\n"
        self.edits.append((end, end, f"{prefix}{indent}{line}\n"))

    def remove(self, entry: _Entry) -> None:
        """Remove the key of ``entry`` and its value (every line of them, a trailing comment
        included); the lines it stood on go."""
        assert entry.key is not None
        start = self.text.rfind("\n", 0, entry.key.start_mark.index) + 1
        end = entry.value.end_mark.index
        if self.text[start:entry.key.start_mark.index].strip():  # a key after others on its line
            start = entry.key.start_mark.index
        if end > 0 and self.text[end - 1] != "\n":  # a scalar or flow value: to the end of its line
            newline = self.text.find("\n", end)
            end = len(self.text) if newline < 0 else newline + 1
        self.edits.append((start, end, ""))

    def result(self) -> str:
        text = self.text
        for start, end, new in sorted(self.edits, reverse=True):
            text = text[:start] + new + text[end:]
        return text


# ----------------------------------------------------------------------------- one file


class _Context(Struct):
    plan: RolloverPlan
    file: str
    base: int
    delta: int
    jurisdiction: Jurisdiction | None
    schema: dict[str, Any]

    def label(self, path: Path_) -> str:
        if self.jurisdiction is None:
            return ""
        return label_for(path, self.schema, self.jurisdiction)

    def change(self, path: Path_, old: str, new: str) -> None:
        self.plan.changes.append(Change(self.file, ".".join(path), self.label(path), old, new))

    def note(self, path: Path_, message: str) -> None:
        self.plan.notes.append(Note(self.file, ".".join(path), self.label(path), message))


def _strings(data: Any, path: Path_ = ()) -> Iterator[tuple[Path_, str]]:
    if isinstance(data, Mapping):
        for key, value in data.items():
            yield from _strings(value, (*path, str(key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, (*path, str(index)))
    elif isinstance(data, str):
        yield path, data


def _roll_text(text: str, data: Mapping[str, Any], ctx: _Context, is_defaults: bool) -> str:
    """Return one file's text moved to the new year; changes and notes go to ``ctx.plan``."""
    entries = _entries(text)
    editor = _Editor(text)
    if ("year",) in entries and isinstance(data.get("year"), int):
        new = str(data["year"] + ctx.delta)
        editor.set(entries[("year",)], new)
        ctx.change(("year",), str(data["year"]), new)
    for path, entry in entries.items():
        if path[:1] == ("indicators",) or not isinstance(entry.value, yaml.ScalarNode):
            continue
        if entry.value.tag == _TIMESTAMP:
            value = _lookup(data, path)
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                moved = shift_date(value, ctx.delta)
                editor.set(entry, moved.isoformat())
                ctx.change(path, value.isoformat(), moved.isoformat())
                if moved.day != value.day:
                    ctx.note(path, f"{value.isoformat()} 在 {moved.year} 年没有这一天，改成了 {moved.isoformat()}")
    name = data.get("name")
    if isinstance(name, str) and ("name",) in entries:
        moved_name = shift_mentions(name, ctx.base, ctx.delta)
        if moved_name != name:
            node = entries[("name",)].value
            if "\n" in name or (isinstance(node, yaml.ScalarNode) and node.style in ("|", ">")):
                ctx.note(("name",), "项目名称是多行文字，其中的年份没有改，请手改")
            else:
                editor.set(entries[("name",)], scalar(moved_name))
                ctx.change(("name",), name, moved_name)
    cleared = _clear_year_end(entries, editor)
    if cleared:
        ctx.note((), f"清空了 {ctx.base} 年的年终数据（{'、'.join(cleared)}），绩效自评表在新一年年底重新填写；"
                     "指标的分值（points）保留")
    for path, value in _strings(data):
        if path == ("name",) or path[:1] == ("jurisdiction",) or _year_end(path):
            continue
        for excerpt in mentions(value, ctx.base):
            ctx.note(path, f"提到年份，没有改动：“{excerpt}”")
    if not is_defaults:
        _carry_budget(data, entries, editor, ctx)
    return editor.result()


def _year_end(path: Path_) -> bool:
    """Return whether ``path`` is year-end data (the ``year_end`` block, an indicator's actual …)."""
    return path[:1] == (BLOCK,) or (path[:1] == ("indicators",) and len(path) >= 5 and path[4] in DATA_KEYS)


def _clear_year_end(entries: dict[Path_, _Entry], editor: _Editor) -> list[str]:
    """Plan removing this year's year-end data from one file; return what is removed, named."""
    removed: dict[str, int] = {}
    for path, entry in entries.items():
        if entry.key is None or not _year_end(path) or (path[:1] == (BLOCK,) and len(path) > 1):
            continue
        editor.remove(entry)
        key = path[0] if path[0] == BLOCK else path[4]
        removed[key] = removed.get(key, 0) + 1
    return [key if key == BLOCK else f"{removed[key]} 个指标的 {key}" for key in removed]


def _lookup(data: Any, path: Path_) -> Any:
    for key in path:
        if isinstance(data, Mapping):
            data = data.get(key)
        elif isinstance(data, list) and key.isdigit() and int(key) < len(data):
            data = data[int(key)]
        else:
            return None
    return data


def _carry_budget(data: Mapping[str, Any], entries: dict[Path_, _Entry], editor: _Editor, ctx: _Context) -> None:
    """Apply the jurisdiction's ``rollover`` rules (carry this year's budget into last year's fields)."""
    if "budget" not in data:
        return
    rules = ctx.jurisdiction.rollover if ctx.jurisdiction else None
    if rules is None or not (rules.carry or rules.clear):
        title = ctx.jurisdiction.title if ctx.jurisdiction else "这个格式"
        ctx.note(("budget",), f"{title}没有“上年预算”一类的字段，预算没有结转；请按新一年的预算填写各项金额")
        return
    for target, source in rules.carry:
        target_path, source_path = tuple(str(target).split(".")), tuple(str(source).split("."))
        if source_path not in entries:
            continue
        node = entries[source_path].value
        text = "" if node.tag == "tag:yaml.org,2002:null" else editor.text[node.start_mark.index : node.end_mark.index]
        old = _lookup(data, target_path)
        if target_path in entries:
            editor.set(entries[target_path], text)
        else:
            line = f"{target_path[-1]}:{' ' + text if text else ''}"
            label = ctx.label(target_path)
            editor.insert_after(entries[source_path], line + (f"  # {label}" if label else ""))
        ctx.change(target_path, _shown(old), _shown(text or None))
    for target in rules.clear:
        target_path = tuple(str(target).split("."))
        if target_path in entries and _lookup(data, target_path) is not None:
            ctx.change(target_path, _shown(_lookup(data, target_path)), _shown(None))
            editor.set(entries[target_path], "")
    ctx.note(("budget",), f"预算金额仍是 {ctx.base} 年的，请按 {ctx.base + ctx.delta} 年的预算修改")


def _shown(value: Any) -> str:
    return "（空）" if value is None or value == "" else str(value)


# ----------------------------------------------------------------------------- the folder


def _is_yaml(path: Path) -> bool:
    return path.suffix.lower() in SPEC_SUFFIXES


def _unit_year(folder: Path) -> int | None:
    year = unit_defaults(folder)[0].get("year")
    return year if isinstance(year, int) and not isinstance(year, bool) else None


def _jurisdiction(folder: Path, data: Mapping[str, Any], workspace: Workspace) -> Jurisdiction | None:
    name = data.get("jurisdiction") or unit_defaults(folder)[0].get("jurisdiction")
    if not isinstance(name, str):
        return None
    try:
        return workspace.jurisdiction(name, folder)
    except JurisdictionError:
        return None


def default_dest(src: Path, year: int) -> Path:
    """Return the new folder's default: ``src`` with its year changed (sh-yifenyuan-2020 → sh-yifenyuan-2021)."""
    base = _unit_year(src)
    if base is None or not _YEAR.search(src.resolve().name):
        raise SheetgenError(
            f"{src} 的文件夹名里没有年度，无法自动命名新文件夹；请用 -o 指定，如 -o specs/某单位-{year}"
        )
    parent = src.parent if src.name else src.resolve().parent
    return parent / shift_mentions(src.resolve().name, base, year - base)


def plan_rollover(src: Path, year: int, dest: Path | None = None, workspace: Workspace | None = None) -> RolloverPlan:
    """Return the plan of copying ``src`` (a unit folder or a folder of units) to
    ``dest`` for ``year``: the new folder's files, renames, changes and notes."""
    src = Path(src)
    if not src.is_dir():
        raise SheetgenError(f"{src} 不是文件夹；请给出单位文件夹（如 specs/sh-yifenyuan-2020）或 specs/")
    dest = Path(dest) if dest is not None else default_dest(src, year)
    if dest.resolve() == src.resolve():
        raise SheetgenError("新文件夹不能就是原文件夹：原来的说明要保留不动；请用 -o 指定另一个文件夹")
    if dest.resolve().is_relative_to(src.resolve()):
        raise SheetgenError(f"新文件夹 {dest} 在原文件夹 {src} 里面；请放到别处")
    if dest.exists():
        raise SheetgenError(f"{dest} 已存在；不会覆盖。请换一个文件夹名，或先把它移走")
    plan = RolloverPlan(src, dest, year)
    cache = workspace or Workspace()
    folder_names: dict[Path, str] = {}
    sources: dict[Path, Path] = {}
    for path in sorted(src.rglob("*")):
        relative = path.relative_to(src)
        if any(part.startswith(".") or part in _SKIPPED for part in relative.parts) or not path.is_file():
            continue
        target_parts = []
        for depth, part in enumerate(relative.parts):
            folder = src.joinpath(*relative.parts[: depth + 1])
            if folder not in folder_names:
                folder_names[folder] = _renamed(folder, part, year, is_file=depth == len(relative.parts) - 1)
            target_parts.append(folder_names[folder])
        target = Path(*target_parts)
        if target in sources:
            raise SheetgenError(
                f"{sources[target].as_posix()} 和 {relative.as_posix()} 顺延后都会成为 "
                f"{target.as_posix()}；请把不同年度的文件夹分开处理"
            )
        sources[target] = relative
        shown = target.as_posix()
        if relative.as_posix() != shown:
            plan.renamed.append((relative.as_posix(), shown))
        raw = path.read_bytes()
        plan.files[target] = _roll_file(path, raw, shown, plan, year, cache) if _rolls(path, src) else raw
    return plan


def _rolls(path: Path, src: Path) -> bool:
    """Return whether ``path`` is a spec or a defaults file (the files rollover edits)."""
    parts = path.relative_to(src).parts
    if not _is_yaml(path) or any(p.startswith("_") or p == TEMPLATES for p in parts[:-1]):
        return False
    return path.name == DEFAULTS_NAME or not path.name.startswith(("_", "."))


def _renamed(path: Path, part: str, year: int, *, is_file: bool) -> str:
    """Return the new name of one path component: year mentions moved in spec
    file names and unit folder names, other names kept."""
    if (is_file and not _is_yaml(path)) or (part.startswith("_") and part != DEFAULTS_NAME) or part == TEMPLATES:
        return part
    base = _unit_year(path.parent if is_file else path)
    return part if base is None else shift_mentions(part, base, year - base)


def _roll_file(path: Path, raw: bytes, shown: str, plan: RolloverPlan, year: int, cache: Workspace) -> bytes:
    text, _problems = decode(raw, shown)
    if text is None:
        plan.notes.append(Note(shown, "", "", "无法读取（编码不对），原样复制，没有改动"))
        return raw
    try:
        data = yaml.load(text, Loader=SpecLoader)  # SpecLoader is a SafeLoader
    except yaml.YAMLError:
        plan.notes.append(Note(shown, "", "", "YAML 有错误，原样复制，没有改动；改正后可以手动修改年度"))
        return raw
    if not isinstance(data, dict):
        return raw
    own_year = data.get("year") if isinstance(data.get("year"), int) else None
    base = _unit_year(path.parent) or own_year
    if base is None:
        plan.notes.append(Note(shown, "year", core_label("year"), "没有年度，无法推算，原样复制"))
        return raw
    found = _jurisdiction(path.parent, data, cache)
    schema = build_schema(found) if found is not None else {}
    ctx = _Context(plan, shown, base, year - base, found, schema)
    new_text = _roll_text(text, data, ctx, path.name == DEFAULTS_NAME)
    return new_text.encode("utf-8")


def write_rollover(plan: RolloverPlan) -> None:
    """Write the new folder of ``plan``: all files into a temporary folder, then one rename
    (so the new folder is complete or absent); the source is not touched."""
    dest = plan.dest
    if dest.exists():
        raise SheetgenError(f"{dest} 已存在；不会覆盖")
    dest.parent.mkdir(parents=True, exist_ok=True)
    temp = dest.with_name(f".{dest.name}.rollover-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        for relative, data in plan.files.items():
            target = temp / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        os.rename(temp, dest)
    except OSError as exc:
        shutil.rmtree(temp, ignore_errors=True)
        raise SheetgenError(f"{dest}: 无法写入新文件夹：{os_errors.explain(exc)}") from None
