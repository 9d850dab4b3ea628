"""Driving the real LibreOffice and poppler programs from tests."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
INSTALL = "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils (.ci/run does)"

needs_soffice = pytest.mark.skipif(SOFFICE is None, reason=f"LibreOffice (soffice) is not installed: {INSTALL}")
needs_pdftotext = pytest.mark.skipif(PDFTOTEXT is None, reason=f"pdftotext (poppler-utils) is not installed: {INSTALL}")


def soffice_convert(files: Sequence[Path], outdir: Path, profile: Path, *, to: str = "pdf",
                    timeout: float = 240) -> subprocess.CompletedProcess[bytes]:
    """Return the finished ``soffice --convert-to`` run of ``files`` into ``outdir``.

    Every caller passes its own ``profile`` folder, so runs never share LibreOffice state.
    """
    assert SOFFICE is not None
    command = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--nolockcheck", "--convert-to", to, "--outdir", str(outdir), *map(str, files)]
    try:
        return subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"LibreOffice did not convert {len(files)} file(s) within {timeout} s")


def pdf_text(pdf: Path) -> str:
    """Return the text of ``pdf`` with all white space removed (layout breaks lines anywhere)."""
    assert PDFTOTEXT is not None
    done = subprocess.run([PDFTOTEXT, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, timeout=60, check=True)
    return "".join(done.stdout.decode("utf-8").split())
