"""Layout ``docxtext``: a table as the text of a .docx, one cell a line (a format whose
``import.layouts`` names ``docxtext``, e.g. one with 绩效指标描述 beside each indicator).

Returns an :class:`~sheetgen.importers.result.ImportResult` from :func:`parse`.
A cell is a line starting with a tab (a blank cell is a lone tab); a line
without the tab continues the cell above (a line break inside the cell); a
blank line ends a table row.  Each project starts with a title paragraph
``[bookmark: …]N.<项目名称><table name>``.  Indicator rows have one cell per column of
the format's indicator table (一级/二级, then its ``indicator_columns``); a blank 一级 or
二级 continues the row above.  Every label is the jurisdiction's.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from msgspec import Struct, field

from sheetgen.importers.common import (
    build_defaults,
    common_year,
    normalize_label,
    ordered,
    parse_amount,
    safe_filename,
)
from sheetgen.importers.result import ImportedProject, ImportResult, Sink
from sheetgen.importers.tree import IndicatorTree
from sheetgen.jurisdiction import Jurisdiction

LAYOUT = "docxtext"
UNIT_RE = re.compile(r"^(\d+)\s*(\S.*)$")
MONEY_RE = re.compile(r"^单位[：:]\s*(元|万元)$")
YEAR_RE = re.compile(r"^(\d{4})年")
ITEM_RE = re.compile(r"^\s*(\d+)\s*[.．、]\s*(.*)$", re.S)


class Words(Struct, frozen=True):
    """What the layout looks for, from one jurisdiction."""

    jurisdiction: Jurisdiction
    title: re.Pattern[str]
    indicator_header: tuple[str, ...]
    columns: tuple[str, ...]  # the key of each indicator cell after 一级/二级
    name_label: str
    budget_title: str
    budget_fields: tuple[tuple[str, str], ...]  # (printed label, budget key)
    list_fields: tuple[tuple[str, str], ...]  # (printed label, key) of numbered-list fields
    text_fields: tuple[tuple[str, str], ...]  # (printed label, key) of the other header fields

    @classmethod
    def of(cls, found: Jurisdiction) -> Words:
        from sheetgen.validation.schema import core_label

        table = re.escape(found.table().label)
        return cls(
            jurisdiction=found,
            title=re.compile(rf"^(?:\[bookmark:[^\]]*\])?\s*(\d+)\s*[.．、]\s*(.+?)\s*{table}\s*$"),
            indicator_header=(found.levels.label(1), found.levels.label(2),
                              *(c.label for c in found.indicator_columns)),
            columns=tuple(c.key for c in found.indicator_columns),
            name_label=core_label("name"),
            budget_title=found.budget_title,
            budget_fields=tuple((normalize_label(f.label), f.key) for f in found.budget_fields),
            list_fields=tuple((normalize_label(f.label), f.key) for f in found.fields if f.kind == "list"),
            text_fields=tuple((normalize_label(f.label), f.key) for f in found.fields if f.kind != "list"),
        )


class Row(Struct):
    """One table row: its cells and the source line of each cell."""

    cells: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


class RawProject(Struct):
    """One project as read from its title and rows."""

    line: int
    number: int
    title: str
    rows: list[Row] = field(default_factory=list)


def looks_like(text: str, jurisdiction: Jurisdiction) -> bool:
    """Return whether ``text`` is the one-cell-a-line text of ``jurisdiction``'s .docx table."""
    return "\n\t" + "\n\t".join(Words.of(jurisdiction).indicator_header) + "\n" in text


def parse(text: str, sink: Sink, jurisdiction: Jurisdiction) -> ImportResult:
    """Return the projects of a docx-text document ``text``."""
    words = Words.of(jurisdiction)
    raws = _read_rows(text.split("\n"), sink, words)
    if not raws:
        table = jurisdiction.table().label
        raise sink.fail(1, f"找不到“N.{words.name_label}{table}”形式的标题，不是{jurisdiction.title}")
    read = [_read_project(raw, sink, words) for raw in raws]
    year = common_year([spec.get("year") for spec, _ in read], sink)
    units = Counter(tuple(unit.items()) for _, unit in read if unit)
    unit = dict(units.most_common(1)[0][0]) if units else {}
    projects = []
    for number, ((spec, project_unit), raw) in enumerate(zip(read, raws, strict=True), 1):
        if spec.get("year") == year:
            del spec["year"]
        if project_unit and project_unit != unit:
            sink.warn(raw.line, "import-unit", f"单位“{project_unit}”与其他项目不同，写入本项目")
            spec["unit"] = project_unit
        name = str(spec.get("name") or f"项目{number}")
        projects.append(ImportedProject(safe_filename(number, name), ordered(spec, jurisdiction), raw.line))
    return ImportResult(build_defaults(jurisdiction, year, unit), projects, sink.diagnostics, LAYOUT)


def _read_rows(lines: list[str], sink: Sink, words: Words) -> list[RawProject]:
    """Return the projects of the document with their rows of cells."""
    raws: list[RawProject] = []
    row: Row | None = None
    for number, line in enumerate(lines, 1):
        if line.startswith("\t"):
            if not raws:
                raise sink.fail(number, "第一个标题之前有表格内容")
            if row is None:
                row = Row()
                raws[-1].rows.append(row)
            row.cells.append(line[1:].strip())
            row.lines.append(number)
        elif not line.strip():
            row = None
        elif row is not None:
            row.cells[-1] = f"{row.cells[-1]}\n{line.strip()}"
        elif match := words.title.match(line.strip()):
            raws.append(RawProject(number, int(match.group(1)), match.group(2)))
            if raws[-1].number != len(raws):
                sink.warn(number, "import-number", f"标题编号是 {raws[-1].number}，按顺序应为 {len(raws)}")
        else:
            raise sink.fail(number, f"无法识别的段落：{line.strip()}")
    return raws


def _read_project(raw: RawProject, sink: Sink, words: Words) -> tuple[dict[str, Any], dict[str, str]]:
    """Return the spec data (with ``year``) and the unit (code, name) of one project."""
    spec: dict[str, Any] = {}
    unit: dict[str, str] = {}
    tree = IndicatorTree(sink)
    rows = iter(raw.rows)
    in_indicators = False
    for row in rows:
        first = normalize_label(row.cells[0])
        lists = dict(words.list_fields)
        if in_indicators:
            _indicator(row, tree, sink, words)
        elif tuple(row.cells) == words.indicator_header:
            in_indicators = True
        elif first == words.name_label:
            spec["name"] = _value(row, 1)
        elif first == words.budget_title:
            spec["budget"] = _budget(row, sink, words)
            texts = [key for _, key in words.text_fields]
            if texts:  # the text row below the amounts (its label cell is merged into the budget's)
                below = next(rows, None)
                if below is None or below.cells[0]:
                    raise sink.fail(row.lines[0], f"预算行下面缺少{words.jurisdiction.label(texts[0])}行")
                spec[texts[0]] = _value(below, 1) or None
        elif first in lists:
            spec[lists[first]] = _targets(row, sink, first)
        elif not _unit_row(row, unit, spec, sink, words):
            sink.warn(row.lines[0], "import-unknown", f"无法识别的行“{' | '.join(row.cells)}”，已忽略")
    spec["indicators"] = tree.data
    _check_name(raw, spec, sink, words)
    return spec, unit


def _value(row: Row, index: int) -> str:
    """Return cell ``index`` of ``row``, empty if the row is shorter."""
    return row.cells[index] if index < len(row.cells) else ""


def _unit_row(row: Row, unit: dict[str, str], spec: dict[str, Any], sink: Sink, words: Words) -> bool:
    """Read the ``<code><unit name> | 单位：万元`` row; return False if ``row`` is no such row."""
    match = UNIT_RE.match(row.cells[0])
    money = [MONEY_RE.match(re.sub(r"\s+", "", cell)) for cell in row.cells[1:]]
    if not match or not any(money):
        return False
    unit.update(code=match.group(1), name=match.group(2).strip())
    found = next(m for m in money if m)
    if found.group(1) != words.jurisdiction.money_unit:
        spec.setdefault("budget", {})["unit"] = found.group(1)
    return True


def _budget(row: Row, sink: Sink, words: Words) -> dict[str, Any]:
    """Return the amounts of the budget row (label, amount, label, amount, ...)."""
    budget: dict[str, Any] = {}
    cells = row.cells[1:]
    fields = dict(words.budget_fields)
    for index in range(0, len(cells) - 1, 2):
        label = normalize_label(cells[index])
        key = fields.get(label)
        if key is None:
            sink.warn(row.lines[index + 1], "import-unknown", f"无法识别的预算栏目“{cells[index]}”，已忽略")
            continue
        budget[key] = parse_amount(cells[index + 1], sink, row.lines[index + 2], label)
    return budget


def _targets(row: Row, sink: Sink, label: str) -> list[str]:
    """Return the items of a numbered list cell (such as 绩效目标) without their ``N.`` prefix."""
    items: list[str] = []
    line = row.lines[1] if len(row.lines) > 1 else row.lines[0]
    for text in _value(row, 1).split("\n"):
        match = ITEM_RE.match(text)
        if match is None:
            if items:
                items[-1] = f"{items[-1]}\n{text}"
            elif text:
                sink.warn(line, "import-numbering", f"{label}“{text}”没有编号，按第 1 条读入")
                items.append(text)
            continue
        if int(match.group(1)) != len(items) + 1:
            sink.warn(
                line,
                "import-numbering",
                f"{label}编号是 {match.group(1)}，按顺序应为 {len(items) + 1}；编号由表格重新生成",
            )
        items.append(match.group(2))
    return items


def _indicator(row: Row, tree: IndicatorTree, sink: Sink, words: Words) -> None:
    """Add one indicator row to ``tree`` (blank 一级/二级 continue the row above)."""
    line = row.lines[0]
    if len(row.cells) != len(words.indicator_header):
        raise sink.fail(line, f"指标行应有 {len(words.indicator_header)} 个单元格，实有 {len(row.cells)} 个")
    level1, level2, *cells = row.cells
    if level1:
        tree.enter_level1(level1, row.lines[0])
    if level2:
        tree.enter_level2(level2, row.lines[1])
    values = dict(zip(words.columns, cells, strict=True))
    name = values.pop("name", "")
    columns = [key for key in words.columns if key != "name"]
    tree.add(name, {key: values[key] or None for key in columns}, row.lines[2])


def _check_name(raw: RawProject, spec: dict[str, Any], sink: Sink, words: Words) -> None:
    """Check the 项目名称 against the title and set ``year`` from the name's ``2024年`` prefix."""
    if not spec.get("name"):
        sink.warn(raw.line, "import-missing", f"缺少{words.name_label}，取标题中的“{raw.title}”",
                  label=words.name_label)
        spec["name"] = raw.title
    elif spec["name"] != raw.title:
        sink.warn(raw.line, "import-name", f"标题中的名称“{raw.title}”与{words.name_label}“{spec['name']}”不同")
    if match := YEAR_RE.match(spec["name"]):
        spec["year"] = int(match.group(1))
