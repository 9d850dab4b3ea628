"""``sheetgen build --pdf`` prints with Chinese faces and says which stand in for missing ones.

Through the real command and LibreOffice: the templates ask for 宋体, 黑体/方正小标宋简体
and Times New Roman, none of which a Linux machine has; the build warns once per face,
naming what the PDF uses instead (the faces of its own fontconfig file), and the PDF
embeds those faces -- no DejaVu fallback; Latin text of the Word files in Liberation
Serif (Times New Roman's metrics; an Excel cell has one face, its Chinese one)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from sheetgen.build import pdf
from sheetgen.cli import main
from tests.conftest import SHANGHAI_DEFAULTS, SHANGHAI_SPEC, TIANJIN_DEFAULTS, TIANJIN_SPEC

pytestmark = pytest.mark.skipif(
    not (pdf.soffice() and shutil.which("pdffonts") and shutil.which("fc-list")),
    reason="LibreOffice, poppler-utils or fontconfig not installed (.ci/run installs them)",
)


def installed(family: str) -> bool:
    families = pdf.installed_families() or set()
    return family.casefold() in {name.casefold() for name in families}


def test_build_pdf_names_the_faces_it_uses_instead(unit_dir: Callable[..., Path], tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    shanghai = unit_dir(SHANGHAI_DEFAULTS, {"01-a.yaml": SHANGHAI_SPEC}, name="sh")
    unit_dir(TIANJIN_DEFAULTS, {"01-t.yaml": TIANJIN_SPEC}, name="tj")
    out = tmp_path / "out"
    capsys.readouterr()
    assert main(["build", str(shanghai.parent), "-o", str(out), "--pdf", "-j", "1"]) == 0
    err = capsys.readouterr().err
    notes = [line for line in err.splitlines() if "[pdf-font]" in line]
    expected = {"宋体": pdf.SERIF_CJK, "黑体": pdf.SANS_CJK, "方正小标宋简体": pdf.SERIF_CJK,
                "Times New Roman": "Liberation Serif"}
    for face, instead in expected.items():
        if installed(face):
            continue
        mine = [line for line in notes if f"“{face}”" in line]
        assert len(mine) == 1, f"one note for {face}: {notes}"
        assert f"“{instead}”代替" in mine[0] and "警告" in mine[0]
    for built in ("sh/01-a.pdf", "sh/01-a.xlsx.pdf", "tj/01-t.pdf", "tj/01-t.xlsx.pdf"):
        fonts = subprocess.run(["pdffonts", str(out / built)], capture_output=True, text=True, check=True).stdout
        assert "NotoSerifCJK" in fonts, fonts
        assert "DejaVu" not in fonts, f"{built} fell back to DejaVu:\n{fonts}"
        if built.endswith(("a.pdf", "t.pdf")) and not installed("Times New Roman"):
            assert "LiberationSerif" in fonts, fonts  # Word runs name Times New Roman for Latin text
