"""What we write opens in LibreOffice: convert to PDF and read the text back.

Skipped, with the reason, where ``soffice`` or ``pdftotext`` is missing.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sheetgen import jurisdiction as jurisdictions
from sheetgen.model import Project
from sheetgen.render.docx import compile_docx

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")

pytestmark = [
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
    pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed"),
]


def to_pdf(docx: Path, outdir: Path, profile: Path) -> Path:
    """Return the PDF LibreOffice makes of ``docx`` (own profile, so runs never share state)."""
    command = [
        str(SOFFICE),
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        str(outdir),
        str(docx),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=240, check=False)
    pdf = outdir / f"{docx.stem}.pdf"
    assert pdf.is_file(), f"soffice made no PDF (exit {result.returncode}): {result.stdout}{result.stderr}"
    return pdf


def pdf_text(pdf: Path) -> str:
    """Return the text of ``pdf`` without layout spaces."""
    result = subprocess.run([str(PDFTOTEXT), str(pdf), "-"], capture_output=True, text=True, timeout=60, check=True)
    return "".join(result.stdout.split())


@pytest.mark.parametrize("which", ["shanghai", "tianjin"])
def test_libreoffice_converts_what_we_write(
    which: str, tmp_path: Path, request: pytest.FixtureRequest, docx_make_project: Callable[..., Project]
) -> None:
    jurisdiction = jurisdictions.load(which)
    base: dict[str, Any] = request.getfixturevalue(f"docx_{which}_data")
    projects = [
        docx_make_project(base, number=1, key="a"),
        docx_make_project(base, number=2, key="b", name="第二个项目名称"),
    ]
    docx = tmp_path / f"{which}.docx"
    docx.write_bytes(compile_docx(jurisdiction).render(projects, jurisdiction))
    pdf = to_pdf(docx, tmp_path / "out", tmp_path / "profile")
    text = pdf_text(pdf)
    assert base["name"] in text and "第二个项目名称" in text
    last = projects[0].iter_rows()
    value = [row.value for row in last][-1]
    assert value and value.replace(" ", "") in text
    assert ("2,468,000" if which == "shanghai" else "26.50") in text
    assert "{{" not in text and "{%" not in text
    assert "-2-" in text  # the second project starts page 2: footer "- 2 -"
