"""Tables saved again by another office program (LibreOffice) still import back to the seed specs.

LibreOffice writes what Word and Excel write and sheetgen does not: shared
strings, numbers stored as plain floats with their number format, its own
merge and paragraph markup.  The combined documents of two units are saved
again as .docx/.xlsx by LibreOffice and imported.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.importers.office_helpers import SPECS, build_seeds, import_into, load_models

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is needed to save the tables again")
UNITS = ("sh-yifenyuan-2020", "tj-xiqing-2025")


@pytest.fixture(scope="module")
def resaved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a folder with each unit's combined .docx and .xlsx as saved again by LibreOffice."""
    tmp = tmp_path_factory.mktemp("lo")
    built = build_seeds(tmp)
    source, out = tmp / "in", tmp / "resaved"
    source.mkdir()
    for unit in UNITS:
        for path in (built / unit).glob("汇总-*"):
            shutil.copy(path, source / f"{unit}{path.suffix}")
    profile = f"-env:UserInstallation=file://{tmp / 'profile'}"
    for kind in ("docx", "xlsx"):
        files = sorted(str(p) for p in source.glob(f"*.{kind}"))
        command = [str(SOFFICE), profile, "--headless", "--convert-to", kind, "--outdir", str(out), *files]
        subprocess.run(command, check=True, capture_output=True, timeout=240)
    return out


@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
@pytest.mark.parametrize("unit", UNITS)
def test_resaved_combined_document_imports_back(resaved: Path, tmp_path: Path, unit: str, suffix: str) -> None:
    path = resaved / f"{unit}{suffix}"
    assert path.is_file()
    out = tmp_path / unit
    import_into([path], out)
    assert load_models(out) == load_models(SPECS / unit)
