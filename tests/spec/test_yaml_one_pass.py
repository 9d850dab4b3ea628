"""The one-pass reading of the usual file (:func:`sheetgen.spec.yamlload._read_usual`) against
the full reading it stands in for (:func:`sheetgen.spec.yamlload._load_fully`): the same data
(types and values), positions, kept texts and diagnostics for every file, good or bad."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetgen.spec import yamlload
from sheetgen.spec.yamlload import Loaded, SpecLoader, load_yaml

REPO = Path(__file__).resolve().parent.parent.parent
REPO_YAML = sorted(
    p for folder in ("specs", "tests/fixtures", "templates", "sheetgen")
    for p in (REPO / folder).rglob("*.y*ml")
)
SEED_SPECS = [p for p in REPO_YAML if p.parts[len(REPO.parts)] == "specs" and not p.name.startswith("_")]


def _shape(data: Any) -> Any:
    """Return ``data`` with the type of every value beside it (1 == True == Decimal(1) otherwise)."""
    if isinstance(data, dict):
        return ("dict", [(type(k).__name__, k, _shape(v)) for k, v in data.items()])
    if isinstance(data, list):
        return ("list", [_shape(v) for v in data])
    return (type(data).__name__, repr(data))


def _summary(loaded: Loaded) -> tuple[Any, ...]:
    positions = loaded.positions
    return (_shape(loaded.data), positions.file, list(positions.keys.items()), list(positions.values.items()),
            list(positions.texts.items()), loaded.diagnostics)


def _full(raw: bytes, file: str = "a.yaml") -> Loaded:
    """Return what the full reading makes of ``raw`` (load_yaml before the one pass)."""
    if len(raw) > yamlload.MAX_BYTES:
        return load_yaml(raw, file)
    text, problems = yamlload.decode(raw, file)
    return Loaded(None, yamlload.Positions(file), problems) if text is None else yamlload._load_fully(
        text, file, problems)


def assert_same(text: str | bytes) -> None:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    assert _summary(load_yaml(raw, "a.yaml")) == _summary(_full(raw))


@pytest.mark.parametrize("path", REPO_YAML, ids=lambda p: str(p.relative_to(REPO)))
def test_every_yaml_file_of_the_repository_reads_the_same(path: Path) -> None:
    assert_same(path.read_bytes())


@pytest.mark.parametrize("path", SEED_SPECS, ids=lambda p: p.name)
def test_the_seed_specs_take_the_one_pass(path: Path) -> None:
    text = path.read_text("utf-8")
    assert _summary(yamlload._read_usual(text, "a.yaml", yamlload._CONSTRUCTOR)) == _summary(
        yamlload._load_fully(text, "a.yaml", []))


UNUSUAL = [
    # duplicates, also by invisible characters, in mappings and groups of indicators
    "a: 1\nb: 2\na: 3\n",
    "a: 1\n'a': 2\n\"a\": 3\n",
    "a: 1\na : 2\n",
    "a\u00a0b: 1\nc\u200b: 2\nd : 3\n",
    "name: x\nindicators:\n  产出:\n    数量:\n      完成率: 1\n      完成率\u200b: 2\n      完成率\u00a0: 3\n",
    "a:\n  b: 1\n  b: 2\na:\n  c: 1\n",
    "k: {x: 1, x: 2}\nl: [{y: 1}, {y: 2, y: 3}]\n",
    # scalars of every style and type
    "a: 0100\nb: 1_000\nc: 1e3\nd: .5\ne: +1\nf: -0\ng: 0x1F\nh: 0o17\ni: 12:30\nj: 1.0e400\n",
    "a: true\nb: True\nc: TRUE\nd: yes\ne: no\nf: on\ng: off\nh: y\ni: n\n",
    "a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: ''\ng: \"\"\nh: nul\n",
    "a: 2020-01-01\nb: 2020-02-30\nc: 2020-01-01 09:00:00\nd: 2020-01-01T09:00:00Z\ne: 2020-1-1\n",
    "a: .inf\nb: -.Inf\nc: .nan\nd: 1.\ne: 26.50\nf: '26.50'\n",
    "a: |\n  x\n  y\nb: >\n  x\n  y\nc: |-\n  z\nd: \"\\u0041\\n\"\ne: 'it''s'\n",
    "007: a\ntrue: b\n~: c\n1.5: d\n2020-01-01: e\n",
    "a: =\nb: '='\n",
    "= : 1\n",
    # what the one pass leaves to the full reading
    "a: &x [1, 2]\nb: *x\n",
    "a: &x 1\n",
    "base: &b {x: 1}\nmine:\n  <<: *b\n  y: 2\n",
    "a: {<<: {x: 1}}\n",
    "'<<': 1\n",
    "a: !!str 1\nb: !!int '2'\nc: !!float x\n",
    "a: !!binary aGVsbG8=\n",
    "a: !!set {x, y}\n",
    "a: !custom x\n",
    "a: ! 1\n",
    "%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n",
    "R&D: x\n",
    "note: 注意!\n",
    "? [a, b]\n: 1\n",
    "? {a: 1}\n: 1\n",
    "? a\n: 1\n",
    "a: 1\n---\nb: 2\n",
    "---\na: 1\n...\n",
    "--- x\n",
    "x\n",
    "- 1\n- [2, 3]\n- {a: b}\n",
    "[1, 2\n",
    "a: *nowhere\n",
    "a: &x 1\nb: &x 2\n",
    "a: b: c\n",
    "a:\n- 1\n - 2\n",
    "a: 'x\n",
    "a:\tb\n",
    "\ta: 1\n",
    "名称：值\n",
    "a: [1, 2]]\n",
    "a: {b: 1\n",
    "  a: 1\nb: 2\n",
    # empty, blank and comments
    "",
    "\n\n",
    "# only a comment\n",
    "   # indented\n\n# two\n",
    "\u3000\n",
    "\u3000# not a YAML comment: a: b\n",
    "#x\r\n#y\ra: 1\n",
    "#x\x85a: 1\n",
    "#x\u2028a: 1\n",
    "---\n",
    "--- # c\n...\n",
    # nesting and alias bombs
    "a: " + "[" * 45 + "]" * 45 + "\n",
    "a: " + "[" * 39 + "]" * 39 + "\n",
    "a: " + "[" * 40 + "]" * 40 + "\n",
    "".join(f"{'  ' * i}k{i}:\n" for i in range(42)) + "  " * 42 + "v: 1\n",
    "".join(f"{'  ' * i}k{i}:\n" for i in range(38)) + "  " * 38 + "v: 1\n",
    "a: &a [*a]\n",
    "a: &a ['x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x']\n"
    + "".join(f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
              for p, c in zip("abcdefgh", "bcdefghi", strict=True)),
]


@pytest.mark.parametrize("text", UNUSUAL)
def test_unusual_and_bad_texts_read_the_same(text: str) -> None:
    assert_same(text)


@pytest.mark.parametrize("raw", [
    "a: 名称\n".encode("gb18030"),
    "a: 名称\n".encode("utf-16"),
    b"\xef\xbb\xbfa: 1\n",
    b"\xff\xfea\x00",
    b"a: \xff\xfe\xfd\n",
    b"a: " + b"x" * (yamlload.MAX_BYTES + 1),
])
def test_encodings_read_the_same(raw: bytes) -> None:
    assert_same(raw)


BAD_CHARS = [chr(c) for c in range(sys.maxunicode + 1) if yamlload._BAD_CHARS.match(chr(c))]


def test_the_one_pass_never_reads_a_character_the_full_reading_refuses() -> None:
    assert len(BAD_CHARS) > 2000
    for char in BAD_CHARS:
        for text in (f"a: x{char}y\n", f"# {char}\na: 1\n", f"a: 1\n{char}"):
            with pytest.raises((yaml.YAMLError, ValueError)):
                yamlload._read_usual(text, "a.yaml", yamlload._CONSTRUCTOR)
    for char in BAD_CHARS[::37]:
        if not "\ud800" <= char <= "\udfff":  # no bytes decode to a lone surrogate
            assert_same(f"a: x{char}y\n")


def test_not_space_is_what_str_strip_strips() -> None:
    spaces = [chr(c) for c in range(sys.maxunicode + 1) if yamlload._NOT_SPACE.match(chr(c)) is None]
    assert spaces == [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    breaks = [chr(c) for c in range(sys.maxunicode + 1) if len(f"a{chr(c)}b".splitlines()) == 2]
    assert breaks == [chr(c) for c in range(sys.maxunicode + 1) if yamlload._LINE_BREAK.match(chr(c))]


def _old_blank(text: str) -> bool:
    return not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines())


@given(st.text(alphabet=st.sampled_from(list(" \t\n\r\v\f\x1c\x85\u2028\u3000\u00a0#ax:")), max_size=30))
def test_blank_or_comments_is_the_line_by_line_check(text: str) -> None:
    assert yamlload._blank_or_comments(text) == _old_blank(text)


# ----------------------------------------------------------------------------- generated texts

WORDS = [
    "0100", "1_000", "12", "-3", "+4", "0", "1e3", "1.5", ".5", "26.50", "1.", "-0.0", "0x1F", "0o7", "12:30",
    "true", "True", "FALSE", "yes", "No", "on", "~", "null", "NULL", "", "2020-01-01", "2020-02-30",
    "2020-01-01 09:00:00", "2020-01-01t09:00:00.5+08:00", ".inf", ".NaN", "=", "<<", "名称", "完成率",
    "x y", "a#b", "100%", "=100%", "-", "?", "@x", "`x", "{", "}", "[", "]", ",", "'", '"', "a:b", "a: b",
    " ", "\u00a0", "\u200b", "\u3000", "\t", "\\", "\n",
]


def _scalar(word: str, style: str) -> str:
    if style == "'":
        return "'" + word.replace("'", "''").replace("\n", "\n\n") + "'"
    if style == '"':
        return '"' + word.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return word


scalars = st.builds(_scalar, st.sampled_from(WORDS), st.sampled_from(["", "", "'", '"']))
keys = st.builds(lambda a, b, style: _scalar(a + b, style), st.sampled_from(["a", "b", "名称", "1", "true", "~", "<<"]),
                 st.sampled_from(["", "", " ", "\u00a0", "\u200b"]), st.sampled_from(["", "", "'", '"']))


def _block(tree: Any, indent: int) -> str:
    pad = " " * indent
    if isinstance(tree, list) and tree and isinstance(tree[0], tuple):
        return "".join(f"{pad}{k}:{_value(v, indent)}" for k, v in tree)
    if isinstance(tree, list):
        return "".join(f"{pad}-{_value(v, indent + 2)}" for v in tree) if tree else f"{pad}[]\n"
    return f"{pad}{tree}\n"


def _value(tree: Any, indent: int) -> str:
    if isinstance(tree, list) and tree:
        return "\n" + _block(tree, indent + 2)
    if isinstance(tree, list):
        return " []\n"
    return f" {tree}\n"


trees = st.recursive(
    scalars,
    lambda inner: st.lists(st.tuples(keys, inner), min_size=1, max_size=4) | st.lists(inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(keys, trees), min_size=1, max_size=5))
def test_generated_documents_read_the_same(pairs: list[tuple[str, Any]]) -> None:
    assert_same(_block(pairs, 0))


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from(list("ab1:-[]{},'\"#&*!|>?%@ \n\t~.<=名")), max_size=40))
def test_random_texts_read_the_same(text: str) -> None:
    assert_same(text)


@given(st.sampled_from(WORDS) | st.text(alphabet=st.sampled_from(list("0123456789+-._:eExXoO tTfFnNuUlL~=<")),
                                        max_size=12))
def test_plain_values_are_resolved_and_constructed_as_spec_loader_does(word: str) -> None:
    if "\n" in word:
        return
    loader = SpecLoader("")
    try:
        tag = loader.resolve(yaml.ScalarNode, word, (True, False))
        try:
            expected: Any = (loader.construct_object(yaml.ScalarNode(tag, word)), tag != "tag:yaml.org,2002:str")
        except yaml.YAMLError:
            expected = "refused"
    finally:
        loader.dispose()
    try:
        found: Any = yamlload._plain_value(word, yamlload._CONSTRUCTOR)
    except yamlload._Unusual:
        found = "refused"
    assert _shape(found) == _shape(expected), (word, tag)


def test_the_bad_character_class_is_what_libyaml_refuses() -> None:
    allowed = re.compile("[\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
    assert all((allowed.match(chr(c)) is None) == (yamlload._BAD_CHARS.match(chr(c)) is not None)
               for c in range(sys.maxunicode + 1))


# ----------------------------------------------------------------------------- positions read on first use

def test_positions_of_the_usual_file_are_read_on_first_use_and_are_those_of_the_full_reading() -> None:
    text = SEED_SPECS[0].read_text("utf-8")
    loaded = load_yaml(text.encode("utf-8"), "a.yaml")
    assert loaded.positions._text is not None  # nothing read yet
    full = yamlload._load_fully(text, "a.yaml", [])
    assert loaded.positions.locate(("indicators",), key=True) == full.positions.locate(("indicators",), key=True)
    assert loaded.positions._text is None
    assert loaded.positions == full.positions and repr(loaded.positions) == repr(full.positions)


def test_a_pending_table_pickles_and_reroots() -> None:
    import pickle

    text = "a:\n  b: 0100\n  c: [1, x]\n"
    pending = load_yaml(text.encode("utf-8"), "a.yaml").positions
    copied = pickle.loads(pickle.dumps(pending))
    assert copied == pending == yamlload._load_fully(text, "a.yaml", []).positions
    assert copied.texts == {("a", "b"): "0100", ("a", "c", "0"): "1"}
    assert load_yaml(text.encode("utf-8"), "a.yaml").positions.rerooted(("x",)).values[("x", "a", "c", "1")] == (3, 10)


def test_a_duplicate_key_is_reported_with_its_path_and_positions_at_once() -> None:
    text = "name: x\nindicators:\n  产出:\n    数量:\n      完成率: 1\n      完成率\u200b: 2\n"
    loaded = load_yaml(text.encode("utf-8"), "a.yaml")
    assert loaded.positions._text is None
    (problem,) = loaded.diagnostics
    assert (problem.code, problem.line) == ("duplicate-indicator", 6)
    assert problem.yaml_path == "indicators.产出.数量.完成率\u200b"
    assert_same(text)
