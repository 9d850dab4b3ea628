"""`sheetgen build --pdf`: PDFs through LibreOffice, or a clear message naming the package."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from sheetgen.build import pdf
from sheetgen.cli import main
from tests.conftest import TIANJIN_DEFAULTS, TIANJIN_SPEC

needs_soffice = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext")),
    reason="LibreOffice/poppler not installed (apt-get install libreoffice-writer-nogui libreoffice-calc-nogui "
           "poppler-utils); .ci/run installs them")


def pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return "".join(done.stdout.split())


@needs_soffice
def test_pdf_of_every_word_and_excel_file(unit_dir: Callable[..., Path], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    folder = unit_dir(TIANJIN_DEFAULTS, {"01-t.yaml": TIANJIN_SPEC}, name="tj")
    out = tmp_path / "out"
    assert main(["build", str(folder.parent), "-o", str(out), "--pdf", "-j", "1"]) == 0
    made = sorted(p.name for p in (out / "tj").glob("*.pdf"))
    unit = "汇总-天津市西青区人民检察院"
    assert made == ["01-t.pdf", "01-t.xlsx.pdf", f"{unit}.pdf", f"{unit}.xlsx.pdf"]
    for name in ("01-t.pdf", "01-t.xlsx.pdf"):
        text = pdf_text(out / "tj" / name)
        assert "2025年司法救助项目-2025中央" in text and "司法救助总金额" in text and "≤10万元" in text
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.pdf")}
    capsys.readouterr()
    assert main(["build", str(folder.parent), "-o", str(out), "--format", "pdf", "-j", "1"]) == 0
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.pdf")} == before  # nothing changed, nothing converted


def test_missing_libreoffice_is_explained(unit_dir: Callable[..., Path], tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(pdf, "soffice", lambda: None)
    folder = unit_dir(TIANJIN_DEFAULTS, {"01-t.yaml": TIANJIN_SPEC}, name="tj")
    out = tmp_path / "out"
    assert main(["build", str(folder.parent), "-o", str(out), "--pdf", "-j", "1"]) == 1
    err = capsys.readouterr().err
    assert "LibreOffice" in err and "libreoffice-writer-nogui" in err and "apt-get install" in err
    assert (out / "tj" / "01-t.docx").is_file() and not list(out.rglob("*.pdf"))


def test_pdf_names_do_not_collide() -> None:
    assert pdf.pdf_path(Path("a/x.docx")) == Path("a/x.pdf")
    assert pdf.pdf_path(Path("a/x.xlsx")) == Path("a/x.xlsx.pdf")


@needs_soffice
def test_pdfs_of_changed_and_deleted_specs_do_not_stay_looking_current(unit_dir: Callable[..., Path],
                                                                        tmp_path: Path) -> None:
    second = TIANJIN_SPEC.replace("2025年司法救助项目", "2025年另一个项目")
    folder = unit_dir(TIANJIN_DEFAULTS, {"01-t.yaml": TIANJIN_SPEC, "02-u.yaml": second}, name="tj")
    out = tmp_path / "out"
    unit = "汇总-天津市西青区人民检察院"
    assert main(["build", str(folder.parent), "-o", str(out), "--pdf", "-j", "1"]) == 0
    (folder / "01-t.yaml").write_text(TIANJIN_SPEC.replace("用于司法救助", "用于司法救助金"), encoding="utf-8")
    (folder / "02-u.yaml").unlink()
    assert main(["build", str(folder.parent), "-o", str(out), "-j", "1"]) == 0  # no --pdf this time
    names = sorted(p.name for p in (out / "tj").iterdir())
    assert names == sorted(["01-t.docx", "01-t.xlsx", f"{unit}.docx", f"{unit}.xlsx", "01-t（已过期）.pdf",
                            "01-t（已过期）.xlsx.pdf", f"{unit}（已过期）.pdf", f"{unit}（已过期）.xlsx.pdf"])
    assert main(["build", str(folder.parent), "-o", str(out), "--pdf", "-j", "1"]) == 0
    names = sorted(p.name for p in (out / "tj").iterdir())
    assert names == sorted(f"{stem}{ext}" for stem in ("01-t", unit) for ext in (".docx", ".xlsx", ".pdf", ".xlsx.pdf"))
    assert "用于司法救助金" in pdf_text(out / "tj" / "01-t.pdf")
