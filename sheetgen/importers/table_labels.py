"""The printed labels of a jurisdiction, as the table parser looks them up.

:class:`Labels` returns, for the text of a cell, the header field it labels
(spec key, value type and any money unit in the label, e.g. ``项目总预算（元）``)
or the indicator column it heads, from the jurisdiction's ``schema.yaml`` and
``jurisdiction.yaml`` plus the variants people write (``一级绩效指标``,
``指标名称``, ``三级指标名称``, ``指标值及单位``).  :func:`label_key`
normalises a text for lookup (full-width forms, spaces, trailing colon), so
``项目名称:`` and ``项目名称：`` are one label.  :func:`pick_jurisdiction`
returns the jurisdiction whose labels a document uses most.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from msgspec import Struct

from sheetgen.errors import ImportFormatError, JurisdictionError
from sheetgen.jurisdiction import Jurisdiction
from sheetgen.jurisdiction.common import common_words
from sheetgen.workspace import Formats

LEVEL1, LEVEL2, NAME, VALUE = "level1", "level2", "name", "value"
_KINDS = {"string": "text", "date": "date", "boolean": "boolean", "decimal": "decimal", "list": "list",
          "integer": "integer"}  # fmt: skip
_MONEY_SUFFIX = re.compile(r"^(.*?)（(?:单位：)?(元|万元)）$")
_PAREN_SUFFIX = re.compile(r"^(.+?)（[^（）]*）$")


class FieldDef(Struct, frozen=True):
    """A header field: its dotted spec key, printed label and value kind
    (``text``, ``decimal``, ``date``, ``boolean``, ``list``, ``integer``, ``money``)."""

    key: str
    label: str
    kind: str


@functools.lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    """Return ``text`` as a lookup key: NFKC, no white space, full-width brackets and colon, no trailing colon."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）").replace(":", "：")
    return text.strip("*＊").rstrip("：")


class Labels:
    """The header-field and indicator-column labels of one jurisdiction, with the variants
    every format shares (``sheetgen/data/common.yaml``)."""

    def __init__(self, found: Jurisdiction) -> None:
        words = common_words()
        self.jurisdiction = found
        self.prefixes = words.label_prefixes
        self.fields: dict[str, FieldDef] = {}
        for common in words.fields:
            for label in common.labels:
                self._add_field(label, common.key, common.kind)
        for declared in found.header_fields:
            self._add_field(declared.label, declared.dotted, _KINDS.get(declared.kind, "text"))
        self.own_labels = {label_key(declared.label) for declared in found.header_fields}
        self.sections = frozenset(label_key(t) for t in (found.budget_title, *words.sections) if t)
        self.row_numbers = frozenset(label_key(t) for t in words.row_numbers)
        self.columns: dict[str, str] = {}
        self.extra_keys: list[str] = []
        self.columns[label_key(found.levels.label(1))] = LEVEL1
        self.columns[label_key(found.levels.label(2))] = LEVEL2
        for column in found.indicator_columns:
            self.columns[label_key(column.label)] = column.key
            if column.key not in (NAME, VALUE):
                self.extra_keys.append(column.key)
        for declared in found.indicator_fields:
            self.columns.setdefault(label_key(declared.label), declared.key)
            if declared.key not in self.extra_keys and declared.key != VALUE:
                self.extra_keys.append(declared.key)
        scoring = found.self_evaluation
        self.year_end_keys: tuple[str, ...] = ()
        self.not_applicable = scoring.not_applicable if scoring is not None else ""
        self._level1_label = None
        if scoring is not None:  # a 绩效自评表's columns: what was achieved, points, score, reason
            from sheetgen.validation.evaluation import ROW_KEYS, row_label

            self.year_end_keys = tuple(k for k in ROW_KEYS if k != "not_applicable")
            for key in self.year_end_keys:
                self.columns.setdefault(label_key(row_label(key)), key)
                self.extra_keys.append(key)
            pattern = re.escape(scoring.level1_label).replace(re.escape("{name}"), "(?P<name>.+?)")
            self._level1_label = re.compile(pattern.replace(re.escape("{points}"), r"[0-9.]+"))
        self.own_labels |= set(self.columns)
        self.own_labels |= {label_key(name) for name in (*found.level1_names, *found.level2_names)}
        for role, aliases in words.column_aliases:
            if role in (LEVEL1, LEVEL2, NAME, VALUE) or role in self.extra_keys:
                for alias in aliases:
                    self.columns.setdefault(label_key(alias), role)

    def level1_name(self, text: str) -> str:
        """Return a 一级 name as a 自评表 prints it (``产出指标（50分）``) without its points."""
        found = self._level1_label.fullmatch(text) if self._level1_label is not None and text else None
        return found.group("name") if found else text

    def without_prefix(self, key: str) -> str:
        """Return a label key without a leading ``其中：`` (the shared label prefixes)."""
        for prefix in self.prefixes:
            key = key.removeprefix(label_key(prefix) if prefix.endswith(("：", ":")) else prefix)
        return key

    def _add_field(self, label: str, key: str, kind: str) -> None:
        """Register ``label`` (and its form without a prefix such as ``其中：``) for the field ``key``."""
        field = FieldDef(key, label, kind)
        for variant in (label_key(label), self.without_prefix(label_key(label))):
            self.fields.setdefault(variant, field)

    def field(self, text: str) -> tuple[FieldDef, str | None] | None:
        """Return the field labelled by ``text`` and the money unit written in it, None if none."""
        key = label_key(text)
        found = self.fields.get(key) or self.fields.get(self.without_prefix(key))
        if found:
            return found, None
        match = _MONEY_SUFFIX.match(key)
        if match and (found := self.fields.get(self.without_prefix(match.group(1)))):
            return found, match.group(2)
        return None

    def section(self, text: str) -> tuple[bool, str | None]:
        """Return whether ``text`` is a section title (no value of its own) and the money unit in it."""
        key = label_key(text)
        match = _MONEY_SUFFIX.match(key)
        if match and match.group(1) in self.sections:
            return True, match.group(2)
        return key in self.sections, None

    def column(self, text: str) -> str | None:
        """Return the role (``level1``, ``level2``, ``name``, ``value`` or an extra key) of a column label."""
        key = label_key(text)
        if key in self.columns:
            return self.columns[key]
        match = _PAREN_SUFFIX.match(key)
        return self.columns.get(match.group(1)) if match else None

    def score(self, texts: Iterable[str]) -> int:
        """Return how many distinct texts of a document are this jurisdiction's own labels or names."""
        return len({label_key(text) for text in texts} & self.own_labels)


_made: dict[tuple[str, tuple[Path, ...], str], Labels] = {}


def labels_of(found: Jurisdiction) -> Labels:
    """Return the labels of ``found`` (made once per jurisdiction and fingerprint)."""
    key = (found.name, found.folders, found.fingerprint)
    if key not in _made:
        if len(_made) >= 64:
            _made.pop(next(iter(_made)))
        _made[key] = Labels(found)
    return _made[key]


def load_labels(name: str, formats: Formats) -> Labels:
    """Return the labels of jurisdiction ``name`` among ``formats``."""
    try:
        return labels_of(formats.get(name))
    except JurisdictionError as exc:
        raise ImportFormatError(str(exc)) from None


def pick_jurisdiction(texts: Sequence[str], formats: Formats, path: str) -> Labels:
    """Return the labels of the jurisdiction whose labels ``texts`` use most; raise if none fits."""
    scored = []
    for found in formats.usable():
        labels = labels_of(found)
        scored.append((labels.score(texts), found.name, labels))
    scored.sort(key=lambda item: -item[0])
    if not scored or scored[0][0] < 3:
        known = "、".join(name for _, name, _ in scored) or "（无）"
        raise ImportFormatError(f"{path}: 认不出是哪种格式的绩效目标表，请用 --jurisdiction 指定（可选：{known}）")
    return scored[0][2]
