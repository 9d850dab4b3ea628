"""Loading a jurisdiction: find its folder along a search path, read and check its two
description files, merge its ``extends`` chain and return the typed
:class:`~sheetgen.jurisdiction.typed.Jurisdiction`.

Which folders are searched, and in which order, is the workspace's one rule
(:mod:`sheetgen.workspace`); this module only follows the path it is given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from sheetgen.errors import Diagnostic, JurisdictionError, Severity
from sheetgen.jurisdiction.common import common_words
from sheetgen.jurisdiction.folders import (
    DESCRIPTION,
    SCHEMA,
    find_folder,
    fingerprint_files,
    search_path,
    shipped,
)
from sheetgen.jurisdiction.keys import TARGET_TABLE, TEMPLATE_FILES
from sheetgen.jurisdiction.scoring import scoring_of, scoring_problems
from sheetgen.jurisdiction.typed import (
    Amounts,
    AtMost,
    BudgetSum,
    Column,
    Contents,
    Field,
    Fonts,
    ImportHints,
    Jurisdiction,
    Levels,
    Margins,
    Money,
    PrintSettings,
    Rollover,
    Rules,
    Sizes,
    Table,
)
from sheetgen.mappings import FrozenDict, deep_merge
from sheetgen.money import UNITS
from sheetgen.os_errors import explain
from sheetgen.spec.yamlload import Positions, load_yaml

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


def _read_yaml(path: Path, *, own: bool = True) -> tuple[dict[str, Any], Positions, list[Diagnostic]]:
    """Return the content of one description file, its positions and its problems
    (YAML syntax, then its declared shape -- of a user's file, ``own``: the shape of sheetgen's
    own files is checked by its tests, see :func:`shipped`); a missing or empty file is ``{}``."""
    from sheetgen.jurisdiction import shape  # Cerberus: not needed to find specs or fingerprints

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
    if own:
        found += shape.problems(path.name, loaded.data, loaded.positions)
    return (dict(loaded.data) if isinstance(loaded.data, Mapping) else {}), loaded.positions, found


def load(name: str, dirs: Sequence[Path] | None = None) -> Jurisdiction:
    """Return the jurisdiction ``name`` resolved along ``dirs`` with its ``extends`` chain."""
    dirs = tuple(dirs) if dirs is not None else search_path()
    return _load(name, dirs, 0, seen=())


def _load(name: str, dirs: tuple[Path, ...], start: int, seen: tuple[str, ...]) -> Jurisdiction:
    index, folder = find_folder(name, dirs, start)
    own = not shipped(folder)
    description, where, problems = _read_yaml(folder / DESCRIPTION, own=own)
    schema, schema_positions, schema_problems = _read_yaml(folder / SCHEMA, own=own)
    problems += schema_problems
    tables = [schema_positions]
    parent_name = description.get("extends")
    folders: tuple[Path, ...] = (folder,)
    trusted = not own  # every folder of it sheetgen's own
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
        trusted = trusted and parent.shipped
    if not problems:
        from sheetgen.jurisdiction import shape

        problems = [*shape.reference_problems(schema, tables), *scoring_problems(description, schema, [where])]
    if problems:
        raise _broken(name, problems)
    description = {**description, "name": name}
    return typed(name, folders, description, schema, shipped=trusted)


def _broken(name: str, problems: list[Diagnostic]) -> JurisdictionError:
    """Return the error of jurisdiction ``name`` whose files have ``problems``."""
    lines = "\n".join(f"  {d.format()}" for d in problems)
    return JurisdictionError(f"格式“{name}”的文件有 {len(problems)} 处错误：\n{lines}", problems)


# ----------------------------------------------------------------------------- typing the checked files


def _freeze(value: Any) -> Any:
    """Return ``value`` with every mapping a read-only :class:`FrozenDict` and every list a tuple."""
    if isinstance(value, Mapping):
        return FrozenDict({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _section(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


def _texts(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, (list, tuple)) else ()


def _fields(schema: Mapping[str, Any], section: str) -> tuple[Field, ...]:
    """Return the typed fields of one section of ``schema.yaml`` (in its order)."""
    out = []
    for key, rules in _section(schema, section).items():
        meta = _section(rules, "meta")
        vocabulary = meta.get("vocabulary")
        out.append(Field(
            key=str(key), section=section, label=str(meta.get("label", key)), kind=str(rules.get("type", "string")),
            required=bool(rules.get("required")), long_text=bool(meta.get("long_text")),
            help=str(meta.get("description", "")),
            vocabulary=_texts(vocabulary) if isinstance(vocabulary, list) else None,
            rules=_freeze(rules),
        ))
    return tuple(out)


def _number(value: Any) -> Decimal | None:
    return Decimal(str(value)) if isinstance(value, (int, Decimal)) and not isinstance(value, bool) else None


def _plausible(bounds: Any) -> tuple[Decimal, Decimal] | None:
    if not isinstance(bounds, Mapping):
        return None
    low, high = _yuan(bounds.get("min")), _yuan(bounds.get("max"))
    return (low or Decimal(0), high or Decimal("Infinity")) if low or high else None


def _tables(description: Mapping[str, Any]) -> tuple[Table, ...]:
    """Return the kinds of table: ``tables`` as written, with ``target`` (the 绩效目标表, whose
    templates ``templates`` also names) always among them."""
    files = {**TEMPLATE_FILES, **{str(k): str(v) for k, v in _section(description, "templates").items()}}
    declared = dict(_section(description, "tables"))
    declared.setdefault(TARGET_TABLE, {})
    out = []
    for kind, spec in declared.items():
        spec = spec if isinstance(spec, Mapping) else {}
        own = {str(k): str(v) for k, v in _section(spec, "templates").items()}
        templates = {**files, **own} if kind == TARGET_TABLE else {**TEMPLATE_FILES, **own}
        label = str(spec.get("label") or (common_words().target_table if kind == TARGET_TABLE else kind))
        out.append(Table(str(kind), label, tuple(templates.items()), str(spec.get("suffix") or "")))
    return tuple(out)


def _print(block: Mapping[str, Any]) -> PrintSettings:
    fonts, sizes, amounts = _section(block, "fonts"), _section(block, "sizes"), _section(block, "amounts")
    margins, contents = _section(block, "margins_mm"), _section(block, "contents")

    def text(data: Mapping[str, Any], key: str) -> str | None:
        return str(data[key]) if data.get(key) is not None else None

    return PrintSettings(
        fonts=Fonts(text(fonts, "body"), text(fonts, "title"), text(fonts, "latin")),
        language=text(block, "language"),
        sizes=Sizes(*(_number(sizes.get(k)) for k in ("title", "heading", "body", "cell"))),
        amounts=Amounts(text(amounts, "align"), _number(amounts.get("padding_mm"))),
        paper=text(block, "paper"),
        orientation=text(block, "orientation"),
        margins_mm=Margins(*(_number(margins.get(k)) for k in ("top", "bottom", "left", "right"))),
        contents=Contents(*(text(contents, k) for k in ("title", "heading", "number", "name", "page"))),
    )


def _field_order(description: Mapping[str, Any], fields: Sequence[Field]) -> tuple[str, ...]:
    """Return the order of a spec's header keys: ``field_order``, then the other fields in
    schema order, ``budget`` last unless placed."""
    order = list(dict.fromkeys(_texts(description.get("field_order"))))
    order += [f.key for f in fields if f.key not in order]
    if "budget" not in order:
        order.append("budget")
    return tuple(order)


def typed(name: str, folders: tuple[Path, ...], description: Mapping[str, Any],
          schema: Mapping[str, Any], *, shipped: bool = False) -> Jurisdiction:
    """Return the typed jurisdiction of the checked, merged ``description`` and ``schema``."""
    words = common_words()
    money, levels, labels = _section(description, "money"), _section(description, "levels"), \
        _section(description, "level_labels")
    fields = _fields(schema, "fields")
    indicator_fields = _fields(schema, "indicator")
    columns = tuple(Column(str(c.get("key")), str(c.get("label", "")))
                    for c in description.get("indicator_columns") or () if isinstance(c, Mapping))
    name_label = next((c.label for c in columns if c.key == "name"), words.level_labels[2])
    rules, rollover = _section(schema, "rules"), _section(schema, "rollover")
    total = _section(rules, "budget_sum")
    hints = _section(description, "import")
    year = description.get("format_year")
    return Jurisdiction(
        name=name,
        folders=folders,
        title=str(description.get("title", name)),
        format_year=year if isinstance(year, int) and not isinstance(year, bool) else None,
        extends=str(description.get("extends") or "") if len(folders) > 1 else "",
        money=Money(str(money.get("unit", "元")), str(money.get("format", "#,##0")),
                    _plausible(money.get("plausible"))),
        date_format=str(description.get("date_format", "%Y-%m-%d")),
        levels=Levels(
            level1=_texts(levels.get("level1")), level2=_texts(levels.get("level2")),
            cost_groups=_texts(levels.get("cost_groups")),
            labels=(str(labels.get("level1", words.level_labels[0])), str(labels.get("level2", words.level_labels[1])),
                    name_label),
        ),
        indicator_columns=columns,
        fields=fields,
        budget_fields=_fields(schema, "budget"),
        indicator_fields=indicator_fields,
        budget_title=str(description.get("budget_title") or ""),
        field_order=_field_order(description, fields),
        rules=Rules(
            budget_sum=BudgetSum(str(total["total"]), _texts(total.get("parts"))) if total else None,
            at_most=tuple(AtMost(str(p["field"]), str(p["limit"])) for p in rules.get("at_most") or ()),
        ),
        rollover=Rollover(
            carry=tuple((str(k), str(v)) for k, v in _section(rollover, "carry").items()),
            clear=_texts(rollover.get("clear")),
        ),
        tables=_tables(description),
        imports=ImportHints(_texts(hints.get("layouts")), str(hints.get("heading") or "")),
        print=_print(_section(description, "print")),
        self_evaluation=scoring_of(description),
        fingerprint=fingerprint_files(folders),
        shipped=shipped,
        description=_freeze(description),
        schema=_freeze(schema),
    )
