"""Layout ``grid``: the 4-column Shanghai table exported as tab-separated text.

Returns an :class:`~sheetgen.importers.result.ImportResult` from :func:`parse`.
Header rows are ``标签：<TAB>值<TAB>标签：<TAB>值``; indicator rows should be
``一级<TAB>二级<TAB>三级<TAB>值`` with blank cells continuing the row above,
but some rows sit shifted left or right.  Their non-empty cells are sorted
with the jurisdiction's vocabulary (:func:`~sheetgen.importers.tree.classify`)
and each such realignment is reported as ``import-realign``.
"""

from __future__ import annotations

from sheetgen.importers.result import ImportResult, Sink
from sheetgen.importers.shanghai import (
    BUDGET_TITLE,
    GOALS_RE,
    INDICATOR_HEADER,
    JURISDICTION,
    TITLE,
    UNIT_LABEL,
    YEAR_RE,
    RawProject,
    field_key,
    finish,
)
from sheetgen.importers.tree import IndicatorTree, Vocabulary, classify

LAYOUT = "grid"


def looks_like(text: str) -> bool:
    """Return whether ``text`` is a tab-separated Shanghai grid."""
    return "\t".join(INDICATOR_HEADER) in text


def parse(text: str, sink: Sink) -> ImportResult:
    """Return the projects of a grid document ``text``."""
    vocab = Vocabulary.of(JURISDICTION)
    raws: list[RawProject] = []
    in_indicators = False
    for number, line in enumerate(text.split("\n"), 1):
        cells = [cell.strip() for cell in line.split("\t")]
        texts = [cell for cell in cells if cell]
        if not texts:
            continue
        if texts == [TITLE]:
            raws.append(RawProject(line=number, tree=IndicatorTree(sink)))
            in_indicators = False
            continue
        if not raws:
            raise sink.fail(number, f"“{TITLE}”之前有无法识别的内容：{texts[0]}")
        raw = raws[-1]
        if in_indicators:
            _indicator_row(cells, number, raw, vocab, sink)
        elif not _structure_row(texts, number, raw):
            _header_row(cells, number, raw, sink)
        in_indicators = in_indicators or tuple(texts) == INDICATOR_HEADER
    return finish(raws, sink, LAYOUT)


def _structure_row(texts: list[str], number: int, raw: RawProject) -> bool:
    """Read a title-like row (year, unit, section titles); return False if it is none."""
    first = texts[0]
    if match := YEAR_RE.match(first):
        raw.year = int(match.group(1))
        return True
    if first.startswith(UNIT_LABEL):
        rest = first[len(UNIT_LABEL) :].lstrip("：:").strip()
        raw.unit_name = rest or (texts[1] if len(texts) > 1 else None)
        return True
    return first == BUDGET_TITLE or bool(GOALS_RE.match(first)) or tuple(texts) == INDICATOR_HEADER


def _header_row(cells: list[str], number: int, raw: RawProject, sink: Sink) -> None:
    """Read the ``标签：`` / value pairs of one header row into ``raw``."""
    index = 0
    while index < len(cells):
        cell = cells[index]
        found = field_key(cell)
        if found is None:
            if cell:
                sink.warn(number, "import-unknown", f"无法识别的单元格“{cell}”，已忽略")
            index += 1
            continue
        key, money_unit = found
        value = cells[index + 1] if index + 1 < len(cells) else ""
        raw.set_field(key, cell, number, value, sink)
        if money_unit:
            raw.money_unit = money_unit
        index += 2


def _indicator_row(cells: list[str], number: int, raw: RawProject, vocab: Vocabulary, sink: Sink) -> None:
    """Add one indicator row, realigning its cells with the vocabulary if they are shifted."""
    assert raw.tree is not None
    placed = [(col, cell) for col, cell in enumerate(cells) if cell]
    split = classify([cell for _, cell in placed], vocab, lambda after: after >= 1)
    rest = placed[split.rest :]
    if len(rest) > 2:
        raise sink.fail(number, f"指标行无法归位：{' | '.join(cell for _, cell in placed)}")
    roles: list[tuple[int, int, str]] = []  # (column found, column expected, text)
    if split.level1 is not None:
        col, name = placed[split.level1]
        roles.append((col, 0, name))
        raw.tree.enter_level1(name, number)
    if split.level2 is not None:
        col, name = placed[split.level2]
        roles.append((col, 1, name))
        raw.tree.enter_level2(name, number)
    roles.extend((col, expected, cell) for (col, cell), expected in zip(rest, (2, 3), strict=False))
    name = rest[0][1]
    value = rest[1][1] if len(rest) == 2 else None
    raw.tree.add(name, value, number)
    if any(col != expected for col, expected, _ in roles):
        where = "、".join(f"“{text}”在{_column(col)}列" for col, _, text in roles)
        shown = value if value is not None else "（空）"
        sink.warn(
            number,
            "import-realign",
            f"指标行错位：{where}；已按一级/二级词表归位为 {raw.tree.level1} › {raw.tree.level2} › {name} = {shown}",
            yaml_path=f"indicators.{raw.tree.level1}.{raw.tree.level2}.{name}",
        )


def _column(col: int) -> str:
    """Return the printed name of indicator column ``col``."""
    return INDICATOR_HEADER[col] if col < len(INDICATOR_HEADER) else f"第{col + 1}"
