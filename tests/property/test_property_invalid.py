"""Property: whatever a spec file holds, ``sheetgen check`` answers with
diagnostics that name a file and a line -- it never raises, never prints a
traceback -- and a spec it finds no error in renders.

Each example takes a valid spec (one of the seed specs or a drawn one), writes
it as YAML and spoils the text or the bytes with 1 to 4 random mutations:
deleted, duplicated, swapped or re-indented lines, tabs, unquoted ``>``
values, wrong types, YAML tags and anchors, control characters, random bytes,
other encodings, truncation, huge and deeply nested structures, alias bombs,
document markers, and ``include:`` entries pointing anywhere.

Examples: ``SHEETGEN_HYPOTHESIS_EXAMPLES`` (default 150) times two for the check
test (it is quick), a third of it for the test that also runs ``sheetgen build``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sheetgen.build.atomic import TEMP_MARK
from sheetgen.build.runner import BuildOptions, run_build
from sheetgen.checking import check
from sheetgen.cli import main
from sheetgen.errors import Diagnostic
from sheetgen.importers.yamlwriter import dump_spec
from sheetgen.projects import to_project
from sheetgen.render.templates import compiled
from tests.conftest import REPO
from tests.property.spec_strategies import Drawn, valid_specs

EXAMPLES = int(os.environ.get("SHEETGEN_HYPOTHESIS_EXAMPLES", "150"))
HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
SPEC_NAME = "01-项目.yaml"
LINE_FORMAT = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (错误|警告) \[[a-z0-9-]+\]")

SEEDS = sorted(p for p in (REPO / "specs").glob("*/*.yaml") if not p.name.startswith("_"))


def _seed(path: Path) -> tuple[str, str]:
    return path.read_text(encoding="utf-8"), (path.parent / "_defaults.yaml").read_text(encoding="utf-8")


def _drawn(drawn: Drawn) -> tuple[str, str]:
    return dump_spec(drawn.data), dump_spec(drawn.defaults) if drawn.defaults else ""


BASE = st.one_of(st.sampled_from(SEEDS).map(_seed), valid_specs().map(_drawn))

# ----------------------------------------------------------------------------- mutations

Mutation = Callable[[bytes], bytes]
ODD_VALUES = (
    "[a, b]", "{x: 1}", "123", "-5", "1e400", ".nan", "0x1F", "true", "null", "~", "2020-13-45", "2020-02-30",
    "!!python/object/apply:os.system [ls]", "!!binary aGVsbG8=", "!ruby/object x", "&a x", "*a", "*undefined",
    "|", ">", ">=90%", ">90%", "<=5", "=>5", "≥", "'unclosed", '"unclosed', '"\\x00"', '"\\v"', "{{ 7*7 }}",
    "{% for %}", "@x", "`x", "%x", "- a\n- b", "? x", ": x", "x: y: z", "[" * 50, "{" * 50, "\t", "- ", "---",
    "...", "!!str", "!!int x", "!!float x", "!!timestamp x", "!!set {a, b}", "!!omap [a: 1]", "<<: *a",
    "include", "日期", "否", "是", "10万元", "2,468,000", "１２３", "-0", "+1", "0.1e-99999",
    "&r [*r]", "&m {k: *m}", "&n {<<: *n}", "&o [a, [b, *o]]", "!!bool x", "!!int 0x1F", "!!float .inf",
    "!!set {a, b}", "!!pairs [a: 1]",
)  # fmt: skip
INCLUDES = (
    "../../../../etc/passwd", "/etc/passwd", "/dev/zero", "/dev/stdin", "nonexistent.yaml", ".", "..", "",
    SPEC_NAME, "_defaults.yaml", "[a.yaml, b.yaml]", "{a: 1}", "../unit/01-项目.yaml", "~/x.yaml",
    "file:///etc/passwd", "http://127.0.0.1/x.yaml", "\\\\server\\share\\x.yaml", "C:\\x.yaml",
)  # fmt: skip


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _at(index: int, lines: list[bytes]) -> int:
    return index % max(len(lines), 1)


def delete_line(i: int) -> Mutation:
    def mutate(data: bytes) -> bytes:
        lines = _lines(data)
        del lines[_at(i, lines)]
        return b"\n".join(lines)

    return mutate


def duplicate_line(i: int) -> Mutation:
    def mutate(data: bytes) -> bytes:
        lines = _lines(data)
        k = _at(i, lines)
        lines.insert(k, lines[k])
        return b"\n".join(lines)

    return mutate


def swap_lines(i: int, j: int) -> Mutation:
    def mutate(data: bytes) -> bytes:
        lines = _lines(data)
        a, b = _at(i, lines), _at(j, lines)
        lines[a], lines[b] = lines[b], lines[a]
        return b"\n".join(lines)

    return mutate


def reindent(i: int, delta: int, tab: bool) -> Mutation:
    def mutate(data: bytes) -> bytes:
        lines = _lines(data)
        k = _at(i, lines)
        body = lines[k].lstrip(b" ")
        width = max(0, len(lines[k]) - len(body) + delta)
        lines[k] = (b"\t" * max(1, width // 2) if tab else b" " * width) + body
        return b"\n".join(lines)

    return mutate


def replace_value(i: int, value: str) -> Mutation:
    def mutate(data: bytes) -> bytes:
        lines = _lines(data)
        candidates = [k for k, line in enumerate(lines) if b":" in line and not line.lstrip().startswith(b"#")]
        if not candidates:
            return data + b"\n" + value.encode("utf-8")
        k = candidates[i % len(candidates)]
        head = lines[k].split(b":", 1)[0]
        lines[k] = head + b": " + value.encode("utf-8")
        return b"\n".join(lines)

    return mutate


def replace_key(i: int, key: str) -> Mutation:
    def mutate(data: bytes) -> bytes:
        lines = _lines(data)
        candidates = [k for k, line in enumerate(lines) if b":" in line]
        if not candidates:
            return data
        k = candidates[i % len(candidates)]
        indent = lines[k][: len(lines[k]) - len(lines[k].lstrip(b" "))]
        lines[k] = indent + key.encode("utf-8") + b":" + lines[k].split(b":", 1)[1]
        return b"\n".join(lines)

    return mutate


def insert_include(i: int, target: str) -> Mutation:
    def mutate(data: bytes) -> bytes:
        lines = _lines(data)
        start = next((k for k, line in enumerate(lines) if line.startswith(b"indicators:")), None)
        if start is None:
            lines.append(b"indicators:")
            start = len(lines) - 1
        k = start + 1 + i % 6
        indent = lines[k][: len(lines[k]) - len(lines[k].lstrip(b" "))] if k < len(lines) else b"  "
        lines.insert(min(k, len(lines)), indent + b"include: " + target.encode("utf-8"))
        return b"\n".join(lines)

    return mutate


def insert_bytes(i: int, blob: bytes) -> Mutation:
    def mutate(data: bytes) -> bytes:
        k = i % (len(data) + 1)
        return data[:k] + blob + data[k:]

    return mutate


def truncate(i: int) -> Mutation:
    def mutate(data: bytes) -> bytes:
        return data[: i % (len(data) + 1)]

    return mutate


def reencode(codec: str) -> Mutation:
    def mutate(data: bytes) -> bytes:
        text = data.decode("utf-8", "replace")
        return text.encode(codec, "replace")

    return mutate


def append(blob: bytes) -> Mutation:
    def mutate(data: bytes) -> bytes:
        return data + b"\n" + blob

    return mutate


def _bomb() -> bytes:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join(f'*a{i - 1}' for _ in range(10))}]" for i in range(1, 9)]
    return "\n".join(lines).encode()


HUGE = (
    b"deep: " + b"[" * 10_000 + b"]" * 10_000,
    b"deep2:\n" + b"".join(b" " * (2 * k) + f"k{k}:\n".encode() for k in range(1, 200)),
    b"wide: [" + b"x, " * 120_000 + b"]",
    b"long: " + "很长".encode() * 400_000,
    b"many:\n" + b"".join(f"  k{k}: v\n".encode() for k in range(60_000)),
    _bomb(),
    b"self: &s [*s]",
    b"---\nsecond: document\n",
    b"--- !!map\n? [a, b]\n: c\n",
    b"\xef\xbb\xbf",
    b"%YAML 1.1\n---\n",
    b"%TAG ! tag:example.com,2000:\n",
)
CONTROL = st.sampled_from(
    [bytes([b]) for b in range(32) if b != 10]
    + [b"\x7f", "\u2028".encode(), "\ufeff".encode(), b"\xed\xa0\x80", b"\xc0"]
)
INDEX = st.integers(0, 10_000)

MUTATION = st.one_of(
    INDEX.map(delete_line),
    INDEX.map(duplicate_line),
    st.builds(swap_lines, INDEX, INDEX),
    st.builds(reindent, INDEX, st.integers(-4, 4), st.booleans()),
    st.builds(replace_value, INDEX, st.one_of(st.sampled_from(ODD_VALUES), st.text(max_size=20))),
    st.builds(replace_key, INDEX, st.one_of(st.sampled_from(("indicators", "budget", "unit", "year")), st.text())),
    st.builds(insert_include, INDEX, st.one_of(st.sampled_from(INCLUDES), st.text(max_size=30))),
    st.builds(insert_bytes, INDEX, st.one_of(CONTROL, st.binary(min_size=1, max_size=20))),
    INDEX.map(truncate),
    st.sampled_from(("gb18030", "utf-16", "latin-1", "utf-32", "shift_jis")).map(reencode),
    st.sampled_from(HUGE).map(append),
)


@st.composite
def bad_inputs(draw: st.DrawFn) -> tuple[bytes, bytes]:
    """Return (spec bytes, defaults bytes) with 1-4 mutations applied to one or both."""
    spec, defaults = draw(BASE)
    files = [spec.encode("utf-8"), defaults.encode("utf-8")]
    for _ in range(draw(st.integers(1, 4))):
        target = draw(st.sampled_from((0, 0, 0, 1))) if files[1] else 0
        files[target] = draw(MUTATION)(files[target])
    return files[0], files[1]


# ----------------------------------------------------------------------------- checks


def write_unit(root: Path, spec: bytes, defaults: bytes) -> Path:
    unit = root / "unit"
    unit.mkdir()
    (unit / SPEC_NAME).write_bytes(spec)
    if defaults:
        (unit / "_defaults.yaml").write_bytes(defaults)
    return unit


def line_count(path: Path) -> int:
    return path.read_bytes().count(b"\n") + 1


def assert_well_formed(diagnostic: Diagnostic, root: Path) -> None:
    """A diagnostic names a file of the unit (or a block inside the specs tree) and a line in it."""
    where = Path(diagnostic.path)
    where = where if where.is_absolute() else Path.cwd() / where
    assert where.resolve().is_relative_to(root.resolve()), f"points outside the specs: {diagnostic.format()}"
    assert diagnostic.line >= 1 and diagnostic.col >= 1 and diagnostic.code and diagnostic.message
    if where.is_file():
        assert diagnostic.line <= line_count(where) + 1, diagnostic.format()


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@settings(max_examples=2 * EXAMPLES, deadline=None, suppress_health_check=HEALTH)
@given(files=bad_inputs())
def test_check_never_raises_and_names_file_and_line(files: tuple[bytes, bytes]) -> None:
    with tempfile.TemporaryDirectory(prefix="sheetgen-bad-") as tmp:
        root = Path(tmp)
        unit = write_unit(root, *files)
        report = check([unit])
        for diagnostic in report.diagnostics:
            assert_well_formed(diagnostic, root)
        event("errors" if report.errors else "no error")
        event(f"first code: {report.diagnostics[0].code if report.diagnostics else '-'}")
        # a spec check passes renders, in both formats
        for validated in report.specs:
            if validated.ok and validated.jurisdiction is not None:
                project = to_project(validated)
                for kind in ("docx", "xlsx"):
                    blob = compiled(kind, validated.jurisdiction).render([project], validated.jurisdiction)
                    assert zipfile.ZipFile(io.BytesIO(blob)).testzip() is None
        code, out, err = cli("check", str(unit))
        assert code == (1 if report.errors else 0)
        assert "Traceback" not in out + err
        lines = [line for line in out.splitlines() if line.strip()]
        assert len(lines) == len(report.diagnostics)
        assert all(LINE_FORMAT.match(line) for line in lines), lines
        code, out, err = cli("check", "--format", "json", str(unit))
        payload = json.loads(out)
        assert payload["errors"] == report.errors and len(payload["diagnostics"]) == len(report.diagnostics)


@settings(max_examples=max(10, EXAMPLES // 3), deadline=None, suppress_health_check=HEALTH)
@given(files=bad_inputs())
def test_build_never_raises_and_writes_only_whole_files(files: tuple[bytes, bytes]) -> None:
    with tempfile.TemporaryDirectory(prefix="sheetgen-bad-") as tmp:
        root = Path(tmp)
        unit = write_unit(root, *files)
        out = root / "out"
        summary = run_build(BuildOptions(paths=(unit,), output=out, jobs=1))
        report = check([unit])
        assert (summary.failed > 0) == (report.errors > 0)
        written = sorted(p for p in out.rglob("*") if p.suffix in (".docx", ".xlsx"))
        assert len(written) == (0 if report.errors else 4)
        for path in written:
            assert path.resolve().is_relative_to(out.resolve())
            assert zipfile.ZipFile(path).testzip() is None
        assert not [p for p in out.rglob("*") if TEMP_MARK in p.name]


REFUSED = [chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0), 0xFFFE, 0xFFFF) if chr(c) not in "\t\n\r\x85"]


def test_every_character_yaml_refuses_is_reported_at_its_line() -> None:
    """Found by the property above: U+0080..U+009F reached PyYAML's reader, whose error came out
    at 1:1 as three English lines; now each is a ``bad-char`` at its own line and column."""
    with tempfile.TemporaryDirectory(prefix="sheetgen-bad-") as tmp:
        root = Path(tmp)
        spec, defaults = _seed(SEEDS[0])
        for char in REFUSED:
            unit = root / f"u{ord(char):04x}"
            unit.mkdir()
            (unit / SPEC_NAME).write_text(spec.replace("name: ", f"name: 甲{char}", 1), encoding="utf-8")
            (unit / "_defaults.yaml").write_text(defaults, encoding="utf-8")
            line = spec.splitlines().index(next(ln for ln in spec.splitlines() if ln.startswith("name: "))) + 1
            found = [d for d in check([unit]).diagnostics if d.is_error]
            assert [(d.code, d.line, d.col) for d in found] == [("bad-char", line, 8)], (hex(ord(char)), found)
            assert f"U+{ord(char):04X}" in found[0].message and "\n" not in found[0].message


TAGGED = ["!!int x", "!!float x", "!!bool x", "!!int 0x1F", "!!float .nan", "!!float .inf", "!!str [a]", "!!binary x"]
TAGGED += ["!!binary aGVsbG8=", "!!set {a, b}", "!!omap [a: 1]", "!!pairs [a: 1]"]  # printed as b'hello', {'a'}


def test_explicitly_tagged_values_that_are_no_such_value_are_errors_at_their_line() -> None:
    """Found by the property above (3,000-example run): ``!!int x``, ``!!float x``, ``!!bool x`` and
    ``!!timestamp x`` raised ValueError/InvalidOperation/KeyError/AttributeError out of ``check``;
    ``!!binary``/``!!set`` values passed and printed as Python reprs (``b'…'``, ``{'a', 'b'}``)."""
    spec, defaults = _seed(SEEDS[0])
    line = next(i for i, ln in enumerate(spec.splitlines(), 1) if ln.startswith("category: "))
    with tempfile.TemporaryDirectory(prefix="sheetgen-bad-") as tmp:
        for index, value in enumerate(TAGGED):
            unit = Path(tmp) / f"u{index}"
            unit.mkdir()
            changed = re.sub(r"(?m)^category: .*$", f"category: {value}", spec)
            (unit / SPEC_NAME).write_text(changed, encoding="utf-8")
            (unit / "_defaults.yaml").write_text(defaults, encoding="utf-8")
            found = [d for d in check([unit]).diagnostics if d.is_error]
            assert found and found[0].line == line, (value, [d.format() for d in found])
            assert found[0].code == "yaml-syntax" and "\n" not in found[0].message, value
        unit = Path(tmp) / "timestamp"  # !!timestamp x keeps its text, like 2020-02-30 does
        unit.mkdir()
        (unit / SPEC_NAME).write_text(re.sub(r"(?m)^category: .*$", "category: !!timestamp x", spec), encoding="utf-8")
        (unit / "_defaults.yaml").write_text(defaults, encoding="utf-8")
        assert check([unit]).specs[0].data["category"] == "x"
