"""Printed pages (issue 13): what comes out of LibreOffice looks like the bureau's form.

Over the 48 single-project PDFs of the 24 seed projects (printed once per session
as ``build --pdf`` prints them, see conftest.py), read back word by word with
their positions (tests/clients/printed.py):

* no 二级 group is split over two pages, every page a 一级 or 二级 group prints on
  shows its label in its column, every indicator's name, value and description
  is found whole on the page of its row;
* no glyph comes from the Japanese face of Noto CJK, 宋体 text is drawn in a
  Chinese serif face, and the Word files declare zh-CN.

A stress unit -- long 三级 names, long values, a 二级 group longer than a page,
the table starting at three heights -- prints with no split group that fits on
a page and a label on every continued group.  Page 1 of each format of one
project per jurisdiction (and pages 1-2 of the stress project) are rendered to
PNG into an artifact folder (``$SHEETGEN_ARTIFACTS``, else the session's tmp)
for a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap
import zipfile
from pathlib import Path

import pytest

from sheetgen.build.runner import BuildOptions, run_build
from sheetgen.jurisdiction import Jurisdiction
from sheetgen.model import Project
from tests.clients.conftest import SOFFICE, SPEC_FILES, Converted, convert_all
from tests.clients.printed import PDFTOTEXT, embedded_faces, jp_glyphs, layout, squeeze
from tests.clients.test_clients_libreoffice import model_of
from tests.support import load_projects

PDFTOPPM = shutil.which("pdftoppm")
pytestmark = [
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed: .ci/run installs it"),
    pytest.mark.skipif(PDFTOTEXT is None or PDFTOPPM is None, reason="poppler-utils not installed"),
]
KINDS = ("docx", "xlsx")


def headers(jurisdiction: Jurisdiction) -> list[str]:
    """Return the header labels of the jurisdiction's indicator table, left to right."""
    labels = jurisdiction.description["level_labels"]
    return [labels["level1"], labels["level2"], *(str(c["label"]) for c in jurisdiction.indicator_columns)]


def pdf_of(converted: Converted, spec: Path, kind: str) -> Path:
    return converted.pdf(converted.output / spec.parent.name / f"{spec.stem}.{kind}")


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the folder the page images go to."""
    folder = os.environ.get("SHEETGEN_ARTIFACTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        return Path(folder)
    return tmp_path_factory.mktemp("print-pages")


def to_png(pdf: Path, stem: Path, last: int = 1) -> list[Path]:
    """Return PNGs of pages 1..``last`` of ``pdf`` at 70 dpi."""
    subprocess.run([str(PDFTOPPM), "-png", "-r", "70", "-f", "1", "-l", str(last), str(pdf), str(stem)],
                   check=True, capture_output=True, timeout=120)
    return sorted(stem.parent.glob(f"{stem.name}*.png"))


# ----------------------------------------------------------------------------- the seed projects


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("spec", SPEC_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_groups_stay_on_one_page_with_their_labels(converted: Converted, spec: Path, kind: str) -> None:
    project, jurisdiction = model_of(spec, converted.specs)
    found = layout(pdf_of(converted, spec, kind), project, headers(jurisdiction))
    assert found.groups == sum(len(c.groups) for c in project.indicators)
    assert found.split == [], "二级 groups split over pages"
    assert found.unlabeled == [], "pages where a group continues without its label"
    assert found.missing == [], "texts not found whole on the page of their row"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("spec", SPEC_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_chinese_faces(converted: Converted, spec: Path, kind: str) -> None:
    project, jurisdiction = model_of(spec, converted.specs)
    faces = embedded_faces(pdf_of(converted, spec, kind))
    assert jp_glyphs(faces) == [], "characters drawn with the Japanese glyph"
    # the sans face (黑体) draws the title line at most; the body (宋体) is drawn in a serif face
    title = jurisdiction.title + f"{project.number}.{project.name}"
    sans = {char for face in faces if "SansCJK" in face.name for char in face.glyphs}
    assert sans <= set(title), f"drawn in a sans face: {''.join(sorted(sans - set(title)))}"
    serif = {char for face in faces if "SerifCJK" in face.name for char in face.glyphs}
    names = {char for row in project.iter_rows() for char in row.name if char >= "\u2e80"}
    assert names - set(title) <= serif


@pytest.mark.parametrize("spec", SPEC_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_word_files_declare_chinese(converted: Converted, spec: Path) -> None:
    with zipfile.ZipFile(converted.output / spec.parent.name / f"{spec.stem}.docx") as docx:
        settings = docx.read("word/settings.xml").decode("utf-8")
        styles = docx.read("word/styles.xml").decode("utf-8")
        document = docx.read("word/document.xml").decode("utf-8")
    assert 'w:eastAsia="zh-CN"' in settings.split("themeFontLang", 1)[1].split("/>", 1)[0]
    assert 'w:eastAsia="zh-CN"' in styles.split("<w:docDefaults>", 1)[1].split("</w:docDefaults>", 1)[0]
    assert "Theme=" not in styles and "Theme=" not in document  # no theme fonts: WPS resolves them its own way
    runs = document.count("<w:r>") + document.count("<w:r ")
    assert runs and document.count("w:eastAsia=") >= runs  # every run names its Chinese face


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("unit", ["sh-yifenyuan-2020", "tj-xiqing-2025"])
def test_page_one_as_an_image(converted: Converted, unit: str, kind: str, artifacts: Path) -> None:
    spec = next(p for p in SPEC_FILES if p.parent.name == unit)
    (png,) = to_png(pdf_of(converted, spec, kind), artifacts / f"{unit}-{kind}-page")
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


# ----------------------------------------------------------------------------- the stress unit

# (一级, 二级, rows): 数量 is longer than a page; the others fit on one.
STRESS_TREE = (
    ("投入与管理", (("投入管理", 3), ("财务管理", 4), ("实施管理", 5), ("资产管理", 2))),
    ("产出目标", (("数量", 40), ("质量", 3), ("时效", 6), ("成本", 2))),
    ("效果目标", (("经济效益", 3), ("社会效益", 5), ("环境效益", 2), ("满意度", 4))),
    ("影响力目标", (("长效管理", 3), ("配套设施", 2), ("人力资源", 6), ("信息共享", 3), ("部门协助", 2))),
)
LONG_GROUP = "数量"
LONG_NAME = "第{n}项：关于办案场所信息化设备运行维护的及时性与有效性综合评价（含第三方测评）"
LONG_VALUE = "≥95%，且全年累计故障时长不超过48小时，重大故障须在2小时内响应并于24小时内修复完毕"


def stress_spec(overview_repeat: int, first_rows: int) -> str:
    """Return a Shanghai spec whose indicator table starts lower the longer its overview,
    its first 二级 group ``first_rows`` rows long (both move where the pages break)."""
    lines = [
        "name: 页面压力测试项目",
        "category: 经常性专项业务费",
        "start_date: 2020-01-01",
        "end_date: 2020-12-31",
        "government_purchase: false",
        "performance_type: 事业/专业类",
        "overview: " + "根据办案业务需要及资产管理的相关规定更新购置办案场所设施装备。" * overview_repeat,
        "basis: 依据", "necessity: 必要性", "safeguards: 措施", "plan: 计划", "goals: 目标",
        "budget: {total: 100000, current_year: 100000, last_year: 704000, last_year_spent: 704000}",
        "indicators:",
    ]
    for level1, groups in STRESS_TREE:
        lines.append(f"  {level1}:")
        for level2, count in groups:
            count = first_rows if level2 == STRESS_TREE[0][1][0][0] else count
            lines.append(f"    {level2}:")
            for i in range(count):
                name = f"{level2}{LONG_NAME.format(n=i + 1)}" if i % 3 == 0 else f"{level2}指标{i + 1}"
                value = LONG_VALUE if i % 2 == 0 else "≥95%"
                lines.append(f'      "{name}": "{value}"')
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def stress(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[tuple[Project, Path]], dict[Path, Path], str]:
    """Return the stress projects with their built files, and the PDFs of those files."""
    root = tmp_path_factory.mktemp("stress")
    unit = root / "specs" / "stress"
    unit.mkdir(parents=True)
    (unit / "_defaults.yaml").write_text(
        textwrap.dedent("""\
            jurisdiction: shanghai
            year: 2020
            unit:
              name: 上海市人民检察院第一分院
            """), encoding="utf-8")
    for number, (repeat, first_rows) in enumerate(((1, 3), (4, 1), (14, 6)), start=1):
        (unit / f"0{number}-stress.yaml").write_text(stress_spec(repeat, first_rows), encoding="utf-8")
    output = root / "output"
    summary = run_build(BuildOptions(paths=(root / "specs",), output=output, jobs=1))
    assert summary.failed == 0, summary.failures
    built = []
    for spec in sorted(unit.glob("0*.yaml")):
        (project,) = load_projects(spec)
        built += [(project, output / "stress" / f"{spec.stem}.{kind}") for kind in KINDS]
    pdfs, log = convert_all([path for _, path in built], root)
    return built, pdfs, log


def test_stress_pages_keep_groups_and_labels(stress: tuple[list[tuple[Project, Path]], dict[Path, Path], str],
                                             artifacts: Path) -> None:
    built, pdfs, log = stress
    from sheetgen import jurisdiction as jurisdictions

    labels = headers(jurisdictions.load("shanghai"))
    continued_in_table = 0
    for project, path in built:
        assert path in pdfs, f"LibreOffice made no PDF of {path.name}:\n{log[-2000:]}"
        found = layout(pdfs[path], project, labels, long_groups=frozenset({LONG_GROUP}))
        pages = sorted(set(found.row_pages))
        assert len(pages) >= 4, f"{path.name}: the stress table should fill several pages"
        assert found.split == [], f"{path.name}: groups that fit on a page were split"
        assert found.unlabeled == [], f"{path.name}: continued groups without their label"
        assert found.missing == [], f"{path.name}: texts cut off"
        rows = list(project.iter_rows())
        long_rows = [found.row_pages[i] for i, row in enumerate(rows) if row.level2.text == LONG_GROUP]
        assert len(set(long_rows)) >= 2, "the long 二级 group is longer than a page"
        pages_of = found.row_pages
        continued_in_table += sum(1 for i in range(1, len(rows))
                                  if rows[i].level1.text == rows[i - 1].level1.text and pages_of[i] != pages_of[i - 1])
        if path.stem.startswith("01"):
            to_png(pdfs[path], artifacts / f"stress-{path.suffix[1:]}-page", last=2)
    assert continued_in_table >= 6  # 一级 groups continue on new pages at several places


def test_stress_breaks_fall_at_different_rows(stress: tuple[list[tuple[Project, Path]], dict[Path, Path], str]) -> None:
    """Pages of the stress tables break before several different groups and inside the long
    one, and the three specs (tables starting at different heights, first groups of
    different sizes) do not all break alike: groups met the end of a page at several positions."""
    built, pdfs, _ = stress
    from sheetgen import jurisdiction as jurisdictions

    labels = headers(jurisdictions.load("shanghai"))
    patterns = set()
    for project, path in built:
        row_pages = layout(pdfs[path], project, labels, long_groups=frozenset({LONG_GROUP})).row_pages
        rows = list(project.iter_rows())
        starts = [i for i in range(1, len(rows)) if row_pages[i] != row_pages[i - 1]]
        before_groups = {rows[i].level2.text for i in starts if rows[i].level2.start}
        inside_long = [i for i in starts if rows[i].level2.text == LONG_GROUP and not rows[i].level2.start]
        assert len(before_groups) >= 3 and len(inside_long) >= 2, path.name
        patterns.add((path.suffix, tuple(rows[i].name for i in starts)))
    assert len(patterns) >= 4  # of 3 specs x 2 formats


# ----------------------------------------------------------------------------- the unit's contents


def layout_pages(pdf: Path) -> list[list[str]]:
    """Return the non-empty lines of each page (``pdftotext -layout``), whitespace removed."""
    done = subprocess.run([str(PDFTOTEXT), "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          timeout=120, check=True)
    pages = done.stdout.decode("utf-8").split("\f")
    return [[squeeze(line) for line in page.splitlines() if line.strip()] for page in pages if page.strip()]


@pytest.mark.parametrize("unit", sorted({p.parent.name for p in SPEC_FILES}))
def test_combined_document_contents_give_the_printed_pages(converted: Converted, unit: str) -> None:
    (combined,) = sorted((converted.output / unit).glob("汇总-*.docx"))
    pages = layout_pages(converted.pdf(combined))
    specs = sorted(p for p in SPEC_FILES if p.parent.name == unit)
    listed = {}
    for line in pages[0]:
        match = re.fullmatch(r"(\d+)\.(.+?)\.{3,}(\d+)", line)
        if match:
            listed[int(match.group(1))] = (match.group(2), int(match.group(3)))
    assert len(listed) == len(specs), pages[0]
    for spec in specs:
        project, _ = model_of(spec, converted.specs)
        name, page = listed[project.number]
        assert name == squeeze(project.name)
        heading = f"{project.number}.{squeeze(project.name)}"
        starts = [index + 1 for index, lines in enumerate(pages) if lines and lines[0].startswith(heading)]
        assert starts == [page], f"{heading}: listed on page {page}, printed on {starts}"
