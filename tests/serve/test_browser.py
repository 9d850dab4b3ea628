"""``sheetgen serve`` in a real browser: Debian's Chromium driven through Playwright.

One server and one browser for the module.  Skipped, with the reason, where
Chromium or Playwright is missing (``.ci/run`` installs chromium with apt).
A screenshot of a project page is kept in build/test-artifacts/.
"""

from __future__ import annotations

import io
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import docx
import openpyxl
import pytest
import yaml

from tests.conftest import REPO
from tests.libreoffice import needs_pdftotext, pdf_text
from tests.serve.served import Served

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "build" / "test-artifacts"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]
LIVE_LIMIT_MS = 1000  # an edit shows in the open page within one second
UNIT = "sh-yifenyuan-2020"
SPEC = "04-检察业务保障费"

# every td of the page's tables with its place on the table grid (rows and columns as HTML lays them out)
GRID_JS = """
() => Array.from(document.querySelectorAll('.paper table')).map((table) => {
  const taken = [];
  const cells = [];
  Array.from(table.rows).forEach((tr, r) => {
    let col = 0;
    Array.from(tr.cells).forEach((td) => {
      while ((taken[r] || [])[col]) col++;
      for (let dr = 0; dr < td.rowSpan; dr++)
        for (let dc = 0; dc < td.colSpan; dc++) (taken[r + dr] = taken[r + dr] || [])[col + dc] = true;
      cells.push({text: td.innerText.trim(), row: r, col: col, rowspan: td.rowSpan, colspan: td.colSpan,
                  head: tr.parentElement.tagName === 'THEAD'});
      col += td.colSpan;
    });
  });
  return cells;
})
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright = pytest.importorskip("playwright.sync_api", reason="Playwright 未安装（pip install playwright）")
    if not CHROMIUM.is_file():
        pytest.skip(f"没有 Chromium（{CHROMIUM}）；.ci/run 用 apt 安装 chromium chromium-driver")
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Path]]:
    base = tmp_path_factory.mktemp("browser")
    shutil.copytree(REPO / "specs", base / "specs")
    served = Served(base / "specs", base / "output")
    yield served, base
    assert served.stop() == 0


@pytest.fixture
def page(browser: Any, site: tuple[Served, Path]) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    opened = context.new_page()
    yield opened
    context.close()


def project_url(served: Served, unit: str, spec: str) -> str:
    return f"{served.url}/p/" + quote(f"{unit}/{spec}.yaml")


def seed_specs() -> list[Path]:
    return sorted(p for p in (REPO / "specs").glob("*/[!_]*.yaml"))


def wait_text(page: Any, text: str, timeout: float, *, shown: bool = True) -> float:
    """Return the seconds until ``text`` is (or, ``shown=False``, is no longer) in the page's main part.

    Polled from here: the pages' Content-Security-Policy forbids the eval Playwright's
    wait_for_function uses, as it forbids any script a spec might smuggle in."""
    start = time.monotonic()
    while (text in page.evaluate("document.getElementById('main').innerText")) != shown:
        assert time.monotonic() - start < timeout, f"{text!r} {'never showed' if shown else 'stayed'}"
        time.sleep(0.01)
    return time.monotonic() - start


def open_live(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#live.on", timeout=10_000)


def test_index_lists_every_seed_project(page: Any, site: tuple[Served, Path]) -> None:
    served, _base = site
    open_live(page, served.url + "/")
    links = page.eval_on_selector_all("tr.project a", "els => els.map(a => [a.innerText, a.getAttribute('href')])")
    expected = [(yaml.safe_load(p.read_text(encoding="utf-8"))["name"], "/p/" + quote(f"{p.parent.name}/{p.name}"))
                for p in seed_specs()]
    assert [tuple(link) for link in links] == expected
    statuses = page.eval_on_selector_all("tr.project .badge", "els => els.map(e => e.innerText)")
    assert statuses.count("可以生成") == len(expected) - 1 and "1 条警告" in statuses


def test_every_project_page_spans_its_level1_and_level2_rows(page: Any, site: tuple[Served, Path]) -> None:
    served, _base = site
    for spec in seed_specs():
        tree = yaml.safe_load(spec.read_text(encoding="utf-8"))["indicators"]
        page.goto(project_url(served, spec.parent.name, spec.stem))
        tables = page.evaluate(GRID_JS)
        table = next(t for t in tables if any(c["head"] for c in t) and
                     {c["text"] for c in t if c["col"] == 0} >= set(tree))
        body = [c for c in table if not c["head"]]
        for level1, groups in tree.items():
            cells = [c for c in body if c["col"] == 0 and c["text"] == level1]
            assert sum(c["rowspan"] for c in cells) == sum(len(rows) for rows in groups.values()), (spec.name, level1)
            first, last = min(c["row"] for c in cells), max(c["row"] + c["rowspan"] for c in cells)
            for level2, rows in groups.items():
                inside = [c for c in body if c["col"] == 1 and c["text"] == str(level2) and first <= c["row"] < last]
                assert sum(c["rowspan"] for c in inside) == len(rows), (spec.name, level1, level2)


def test_an_edit_shows_in_every_open_page_within_a_second_without_reload(
    browser: Any, page: Any, site: tuple[Served, Path]
) -> None:
    served, base = site
    spec = base / "specs" / UNIT / f"{SPEC}.yaml"
    original = spec.read_text(encoding="utf-8")
    index = page.context.new_page()
    open_live(index, served.url + "/")
    open_live(page, project_url(served, UNIT, SPEC))
    for opened in (page, index):
        opened.evaluate("window.__kept = 'not reloaded'")
    try:
        start = time.monotonic()
        spec.write_text(original.replace("name: 检察业务保障费", "name: 在浏览器里看到的新名称"), encoding="utf-8")
        for opened in (page, index):
            wait_text(opened, "在浏览器里看到的新名称", LIVE_LIMIT_MS / 1000 - (time.monotonic() - start))
        elapsed = time.monotonic() - start
        assert elapsed < LIVE_LIMIT_MS / 1000
        for opened in (page, index):
            assert opened.evaluate("window.__kept") == "not reloaded"
        print(f"\nedit to both pages: {elapsed * 1000:.0f} ms")
    finally:
        spec.write_text(original, encoding="utf-8")
        wait_text(page, "在浏览器里看到的新名称", 10, shown=False)


def test_a_yaml_error_shows_with_its_line_and_other_pages_still_work(page: Any, site: tuple[Served, Path]) -> None:
    served, base = site
    spec = base / "specs" / UNIT / f"{SPEC}.yaml"
    original = spec.read_text(encoding="utf-8")
    lines = original.splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("category:"))
    lines[number - 1] = "category: [经常性专项业务费\n"
    open_live(page, project_url(served, UNIT, SPEC))
    try:
        spec.write_text("".join(lines), encoding="utf-8")
        page.wait_for_selector(".diagnostics li.error", timeout=LIVE_LIMIT_MS)
        where = page.inner_text(".diagnostics li.error .where")
        assert where.startswith(f"specs/{UNIT}/{SPEC}.yaml:")
        line = int(where.split(":")[1])
        assert number <= line <= number + 2
        assert "[经常性专项业务费" in page.inner_text(".diagnostics pre.excerpt .hit") or \
            f"{line:4d} │" in page.inner_text(".diagnostics pre.excerpt")
        assert page.inner_text(".downloads").startswith("不能下载")
        other = page.context.new_page()
        open_live(other, project_url(served, UNIT, "05-检察业务工作费"))
        assert other.locator(".paper table").count() >= 2 and other.locator(".diagnostics li.error").count() == 0
    finally:
        spec.write_text(original, encoding="utf-8")
    page.wait_for_selector(".diagnostics li.error", state="detached", timeout=5000)
    assert page.locator(".paper.stale").count() == 0 and page.locator(".paper table").count() >= 2


def test_downloads_open_with_python_docx_and_openpyxl(page: Any, site: tuple[Served, Path]) -> None:
    served, _base = site
    open_live(page, project_url(served, UNIT, SPEC))
    files = {}
    for label in ("Word", "Excel"):
        with page.expect_download(timeout=60_000) as info:
            page.click(f".downloads a:text-is('{label}')")
        files[label] = Path(info.value.path()).read_bytes()
        assert info.value.suggested_filename.startswith(SPEC)
    cells = [c.text for t in docx.Document(io.BytesIO(files["Word"])).tables for r in t.rows for c in r.cells]
    assert "检察业务保障费" in cells
    workbook = openpyxl.load_workbook(io.BytesIO(files["Excel"]))
    values = {str(c.value) for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.value}
    assert "检察业务保障费" in values


def test_script_in_a_value_is_shown_as_text(page: Any, site: tuple[Served, Path]) -> None:
    served, base = site
    spec = base / "specs" / UNIT / f"{SPEC}.yaml"
    original = spec.read_text(encoding="utf-8")
    hostile = "<script>window.__ran = 1</script><img src=x onerror=\"window.__ran = 2\">"
    open_live(page, project_url(served, UNIT, SPEC))
    try:
        spec.write_text(original.replace("name: 检察业务保障费", f"name: '{hostile}'"), encoding="utf-8")
        wait_text(page, "window.__ran = 1", 5)
        assert page.evaluate("window.__ran") is None
        page.reload()
        page.wait_for_selector(".paper table")
        assert hostile in page.inner_text(".paper") and page.evaluate("window.__ran") is None
    finally:
        spec.write_text(original, encoding="utf-8")


@needs_pdftotext
def test_the_page_prints_the_table_only(page: Any, site: tuple[Served, Path], tmp_path: Path) -> None:
    served, _base = site
    open_live(page, project_url(served, UNIT, "09-信息化运维项目"))
    page.pdf(path=str(tmp_path / "printed.pdf"), format="A4")
    text = pdf_text(tmp_path / "printed.pdf")
    assert "系统综合故障率" in text and "信息化运维项目" in text
    assert "sheetgen预览" not in text and "empty-value" not in text and "下载" not in text


def test_screenshot_of_a_project_page(page: Any, site: tuple[Served, Path]) -> None:
    served, _base = site
    open_live(page, project_url(served, UNIT, "09-信息化运维项目"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / "serve-project.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000
