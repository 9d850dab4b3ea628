"""Layout ``grid``: a table of labelled fields exported as tab-separated text (the 4-column
tables of a format whose ``import.layouts`` names ``grid``).

Returns an :class:`~sheetgen.importers.result.ImportResult` from :func:`parse`.
Header rows are ``标签：<TAB>值<TAB>标签：<TAB>值``; indicator rows should be
``一级<TAB>二级<TAB>三级<TAB>值`` with blank cells continuing the row above,
but some rows sit shifted left or right.  Their non-empty cells are sorted
with the jurisdiction's vocabulary (:func:`~sheetgen.importers.tree.classify`)
and each such realignment is reported as ``import-realign``.
"""

from __future__ import annotations

from sheetgen.importers.labelled import GOALS_RE, YEAR_RE, RawProject, Words, finish
from sheetgen.importers.result import ImportResult, Sink
from sheetgen.importers.tree import IndicatorTree, Vocabulary, classify
from sheetgen.jurisdiction import Jurisdiction

LAYOUT = "grid"


def looks_like(text: str, jurisdiction: Jurisdiction) -> bool:
    """Return whether ``text`` is a tab-separated grid of ``jurisdiction``'s table."""
    return "\t".join(Words.of(jurisdiction).indicator_header) in text


def parse(text: str, sink: Sink, jurisdiction: Jurisdiction) -> ImportResult:
    """Return the projects of a grid document ``text``."""
    words = Words.of(jurisdiction)
    vocab = words.vocabulary
    raws: list[RawProject] = []
    in_indicators = False
    for number, line in enumerate(text.split("\n"), 1):
        cells = [cell.strip() for cell in line.split("\t")]
        texts = [cell for cell in cells if cell]
        if not texts:
            continue
        if texts == [words.heading]:
            raws.append(RawProject(line=number, tree=IndicatorTree(sink)))
            in_indicators = False
            continue
        if not raws:
            raise sink.fail(number, f"“{words.heading}”之前有无法识别的内容：{texts[0]}")
        raw = raws[-1]
        if in_indicators:
            _indicator_row(cells, number, raw, vocab, sink, words)
        elif not _structure_row(texts, number, raw, words):
            _header_row(cells, number, raw, sink, words)
        in_indicators = in_indicators or tuple(texts) == words.indicator_header
    return finish(raws, sink, LAYOUT, words)


def _structure_row(texts: list[str], number: int, raw: RawProject, words: Words) -> bool:
    """Read a title-like row (year, unit, section titles); return False if it is none."""
    first = texts[0]
    if match := YEAR_RE.match(first):
        raw.year = int(match.group(1))
        return True
    if first.startswith(words.unit_label):
        rest = first[len(words.unit_label) :].lstrip("：:").strip()
        raw.unit_name = rest or (texts[1] if len(texts) > 1 else None)
        return True
    return first == words.budget_title or bool(GOALS_RE.match(first)) or tuple(texts) == words.indicator_header


def _header_row(cells: list[str], number: int, raw: RawProject, sink: Sink, words: Words) -> None:
    """Read the ``标签：`` / value pairs of one header row into ``raw``."""
    index = 0
    while index < len(cells):
        cell = cells[index]
        found = words.field_key(cell)
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


def _indicator_row(cells: list[str], number: int, raw: RawProject, vocab: Vocabulary, sink: Sink,
                   words: Words) -> None:
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
        where = "、".join(f"“{text}”在{_column(col, words)}列" for col, _, text in roles)
        shown = value if value is not None else "（空）"
        sink.warn(
            number,
            "import-realign",
            f"指标行错位：{where}；已按一级/二级词表归位为 {raw.tree.level1} › {raw.tree.level2} › {name} = {shown}",
            yaml_path=f"indicators.{raw.tree.level1}.{raw.tree.level2}.{name}",
        )


def _column(col: int, words: Words) -> str:
    """Return the printed name of indicator column ``col``."""
    header = words.indicator_header
    return header[col] if col < len(header) else f"第{col + 1}"
