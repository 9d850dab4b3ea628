"""The 绩效自评表 on paper (slow): the fixture of tests/selfeval built, each project's 自评表 and
each unit's 自评 汇总 workbook printed through LibreOffice (one call, ``build --pdf``'s
fontconfig file) and read back: every score, 分值, total and grade is printed whole, no amount
shows as ###, the 总分 line shares its page with indicator rows, the score summary sheet
prints each project's rate, total and grade, and the body faces are the serif Chinese face.
Page images go to ``$SHEETGEN_ARTIFACTS`` (else the session's tmp)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sheetgen.build.runner import BuildOptions, run_build
from tests.clients.conftest import SOFFICE, convert_all
from tests.clients.printed import PDFTOTEXT, embedded_faces, pdf_words, squeeze
from tests.selfeval.test_selfeval_build import EXPECTED, FIXTURE, NA, SH, SH_UNIT, TJ, TJ_UNIT, Expected

PDFTOPPM = shutil.which("pdftoppm")
pytestmark = [
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed: .ci/run installs it"),
    pytest.mark.skipif(PDFTOTEXT is None or PDFTOPPM is None, reason="poppler-utils not installed"),
]
KINDS = ("docx", "xlsx")
IDS = [f"{e.unit}/{e.stem}" for e in EXPECTED]


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Path]:
    """Return {built 自评 file: its PDF}."""
    root = tmp_path_factory.mktemp("selfeval-print")
    specs, out = root / "specs", root / "out"
    shutil.copytree(FIXTURE, specs)
    assert run_build(BuildOptions(paths=(specs,), output=out, jobs=2)).ok
    files = sorted(p for p in out.rglob("*-自评.*") if p.suffix in (".docx", ".xlsx"))
    pdfs, log = convert_all(files, root)
    assert len(pdfs) == len(files), log[-3000:]
    return {Path(str(k).replace(str(out), "", 1).lstrip("/")): v for k, v in pdfs.items()}


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("SHEETGEN_ARTIFACTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        return Path(folder)
    return tmp_path_factory.mktemp("selfeval-pages")


def pages_of(pdf: Path) -> list[str]:
    """Return the text of each page, whitespace removed."""
    return ["".join(word.text for word in page) for page in pdf_words(pdf)]


_SCORE = re.compile(r"\d+\.\d{2}")


def scores_printed(pdf: Path) -> list[str]:
    """Return, in reading order, the scores (``12.50``) and not-applicable words printed below
    the indicator table's header row on each page (rows do not overlap: each one's single-line
    分值 and 得分 print side by side, at its height)."""
    out = []
    for words in pdf_words(pdf):
        header = next((w for w in words if w.text in ("三级指标", "三级目标")), None)
        if header is None:
            continue
        below = sorted((w for w in words if w.y0 > header.y1), key=lambda w: (round(w.y0), w.x0))
        out += [w.text for w in below if _SCORE.fullmatch(w.text) or w.text == NA]
    return out


def reading_order(pdf: Path) -> str:
    """Return the words of every page top to bottom, left to right, whitespace removed."""
    return "".join(w.text for words in pdf_words(pdf) for w in sorted(words, key=lambda w: (round(w.y0), w.x0)))


def in_order(text: str, piece: str) -> bool:
    """Return whether the characters of ``piece`` print in order in ``text`` (in reading order a
    cell's lines interleave with its neighbours')."""
    found = iter(text)
    return all(ch in found for ch in squeeze(piece))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("item", EXPECTED, ids=IDS)
def test_every_score_prints_whole(printed: dict[Path, Path], artifacts: Path, item: Expected, kind: str) -> None:
    pdf = printed[Path(item.unit) / f"{item.stem}-自评.{kind}"]
    pages = pages_of(pdf)
    text = "".join(pages)
    assert "###" not in text
    want: list[str] = []
    for row in item.rows:
        want += [NA, NA, NA] if row[5] == NA else [row[5], row[6]]
    assert scores_printed(pdf) == [*want, item.points, item.total]
    ordered = reading_order(pdf)
    for row in item.rows:
        for piece in (row[2], row[3], row[4], row[7]):
            assert in_order(ordered, piece), (row[2], piece)
    for piece in (item.rate, item.execution[1], f"自评等级：{item.grade}"):
        assert piece in text, piece
    total_page = next(words for words in pdf_words(pdf) if any(w.text == "总分" for w in words))
    total = next(w for w in total_page if w.text == "总分")
    assert any(_SCORE.fullmatch(w.text) and w.y1 < total.y0 for w in total_page), "总分 alone on its page"
    faces = {face.name for face in embedded_faces(pdf)}
    assert any("NotoSerifCJK" in name for name in faces), faces
    stem = artifacts / f"selfeval-{item.unit}-{item.number}-{kind}"
    subprocess.run([str(PDFTOPPM), "-png", "-r", "70", "-f", "1", "-l", "1", str(pdf), str(stem)], check=True,
                   capture_output=True, timeout=120)
    assert list(artifacts.glob(f"{stem.name}*.png"))


@pytest.mark.parametrize(("unit", "name"), [(TJ, TJ_UNIT), (SH, SH_UNIT)])
def test_the_score_summary_prints(printed: dict[Path, Path], unit: str, name: str) -> None:
    pages = pages_of(printed[Path(unit) / f"汇总-{name}-自评.xlsx"])
    summary = next(page for page in pages if "自评得分" in page and "自评等级" in page)
    for item in (e for e in EXPECTED if e.unit == unit):
        assert f"{item.number}{squeeze(item.name)}{item.rate}{item.total}{item.grade}" in summary, item.name
