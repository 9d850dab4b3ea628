"""The session's build of the seed specs, printed through LibreOffice once.

The 24 seed specs are built (``run_build``, two jobs) and every .docx and .xlsx
-- 24 + 24 project files and the 3 + 3 combined files -- is converted to PDF by
ONE ``soffice --headless --convert-to pdf`` call with a private profile and the
fontconfig file ``sheetgen build --pdf`` runs LibreOffice with
(:func:`sheetgen.build.pdf.soffice_environment`), so the PDFs are the ones a
user gets.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from sheetgen.build import pdf
from sheetgen.build.runner import BuildOptions, run_build
from tests.conftest import REPO

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
SPECS = REPO / "specs"
SPEC_FILES = sorted(
    p for p in SPECS.glob("*/*.yaml") if not p.name.startswith(("_", ".")) and not p.parent.name.startswith(("_", "."))
)
UNITS = sorted({p.parent.name for p in SPEC_FILES})
CONVERT_TIMEOUT = 600  # seconds for all 54 files; about 20 s on two cores


@dataclass
class Converted:
    """The session's build and its PDFs."""

    specs: Path
    output: Path
    pdfs: dict[Path, Path]  # built file -> its PDF (missing when LibreOffice made none)
    log: str

    def pdf(self, built: Path) -> Path:
        pdf = self.pdfs.get(built)
        assert pdf is not None and pdf.is_file(), f"LibreOffice made no PDF of {built.name}:\n{self.log[-3000:]}"
        return pdf


def convert_all(files: list[Path], root: Path, timeout: float = CONVERT_TIMEOUT) -> tuple[dict[Path, Path], str]:
    """Return {file: its PDF} and LibreOffice's output after converting ``files`` in one call, as
    ``build --pdf`` does (its fontconfig file); files get unique link names so one folder holds all."""
    assert SOFFICE is not None
    stage, pdf_dir = root / "stage", root / "pdf"
    stage.mkdir()
    links: dict[Path, Path] = {}
    for index, path in enumerate(files):
        link = stage / f"{path.suffix[1]}-{index:03d}{path.suffix}"
        link.symlink_to(path)
        links[path] = link
    command = [
        SOFFICE,
        f"-env:UserInstallation={(root / 'lo-profile').as_uri()}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        "pdf",
        "--outdir",
        str(pdf_dir),
        *(str(link) for link in links.values()),
    ]
    try:
        result = subprocess.run(command, capture_output=True, timeout=timeout, check=False,
                                env=pdf.soffice_environment(root))
    except subprocess.TimeoutExpired:
        pytest.fail(f"LibreOffice did not convert {len(links)} files within {timeout} s")
    log = (result.stdout + result.stderr).decode("utf-8", "replace")
    pdfs = {path: pdf_dir / f"{link.stem}.pdf" for path, link in links.items()}
    return {p: out for p, out in pdfs.items() if out.is_file()}, log


@pytest.fixture(scope="session")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Converted:
    """Return the session's build of a copy of ``specs/`` with every output converted to PDF."""
    root = tmp_path_factory.mktemp("clients")
    specs = root / "specs"
    shutil.copytree(SPECS, specs)
    output = root / "output"
    summary = run_build(BuildOptions(paths=(specs,), output=output, jobs=2))
    assert summary.failed == 0, summary.failures
    built = sorted(p for p in output.rglob("*") if p.suffix in (".docx", ".xlsx"))
    pdfs, log = convert_all(built, root)
    return Converted(specs, output, pdfs, log)
