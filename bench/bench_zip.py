"""Print the size and time of each deflate level for the parts sheetgen compresses per document
(run by hand: ``python bench/bench_zip.py``), to choose the compressor and
:data:`sheetgen.render.package.LEVEL`: zlib's levels 0-9 and ISA-L's (:mod:`isal`) 0-3.

The parts a document changes (``word/document.xml``, the sheets, ``workbook.xml`` …) are
compressed for every file written; the template's other parts once per process.  For the 24
seed projects' own files and the 3 seed units' 汇总 it prints, per level, the time to compress
the changed parts (median of ``--repeat``) and the total size of the files made with it.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from isal import isal_zlib

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.bench_build import seed_projects  # noqa: E402


def changed_parts() -> tuple[list[bytes], list[bytes], int]:
    """Return the parts each seed file compresses per document (own files, 汇总), and the
    compressed size of the parts copied from the templates."""
    from sheetgen.render.templates import compiled

    projects = seed_projects()
    units: dict[str, list] = {}
    own, combined, fixed = [], [], 0
    for project, jurisdiction in projects:
        units.setdefault(str(project.header.get("unit")), []).append((project, jurisdiction))
    for items in units.values():
        jurisdiction = items[0][1]
        for kind in ("docx", "xlsx"):
            template = compiled(kind, jurisdiction)
            for project, _ in items:
                own.extend(_document_parts(template.render([project], jurisdiction), kind))
            combined.extend(_document_parts(template.render([p for p, _ in items], jurisdiction), kind))
            with zipfile.ZipFile(io.BytesIO(template.render([items[0][0]], jurisdiction))) as archive:
                fixed += sum(i.compress_size for i in archive.infolist() if not _changed(i.filename, kind))
    return own, combined, fixed


def _changed(name: str, kind: str) -> bool:
    if kind == "docx":
        return name in ("word/document.xml", "docProps/core.xml") or name.startswith(("word/header", "word/footer"))
    return name.startswith("xl/worksheets/") or name in (
        "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "docProps/app.xml")


def _document_parts(blob: bytes, kind: str) -> list[bytes]:
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        return [archive.read(i) for i in archive.infolist() if _changed(i.filename, kind)]


class _Compressor(Protocol):
    def compress(self, data: bytes, /) -> bytes: ...

    def flush(self) -> bytes: ...


class _Deflate(Protocol):
    """What ``zlib`` and ``isal.isal_zlib`` both offer."""

    def compressobj(self, level: int, method: int, wbits: int) -> _Compressor: ...


def deflate(data: bytes, level: int, library: _Deflate = zlib) -> bytes:
    """Return ``data`` as a raw deflate stream at ``level``, compressed by ``library``."""
    compressor = library.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


#: The contenders: (name, level, compress one part).
CONTENDERS: list[tuple[str, int, Callable[[bytes], bytes]]] = [
    *((f"zlib {level}", level, lambda d, level=level: deflate(d, level)) for level in range(10)),
    *((f"isal {level}", level, lambda d, level=level: deflate(d, level, isal_zlib)) for level in range(4)),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    own, combined, fixed = changed_parts()
    print(f"{len(own)} parts of the 48 own files ({sum(map(len, own)) // 1024} KB), {len(combined)} of the "
          f"6 汇总 ({sum(map(len, combined)) // 1024} KB); template parts copied: {fixed // 1024} KB per set")
    print(f"{'deflate':>8} {'own: ms/file':>13} {'own: KB':>9} {'汇总: ms/file':>13} {'汇总: KB':>9}")
    times: dict[tuple[str, int], list[float]] = {}
    sizes: dict[tuple[str, int], int] = {}
    for _ in range(args.repeat):  # the contenders alternate round by round
        for name, _level, compress in CONTENDERS:
            for parts, files in ((own, 48), (combined, 6)):
                start = time.process_time()
                sizes[name, files] = sum(len(compress(p)) for p in parts)
                times.setdefault((name, files), []).append((time.process_time() - start) * 1000 / files)
    for name, _level, _compress in CONTENDERS:
        row = [f"{statistics.median(times[name, files]):>13.3f} {sizes[name, files] / 1024:>9.1f}" for files in (48, 6)]
        print(f"{name:>8} {' '.join(row)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
