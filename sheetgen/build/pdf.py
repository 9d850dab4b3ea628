"""PDF export through LibreOffice (``soffice --headless --convert-to pdf``).

The Word file ``X.docx`` becomes ``X.pdf``; the workbook ``X.xlsx`` becomes
``X.xlsx.pdf`` (both would otherwise claim ``X.pdf``).  LibreOffice writes into a
private temporary folder with a private profile; each PDF is then moved into
place atomically, so a crash or a timeout never leaves a half-written PDF.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from sheetgen import os_errors
from sheetgen.build.atomic import WriteError, write_atomic

INSTALL_HINT = "请先安装 LibreOffice：sudo apt-get install libreoffice-writer-nogui libreoffice-calc-nogui"
SECONDS_PER_FILE = 20
MIN_SECONDS = 120


def soffice() -> str | None:
    """Return the path of LibreOffice's ``soffice`` program, or None if it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_path(source: Path) -> Path:
    """Return where the PDF of ``source`` goes."""
    return source.with_suffix(".pdf") if source.suffix == ".docx" else source.with_name(source.name + ".pdf")


def stale(sources: Iterable[Path]) -> list[Path]:
    """Return the sources whose PDF is missing or older than the source."""
    out = []
    for source in sources:
        target = pdf_path(source)
        if source.is_file() and (not target.is_file() or target.stat().st_mtime_ns < source.stat().st_mtime_ns):
            out.append(source)
    return out


def convert(sources: list[Path], program: str) -> tuple[list[Path], list[str]]:
    """Return (PDFs written, failure messages) after converting ``sources`` with LibreOffice."""
    written: list[Path] = []
    failures: list[str] = []
    batches: dict[tuple[Path, str], list[Path]] = {}
    for source in sources:
        batches.setdefault((source.parent, source.suffix), []).append(source)
    with tempfile.TemporaryDirectory(prefix="sheetgen-pdf-") as tmp:
        profile = Path(tmp) / "profile"
        for index, ((_folder, _suffix), files) in enumerate(sorted(batches.items())):
            outdir = Path(tmp) / f"out{index}"
            outdir.mkdir()
            command = [program, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                       "--convert-to", "pdf", "--outdir", str(outdir), *map(str, files)]
            try:
                subprocess.run(command, capture_output=True, timeout=max(MIN_SECONDS, SECONDS_PER_FILE * len(files)),
                               check=False)
            except subprocess.TimeoutExpired:
                failures.append(f"{files[0].parent}: LibreOffice 转换 PDF 超时，这一批 {len(files)} 个文件没有生成 PDF")
                continue
            except OSError as exc:
                failures.append(f"无法运行 LibreOffice（{program}）：{os_errors.explain(exc)}")
                break
            for source in files:
                produced = outdir / f"{source.stem}.pdf"
                if not produced.is_file() or produced.stat().st_size == 0:
                    failures.append(f"{source}: LibreOffice 没能把它转换成 PDF")
                    continue
                target = pdf_path(source)
                try:
                    write_atomic(target, produced.read_bytes())
                except WriteError as exc:
                    failures.append(str(exc))
                    continue
                written.append(target)
    return written, failures
