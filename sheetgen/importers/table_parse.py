"""Word and Excel tables → projects: shared by the .docx and .xlsx importers.

:func:`parse_document` returns the :class:`~sheetgen.importers.result.ImportResult`
of a :class:`~sheetgen.importers.grid_model.Document`.  It picks the
jurisdiction from the labels the document uses (unless one is given), skips a
目录 (index) sheet, and splits the document into projects: a new project
starts at a title (``…绩效目标表``, or ``N.名称`` opening a sheet or
followed by such a title), at a new sheet, or at a second 项目名称 after an
indicator table (the lines between the table and that label belong to the new
project).  Each project's lines go to a
:class:`~sheetgen.importers.table_project.ProjectReader`; the unit's year and
unit (name, code) shared by most projects go to ``_defaults.yaml``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sheetgen.errors import ImportFormatError
from sheetgen.importers.cell_sink import CellSink
from sheetgen.importers.common import build_defaults, ordered, safe_filename
from sheetgen.importers.grid_model import Document, Line
from sheetgen.importers.result import ImportedProject, ImportResult
from sheetgen.importers.table_indicators import indicator_columns
from sheetgen.importers.table_labels import Labels, label_key, load_labels, pick_jurisdiction
from sheetgen.importers.table_project import ProjectReader
from sheetgen.jurisdiction.common import common_words
from sheetgen.validation.schema import core_label
from sheetgen.workspace import Formats

_NUMBERED = re.compile(r"^(\d{1,3})\s*[.．、]\s*(\S.{0,199})$")


def _title_pattern(table: str) -> re.Pattern[str]:
    """Return the pattern of a project's title: ``[N.]<name><table>`` (e.g. …绩效目标表)."""
    return re.compile(rf"^(?:(\d{{1,3}})\s*[.．、]\s*)?(.*?)\s*{re.escape(table)}$", re.S)


def parse_document(doc: Document, path: str, jurisdiction: str | None, formats: Formats) -> ImportResult:
    """Return the projects of ``doc`` read as one of ``formats``; ``jurisdiction`` skips detection."""
    sink = CellSink(path)
    lines = _without_index_sheets(doc, sink)
    labels = load_labels(jurisdiction, formats) if jurisdiction else pick_jurisdiction(_texts(lines), formats, path)
    for skipped in doc.skipped:
        sink.warn(1, "import-skip", f"跳过{skipped}")
    readers = _split(lines, labels, sink)
    if not readers:
        raise ImportFormatError(f"{path}: 找不到绩效目标表（没有项目名称，也没有指标表）")
    return _result(readers, labels, sink, doc.kind)


def _texts(lines: Sequence[Line]) -> list[str]:
    """Return the distinct texts of the document and their ``标签`` parts before a colon."""
    out: set[str] = set()
    for line in lines:
        for cell in line.cells:
            if not cell.is_copy and cell.stripped and len(cell.stripped) <= 60:
                out.add(cell.stripped)
                out.add(re.split(r"[：:]", cell.stripped, maxsplit=1)[0])
    return sorted(out)


def _without_index_sheets(doc: Document, sink: CellSink) -> list[Line]:
    """Return the lines of ``doc`` without 目录 sheets (a list of 序号 / 项目名称)."""
    blocks: dict[str, list[Line]] = {}
    for line in doc.lines:
        blocks.setdefault(line.block if line.sheet else "", []).append(line)
    skip = set()
    for block, lines in blocks.items():
        if not block:
            continue
        first = [label_key(cell.text) for cell in lines[0].cells if not cell.is_copy and cell.stripped]
        words = common_words()
        named = block.removeprefix("工作表“").removesuffix("”") in words.contents_sheets
        if named or first == [label_key(t) for t in words.contents_header]:
            skip.add(block)
            sink.warn(1, "import-skip", f"跳过目录{block}")
    return [line for line in doc.lines if not (line.sheet and line.block in skip)]


def _is_empty(line: Line) -> bool:
    """Return whether ``line`` has no text of its own (merged copies do not count)."""
    return not any(cell.stripped or cell.own.strip() for cell in line.cells if not cell.is_copy or cell.own)


def _single_text(line: Line) -> tuple[str, int] | None:
    """Return the only text of ``line`` and its cell index, None if it has none or several."""
    found = [(cell.stripped, index) for index, cell in enumerate(line.cells) if not cell.is_copy and cell.stripped]
    return found[0] if len(found) == 1 else None


def _title(line: Line, labels: Labels, numbered_ok: bool, next_line: Line | None) -> tuple[int | None, str] | None:
    """Return (number, name) if ``line`` is a project title ("" for a generic title), else None."""
    single = _single_text(line)
    if single is None:
        return None
    text = single[0]
    table = labels.jurisdiction.table().label
    if match := _title_pattern(table).match(text):
        name = match.group(2).strip()
        generic = labels.jurisdiction.title.removesuffix(table)
        if not name or name in common_words().generic_titles or generic.endswith(name):
            name = ""
        return (int(match.group(1)) if match.group(1) else None), name
    match = _NUMBERED.match(text)
    if match is None or "\n" in text or labels.field(match.group(2)) is not None:
        return None
    if numbered_ok or (next_line is not None and _title(next_line, labels, False, None) is not None):
        return int(match.group(1)), match.group(2).strip()
    return None


def _starts_with_label(line: Line, labels: Labels, key: str | None = None) -> bool:
    """Return whether the first text of ``line`` is a header field label (``key``'s, if given)."""
    first = next((cell.stripped for cell in line.cells if not cell.is_copy and cell.stripped), "")
    found = labels.field(re.split(r"[：:]", first, maxsplit=1)[0]) if first else None
    return found is not None and (key is None or found[0].key == key)


def _split(lines: Sequence[Line], labels: Labels, sink: CellSink) -> list[ProjectReader]:
    """Return one reader per project, fed with the project's lines."""
    readers = [ProjectReader(labels, sink)]
    mode = "header"
    waiting: list[Line] = []
    sheet = None
    content = [line for line in lines if not _is_empty(line)]

    def new_project() -> ProjectReader:
        if readers[-1].substantial:
            readers.append(ProjectReader(labels, sink))
        return readers[-1]

    def flush(reader: ProjectReader) -> None:
        for line in waiting:
            reader.header_line(line)
        waiting.clear()

    for index, line in enumerate(content):
        reader = readers[-1]
        first_of_sheet = line.sheet and line.block != sheet
        if first_of_sheet:
            sheet = line.block
            flush(reader)
            reader, mode = new_project(), "header"
        next_line = content[index + 1] if index + 1 < len(content) else None
        numbered_ok = first_of_sheet or index == 0 or mode != "header" or not reader.substantial
        title = _title(line, labels, numbered_ok, next_line)
        if title is not None:
            flush(reader)
            reader, mode = new_project(), "header"
            cell = line.cells[_single_text(line)[1]]  # type: ignore[index]
            reader.title(line, cell, title[0], title[1])
            continue
        columns = indicator_columns(line, labels)
        if columns is not None:
            flush(reader)
            reader.indicators.start(line, columns)
            mode = "indicators"
            continue
        if mode == "indicators":
            if line.block == reader.indicators.block and not line.paragraph and not _starts_with_label(line, labels):
                reader.indicators.add_line(line)
                continue
            mode = "after"
        if mode == "after":
            if _starts_with_label(line, labels, "name") and "name" in reader.fields:
                reader, mode = new_project(), "header"
                flush(reader)
            else:
                waiting.append(line)
                continue
        reader.header_line(line)
    flush(readers[-1])
    if len(readers) > 1 and not readers[-1].substantial:
        last = readers.pop()
        if last.title_name is not None:
            readers[-1].to_review(last.title_name[1], last.title_name[2], why="在最后一个项目之后")
        readers[-1].review.extend(last.review)
    return [reader for reader in readers if reader.substantial or reader.review]


def _result(readers: list[ProjectReader], labels: Labels, sink: CellSink, kind: str) -> ImportResult:
    """Return the import result: defaults with the common year and unit, one spec per project."""
    read = [reader.finish() for reader in readers]
    sink.at = None
    years = Counter(year for _, year, _ in read if year is not None)
    year = max(years, key=lambda y: (years[y], y)) if years else None
    if year is None:
        sink.warn(1, "import-year", "源文件中找不到年度")
    units = Counter(tuple(sorted(unit.items())) for _, _, unit in read if unit)
    unit = dict(units.most_common(1)[0][0]) if units else {}
    if not unit:
        unit_label = core_label("unit", "name")
        sink.warn(1, "import-missing", f"找不到{unit_label}", unit_label, "unit.name")
    numbers = [reader.title_number for reader in readers]
    use_titles = all(numbers) and len(set(numbers)) == len(numbers) and numbers == sorted(numbers)  # type: ignore[type-var]
    projects = []
    found = labels.jurisdiction
    for position, ((data, project_year, project_unit), reader) in enumerate(zip(read, readers, strict=True), 1):
        extra: dict[str, Any] = {}
        if project_year is not None and project_year != year:
            extra["year"] = project_year
        if project_unit and project_unit != unit:
            extra["unit"] = project_unit
            if reader.first is not None:
                sink.warn_at(*reader.first, "import-unit", f"单位“{project_unit}”与其他项目不同，写入本项目")
        number = reader.title_number if use_titles and reader.title_number else position
        if reader.title_number not in (None, number) and reader.title_name is not None:
            _, title_line, title_cell = reader.title_name
            message = f"标题编号是 {reader.title_number}，按顺序应为 {number}；编号按项目在文件中的顺序重新生成"
            sink.warn_at(title_line, title_cell, "import-number", message)
        title = str(data.get("name") or f"项目{number}")
        line = reader.first[1].row if reader.first else 0
        projects.append(ImportedProject(safe_filename(number, title), ordered({**extra, **data}, found), line))
    return ImportResult(build_defaults(found, year, unit), projects, sink.diagnostics, kind)
