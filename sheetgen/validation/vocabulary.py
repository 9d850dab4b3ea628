"""Closed vocabularies: 一级/二级 names, 项目类别, 绩效类型 -- and the rule that keeps
typos of their words off the table.

A jurisdiction declares the words (``levels`` in jurisdiction.yaml, ``meta.vocabulary``
of a field in schema.yaml).  A word outside its vocabulary is an error when it is a
near-miss of a known word (:func:`sheetgen.validation.words.near_miss`), else a
warning; a unit allows the words it really uses under ``vocabulary:`` in its
``_defaults.yaml`` (docs/spec.md, "Closed vocabularies").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from msgspec import Struct

from sheetgen.errors import Severity
from sheetgen.jurisdiction import Jurisdiction
from sheetgen.validation.findings import TO_FILL, Finding
from sheetgen.validation.schema import level_label
from sheetgen.validation.words import closest, near_miss


class Vocabulary(Struct, frozen=True):
    """A closed vocabulary of the jurisdiction: what its words name, and the words."""

    key: str  # as the spec's ``vocabulary:`` names it: level1, level2 or a field's key
    what: str  # e.g. 一级目标名称, 绩效类型
    words: tuple[str, ...]


def vocabularies(jurisdiction: Jurisdiction) -> dict[str, Vocabulary]:
    """Return the closed vocabularies of ``jurisdiction`` by key: the 一级 and 二级 names
    (``levels`` in jurisdiction.yaml) and each header field's ``meta.vocabulary``."""
    found = {
        "level1": Vocabulary("level1", f"{level_label(jurisdiction, 1)}名称", jurisdiction.level1_names),
        "level2": Vocabulary("level2", f"{level_label(jurisdiction, 2)}名称", jurisdiction.level2_names),
    }
    for key, (label, words) in jurisdiction.field_vocabularies.items():
        found[key] = Vocabulary(key, label, words)
    return {key: v for key, v in found.items() if v.words}


def _allowed(data: Mapping[str, Any]) -> dict[str, set[str]]:
    """Return the words the spec (usually its unit's _defaults.yaml) allows, by vocabulary."""
    listed = data.get("vocabulary")
    return {str(key): {str(w) for w in words} for key, words in listed.items() if isinstance(words, list)} \
        if isinstance(listed, Mapping) else {}


def _word_finding(path: tuple[str, ...], word: str, vocabulary: Vocabulary, at_key: bool) -> Finding:
    """Return the finding of ``word``, which is not in ``vocabulary``: an error if it is a
    near-miss of a known word (a typo must not reach the table), else a warning."""
    allow = (f"确实要用这个名称的话，在本单位的 _defaults.yaml 里写 vocabulary: {{{vocabulary.key}: [{word}]}}"
             "（见 docs/spec.md）")
    near = near_miss(word, vocabulary.words)
    if near:
        return Finding(path, "near-miss", Severity.ERROR,
                       f"“{word}”不是本格式的{vocabulary.what}；是不是“{near}”？{allow}", at_key)
    like = closest(word, vocabulary.words)
    hint = f"最接近的是“{like}”" if like else "可用的有：" + "、".join(vocabulary.words)
    code = f"unknown-{vocabulary.key}" if vocabulary.key in ("level1", "level2") else "not-in-vocabulary"
    return Finding(path, code, Severity.WARNING, f"“{word}”不在本格式的{vocabulary.what}里；{hint}。{allow}", at_key)


def vocabulary(data: Mapping[str, Any], jurisdiction: Jurisdiction) -> Iterator[Finding]:
    """Return a finding for each word outside its closed vocabulary (一级/二级 names,
    项目类别, 绩效类型 ...): an error for a near-miss of a known word, a warning for any
    other; words the spec lists under ``vocabulary:`` are allowed."""
    known = vocabularies(jurisdiction)
    allowed = _allowed(data)
    for key in allowed:
        if key not in known:
            like = closest(key, list(known))
            hint = f"是不是 {like}？" if like else ""
            names = "、".join(f"{k}（{v.what}）" for k, v in known.items())
            yield Finding(("vocabulary", key), "unknown-vocabulary", Severity.ERROR,
                          f"vocabulary 下的“{key}”不是本格式的词表；{hint}可用的：{names}", True)

    def check(path: tuple[str, ...], word: str, key: str, *, at_key: bool, other: str = "") -> Iterator[Finding]:
        vocabulary = known.get(key)
        if vocabulary is None or word in vocabulary.words or word in allowed.get(key, ()):
            return
        if other and other in known and word in known[other].words:
            first, second = jurisdiction.levels.label(1), jurisdiction.levels.label(2)
            level, other_level = (first, second) if key == "level1" else (second, first)
            yield Finding(path, f"unknown-{key}", Severity.WARNING,
                          f"“{word}”是{other_level}名称，却写在{level}的位置；请检查缩进", at_key)
            return
        yield _word_finding(path, word, vocabulary, at_key)

    tree = data.get("indicators")
    for level1, groups in (tree.items() if isinstance(tree, Mapping) else ()):
        yield from check(("indicators", level1), str(level1), "level1", at_key=True, other="level2")
        for level2 in groups if isinstance(groups, Mapping) else ():
            yield from check(("indicators", level1, level2), str(level2), "level2", at_key=True, other="level1")
    for key in jurisdiction.field_vocabularies:
        value = data.get(key)
        if isinstance(value, str) and value.strip() and value.strip() != TO_FILL:
            yield from check((key,), value, key, at_key=False)
