"""YAML slips a clerk makes get a Chinese message at the line where the slip is, never English.

The common slips (a full-width colon after a key, no space after the colon, a quote or bracket
left open) are reported at their own line and name the character; every problem text that
libyaml or pure-Python PyYAML can give is translated, keeping its detail (a character, a token).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from sheetgen.checking import check
from sheetgen.errors import Diagnostic
from sheetgen.spec import yaml_errors
from sheetgen.spec.yamlload import load_yaml
from tests.conftest import SHANGHAI_SPEC, TIANJIN_DEFAULTS, TIANJIN_SPEC

#: ASCII words a Chinese message may carry besides what the user wrote: names of formats and keys, YAML values.
ALLOWED = {"YAML", "Tab", "UTF", "true", "false"}
WORD = re.compile(r"[A-Za-z]{3,}")


def english_in(message: str, *sources: str) -> set[str]:
    """Return the ASCII words of 3+ letters in ``message`` that are neither allowed nor in ``sources``."""
    known = set(ALLOWED)
    for source in sources:
        known.update(WORD.findall(source))
    return {word for word in WORD.findall(message) if word not in known}


def problems(unit_dir: Callable[..., Path], spec: str, *, defaults: str | None = None) -> list[Diagnostic]:
    folder = unit_dir(defaults, {"01-a.yaml": spec}) if defaults else unit_dir(specs={"01-a.yaml": spec})
    return check([folder]).diagnostics


def only_error(found: list[Diagnostic]) -> Diagnostic:
    errors = [d for d in found if d.is_error]
    assert len(errors) == 1, [d.format() for d in found]
    return errors[0]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# ----------------------------------------------------------------------------- full-width colon, no space

FULL_WIDTH = [
    ("top-level key", SHANGHAI_SPEC, "category: ", "category："),
    ("first line", SHANGHAI_SPEC, "name: ", "name："),
    ("nested key", SHANGHAI_SPEC, "  current_year: ", "  current_year："),
    ("last key of a group", SHANGHAI_SPEC, "  last_year_spent: ", "  last_year_spent："),
    ("group name with nothing after it", SHANGHAI_SPEC, "    成本:", "    成本："),
    ("indicator with fields below", TIANJIN_SPEC, "      司法救助总金额:", "      司法救助总金额："),
    ("followed by a space", SHANGHAI_SPEC, "plan: ", "plan： "),
]


@pytest.mark.parametrize(("base", "old", "new"), [case[1:] for case in FULL_WIDTH], ids=[c[0] for c in FULL_WIDTH])
def test_full_width_colon_is_reported_at_its_own_line_naming_the_character(
        unit_dir: Callable[..., Path], base: str, old: str, new: str) -> None:
    spec = base.replace(old, new, 1)
    assert spec != base
    d = only_error(problems(unit_dir, spec, defaults=TIANJIN_DEFAULTS if base is TIANJIN_SPEC else None))
    key = new.strip().rstrip("： ")
    assert d.line == line_of(spec, new.rstrip()), d.format()
    assert d.col == new.index("：") + 1, d.format()
    assert "：" in d.message and "中文冒号" in d.message and key in d.message, d.format()
    assert d.code == "yaml-fullwidth-colon"


def test_no_space_after_the_colon_is_reported_at_its_own_line(unit_dir: Callable[..., Path]) -> None:
    spec = TIANJIN_SPEC.replace("purpose: 用于司法救助", "purpose:用于司法救助")
    d = only_error(problems(unit_dir, spec, defaults=TIANJIN_DEFAULTS))
    assert d.line == line_of(spec, "purpose:") and d.col == len("purpose:") + 1, d.format()
    assert "空格" in d.message and "purpose: 用于司法救助" in d.message, d.format()
    assert d.code == "yaml-colon-space"


def test_no_space_after_the_colon_of_a_nested_key(unit_dir: Callable[..., Path]) -> None:
    spec = SHANGHAI_SPEC.replace("  current_year: 100000", "  current_year:100000")
    d = only_error(problems(unit_dir, spec))
    assert d.line == line_of(spec, "current_year:") and "空格" in d.message and "current_year" in d.message


def test_a_line_with_no_colon_at_all_is_reported_at_that_line(unit_dir: Callable[..., Path]) -> None:
    spec = SHANGHAI_SPEC.replace("basis: 依据\n", "basis: 依据\n这一行忘了写键\n")
    d = only_error(problems(unit_dir, spec))
    assert d.line == line_of(spec, "这一行忘了写键") and "“: ”" in d.message, d.format()


@pytest.mark.parametrize("text", [
    "overview: 说明：有中文冒号\n",
    "overview: |\n  项目内容：维修\n  完成时间：年底\n",
    "targets:\n  - 目标一：完成\n  - 目标二：验收\n",
    "overview: 第一行\n  接着一行：照样是文字\n",
    "plan: 'a:b'\n",
])
def test_full_width_colons_inside_text_stay_text(text: str) -> None:
    loaded = load_yaml(text.encode(), "a.yaml")
    assert loaded.diagnostics == [] and loaded.data is not None


# ----------------------------------------------------------------------------- quotes and brackets left open

SINGLE_QUOTED, UNQUOTED = SHANGHAI_SPEC.replace('">=85%"', "'>=85%'"), SHANGHAI_SPEC.replace('">=85%"', "≥85%")
QUOTES = [
    ("double, closed by a later quote", SHANGHAI_SPEC, "overview: 概况", 'overview: "概况'),
    ("double, to the end of the file", SINGLE_QUOTED, "overview: 概况", 'overview: "概况'),
    ("single, to the end of the file", UNQUOTED, "overview: 概况", "overview: '概况"),
    ("single, closed by a later quote", SINGLE_QUOTED, "overview: 概况", "overview: '概况"),
    ("in an indicator", SHANGHAI_SPEC, "预算编制合理性: 合理", "预算编制合理性: '合理"),
]


@pytest.mark.parametrize(("base", "old", "new"), [case[1:] for case in QUOTES], ids=[c[0] for c in QUOTES])
def test_unclosed_quote_is_reported_where_it_opens(unit_dir: Callable[..., Path], base: str, old: str,
                                                   new: str) -> None:
    spec = base.replace(old, new, 1)
    d = only_error(problems(unit_dir, spec))
    quote = new.split(": ")[1][0]
    assert d.line == line_of(spec, new), d.format()
    assert d.col == spec.splitlines()[d.line - 1].index(quote) + 1, d.format()
    assert quote in d.message and "引号" in d.message and "以 | 开头" not in d.message, d.format()
    assert d.code == "yaml-quote"


def test_a_multi_line_quoted_value_is_still_fine() -> None:
    loaded = load_yaml('overview: "第一行\n  第二行"\nbasis: 依据\n'.encode(), "a.yaml")
    assert loaded.diagnostics == [] and loaded.data == {"overview": "第一行 第二行", "basis": "依据"}


def test_unclosed_bracket_is_reported_where_it_opens(unit_dir: Callable[..., Path]) -> None:
    spec = TIANJIN_SPEC.replace("targets:\n  - 对遭受侵害导致生活困难的被害人进行救助。", "targets: [救助被害人")
    d = only_error(problems(unit_dir, spec, defaults=TIANJIN_DEFAULTS))
    assert d.line == line_of(spec, "targets: [") and d.col == len("targets: ["), d.format()
    assert "[" in d.message and "]" in d.message and not english_in(d.message, spec), d.format()


# ----------------------------------------------------------------------------- no English, whatever the slip

BROKEN = {
    "tab": "budget:\n\ttotal: 1\n",
    "gt": "a: >=85%\n",
    "pipe": "a: |x\n",
    "colon-in-value": "a: b: c\n",
    "indent": "a:\n    b: 1\n  c: 2\n",
    "list-after-key": "a: 1\n- b\n",
    "list-in-mapping": "a:\n  b: 1\n  - c\n",
    "at-sign": "a: @x\n",
    "backtick": "a: `x`\n",
    "percent": "a: %x\n",
    "undefined-alias": "a: *nope\n",
    "duplicate-anchor": "a: &x 1\nb: &x 2\nc: *x\n",
    "two-documents": "a: 1\n---\nb: 2\n",
    "after-document-end": "a: 1\n...\nb: 2\n",
    "duplicate-yaml-directive": "%YAML 1.1\n%YAML 1.1\n---\na: 1\n",
    "yaml-version": "%YAML 2.0\n---\na: 1\n",
    "bad-directive": "%YAML x\n---\na: 1\n",
    "duplicate-tag-directive": "%TAG !a! tag:x,2000:\n%TAG !a! tag:y,2000:\n---\na: 1\n",
    "undefined-tag-handle": "a: !x!y 1\n",
    "unknown-tag": "a: !foo 1\n",
    "python-tag": "a: !!python/object:os.system 1\n",
    "bad-escape": 'a: "C:\\q"\n',
    "short-hex-escape": 'a: "\\x4"\n',
    "unhashable-key": "? [a]\n: 1\n",
    "unhashable-flow-key": "{[a]: 1}\n",
    "merge-scalar": "a: &x 1\nb:\n  <<: *x\n",
    "merge-list-of-lists": "a: &x [1]\nb:\n  <<: [*x]\n",
    "str-tag-on-list": "a: !!str [1]\n",
    "map-tag-on-text": "a: !!map x\n",
    "seq-tag-on-text": "a: !!seq x\n",
    "empty-anchor": "a: &\n",
    "empty-alias": "a: *\n",
    "block-indent-zero": "a: |0\n  x\n",
    "block-tab": "a: |\n\tx\n",
    "quote-then-separator": 'a: "x\n---\ny"\n',
    "question-mark-key": "a: ? b\n",
    "verbatim-tag": "a: !<tag:x 1\n",
    "empty-verbatim-tag": "a: !<> 1\n",
    "text-then-key": "just text\nb: 1\n",
    "empty-flow-entry": "a: [,]\n",
    "flow-mapping-comma": "a: {b: c d: e}\n",
    "tag-escape": "a: !<tag:%zz> 1\n",
    "tab-in-plain": "a: b\tc: d\n",
    "two-documents-inline": "--- a\n--- b\n",
    "unclosed-flow-mapping": "budget: {total: 1\nbasis: 依据\n",
    "flow-sequence-then-text": "targets: [a, b] c\n",
}


def _loaders() -> list[type]:
    found = [yaml.SafeLoader]
    if hasattr(yaml, "CSafeLoader"):
        found.append(yaml.CSafeLoader)
    return found


@pytest.mark.parametrize("loader", _loaders(), ids=lambda loader: loader.__name__)
@pytest.mark.parametrize("name", sorted(BROKEN))
def test_every_syntax_error_reads_in_chinese_with_both_yaml_libraries(name: str, loader: type) -> None:
    text = BROKEN[name]
    with pytest.raises(yaml.MarkedYAMLError) as caught:
        yaml.load(text, Loader=loader)
    problem = yaml_errors.explain(caught.value, text)
    assert problem.message and not english_in(problem.message, text), (problem, caught.value)
    assert re.search("[\u4e00-\u9fff]", problem.message)
    lines = text.count("\n") + 1
    assert 1 <= problem.line <= lines and problem.col >= 1


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_check_prints_every_broken_file_in_chinese(unit_dir: Callable[..., Path], name: str) -> None:
    found = problems(unit_dir, BROKEN[name])
    assert any(d.is_error for d in found), name
    for d in found:
        assert not english_in(d.message, BROKEN[name]), d.format()


# ----------------------------------------------------------------------------- every library text, not just these

_SAMPLE = {"%r": "'x'", "%s": "x", "%d": "2", "%04x": "0041", "%02x": "41"}


def _python_problems() -> Iterator[tuple[str, str]]:
    """Return (module, text) of every problem/context text pure-Python PyYAML's reader, scanner,
    parser, composer and safe constructor can raise, with %-placeholders filled by samples."""
    folder = Path(yaml.__file__).parent
    for module in ("reader", "scanner", "parser", "composer", "constructor"):
        tree = ast.parse((folder / f"{module}.py").read_text(encoding="utf-8"))
        for cls in tree.body:
            if module == "constructor" and not (
                    isinstance(cls, ast.ClassDef) and cls.name in ("BaseConstructor", "SafeConstructor")):
                continue
            for node in ast.walk(cls):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                        and node.func.id.endswith("Error") and node.func.id != "TypeError"):
                    continue
                for arg in node.args:
                    text = _literal(arg)
                    if text:
                        yield module, text


def _literal(arg: ast.expr) -> str | None:
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Mod) and isinstance(arg.left, ast.Constant):
        text = str(arg.left.value)
        for mark, sample in _SAMPLE.items():
            text = text.replace(mark, sample)
        return text
    return None


#: Every problem and context text of libyaml (src/scanner.c, parser.c, reader.c, loader.c) and of
#: PyYAML's own C binding (_yaml.pyx), as the library writes them.
LIBYAML = [
    "block sequence entries are not allowed in this context", "mapping keys are not allowed in this context",
    "mapping values are not allowed in this context", "while parsing a %TAG directive", "while parsing a tag",
    "did not find URI escaped octet", "did not find expected tag URI", "found an incorrect leading UTF-8 octet",
    "found an incorrect trailing UTF-8 octet", "while parsing a quoted scalar",
    "did not find expected hexdecimal number", "found invalid Unicode character escape code",
    "found unknown escape character", "while parsing a tag directive", "did not find expected '!'",
    "while scanning a %TAG directive", "did not find expected whitespace",
    "did not find expected whitespace or line break", "while scanning a %YAML directive",
    "did not find expected digit or '.' character", "did not find expected version number",
    "found extremely long version number", "while scanning a block scalar",
    "did not find expected comment or line break", "found a tab character where an indentation space is expected",
    "found an indentation indicator equal to 0", "while scanning a directive",
    "could not find expected directive name", "found unexpected non-alphabetical character",
    "found unknown directive name", "while scanning a plain scalar",
    "found a tab character that violates indentation", "found unexpected ':'", "while scanning a quoted scalar",
    "found unexpected document indicator", "found unexpected end of stream", "while scanning a simple key",
    "could not find expected ':'", "while scanning a tag", "did not find the expected '>'",
    "while scanning a tag directive", "while scanning an anchor", "while scanning an alias",
    "did not find expected alphabetic or numeric character", "while scanning for the next token",
    "found character that cannot start any token", "did not find expected <document start>",
    "did not find expected <stream-start>", "found duplicate %TAG directive", "found duplicate %YAML directive",
    "found incompatible YAML document", "while parsing a block collection", "did not find expected '-' indicator",
    "while parsing a block mapping", "did not find expected key", "while parsing a block node",
    "while parsing a flow node", "did not find expected node content", "while parsing a flow mapping",
    "did not find expected ',' or '}'", "while parsing a flow sequence", "did not find expected ',' or ']'",
    "while parsing a node", "found undefined tag handle", "found duplicate anchor; first occurrence",
    "second occurrence", "found undefined alias", "expected a single document in the stream",
    "but found another document", "control characters are not allowed", "expected low surrogate area",
    "incomplete UTF-16 character", "incomplete UTF-16 surrogate pair", "incomplete UTF-8 octet sequence",
    "input error", "input is too long", "invalid Unicode character", "invalid leading UTF-8 octet",
    "invalid length of a UTF-8 sequence", "invalid trailing UTF-8 octet", "unexpected low surrogate area",
]


def test_the_sweep_finds_the_texts_of_pure_python_yaml() -> None:
    texts = {text for _, text in _python_problems()}
    assert "found unexpected end of stream" in texts and "expected <block end>, but found 'x'" in texts
    assert len(texts) > 60


@pytest.mark.parametrize("text", sorted({t for _, t in _python_problems()} | set(LIBYAML)))
def test_every_library_text_is_translated(text: str) -> None:
    translated = yaml_errors.translate(text)
    assert translated and not english_in(translated, "'x'"), translated
    assert re.search("[\u4e00-\u9fff]", translated), translated


def test_details_are_kept_when_the_english_is_dropped() -> None:
    assert "@" in yaml_errors.translate("found character '@' that cannot start any token")
    assert "\\q" in yaml_errors.translate("found unknown escape character 'q'")
    assert "!x!" in yaml_errors.translate("found undefined tag handle '!x!'")
    assert "“]”" in yaml_errors.translate("expected ',' or ']', but got ':'")
    assert "缩进" in yaml_errors.translate("expected <block end>, but found '<scalar>'")
    assert "值" in yaml_errors.translate("expected <block end>, but found '<scalar>'")


def test_an_unknown_library_text_keeps_its_quoted_detail_without_english() -> None:
    translated = yaml_errors.translate("found a brand new problem with 'zz9'")
    assert "zz9" in translated and not english_in(translated, "zz9")


def test_reader_error_is_in_chinese() -> None:
    exc = yaml.reader.ReaderError("a.yaml", 7, 0x1F, "unicode", "special characters are not allowed")
    message = yaml_errors.explain_reader(exc)
    assert "U+001F" in message and not english_in(message)
