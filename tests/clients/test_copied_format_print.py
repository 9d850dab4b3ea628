"""The copied Hunan-style format (tests/hunan.py) on paper: a project long enough for several
pages, printed through LibreOffice as ``build --pdf`` prints it, shows the label column
本年度绩效指标 once on every page of the indicator table, beside the repeated header, in
Word and in Excel.

"Shows" is read off the page image (the lines of ink in the label column): in Excel the
repeated header row is the top of the first page's label merge, and LibreOffice draws that
merge's label again there, clipped away -- the PDF holds the text (pdftotext finds it), the page
shows none of it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from sheetgen.build.runner import BuildOptions, run_build
from tests.clients.conftest import SOFFICE, convert_all
from tests.clients.printed import PDFTOTEXT, pdf_words
from tests.hunan import LABEL, long_spec, make_hunan, make_unit

PDFTOPPM = shutil.which("pdftoppm")
pytestmark = [
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed: .ci/run installs it"),
    pytest.mark.skipif(PDFTOTEXT is None or PDFTOPPM is None, reason="poppler-utils not installed"),
]


def page_image(pdf: Path, page: int, folder: Path) -> tuple[int, int, bytes]:
    """Return (width, height, grey pixels) of one page at 72 dpi (a pixel per point)."""
    assert PDFTOPPM is not None
    stem = folder / f"{pdf.stem}-{page}"
    subprocess.run([PDFTOPPM, "-gray", "-r", "72", "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(stem)], check=True, timeout=120)
    data = stem.with_suffix(".pgm").read_bytes()
    fields = data.split(maxsplit=4)  # P5, width, height, maxval, pixels
    return int(fields[1]), int(fields[2]), fields[4]


def ink_bands(image: tuple[int, int, bytes], left: float, right: float, top: float, bottom: float) -> int:
    """Return how many lines of text have ink between ``left``/``right``, ``top``/``bottom``: runs
    of at least 4 rows with dark pixels (a border line is one or two rows)."""
    width, height, pixels = image
    runs, run = [], 0
    for y in range(max(0, round(top)), min(height, round(bottom))):
        row = pixels[y * width + max(0, round(left)) : y * width + min(width, round(right))]
        if any(p < 128 for p in row):
            run += 1
        elif run:
            runs.append(run)
            run = 0
    return sum(1 for r in [*runs, run] if r >= 4)


def test_the_label_column_prints_once_on_every_page_of_the_table(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    make_hunan(specs)
    unit = make_unit(specs)
    (unit / "03-长.yaml").write_text(long_spec(), encoding="utf-8")
    out = tmp_path / "out"
    assert run_build(BuildOptions(paths=(unit / "03-长.yaml",), output=out, jobs=1)).ok
    files = [out / unit.name / "03-长.docx", out / unit.name / "03-长.xlsx"]
    pdfs, log = convert_all(files, tmp_path)
    for built in files:
        assert built in pdfs, log[-2000:]
        lines, shown = 0, []
        for number, words in enumerate(pdf_words(pdfs[built]), 1):
            header = next((w for w in words if w.text == "一级指标"), None)
            if header is None:
                continue
            column = [w for w in words if w.x1 <= header.x0 + 1 and w.y1 > header.y0]
            if not lines:  # the first page of the table: the label once, as the text says
                assert "".join(w.text for w in sorted(column, key=lambda w: (w.y0, w.x0))) == LABEL, built.name
                lines = len({round(w.y0) for w in column})
            bottom = max(w.y1 for w in words if w.x0 >= header.x0 and w.y0 > header.y1)
            image = page_image(pdfs[built], number, tmp_path)
            left = min(w.x0 for w in column) - 1 if column else header.x0 - 30
            shown.append(ink_bands(image, left, header.x0 - 6, header.y1 + 3, bottom))
        assert len(shown) >= 3, built.name
        assert shown == [lines] * len(shown), (built.name, lines, shown)  # the label, once, on every page
