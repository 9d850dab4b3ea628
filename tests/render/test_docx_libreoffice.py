"""What we write opens in LibreOffice: convert to PDF and read the text back.

Skipped, with the reason, where ``soffice`` or ``pdftotext`` is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sheetgen import jurisdiction as jurisdictions
from sheetgen.model import Project
from sheetgen.render.docx import compile_docx
from tests.libreoffice import needs_pdftotext, needs_soffice, pdf_text, soffice_convert

pytestmark = [needs_soffice, needs_pdftotext]


def to_pdf(docx: Path, outdir: Path, profile: Path) -> Path:
    """Return the PDF LibreOffice makes of ``docx`` (own profile, so runs never share state)."""
    result = soffice_convert([docx], outdir, profile)
    pdf = outdir / f"{docx.stem}.pdf"
    assert pdf.is_file(), f"soffice made no PDF (exit {result.returncode}): {result.stdout!r}{result.stderr!r}"
    return pdf


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
    if which == "shanghai":
        assert "-2-" in text  # the second project starts page 2: footer "- 2 -"
