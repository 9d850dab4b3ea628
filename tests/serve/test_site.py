"""What the preview shows, without a server: statuses, diagnostics in place, refreshes, escaping."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from sheetgen.errors import Diagnostic, Severity
from sheetgen.serve import pages
from sheetgen.serve.downloads import Downloads
from sheetgen.serve.marks import find_marks
from sheetgen.serve.site import Preview, Snapshot
from tests.conftest import REPO, SHANGHAI_SPEC


def view(snapshot: Snapshot, output: Path) -> pages.View:
    return pages.View(snapshot, Downloads(snapshot, output, pdf=False), pdf=False)


@pytest.fixture
def specs(unit_dir: Callable[..., Path]) -> Path:
    unit_dir(specs={"01-a.yaml": SHANGHAI_SPEC, "02-b.yaml": SHANGHAI_SPEC.replace("检察业务保障费", "第二个项目")})
    return unit_dir(name="other").parent


def test_index_lists_units_and_projects_in_build_order_with_status(specs: Path, tmp_path: Path) -> None:
    (specs / "other" / "01-a.yaml").write_text(SHANGHAI_SPEC.replace("预算执行率: =100%", "预算执行率:"),
                                               encoding="utf-8")
    snapshot = Preview(specs).refresh()
    assert [u.key for u in snapshot.units] == ["other", "unit"]
    assert [(p.key, p.status.kind) for p in snapshot.units[1].projects] == [("unit/01-a.yaml", "ready"),
                                                                            ("unit/02-b.yaml", "ready")]
    other = snapshot.projects["other/01-a.yaml"]
    assert other.status.text == "1 条警告" and other.ok
    html = pages.index_page(view(snapshot, tmp_path / "out"))
    assert html.index("other/01-a.yaml") < html.index("unit/01-a.yaml") < html.index("unit/02-b.yaml")
    assert "第二个项目" in html and "1 条警告" in html and "上海市人民检察院第一分院" in html


def test_a_yaml_error_gets_a_page_with_its_line_and_the_others_still_work(specs: Path, tmp_path: Path) -> None:
    broken = specs / "unit" / "02-b.yaml"
    broken.write_text(SHANGHAI_SPEC.replace("category: 经常性专项业务费", "category: [经常性专项业务费"),
                      encoding="utf-8")
    snapshot = Preview(specs).refresh()
    page = snapshot.projects["unit/02-b.yaml"]
    assert page.status.errors and not page.ok and page.document is None
    first = page.diagnostics[0]
    assert first.path.endswith("02-b.yaml") and first.line >= 2
    excerpt = page.excerpts[0]
    assert excerpt is not None and first.line in dict(excerpt.lines)
    html = pages.project_page(view(snapshot, tmp_path / "out"), page)
    assert f"02-b.yaml:{first.line}:{first.col}" in html and "[经常性专项业务费" in html
    assert "还不能生成表格" in html and "不能下载" in html
    assert snapshot.projects["unit/01-a.yaml"].document is not None
    assert snapshot.by_unit["unit"].blockers == (page,)


def test_an_edit_reads_again_only_what_it_feeds(specs: Path) -> None:
    preview = Preview(specs)
    before = preview.refresh()
    spec = specs / "unit" / "01-a.yaml"
    spec.write_text(SHANGHAI_SPEC.replace("检察业务保障费", "改过的名称"), encoding="utf-8")
    after = preview.refresh([spec])
    assert after.version == before.version + 1
    assert after.projects["unit/01-a.yaml"].title == "改过的名称"
    assert after.projects["unit/02-b.yaml"] is before.projects["unit/02-b.yaml"]
    assert after.projects["other/01-a.yaml"] is before.projects["other/01-a.yaml"]
    cells = [c.text for t in after.projects["unit/01-a.yaml"].document.tables for r in t.rows for c in r.cells]
    assert "改过的名称" in cells


def test_defaults_and_new_blocks_read_every_spec_again(specs: Path) -> None:
    preview = Preview(specs)
    before = preview.refresh()
    defaults = specs / "unit" / "_defaults.yaml"
    defaults.write_text(defaults.read_text(encoding="utf-8").replace("第一分院", "第二分院"), encoding="utf-8")
    after = preview.refresh([defaults])
    assert after.by_unit["unit"].name == "上海市人民检察院第二分院"
    assert after.projects["unit/02-b.yaml"] is not before.projects["unit/02-b.yaml"]
    block = specs / "_blocks" / "new.yaml"
    block.parent.mkdir()
    block.write_text("a: b\n", encoding="utf-8")
    again = preview.refresh([block])
    assert all(again.projects[k] is not after.projects[k] for k in after.projects), "an unknown file: read all"


def test_an_edited_jurisdiction_changes_the_table(tmp_path: Path) -> None:
    shutil.copytree(REPO / "specs" / "sh-yifenyuan-2020", tmp_path / "specs" / "sh-yifenyuan-2020")
    own = tmp_path / "templates" / "shanghai"
    shutil.copytree(REPO / "templates" / "shanghai", own)
    preview = Preview(tmp_path / "specs")
    key = "sh-yifenyuan-2020/04-检察业务保障费.yaml"

    def amounts() -> list[str]:
        document = preview.snapshot.projects[key].document
        assert document is not None
        return [c.text for c in document.tables[0].rows[-1].cells]

    preview.refresh()
    assert "704,000" in amounts()
    description = own / "jurisdiction.yaml"
    description.write_text(description.read_text(encoding="utf-8").replace('"#,##0"', '"#,##0.00"'), encoding="utf-8")
    preview.refresh([description])
    assert "704,000.00" in amounts()


def test_an_error_after_a_good_table_keeps_the_last_good_one_marked_as_old(specs: Path, tmp_path: Path) -> None:
    preview = Preview(specs)
    good = preview.refresh().projects["unit/01-a.yaml"].document
    spec = specs / "unit" / "01-a.yaml"
    spec.write_text(SHANGHAI_SPEC.replace("budget:\n  total: 100000", "budget:\n  total: 很多"), encoding="utf-8")
    snapshot = preview.refresh([spec])
    page = snapshot.projects["unit/01-a.yaml"]
    assert page.document is None and page.last_good is good
    html = pages.project_page(view(snapshot, tmp_path / "out"), page)
    assert "最后一次没有错误时的表格" in html and 'class="paper stale"' in html


def test_spec_text_is_shown_as_text(specs: Path, tmp_path: Path) -> None:
    spec = specs / "unit" / "01-a.yaml"
    spec.write_text(SHANGHAI_SPEC.replace("overview: 概况", 'overview: "<script>alert(1)</script><b>粗</b>"')
                    .replace("救助对象满意度", "<img src=x onerror=alert(2)>"), encoding="utf-8")
    snapshot = Preview(specs).refresh()
    page = snapshot.projects["unit/01-a.yaml"]
    html = pages.project_page(view(snapshot, tmp_path / "out"), page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;粗&lt;/b&gt;" in html
    assert "<script>alert" not in html and "<img" not in html and "<b>粗" not in html
    part = pages.project_page(view(snapshot, tmp_path / "out"), page, part=True)
    assert part.startswith('<div id="main-part"') and "&lt;script&gt;" in part and "<script>alert" not in part


def test_diagnostics_are_marked_on_their_cells(specs: Path) -> None:
    spec = specs / "unit" / "01-a.yaml"
    spec.write_text(SHANGHAI_SPEC.replace("预算执行率: =100%", "预算执行率:"), encoding="utf-8")
    page = Preview(specs).refresh().projects["unit/01-a.yaml"]
    assert page.document is not None and [d.code for d in page.diagnostics] == ["empty-value"]
    tables = page.document.tables
    marked = {tables[t].rows[r].cells[c].text for (t, r, c) in page.marks}
    assert marked == {"预算执行率", ""}, "the indicator's name and its empty value, not its groups"
    header = Diagnostic(page.spec.display, 2, 1, "x", Severity.WARNING, "m", "项目类别", "category")
    places = find_marks(page.document, [header])
    assert {tables[t].rows[r].cells[c].text for (t, r, c) in places} == {"项目类别：", "经常性专项业务费"}


def test_a_spec_linked_from_outside_keeps_its_place(specs: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(SHANGHAI_SPEC.replace("检察业务保障费", "链接的项目"), encoding="utf-8")
    (specs / "unit" / "03-link.yaml").symlink_to(outside)
    snapshot = Preview(specs).refresh()
    assert snapshot.projects["unit/03-link.yaml"].title == "链接的项目"
