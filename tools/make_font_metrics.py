"""Generate ``sheetgen/render/font_metrics.json``: advance widths and line height
of the faces our tables print in, read from the font files with fontTools.

Run ``python tools/make_font_metrics.py`` (needs ``pip install fonttools`` and
the Debian packages fonts-noto-cjk and fonts-liberation).  The renderer loads
the file once per process: a row height or a page break then never depends on
which fonts the machine building the tables has.

Each width is the widest of the faces a character may print in: 宋体 (Noto
Serif CJK SC stands in for it wherever SimSun is missing; SimSun itself draws
every ASCII character half an em wide), 黑体 (Noto Sans CJK SC) and Times New
Roman (Liberation Serif has its metrics), regular and bold.  Measuring with the
widest keeps estimates on the safe side: a cell measured a little too wide gets
a little air, never a clipped line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "sheetgen" / "render" / "font_metrics.json"
NOTO = Path("/usr/share/fonts/opentype/noto")
LIBERATION = Path("/usr/share/fonts/truetype/liberation")
FACES = (
    (NOTO / "NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"),
    (NOTO / "NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC"),
    (NOTO / "NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    (NOTO / "NotoSansCJK-Bold.ttc", "Noto Sans CJK SC"),
    (LIBERATION / "LiberationSerif-Regular.ttf", ""),
    (LIBERATION / "LiberationSerif-Bold.ttf", ""),
)
SIMSUN_HALF_WIDTH = 500  # SimSun (宋体) draws every ASCII character half an em wide
RANGES = ((0x20, 0x7E), (0xA0, 0x2E7F), (0x3000, 0x303F), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))
FULL = 1000


def _open(path: Path, family: str) -> TTFont:
    """Return the face ``family`` of a font file (the matching face of a collection)."""
    if path.suffix == ".ttc":
        index = 0
        while True:
            face = TTFont(path, fontNumber=index, lazy=True)
            if face["name"].getDebugName(1) == family:
                return face
            index += 1
    return TTFont(path, lazy=True)


def measure() -> dict[str, object]:
    """Return the metrics: widths in thousandths of an em (runs of equal width) and line height."""
    widths: dict[int, int] = {}
    line = 0.0
    for path, family in FACES:
        face = _open(path, family)
        scale = FULL / face["head"].unitsPerEm
        hhea = face["hhea"]
        line = max(line, (hhea.ascent - hhea.descent + hhea.lineGap) * scale / FULL)
        cmap = face.getBestCmap()
        metrics = face["hmtx"]
        for low, high in RANGES:
            for code in range(low, high + 1):
                if code in cmap:
                    width = round(metrics[cmap[code]][0] * scale)
                    widths[code] = max(widths.get(code, 0), width)
    for code in range(0x20, 0x7F):
        widths[code] = max(widths.get(code, 0), SIMSUN_HALF_WIDTH)
    runs: list[list[int]] = []
    for code in sorted(widths):
        width = widths[code]
        if width == FULL:
            continue
        if runs and runs[-1][1] == code - 1 and runs[-1][2] == width:
            runs[-1][1] = code
        else:
            runs.append([code, code, width])
    return {
        "about": "Advance widths (1/1000 em; [first, last, width] runs; others 1000) and line height (em) "
        "of the widest of Noto Serif/Sans CJK SC and Liberation Serif, regular and bold; "
        "made by tools/make_font_metrics.py",
        "line_height": round(line, 3),
        "widths": runs,
    }


def main() -> int:
    TARGET.write_text(json.dumps(measure(), separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
