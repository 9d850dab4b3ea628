"""Real-client check: every file a build of ``specs/`` writes opens in LibreOffice.

Once per test session the 24 seed specs are built (``run_build``, two jobs) and
every .docx and .xlsx -- 24 + 24 project files and the 3 + 3 combined files --
is converted to PDF by ONE ``soffice --headless --convert-to pdf`` call with a
private profile and the fontconfig file ``build --pdf`` uses
(tests/clients/conftest.py).  The tests then read each PDF back with ``pdftotext -raw``
(content-stream order, so the text of one table cell stays together; page
footers such as ``- 1 -`` are dropped and all whitespace removed) and look for
every header field, 一级/二级 name, indicator name, description and value of the
spec.  Page 1 of one project per jurisdiction is rendered to PNG (and to PGM,
whose ink is measured) in the test's tmp folder.

Skipped, with the packages to install, where LibreOffice or poppler is missing.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sheetgen.jurisdiction import Jurisdiction
from sheetgen.model import Project
from sheetgen.projects import to_project
from sheetgen.spec.files import discover, read_spec
from sheetgen.validation import Checker
from tests.clients.conftest import SPEC_FILES, UNITS, Converted

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
PDFTOPPM = shutil.which("pdftoppm")

pytestmark = [
    pytest.mark.skipif(
        SOFFICE is None,
        reason="LibreOffice (soffice) not installed: apt-get install libreoffice-writer-nogui "
        "libreoffice-calc-nogui fonts-noto-cjk (or run .ci/run as root)",
    ),
    pytest.mark.skipif(
        PDFTOTEXT is None or PDFTOPPM is None,
        reason="pdftotext/pdftoppm not installed: apt-get install poppler-utils",
    ),
]

KINDS = ("docx", "xlsx")
FOOTER = re.compile(r"^\s*-\s*\d+\s*-\s*$")
# Header keys that are not printed as themselves (the year is checked through its label line).
NOT_PRINTED = {("jurisdiction",), ("year",), ("number",), ("spec_version",), ("budget", "unit")}


def squeeze(text: str) -> str:
    """Return ``text`` without any whitespace."""
    return "".join(text.split())


def pdf_pages(pdf: Path) -> list[str]:
    """Return the text of each page of ``pdf`` (pdftotext -raw), without footer lines and whitespace."""
    result = subprocess.run(
        [str(PDFTOTEXT), "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, timeout=120, check=True
    )
    pages = result.stdout.decode("utf-8").split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return [squeeze("\n".join(ln for ln in page.splitlines() if not FOOTER.match(ln))) for page in pages]


def pdf_text(pdf: Path) -> str:
    """Return the whole text of ``pdf`` as one string (a cell split over two pages reads whole)."""
    return "".join(pdf_pages(pdf))


# ----------------------------------------------------------------------------- what a spec says


_checker = Checker()


def model_of(spec: Path, specs: Path) -> tuple[Project, Jurisdiction]:
    """Return the model and jurisdiction of the copy of ``spec`` under ``specs``."""
    found, _ = discover([specs])
    target = specs / spec.parent.name / spec.name
    spec_file = next(s for s in found if s.path == target)
    validated = _checker.validate(read_spec(spec_file))
    assert validated.ok and validated.jurisdiction is not None, [d.format() for d in validated.diagnostics]
    return to_project(validated), validated.jurisdiction


def printed(value: Any, jurisdiction: Jurisdiction) -> str:
    """Return how a header value looks on paper (amounts in the jurisdiction's number format)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        pattern = jurisdiction.money_format
        places = pattern.partition(".")[2].count("0")
        return f"{value:,.{places}f}" if "," in pattern else f"{value:.{places}f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def header_items(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Return every printed (path, leaf) of the header; list items one by one."""
    if path in NOT_PRINTED:
        return
    if isinstance(value, Mapping):
        for key, child in value.items():
            yield from header_items(child, (*path, str(key)))
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield path, item
    elif value is not None and value != "":
        yield path, value


def expected_texts(project: Project, jurisdiction: Jurisdiction) -> list[tuple[str, str]]:
    """Return (what, text) for everything of the project the printed table must show."""
    texts: list[tuple[str, str]] = []
    for path, value in header_items(project.header):
        texts.append((".".join(path), printed(value, jurisdiction)))
    targets = project.header.get("targets") or ()
    texts += [(f"targets.{i}", f"{i}.{t}") for i, t in enumerate(targets, 1)]
    year = project.header.get("year")
    if jurisdiction.name == "shanghai":
        texts += [("title", "财政项目支出绩效目标表"), ("year", f"（{year}年度）")]
        texts += [("unit line", f"申报单位名称：{project.header['unit']['name']}")]
        texts += [("indicator title", f"{year}年绩效目标")]
    else:
        texts += [("title", f"{project.number}.{project.name}绩效目标表"), ("money unit", "单位：万元")]
    for index, row in enumerate(project.iter_rows(), 1):
        texts += [(f"row {index} 一级", row.level1.text), (f"row {index} 二级", row.level2.text)]
        texts += [(f"row {index} name", row.name)]
        texts += [(f"row {index} {k}", v) for k, v in (("description", row.description), ("value", row.value)) if v]
    texts += [(f"column {c['label']}", c["label"]) for c in jurisdiction.indicator_columns]
    return [(what, squeeze(text)) for what, text in texts if squeeze(text)]


# ----------------------------------------------------------------------------- tests


def test_every_built_file_converts(converted: Converted) -> None:
    built = sorted(p for p in converted.output.rglob("*") if p.suffix in (".docx", ".xlsx"))
    assert len(built) == len(SPEC_FILES) * 2 + len(UNITS) * 2  # 24 + 24 + 3 + 3
    missing = [p.relative_to(converted.output).as_posix() for p in built if p not in converted.pdfs]
    assert missing == [], f"LibreOffice made no PDF of {missing}:\n{converted.log[-3000:]}"
    for path in built:
        pdf = converted.pdf(path)
        assert pdf.read_bytes().startswith(b"%PDF-") and pdf.stat().st_size > 5000, path.name
        text = pdf_text(pdf)
        assert "{{" not in text and "{%" not in text, f"template tags printed in {path.name}"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("spec", SPEC_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_pdf_shows_every_field_and_indicator(converted: Converted, spec: Path, kind: str) -> None:
    project, jurisdiction = model_of(spec, converted.specs)
    built = converted.output / spec.parent.name / f"{spec.stem}.{kind}"
    text = pdf_text(converted.pdf(built))
    missing = [
        f"{what}: {expected[:40]}" for what, expected in expected_texts(project, jurisdiction) if expected not in text
    ]
    assert missing == [], f"{built.name}: not in the PDF text"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("unit", UNITS)
def test_combined_file_shows_every_project(converted: Converted, unit: str, kind: str) -> None:
    combined = sorted((converted.output / unit).glob(f"汇总-*.{kind}"))
    assert len(combined) == 1
    pages = pdf_pages(converted.pdf(combined[0]))
    text = "".join(pages)
    specs = sorted(p for p in SPEC_FILES if p.parent.name == unit)
    missing = []
    for spec in specs:
        project, jurisdiction = model_of(spec, converted.specs)
        missing += [
            f"{spec.stem} {what}" for what, expected in expected_texts(project, jurisdiction) if expected not in text
        ]
    assert missing == []
    # each project starts a page (Word) / has its own sheet (Excel, after the 目录 sheet)
    assert len(pages) >= len(specs) + (1 if kind == "xlsx" else 0)


def _pgm_ink(path: Path) -> float:
    """Return the share of dark pixels of a binary PGM (P5) image."""
    data = path.read_bytes()
    fields = data.split(maxsplit=4)
    assert fields[0] == b"P5", "pdftoppm -gray wrote no PGM"
    width, height = int(fields[1]), int(fields[2])
    pixels = fields[4][: width * height]
    return sum(1 for value in pixels if value < 128) / (width * height)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("unit", ["sh-yifenyuan-2020", "tj-xiqing-2025"])
def test_first_page_renders_to_an_image(converted: Converted, unit: str, kind: str, tmp_path: Path) -> None:
    spec = next(p for p in SPEC_FILES if p.parent.name == unit)
    pdf = converted.pdf(converted.output / unit / f"{spec.stem}.{kind}")
    stem = tmp_path / f"{unit}-{kind}-page1"
    for extra in (["-png"], ["-gray"]):
        subprocess.run(
            [str(PDFTOPPM), "-r", "60", "-f", "1", "-l", "1", "-singlefile", *extra, str(pdf), str(stem)],
            check=True,
            capture_output=True,
            timeout=120,
        )
    png = stem.with_suffix(".png")
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    ink = _pgm_ink(stem.with_suffix(".pgm"))
    assert 0.005 < ink < 0.4, f"page 1 of {pdf.name} looks {'empty' if ink <= 0.005 else 'black'} ({ink:.1%} ink)"
