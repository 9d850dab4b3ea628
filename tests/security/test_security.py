"""Security: what a spec or a template holds can neither run code, nor reach
files or the network, nor write outside the output folder, nor exhaust memory.

Every test goes through the real entry points (``run_build``, ``check``) with
files on disk, so it covers the whole path from YAML to the written package.
The importer's hostile-file tests live with the importer (tests/importers).
"""

from __future__ import annotations

import http.server
import io
import os
import re
import shutil
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

import openpyxl
import pytest
from docx import Document
from lxml import etree

from sheetgen import jurisdiction as jurisdictions
from sheetgen.build.names import MAX_NAME_BYTES
from sheetgen.build.runner import BuildOptions, Summary, run_build
from sheetgen.checking import check
from sheetgen.errors import TemplateError
from sheetgen.render.package import MAX_ENTRIES, MAX_UNCOMPRESSED, read_parts
from tests.conftest import SHANGHAI_DEFAULTS, SHANGHAI_SPEC, TIANJIN_DEFAULTS, TIANJIN_SPEC

S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PART = {"docx": "word/document.xml", "xlsx": "xl/worksheets/sheet1.xml"}


# ----------------------------------------------------------------------------- helpers


def make_unit(root: Path, specs: dict[str, str], defaults: str = SHANGHAI_DEFAULTS, name: str = "unit") -> Path:
    """Return a unit folder ``root/specs/name`` holding ``defaults`` and ``specs``."""
    folder = root / "specs" / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_defaults.yaml").write_text(defaults, encoding="utf-8")
    for filename, text in specs.items():
        (folder / filename).write_text(text, encoding="utf-8")
    return folder


def build(root: Path) -> tuple[Summary, Path]:
    out = root / "out"
    return run_build(BuildOptions(paths=(root / "specs",), output=out, jobs=1)), out


def override(root: Path, name: str = "shanghai") -> Path:
    """Return a copy of a built-in jurisdiction in ``root/specs/templates`` (it overrides the built-in)."""
    folder = root / "specs" / "templates" / name
    shutil.copytree(jurisdictions.builtin_dir() / name, folder)
    return folder


def rewrite_part(package: Path, part: str, change: Callable[[bytes], bytes]) -> None:
    """Replace one part of a zip package in place with ``change(part bytes)``."""
    with zipfile.ZipFile(package) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts[part] = change(parts[part])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    package.write_bytes(buffer.getvalue())


def put_tag(package: Path, kind: str, tag: str) -> None:
    """Replace each ``{{ project.name }}`` of the template with ``tag`` (XML-escaped, as an editor saves it)."""
    escaped = tag.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode()

    def change(xml: bytes) -> bytes:
        assert b"{{ project.name }}" in xml
        return xml.replace(b"{{ project.name }}", escaped)

    rewrite_part(package, PART[kind], change)


def all_text(package: Path) -> str:
    """Return every XML part of a package decoded, joined (for 'is X anywhere in it')."""
    with zipfile.ZipFile(package) as archive:
        return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist() if n.endswith(".xml"))


def files_outside(root: Path, out: Path) -> list[Path]:
    """Return .docx/.xlsx files under ``root`` that are not inside ``out``."""
    return [p for p in root.rglob("*") if p.suffix in (".docx", ".xlsx") and out.resolve() not in p.resolve().parents]


# ----------------------------------------------------------------------------- spec text is data


NASTY = [
    "{{ 7*7 }}",
    "{{ ''.__class__.__mro__ }}",
    "{% for x in range(3) %}循环{% endfor %}",
    "{%tr endfor %}",
    "{%p if true %}",
    "{# 注释 #}",
    "{{ cycler.__init__.__globals__.os }}",
    "${7*7} #{7*7} <%= 7*7 %>",
]


def test_spec_strings_are_never_evaluated_as_jinja(tmp_path: Path) -> None:
    indicators = "".join(f'      "{text}": "{text}"\n' for text in NASTY)
    spec = (
        SHANGHAI_SPEC.replace("name: 检察业务保障费", f'name: "{NASTY[0]}"')
        .replace("overview: 概况", f'overview: "{NASTY[1]} {NASTY[2]}"')
        .replace("plan: 计划", f'plan: "{NASTY[3]} {NASTY[4]} {NASTY[5]}"')
        .replace("      预算编制合理性: 合理\n", indicators)
    )
    make_unit(tmp_path, {"01-a.yaml": spec})
    summary, out = build(tmp_path)
    assert summary.failed == 0, summary.failures
    for kind in ("docx", "xlsx"):
        for path in (out / "unit").glob(f"*.{kind}"):
            if kind == "docx":
                doc = Document(str(path))
                texts = [c.text for t in doc.tables for row in t.rows for c in row.cells]
            else:
                book = openpyxl.load_workbook(path)
                texts = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value]
            joined = "\n".join(texts)
            for text in NASTY:
                assert text in joined, f"{text!r} not printed literally in {path.name}"
            assert "49" not in joined and "循环循环" not in joined and "<class" not in joined


# ----------------------------------------------------------------------------- templates run sandboxed


PAYLOADS = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.system('touch {marker}') }}",
    "{{ lipsum.__globals__['os'].popen('touch {marker}').read() }}",
    "{{ self.__init__.__globals__.__builtins__.open('{marker}', 'w') }}",
    "{{ project.__class__.__init__.__globals__ }}",
    "{{ rows.__class__.__mro__[-1].__subclasses__() }}",
]


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
@pytest.mark.parametrize("payload", PAYLOADS)
def test_templates_render_sandboxed(tmp_path: Path, kind: str, payload: str) -> None:
    marker = tmp_path / "pwned"
    folder = override(tmp_path)
    put_tag(folder / f"table.{kind}", kind, payload.replace("{marker}", str(marker)))
    make_unit(tmp_path, {"01-a.yaml": SHANGHAI_SPEC})
    summary, out = build(tmp_path)
    assert not marker.exists(), "template code ran outside the sandbox"
    written = out / "unit" / f"01-a.{kind}"
    if summary.failures:  # refused: a clear template error naming the file it was building
        failure = next(f for f in summary.failures if f"01-a.{kind}" in f)
        assert "生成失败" in failure and "table" in failure and "Traceback" not in failure
        assert not written.exists()
    else:  # Excel prints a bare unsafe attribute as an empty cell (its cells use ChainableUndefined)
        assert kind == "xlsx" and "(" not in payload, f"{payload} rendered without an error"
        assert openpyxl.load_workbook(written).active["B4"].value is None
        assert "<class" not in all_text(written) and "__globals__" not in all_text(written)


def test_both_renderers_compile_templates_in_a_sandbox() -> None:
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import SandboxedEnvironment

    from sheetgen.render.docx import compile_docx
    from sheetgen.render.xlsx_cells import environment

    assert isinstance(compile_docx(jurisdictions.load("shanghai"))._env, SandboxedEnvironment)
    assert isinstance(environment(), SandboxedEnvironment)
    with pytest.raises(SecurityError):
        environment().from_string("{{ ''.__class__.__mro__[1].__subclasses__() }}").render()


# ----------------------------------------------------------------------------- formulas


FORMULAS = ["=1+1", "+1", "-1", "@SUM(1,1)", '=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "-2+3"]


def test_xlsx_cells_starting_with_formula_characters_are_text(tmp_path: Path) -> None:
    # as indicator names (any text) and as values (those a value may start with: = needs a number)
    rows = "".join(
        f"      {_quoted(f)}: {_quoted(v)}\n" for f, v in zip(FORMULAS, ["=1+1", "+1", "-1", "@x"] * 2, strict=False)
    )
    spec = (
        SHANGHAI_SPEC.replace("name: 检察业务保障费", 'name: "=1+1"')
        .replace("category: 经常性专项业务费", 'category: "@SUM(A1)"')
        .replace("overview: 概况", 'overview: "-2+3"')
        .replace("      预算编制合理性: 合理\n", rows)
    )
    make_unit(tmp_path, {"01-a.yaml": spec, "02-b.yaml": spec.replace('name: "=1+1"', 'name: "+SUM(1)"')})
    summary, out = build(tmp_path)
    assert summary.failed == 0, summary.failures
    workbooks = sorted((out / "unit").glob("*.xlsx"))
    assert len(workbooks) == 3  # two projects and the unit's workbook (目录 + one sheet each)
    for path in workbooks:
        with zipfile.ZipFile(path) as archive:
            sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
            for name in sheets:
                root = etree.fromstring(archive.read(name))
                assert root.find(f".//{{{S}}}f") is None, f"a formula in {path.name}:{name}"
                for cell in root.iter(f"{{{S}}}c"):
                    text = "".join(cell.itertext())
                    if text.startswith(("=", "+", "-", "@")):
                        assert cell.get("t") in ("inlineStr", "s", "str"), (path.name, cell.get("r"), text)
        book = openpyxl.load_workbook(path)
        for ws in book.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                        assert cell.data_type == "s", (path.name, ws.title, cell.coordinate)
    single = openpyxl.load_workbook(out / "unit" / "01-a.xlsx").active
    assert single["B4"].value == "=1+1" and single["D4"].value == "@SUM(A1)"


# ----------------------------------------------------------------------------- output names


HOSTILE_UNIT_NAMES = [
    "../../../逃逸",
    "/etc/cron.d/x",
    "C:\\Windows\\System32\\x",
    "..",
    ".",
    "NUL",
    "com1.txt",
    "LPT9",
    "a/../../b",
    "名" * 200,
    "tab\tnew\nline",
    "\u202etxt.exe",
    " . ",
    "\\\\server\\share",
]


def test_output_names_cannot_escape_the_output_folder(tmp_path: Path) -> None:
    for index, unit_name in enumerate(HOSTILE_UNIT_NAMES):
        defaults = SHANGHAI_DEFAULTS.replace("name: 上海市人民检察院第一分院", f"name: {_quoted(unit_name)}")
        make_unit(tmp_path, {"01-a.yaml": SHANGHAI_SPEC}, defaults, name=f"u{index:02d}")
    for index, filename in enumerate(["CON.yaml", "aux.yaml", "x. .yaml", "x..yaml", "a:b.yaml", f"{'长' * 80}.yaml"]):
        make_unit(tmp_path, {filename: SHANGHAI_SPEC}, name=f"f{index:02d}")
    hostile_dirs = ["a. .", "NUL", "-rf", "ＣＯＮ", "prn.d"]
    for dirname in hostile_dirs:
        make_unit(tmp_path, {"01-a.yaml": SHANGHAI_SPEC}, name=dirname)
    summary, out = build(tmp_path)
    assert summary.failed == 0, summary.failures
    assert files_outside(tmp_path, out) == []
    written = [p for p in out.rglob("*") if p.suffix in (".docx", ".xlsx")]
    assert len(written) == 4 * (len(HOSTILE_UNIT_NAMES) + 6 + len(hostile_dirs))
    reserved = re.compile(r"^(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])(\..*)?$", re.I)
    for path in written:
        relative = path.relative_to(out)
        for part in relative.parts:
            assert part not in ("", ".", "..") and not part.endswith((".", " ")), relative
            assert not reserved.match(part), relative
            assert not any(c in part for c in '<>:"/\\|?*') and not any(ord(c) < 32 for c in part), relative
            assert len(part.encode("utf-8")) <= MAX_NAME_BYTES + len(".docx"), relative


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n") + '"'


# ----------------------------------------------------------------------------- YAML bounds


def _billion_laughs() -> str:
    lines = ['lol0: &l0 "lol"']
    lines += [f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 10)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (_billion_laughs(), "alias-bomb"),
        (SHANGHAI_SPEC + "extra: " + "[" * 10_000 + "]" * 10_000 + "\n", "too-deep"),
        (SHANGHAI_SPEC + "extra: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n", "too-deep"),
        (SHANGHAI_SPEC + "extra:\n" + "".join(" " * (2 * k) + f"k{k}:\n" for k in range(1, 400)), "too-deep"),
        (SHANGHAI_SPEC + "extra: &x [*x]\n", "alias-loop"),
        (SHANGHAI_SPEC + "extra: &y {a: [1, *y]}\n", "alias-loop"),
        (SHANGHAI_SPEC + "extra: &z {<<: *z}\n", "alias-loop"),
    ],
    ids=["billion-laughs", "deep-flow-list", "deep-flow-map", "deep-block", "loop-list", "loop-map", "loop-merge"],
)
def test_yaml_aliases_and_depth_are_bounded(tmp_path: Path, content: str, code: str) -> None:
    make_unit(tmp_path, {"01-a.yaml": content})
    started = time.perf_counter()
    found = [d for d in check([tmp_path / "specs"]).diagnostics if d.is_error]
    summary, out = build(tmp_path)
    assert time.perf_counter() - started < 10
    assert [d.code for d in found] == [code], [d.format() for d in found]
    assert found[0].path.endswith("01-a.yaml") and found[0].line >= 1
    assert summary.failed == 1 and not list(out.rglob("*.docx"))


# ----------------------------------------------------------------------------- hostile template packages


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _bomb() -> bytes:
    """Return a zip whose one entry inflates to MAX_UNCOMPRESSED + 1 MB of zeros (about 200 KB)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("word/document.xml", "w") as f:
        chunk = bytes(1024 * 1024)
        for _ in range(MAX_UNCOMPRESSED // len(chunk) + 1):
            f.write(chunk)
    return buffer.getvalue()


def _lying_sizes(blob: bytes) -> bytes:
    """Return ``blob`` with every declared size set to 10 bytes (the data is much larger)."""
    data = bytearray(blob)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            data[start + offset : start + offset + 4] = (10).to_bytes(4, "little")
            start += 4
    return bytes(data)


def _bad_crc(blob: bytes) -> bytes:
    """Return ``blob`` with the CRC of every entry changed (local header and central directory)."""
    data = bytearray(blob)
    for signature, offset in ((b"PK\x03\x04", 14), (b"PK\x01\x02", 16)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            data[start + offset] ^= 0xFF
            start += 4
    return bytes(data)


def _method(blob: bytes, method: int) -> bytes:
    """Return ``blob`` with every entry's compression method set to ``method``."""
    data = bytearray(blob)
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            data[start + offset : start + offset + 2] = method.to_bytes(2, "little")
            start += 4
    return bytes(data)


def _hostile_templates() -> Iterator[tuple[str, bytes, str]]:
    good = (jurisdictions.builtin_dir() / "shanghai" / "table.docx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    yield "bomb", _bomb(), "拒绝读取"
    yield "many-entries", _zip({f"x/{i}.xml": b"" for i in range(MAX_ENTRIES + 1)}), "超过上限"
    yield "dot-dot", _zip({**parts, "../../evil.xml": b"<x/>"}), "不安全的部件路径"
    yield "absolute", _zip({**parts, "/etc/evil.xml": b"<x/>"}), "不安全的部件路径"
    yield "drive", _zip({**parts, "C:/evil.xml": b"<x/>"}), "不安全的部件路径"
    yield "backslash", _zip({**parts, "\\evil.xml": b"<x/>"}), "不安全的部件路径"
    yield "lying-sizes", _lying_sizes(_zip({"word/document.xml": b"<x/>" * 10_000})), "已损坏"
    yield "bad-crc", _bad_crc(_zip(parts)), "已损坏"
    yield "unknown-method", _method(_zip(parts), 99), "已损坏"
    yield "not-a-zip", b"PK\x03\x04 this is not a zip", "不是有效的 Office 文件"
    yield "no-document", _zip({"[Content_Types].xml": b"<Types/>"}), "不是 Word 文档"


@pytest.mark.parametrize(("blob", "message"), [(b, m) for _, b, m in _hostile_templates()],
                         ids=[n for n, _, _ in _hostile_templates()])  # fmt: skip
def test_hostile_template_package_is_refused_with_a_clear_error(tmp_path: Path, blob: bytes, message: str) -> None:
    folder = override(tmp_path)
    (folder / "table.docx").write_bytes(blob)
    make_unit(tmp_path, {"01-a.yaml": SHANGHAI_SPEC})
    started = time.perf_counter()
    summary, out = build(tmp_path)
    assert time.perf_counter() - started < 30
    failures = [f for f in summary.failures if "01-a.docx" in f]
    assert failures and message in failures[0], summary.failures
    assert "table.docx" in failures[0]
    assert (out / "unit" / "01-a.xlsx").is_file()  # the Excel template is fine
    assert not (out / "unit" / "01-a.docx").exists()
    assert not list(tmp_path.rglob("evil.xml")) and not Path("/etc/evil.xml").exists()
    with pytest.raises(TemplateError, match=message):
        read_parts(blob, what="模板") if message != "不是 Word 文档" else _compile(folder)


def _compile(folder: Path) -> None:
    from sheetgen.render.docx import DocxTemplate

    DocxTemplate(str(folder / "table.docx"), (folder / "table.docx").read_bytes())


# ----------------------------------------------------------------------------- XML entities


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'<!ENTITY leak "NETWORK-LEAK">')

    def log_message(self, *args: object) -> None: ...


@pytest.fixture
def http_server() -> Iterator[str]:
    """Return the base URL of a local HTTP server that records every request."""
    _Recorder.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
@pytest.mark.parametrize("which", ["file", "network", "parameter", "laughs"])
def test_xml_entities_in_a_template_part_are_not_resolved(
    tmp_path: Path, http_server: str, kind: str, which: str
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-FILE-CONTENT", encoding="utf-8")
    dtd = {
        "file": f'<!DOCTYPE x [<!ENTITY e SYSTEM "{secret.as_uri()}"><!ENTITY p SYSTEM "file:///etc/passwd">]>',
        "network": f'<!DOCTYPE x [<!ENTITY e SYSTEM "{http_server}/entity"><!ENTITY p "x">]>',
        "parameter": f'<!DOCTYPE x [<!ENTITY % d SYSTEM "{http_server}/dtd"> %d; <!ENTITY e "x"><!ENTITY p "x">]>',
        "laughs": "<!DOCTYPE x [<!ENTITY p0 'ha'>"
        + "".join(f"<!ENTITY p{i} '{f'&p{i - 1};' * 10}'>" for i in range(1, 10))
        + "<!ENTITY e '&p9;'><!ENTITY p '&p9;'>]>",
    }[which]
    folder = override(tmp_path)

    def change(xml: bytes) -> bytes:
        head, sep, rest = xml.partition(b"?>") if xml.startswith(b"<?xml") else (b"", b"", xml)
        rest = rest.replace(b"{{ project.name }}", b"{{ project.name }}&e;&p;", 1)
        return head + sep + dtd.encode() + rest

    rewrite_part(folder / f"table.{kind}", PART[kind], change)
    make_unit(tmp_path, {"01-a.yaml": SHANGHAI_SPEC})
    started = time.perf_counter()
    summary, out = build(tmp_path)
    assert time.perf_counter() - started < 30
    assert _Recorder.hits == [], "the template made sheetgen fetch a URL"
    written = out / "unit" / f"01-a.{kind}"
    if written.exists():  # the entity references are dropped
        assert written.stat().st_size < 1024 * 1024
        text = all_text(written)
        assert "SECRET-FILE-CONTENT" not in text and "root:" not in text and "NETWORK-LEAK" not in text
        assert "hahahaha" not in text
        assert "<!DOCTYPE" not in text and "<!ENTITY" not in text
    else:  # or the template is refused with a clear error
        failure = next(f for f in summary.failures if f"01-a.{kind}" in f)
        assert "生成失败" in failure and "table" in failure and "SECRET" not in failure and "root:" not in failure


def test_secret_is_readable_so_the_entity_test_means_something(tmp_path: Path) -> None:
    """The entity tests are meaningful only if a resolving parser WOULD leak: check that one does."""
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-FILE-CONTENT", encoding="utf-8")
    xml = f'<!DOCTYPE x [<!ENTITY e SYSTEM "{secret.as_uri()}">]><x>&e;</x>'.encode()
    resolving = etree.XMLParser(resolve_entities=True, load_dtd=True, no_network=True)
    assert etree.fromstring(xml, resolving).text == "SECRET-FILE-CONTENT"
    assert os.access(secret, os.R_OK)


def test_tianjin_spec_with_script_like_text_builds_too(tmp_path: Path) -> None:
    spec = TIANJIN_SPEC.replace("用于司法救助", "<script>alert(1)</script>&amp;&#x41;]]>")
    make_unit(tmp_path, {"01-t.yaml": spec}, TIANJIN_DEFAULTS)
    summary, out = build(tmp_path)
    assert summary.failed == 0, summary.failures
    ws = openpyxl.load_workbook(out / "unit" / "01-t.xlsx").active
    assert ws["C7"].value == "<script>alert(1)</script>&amp;&#x41;]]>"
    assert Document(str(out / "unit" / "01-t.docx")).tables[0].rows[4].cells[2].text == ws["C7"].value
