"""A jurisdiction: a folder of templates, its description and its schema part.

A jurisdiction folder holds

* ``jurisdiction.yaml`` -- the description: title, format year, money unit and
  number format, the 一级/二级 vocabulary, the indicator columns, and
  optionally ``extends: <name>`` to inherit everything it does not set;
* ``schema.yaml`` -- its part of the validation schema (header fields, budget
  fields, extra per-indicator columns) as Cerberus rules with Chinese labels;
* ``table.docx`` / ``table.xlsx`` -- the Word and Excel templates.

A ``templates/`` folder next to the specs is searched before the built-in
folders, so a unit can override a built-in jurisdiction by copying it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from sheetgen import jurisdiction_shape as shape
from sheetgen.errors import Diagnostic, JurisdictionError, Severity
from sheetgen.mappings import deep_merge
from sheetgen.money import UNITS
from sheetgen.os_errors import explain
from sheetgen.spec.yamlload import Positions, load_yaml

DESCRIPTION = "jurisdiction.yaml"
SCHEMA = "schema.yaml"
TEMPLATE_FILES = {"docx": "table.docx", "xlsx": "table.xlsx"}


def builtin_dir() -> Path:
    """Return the folder holding the built-in jurisdictions.

    In an installed wheel they live in ``sheetgen/_templates``; in a source
    checkout (or an editable install) in the repository's ``templates/``.
    """
    packaged = Path(__file__).parent / "_templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"




_AMOUNT = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(\S+)\s*$")


def _yuan(text: Any) -> Decimal | None:
    """Return an amount with its unit (``1万元``, ``10亿元``) in 元, or None."""
    found = _AMOUNT.match(str(text)) if text is not None else None
    if not found or found.group(2) not in UNITS:
        return None
    return Decimal(found.group(1)) * UNITS[found.group(2)]


def _shown(path: Path) -> str:
    """Return ``path`` as messages name it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _read_yaml(path: Path) -> tuple[dict[str, Any], Positions, list[Diagnostic]]:
    """Return the content of one description file, its positions and its problems
    (YAML syntax, then its declared shape); a missing or empty file is ``{}``."""
    positions = Positions(_shown(path))
    if not path.is_file():
        return {}, positions, []
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return {}, positions, [Diagnostic(positions.file, 1, 1, shape.CODE, Severity.ERROR,
                                          f"无法读取格式文件：{explain(exc)}")]
    loaded = load_yaml(raw, positions.file)
    found = [d for d in loaded.diagnostics if d.code != "empty-file"]
    if loaded.data is None:
        return {}, loaded.positions, found
    found += shape.problems(path.name, loaded.data, loaded.positions)
    return (dict(loaded.data) if isinstance(loaded.data, Mapping) else {}), loaded.positions, found


@dataclass(frozen=True)
class Jurisdiction:
    """A resolved jurisdiction: its folders (most specific first), merged
    description and merged schema part."""

    name: str
    folders: tuple[Path, ...]
    description: Mapping[str, Any]
    schema: Mapping[str, Any]

    @property
    def folder(self) -> Path:
        return self.folders[0]

    @property
    def title(self) -> str:
        return str(self.description.get("title", self.name))

    @property
    def money_unit(self) -> str:
        return str(self.description.get("money", {}).get("unit", "元"))

    @property
    def money_format(self) -> str:
        return str(self.description.get("money", {}).get("format", "#,##0"))

    @property
    def plausible_range(self) -> tuple[Decimal, Decimal] | None:
        """Return (lowest, highest) amount in 元 that is plausible for one project
        (``money.plausible`` in jurisdiction.yaml, e.g. ``{min: 1万元, max: 10亿元}``), or
        None when the jurisdiction sets none."""
        bounds = self.description.get("money", {}).get("plausible")
        if not isinstance(bounds, Mapping):
            return None
        low, high = _yuan(bounds.get("min")), _yuan(bounds.get("max"))
        return (low or Decimal(0), high or Decimal("Infinity")) if low or high else None

    @property
    def date_format(self) -> str:
        return str(self.description.get("date_format", "%Y-%m-%d"))

    @property
    def level1_names(self) -> tuple[str, ...]:
        return tuple(self.description.get("levels", {}).get("level1", ()))

    @property
    def level2_names(self) -> tuple[str, ...]:
        return tuple(self.description.get("levels", {}).get("level2", ()))

    @property
    def field_vocabularies(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """Return, for each header field with a closed vocabulary (``meta.vocabulary`` in
        schema.yaml, e.g. 绩效类型), its key -> (printed label, the known words)."""
        return {
            str(key): (str(rules["meta"].get("label", key)), tuple(str(w) for w in rules["meta"]["vocabulary"]))
            for key, rules in (self.schema.get("fields") or {}).items()
            if isinstance(rules, Mapping) and isinstance((rules.get("meta") or {}).get("vocabulary"), list)
        }

    @property
    def indicator_columns(self) -> tuple[Mapping[str, str], ...]:
        """Return the printed indicator columns after 一级/二级, in order
        (each a mapping with ``key`` and ``label``)."""
        return tuple(self.description.get("indicator_columns", ()))

    @property
    def long_texts(self) -> tuple[tuple[str, str], ...]:
        """Return (key, printed label) of each header field marked ``long_text`` in
        the schema, in schema order (the full-width text rows of the table)."""
        return tuple(
            (key, str(rules["meta"].get("label", key)))
            for key, rules in (self.schema.get("fields") or {}).items()
            if isinstance(rules, Mapping) and (rules.get("meta") or {}).get("long_text")
        )

    def template_path(self, kind: str) -> Path:
        """Return the template file of ``kind`` (``docx`` or ``xlsx``), taken
        from the most specific folder that has one."""
        filename = self.description.get("templates", {}).get(kind, TEMPLATE_FILES[kind])
        for folder in self.folders:
            candidate = folder / filename
            if candidate.is_file():
                return candidate
        raise JurisdictionError(f"格式“{self.name}”没有 {kind} 模板（{filename}），查找过：{self._where()}")

    def _where(self) -> str:
        return "、".join(str(f) for f in self.folders)

    def files(self) -> list[Path]:
        """Return every file this jurisdiction is made of (for fingerprints)."""
        return sorted(p for folder in self.folders for p in folder.rglob("*") if p.is_file())

    @cached_property
    def fingerprint(self) -> str:
        """Return a digest of every file of the jurisdiction, names and bytes."""
        digest = hashlib.sha256()
        for path in self.files():
            digest.update(str(path).encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()


def search_path(extra: Iterable[Path] = ()) -> tuple[Path, ...]:
    """Return the folders searched for jurisdictions: ``extra`` first, then the built-ins."""
    return (*[Path(p) for p in extra], builtin_dir())


def available(dirs: Sequence[Path]) -> list[str]:
    """Return the names of all jurisdictions found in ``dirs``."""
    names = {p.parent.name for d in dirs if d.is_dir() for p in d.glob(f"*/{DESCRIPTION}")}
    return sorted(names)


def load(name: str, dirs: Sequence[Path] | None = None) -> Jurisdiction:
    """Return the jurisdiction ``name`` resolved along ``dirs`` with its ``extends`` chain."""
    dirs = tuple(dirs) if dirs is not None else search_path()
    return _load(name, dirs, 0, seen=())


def _load(name: str, dirs: tuple[Path, ...], start: int, seen: tuple[str, ...]) -> Jurisdiction:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise JurisdictionError(f"格式名称“{name}”无效")
    for index in range(start, len(dirs)):
        folder = dirs[index] / name
        if (folder / DESCRIPTION).is_file():
            break
    else:
        known = "、".join(available(dirs)) or "（无）"
        raise JurisdictionError(f"找不到格式“{name}”。可用的格式：{known}")
    description, _where, problems = _read_yaml(folder / DESCRIPTION)
    schema, schema_positions, schema_problems = _read_yaml(folder / SCHEMA)
    problems += schema_problems
    tables = [schema_positions]
    parent_name = description.get("extends")
    folders: tuple[Path, ...] = (folder,)
    if parent_name and isinstance(parent_name, str):
        if str(folder) in seen or len(seen) > 16:
            raise JurisdictionError(f"格式“{name}”的 extends 形成了循环")
        # A folder extending its own name continues the search past itself.
        next_start = index + 1 if parent_name == name else 0
        try:
            parent = _load(parent_name, dirs, next_start, (*seen, str(folder)))
        except JurisdictionError as exc:
            if not exc.diagnostics:
                raise
            raise _broken(name, [*problems, *exc.diagnostics]) from None
        description = deep_merge(parent.description, description)
        schema = deep_merge(parent.schema, schema)
        folders = (folder, *parent.folders)
    if not problems:
        problems = shape.reference_problems(schema, tables)
    if problems:
        raise _broken(name, problems)
    description = {**description, "name": name}
    return Jurisdiction(name=name, folders=folders, description=description, schema=schema)


def _broken(name: str, problems: list[Diagnostic]) -> JurisdictionError:
    """Return the error of jurisdiction ``name`` whose files have ``problems``."""
    lines = "\n".join(f"  {d.format()}" for d in problems)
    return JurisdictionError(f"格式“{name}”的文件有 {len(problems)} 处错误：\n{lines}", problems)
