"""One project read from table lines: header fields by their labels, the indicator rows, review.

:class:`ProjectReader` is fed the lines of one project by
:mod:`.table_parse` and returns the project's spec data from
:meth:`ProjectReader.finish`.  Header fields are found by their printed
labels wherever they sit: a label cell with its value in the next cell to
the right, ``标签：值`` in one cell or paragraph, or a row of labels with the
values in the row below.  Indicator rows go to its
:class:`~sheetgen.importers.table_indicators.IndicatorReader`.  Any text that
fits nowhere goes to ``review`` with its source position.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from msgspec import Struct

from sheetgen.importers import table_values as values
from sheetgen.importers.cell_sink import CellSink
from sheetgen.importers.common import set_path
from sheetgen.importers.grid_model import Cell, Line
from sheetgen.importers.table_indicators import IndicatorReader
from sheetgen.importers.table_labels import FieldDef, Labels, label_key
from sheetgen.validation.schema import core_label

_YEAR_LINE = re.compile(r"^[（(]?(\d{4})\s*年度?[）)]?$")
_GOALS_LINE = re.compile(r"^(\d{4})年(?:度)?绩效目标$")
_UNIT_LINE = re.compile(r"^(\d{6,12})\s*([^\d\s].{1,80})$")
_NAME_YEAR = re.compile(r"^(\d{4})年")


class Found(Struct):
    """A header field found in the document: its definition, text, typed cell value and position."""

    field: FieldDef
    text: str
    cell: Cell
    line: Line


class ProjectReader:
    """Reads the lines of one project into its header fields, indicator tree and review list."""

    def __init__(self, labels: Labels, sink: CellSink) -> None:
        self.labels = labels
        self.sink = sink
        self.fields: dict[str, Found] = {}
        self.money_unit: tuple[str, Line, Cell] | None = None
        self.year: int | None = None
        self.unit_line: dict[str, str] = {}
        self.title_number: int | None = None
        self.title_name: tuple[str, Line, Cell] | None = None
        self.first: tuple[Line, Cell] | None = None
        self.indicators = IndicatorReader(labels, sink, self.to_review, self._mark)
        self.below: dict[int, FieldDef] = {}
        self.below_block = ""
        self.review: list[dict[str, str]] = []

    @property
    def substantial(self) -> bool:
        """Return whether the project has read a header field or an indicator row."""
        return bool(self.fields or self.indicators.rows)

    def _mark(self, line: Line, cell: Cell) -> None:
        if self.first is None:
            self.first = (line, cell)

    def to_review(
        self, line: Line, cell: Cell, text: str | None = None, why: str = "无法归位", context: str = ""
    ) -> None:
        """Put ``text`` (default: the cell's text) of ``cell`` under ``review`` and warn;
        ``context`` is added to the source (e.g. the column and indicator it stood next to)."""
        text = (cell.stripped if text is None else text).strip()
        if not text:
            return
        self._mark(line, cell)
        source = f"{line.source(cell)}（{context}）" if context else line.source(cell)
        self.review.append({"text": text, "source": source})
        shown = text if len(text) <= 30 else f"{text[:30]}…"
        self.sink.warn_at(
            line, cell, "import-review", f"{why}的文字“{shown}”已放入 review（待核对）", yaml_path="review"
        )

    # -- titles and header fields ------------------------------------------------------------

    def title(self, line: Line, cell: Cell, number: int | None, name: str | None) -> None:
        """Take the project's title: its number (``1.``) and the name it prints, if any."""
        self._mark(line, cell)
        if number is not None:
            self.title_number = number
        if name:
            if self.title_name and self.title_name[0] != name:
                old = self.title_name
                self.to_review(old[1], old[2], why="与后一个标题不同")
            self.title_name = (name, line, cell)

    def header_line(self, line: Line) -> None:
        """Read the labelled fields, section titles and structure texts of one non-indicator line."""
        cells = [cell for cell in line.cells if not cell.is_copy]
        for cell in line.cells:
            if cell.is_copy and cell.own.strip():
                self.to_review(line, cell, cell.own, "被合并单元格遮住")
        below, self.below = self.below, {}
        if below:
            cells = self._values_below(line, cells, below)
        labelled = [(cell, self.labels.field(cell.stripped)) for cell in cells if cell.stripped]
        if len(labelled) >= 2 and all(found for _, found in labelled) and self._label_row(cells):
            for cell, found in labelled:
                self._mark(line, cell)
                self.below[cell.col] = found[0]  # type: ignore[index]
                self._money(found[1], line, cell)  # type: ignore[index]
            self.below_block = line.block
            return
        index = 0
        while index < len(cells):
            cell = cells[index]
            index += 1
            text = cell.stripped
            if not text:
                continue
            found = self.labels.field(text)
            if found is not None:
                field, unit = found
                self._money(unit, line, cell)
                following = cells[index] if index < len(cells) else None
                if following is not None and not self._is_label(following.stripped):
                    self._set(field, following.stripped, following, line)
                    index += 1
                else:
                    self._set(field, "", cell, line)
                continue
            if not self._free_text(line, cell, text):
                self.to_review(line, cell)

    def _label_row(self, cells: list[Cell]) -> bool:
        """Return whether ``cells`` (labels only) have no value cell to the right of any label."""
        return all(cells[index + 1].stripped for index, cell in enumerate(cells[:-1]) if cell.stripped)

    def _structural(self, text: str) -> bool:
        """Return whether ``text`` is a section title, money unit or year line (never a field's value)."""
        normal = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
        return bool(
            self.labels.section(text)[0]
            or values.money_unit_of(text)
            or _YEAR_LINE.match(normal)
            or _GOALS_LINE.match(normal)
        )

    def _values_below(self, line: Line, cells: list[Cell], below: dict[int, FieldDef]) -> list[Cell]:
        """Take the values of a row of labels from ``line`` if it holds them; return the cells left over.

        ``line`` holds them when it is a row of the same table whose texts all
        sit under the labels and none is a label itself; otherwise the labelled
        fields are empty and ``line`` is read on its own.
        """
        texts = [cell for cell in cells if cell.stripped]
        spanning = {cell.origin for cell in line.cells if cell.is_copy and cell.origin and cell.origin[0] == cell.row}
        fits = (
            line.block == self.below_block
            and not line.paragraph
            and bool(texts)
            and all(
                cell.col in below
                and (cell.row, cell.col) not in spanning
                and not self._is_label(cell.stripped)
                and not self._structural(cell.stripped)
                for cell in texts
            )
        )
        if not fits:
            self.flush_below(below)
            return cells
        for cell in cells:
            if cell.col in below:
                self._set(below.pop(cell.col), cell.stripped, cell, line)
        self.flush_below(below)
        return [cell for cell in cells if cell not in texts]

    def flush_below(self, below: dict[int, FieldDef] | None = None) -> None:
        """Give the labels of a row of labels that found no values below an empty value."""
        pending = self.below if below is None else below
        for field in pending.values():
            if field.key not in self.fields and self.first is not None:
                self._set(field, "", self.first[1], self.first[0])
        pending.clear()

    def _is_label(self, text: str) -> bool:
        """Return whether ``text`` is a label, a section title or ``标签：值`` (so no field's value)."""
        return bool(text) and (
            self.labels.field(text) is not None or self.labels.section(text)[0] or self._inline(text) is not None
        )

    def _inline(self, text: str) -> tuple[FieldDef, str | None, str] | None:
        """Return (field, money unit, value) of a ``标签：值`` text, None if it is none."""
        match = re.match(r"^([^：:]{1,40})[：:](.*)$", text, re.S)
        if not match or not match.group(2).strip():
            return None
        found = self.labels.field(match.group(1))
        return (found[0], found[1], match.group(2).strip()) if found else None

    def _free_text(self, line: Line, cell: Cell, text: str) -> bool:
        """Read a text that is no field label (``标签：值``, sections, year, unit); False if it is none."""
        normal = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
        inline = self._inline(text)
        section, unit = self.labels.section(text)
        if inline is not None:
            self._money(inline[1], line, cell)
            self._set(inline[0], inline[2], cell, line, inline=True)
        elif section:
            self._money(unit, line, cell)
        elif (money := values.money_unit_of(text)) is not None:
            self._money(money, line, cell)
        elif match := (_YEAR_LINE.match(normal) or _GOALS_LINE.match(normal)):
            self._year(int(match.group(1)), line, cell)
        elif (match := _UNIT_LINE.match(text)) and "name" not in self.fields and not self.unit_line:
            self.unit_line = {"code": match.group(1), "name": match.group(2).strip()}
        else:
            return False
        self._mark(line, cell)
        return True

    def _year(self, year: int, line: Line, cell: Cell) -> None:
        if self.year is not None and self.year != year:
            self.sink.warn_at(line, cell, "import-year", f"年度 {year} 与前面的 {self.year} 不同，以前面的为准")
            self.to_review(line, cell, why="年度不一致")
            return
        self.year = year

    def _money(self, unit: str | None, line: Line, cell: Cell) -> None:
        if unit is None:
            return
        if self.money_unit is None:
            self.money_unit = (unit, line, cell)
        elif self.money_unit[0] != unit:
            self.sink.warn_at(
                line, cell, "import-unit", f"金额单位“{unit}”与前面的“{self.money_unit[0]}”不同，以前面的为准"
            )

    def _set(self, field: FieldDef, text: str, cell: Cell, line: Line, inline: bool = False) -> None:
        """Record the value ``text`` (in ``cell``) of ``field``; a second, different value goes to review."""
        self._mark(line, cell)
        earlier = self.fields.get(field.key)
        if earlier is not None:
            if earlier.text != text:
                self.to_review(line, cell, f"{field.label}：{text}" if text else field.label, f"第二个“{field.label}”")
            return
        value_cell = cell if not inline else Cell(text, cell.row, cell.col)
        self.fields[field.key] = Found(field, text, value_cell, line)

    # -- the spec --------------------------------------------------------------------------

    def finish(self) -> tuple[dict[str, Any], int | None, dict[str, str]]:
        """Return the project's spec data (without year and unit), its year and its unit."""
        self.flush_below()
        found = self.labels.jurisdiction
        money = self.money_unit[0] if self.money_unit else found.money_unit
        data: dict[str, Any] = {}
        self._name(data)
        for field in self._spec_fields():
            if field.key == "name":
                continue
            hit = self.fields.get(field.key)
            if hit is None:
                line, cell = self.first or (None, None)
                if line is not None and cell is not None:
                    self.sink.warn_at(
                        line, cell, "import-missing", f"项目缺少“{field.label}”，已留空", field.label, field.key
                    )
                set_path(data, field.key, [] if field.kind == "list" else None)
                continue
            set_path(data, field.key, self._typed(hit, money))
        if money != found.money_unit:
            data.setdefault("budget", {})["unit"] = money
        if not self.indicators.tree.data and self.first is not None:
            self.sink.warn_at(
                *self.first, "import-missing", "项目没有绩效指标表（一级/二级/三级/指标值）",
                core_label("indicators"), "indicators"
            )
        data["indicators"] = self.indicators.tree.data
        if self.review:
            data["review"] = self.review
        year = self.year
        if year is None and isinstance(data.get("name"), str) and (match := _NAME_YEAR.match(data["name"])):
            year = int(match.group(1))
        unit = dict(self.unit_line)
        for key in ("code", "name"):
            if (hit := self.fields.get(f"unit.{key}")) is not None and hit.text:
                unit[key] = hit.text
        if (hit := self.fields.get("year")) is not None and isinstance(typed := self._typed(hit, money), int):
            year = typed
        return data, year, unit

    def _spec_fields(self) -> list[FieldDef]:
        """Return the jurisdiction's header fields (one per key) in schema order."""
        seen: dict[str, FieldDef] = {}
        for field in self.labels.fields.values():
            if field.key.split(".")[0] in ("unit", "year") or field.key == "budget.unit":
                continue
            seen.setdefault(field.key, field)
        return list(seen.values())

    def _name(self, data: dict[str, Any]) -> None:
        """Set ``name`` from 项目名称, or from the title when the table has none."""
        hit = self.fields.get("name")
        title = self.title_name
        if hit is not None and hit.text:
            data["name"] = hit.text
            if title and label_key(title[0]) != label_key(hit.text):
                self.sink.warn_at(
                    title[1], title[2], "import-name", f"标题中的名称“{title[0]}”与{core_label('name')}“{hit.text}”不同"
                )
                self.to_review(title[1], title[2], why=f"标题与{core_label('name')}不同")
        elif title:
            name = core_label("name")
            self.sink.warn_at(title[1], title[2], "import-missing", f"缺少{name}，取标题中的“{title[0]}”", name, "name")
            data["name"] = title[0]
        else:
            if self.first is not None:
                self.sink.warn_at(*self.first, "import-missing", f"项目缺少“{core_label('name')}”，已留空",
                                  core_label("name"), "name")
            data["name"] = None

    def _typed(self, hit: Found, money: str) -> Any:
        """Return the typed value of a header field, warning about every guess."""
        kind, text, value = hit.field.kind, hit.text, hit.cell.value
        problem: str | None = None
        result: Any
        if kind == "decimal":
            result, problem = values.amount(text, value, money)
        elif kind == "date":
            result, problem = values.date_value(text, value)
        elif kind == "boolean":
            result, problem = values.boolean(text, value)
        elif kind == "integer":
            result, problem = values.integer(text, value)
        elif kind == "list":
            result, notes = values.numbered_items(text)
            problem = "；".join(notes) or None
        else:
            result = text or None
        if problem:
            self.sink.warn_at(hit.line, hit.cell, "import-value", problem, hit.field.label, hit.field.key)
        return result
