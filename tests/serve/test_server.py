"""The real ``sheetgen serve`` over HTTP: pages, downloads that are current or refused, safety, stopping."""

from __future__ import annotations

import hashlib
import io
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import docx
import openpyxl
import pytest

from tests.conftest import REPO
from tests.libreoffice import needs_pdftotext, needs_soffice, pdf_text
from tests.serve.served import Served

pytestmark = pytest.mark.slow

UNIT = "sh-yifenyuan-2020"
SPEC = "04-检察业务保障费"
NAME = "检察业务保障费"


def tree(folder: Path) -> dict[str, tuple[str, int]]:
    """Return every file under ``folder`` with its digest and modification time."""
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Path]]:
    base = tmp_path_factory.mktemp("serve")
    shutil.copytree(REPO / "specs", base / "specs")
    before = tree(base / "specs")
    served = Served(base / "specs", base / "output")
    yield served, base
    served.stop()
    # every test below edits a spec and puts it back: serve itself never writes there
    assert {k: v[0] for k, v in tree(base / "specs").items()} == {k: v[0] for k, v in before.items()}


def wait_for(served: Served, path: str, text: str, timeout: float = 10.0) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        status, _headers, body = served.get(path)
        if text.encode() in body:
            return body
        assert time.monotonic() < deadline, f"{path} never showed {text!r} (status {status})"
        time.sleep(0.05)


def url(kind: str, *parts: str) -> str:
    return f"/{kind}/" + quote("/".join(parts))


def test_index_and_a_project_page(site: tuple[Served, Path]) -> None:
    served, _base = site
    status, headers, body = served.get("/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in headers["content-security-policy"], "no inline or injected script runs"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    status, headers, script = served.get("/live.js")
    assert status == 200 and b"EventSource" in script
    html = body.decode()
    assert html.count('class="project ') == 24
    status, _headers, body = served.get(url("p", UNIT, f"{SPEC}.yaml"))
    assert status == 200 and NAME in body.decode()
    assert served.get(url("u", UNIT))[0] == 200


@pytest.mark.parametrize("path", [
    "/d/../../../../etc/passwd",
    "/d/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/d/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/d/%252e%252e/%252e%252e/etc/passwd",
    "/d//etc/passwd",
    "/d/" + quote(f"{UNIT}/../../specs/{UNIT}/{SPEC}.yaml"),
    "/d/" + quote(f"{UNIT}/{SPEC}.yaml"),
    "/d/" + quote(".sheetgen-manifest.json"),
    "/p/..%2F..%2F..%2Fetc%2Fpasswd",
    "/p/" + quote(f"{UNIT}/../../../etc/passwd"),
    "/p/..%5c..%5c..%5cetc%5cpasswd",
    "/u/..",
    "/../../etc/passwd",
    "/static/../../etc/passwd",
])
def test_nothing_outside_is_served(site: tuple[Served, Path], path: str) -> None:
    served, _base = site
    status, _headers, body = served.get(path)
    assert status in (400, 404)
    assert b"root:" not in body and b"budget:" not in body and b"fingerprint" not in body


def test_another_host_name_is_refused(site: tuple[Served, Path]) -> None:
    served, _base = site
    status, _headers, body = served.get("/", {"Host": "evil.example"})
    assert status == 400 and "本机" in body.decode()


def test_downloads_open_and_the_combined_one_holds_every_project(site: tuple[Served, Path]) -> None:
    served, _base = site
    status, headers, body = served.get(url("d", UNIT, f"{SPEC}.docx"))
    assert status == 200 and "attachment" in headers["content-disposition"]
    text = "\n".join(cell.text for table in docx.Document(io.BytesIO(body)).tables for row in table.rows
                     for cell in row.cells)
    assert NAME in text
    status, _headers, body = served.get(url("d", UNIT, f"{SPEC}.xlsx"))
    assert status == 200 and openpyxl.load_workbook(io.BytesIO(body)).sheetnames
    projects = len(list((REPO / "specs" / UNIT).glob("[!_]*.yaml")))
    status, _headers, body = served.get(url("d", UNIT, "汇总-上海市人民检察院第一分院.xlsx"))
    assert status == 200
    assert len(openpyxl.load_workbook(io.BytesIO(body)).sheetnames) >= projects


@needs_soffice
@needs_pdftotext
def test_the_pdf_is_made_when_downloaded(site: tuple[Served, Path], tmp_path: Path) -> None:
    served, _base = site
    status, headers, body = served.get(url("d", UNIT, f"{SPEC}.pdf"))
    assert status == 200, body.decode(errors="replace")
    assert headers["content-type"] == "application/pdf" and body.startswith(b"%PDF")
    (tmp_path / "x.pdf").write_bytes(body)
    assert NAME in pdf_text(tmp_path / "x.pdf")


def test_a_download_right_after_an_edit_is_the_new_file(site: tuple[Served, Path]) -> None:
    served, base = site
    spec = base / "specs" / UNIT / f"{SPEC}.yaml"
    original = spec.read_text(encoding="utf-8")
    try:
        spec.write_text(original.replace(f"name: {NAME}", "name: 刚改的名称"), encoding="utf-8")
        wait_for(served, url("p", UNIT, f"{SPEC}.yaml"), "刚改的名称")
        status, _headers, body = served.get(url("d", UNIT, f"{SPEC}.docx"))
        assert status == 200
        text = "\n".join(c.text for t in docx.Document(io.BytesIO(body)).tables for r in t.rows for c in r.cells)
        assert "刚改的名称" in text
    finally:
        spec.write_text(original, encoding="utf-8")
        wait_for(served, url("p", UNIT, f"{SPEC}.yaml"), f"<h1 class=\"screen\">{NAME}")


def test_a_spec_with_errors_blocks_its_files_and_its_units_summary(site: tuple[Served, Path]) -> None:
    served, base = site
    spec = base / "specs" / UNIT / f"{SPEC}.yaml"
    original = spec.read_text(encoding="utf-8")
    try:
        spec.write_text(original.replace("start_date:", "start_date: [", 1), encoding="utf-8")
        wait_for(served, url("p", UNIT, f"{SPEC}.yaml"), "个错误")
        status, _headers, body = served.get(url("d", UNIT, f"{SPEC}.docx"))
        assert status == 409 and "有错误" in body.decode()
        status, _headers, body = served.get(url("d", UNIT, "汇总-上海市人民检察院第一分院.docx"))
        assert status == 409 and NAME in body.decode(), "the message names the project that blocks the 汇总"
        assert served.get(url("d", UNIT, "05-检察业务工作费.docx"))[0] == 200, "the others still download"
    finally:
        spec.write_text(original, encoding="utf-8")
        wait_for(served, url("p", UNIT, f"{SPEC}.yaml"), "可以生成")


def test_port_in_use_is_a_clear_message(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run([sys.executable, "-m", "sheetgen", "serve", str(tmp_path / "specs"), "--port", str(port)],
                             cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert f"端口 {port} 已被占用" in run.stderr and "--port" in run.stderr
    assert "Traceback" not in run.stderr and "Errno" not in run.stderr


def test_ctrl_c_stops_cleanly_and_another_host_is_warned_about(tmp_path: Path) -> None:
    shutil.copytree(REPO / "specs" / UNIT, tmp_path / "specs" / UNIT)
    served = Served(tmp_path / "specs", tmp_path / "output", "--host", "0.0.0.0")
    deadline = time.monotonic() + 5
    while "其他电脑也能打开" not in served.stderr:
        assert time.monotonic() < deadline, served.stderr
        time.sleep(0.05)
    assert served.get("/", {"Host": "192.0.2.1"})[0] == 200, "--host given: other names are fine"
    assert served.stop() == 0
    assert "已停止预览" in served.stderr and "Traceback" not in served.stderr
    assert "INFO" not in served.stderr and "Uvicorn" not in served.stderr, "no English from the server library"
