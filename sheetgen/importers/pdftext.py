"""Layout ``pdftext``: a table of labelled fields as text extracted from a PDF (a format whose
``import.layouts`` names ``pdftext``).

Returns an :class:`~sheetgen.importers.result.ImportResult` from :func:`parse`.
Long texts are wrapped at a fixed width and joined here with no separator
(Chinese has no spaces between words; a wrap may even split ``202`` / ``0年``);
page numbers ``- N -`` are dropped; a line may hold several ``标签： 值``
pairs.  A label that the PDF placed in the middle of the previous field's
last sentence is repaired by :mod:`sheetgen.importers.displaced`.  Indicator
lines are space-separated tokens sorted with the vocabulary.
"""

from __future__ import annotations

import re

from sheetgen.importers.displaced import Part, repair_displaced_labels
from sheetgen.importers.labelled import GOALS_RE, YEAR_RE, RawProject, Words, finish
from sheetgen.importers.result import ImportResult, Sink
from sheetgen.importers.tree import IndicatorTree, classify
from sheetgen.jurisdiction import Jurisdiction

LAYOUT = "pdftext"
PAGE_RE = re.compile(r"^-\s*\d+\s*-$")


def label_pattern(words: Words) -> re.Pattern[str]:
    """Return the pattern of a field label, at the start of a line or after a space:
    ``项目总预算（元）：``."""
    names = "|".join(re.escape(label) for label in sorted((f[0] for f in words.fields), key=len, reverse=True))
    return re.compile(rf"(?:^|(?<=\s))(?:{names})(?:[（(](?:元|万元)[)）])?\s*[：:]")


def looks_like(text: str, jurisdiction: Jurisdiction) -> bool:
    """Return whether ``text`` is ``jurisdiction``'s table as text extracted from a PDF."""
    words = Words.of(jurisdiction)
    return " ".join(words.indicator_header) in text and words.heading in text


class _Reader:
    """Reads the lines of one document into raw projects."""

    def __init__(self, sink: Sink, words: Words) -> None:
        self.sink = sink
        self.words = words
        self.labels = label_pattern(words)
        self.vocab = words.vocabulary
        self.raws: list[RawProject] = []
        self.parts: dict[int, list[Part]] = {}  # id(RawField) → its lines
        self.current: list[Part] | None = None
        self.in_indicators = False

    def line(self, number: int, text: str) -> None:
        """Read source line ``number``."""
        stripped = text.strip()
        if not stripped or PAGE_RE.match(stripped):
            return
        words = self.words
        if stripped == words.heading:
            self.finish_project()
            self.raws.append(RawProject(line=number, tree=IndicatorTree(self.sink)))
            self.current, self.in_indicators = None, False
            return
        if not self.raws:
            raise self.sink.fail(number, f"“{words.heading}”之前有无法识别的内容：{stripped}")
        raw = self.raws[-1]
        if self._structure(stripped, number, raw):
            return
        if self.in_indicators:
            self._indicator(stripped, number, raw)
        else:
            self._header(stripped, number, raw, text)

    def _structure(self, stripped: str, number: int, raw: RawProject) -> bool:
        """Read a title-like line (year, unit, section titles); return False if it is none."""
        if match := YEAR_RE.match(stripped):
            raw.year = int(match.group(1))
        elif stripped.startswith(self.words.unit_label):
            raw.unit_name = stripped[len(self.words.unit_label) :].lstrip("：:").strip() or None
        elif stripped == self.words.budget_title:
            self.current = None
        elif GOALS_RE.match(stripped) or stripped == " ".join(self.words.indicator_header):
            self.current, self.in_indicators = None, True
        else:
            return False
        return True

    def _header(self, stripped: str, number: int, raw: RawProject, text: str) -> None:
        """Read a header line: ``标签： 值`` pairs, or text continuing the current field."""
        matches = list(self.labels.finditer(stripped))
        head = stripped[: matches[0].start()] if matches else stripped
        if head.strip():
            if self.current is None:
                raise self.sink.fail(number, f"无法归属到任何栏目的文字：{head.strip()}")
            self.current.append(Part(number, head.strip(), text, inline=False))
        for index, match in enumerate(matches):
            end = matches[index + 1].start() if index + 1 < len(matches) else len(stripped)
            value = stripped[match.end() : end].strip()
            found = self.words.field_key(match.group(0))
            assert found is not None
            key, money_unit = found
            field = raw.set_field(key, match.group(0), number, "", self.sink)
            if money_unit:
                raw.money_unit = money_unit
            self.current = self.parts[id(field)] = []
            if value:
                self.current.append(Part(number, value, text, inline=True))

    def _indicator(self, stripped: str, number: int, raw: RawProject) -> None:
        """Add one space-separated indicator line, sorting its tokens with the vocabulary."""
        assert raw.tree is not None
        tokens = stripped.split()
        split = classify(tokens, self.vocab, lambda after: after != 1)
        if split.level1 is not None:
            raw.tree.enter_level1(tokens[split.level1], number)
        if split.level2 is not None:
            raw.tree.enter_level2(tokens[split.level2], number)
        rest = tokens[split.rest :]
        if not rest:
            return
        if len(rest) == 1:
            self.sink.warn(number, "import-guess", f"“{rest[0]}”不在一级/二级词表中，按没有指标值的三级读入")
        elif len(rest) > 2:
            self.sink.warn(
                number, "import-guess", f"指标行“{stripped}”多于两段，按“{rest[0]}”= “{' '.join(rest[1:])}”读入"
            )
        raw.tree.add(rest[0], " ".join(rest[1:]) or None, number)

    def finish_project(self) -> None:
        """Join the lines of every field of the last project, after repairing displaced labels."""
        if not self.raws:
            return
        raw = self.raws[-1]
        fields = sorted(raw.fields.items(), key=lambda item: item[1].line)
        ordered_parts = [(key, self.parts.get(id(field), [])) for key, field in fields]
        repair_displaced_labels(ordered_parts, raw, self.sink, self.words.long_texts)
        for key, parts in ordered_parts:
            raw.fields[key].text = "".join(part.text for part in parts)
            if key == "name" and len(parts) > 1:
                lines = "、".join(str(part.line) for part in parts)
                self.sink.warn(
                    raw.fields[key].line,
                    "import-join",
                    f"{self.words.name_label}分在第{lines}行，已拼接为“{raw.fields[key].text}”",
                    label=self.words.name_label,
                    yaml_path="name",
                )


def parse(text: str, sink: Sink, jurisdiction: Jurisdiction) -> ImportResult:
    """Return the projects of a PDF-text document ``text``."""
    reader = _Reader(sink, Words.of(jurisdiction))
    for number, line in enumerate(text.split("\n"), 1):
        reader.line(number, line)
    reader.finish_project()
    return finish(reader.raws, sink, LAYOUT, reader.words)
