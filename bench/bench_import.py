"""Print how long importing the seed units' combined documents takes (run by hand: python bench/bench_import.py).

Builds ``specs/`` into a temporary folder once, then imports each unit's
combined ``汇总-<unit>.docx`` and ``.xlsx`` (read + parse, no writing) several
times and prints the median, the fastest run and the per-project median, plus
the same for the whole ``sheetgen import`` writer (``import_to_folder``).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sheetgen.build.runner import BuildOptions, run_build  # noqa: E402
from sheetgen.importers import import_file  # noqa: E402
from sheetgen.importing import import_to_folder  # noqa: E402


def timed(action: Callable[[], object], runs: int) -> list[float]:
    """Return the wall-clock seconds of ``runs`` calls of ``action`` (after one warm-up call)."""
    action()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    """Build the seeds, time the imports, print one line per combined document; return 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per document (default 7)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        specs = Path(tmp) / "specs"
        shutil.copytree(REPO / "specs", specs)
        out = Path(tmp) / "out"
        run_build(BuildOptions(paths=(specs,), output=out, jobs=1))
        print(f"{'document':<46} {'projects':>8} {'median':>9} {'min':>9} {'/project':>9} {'+write':>9}")
        for suffix in (".docx", ".xlsx"):
            for path in sorted(out.glob(f"*/汇总-*{suffix}")):
                count = len(import_file(path).projects)
                times = timed(partial(import_file, path), args.runs)
                target = Path(tmp) / "imported" / path.stem

                def write(path: Path = path, target: Path = target) -> None:
                    import_to_folder([path], target, force=True)

                written = timed(write, args.runs)
                median = statistics.median(times)
                shown = f"{path.parent.name}/{path.name}"
                print(
                    f"{shown:<40} {count:>8} {median * 1000:>7.1f}ms {min(times) * 1000:>7.1f}ms "
                    f"{median / count * 1000:>7.2f}ms {statistics.median(written) * 1000:>7.1f}ms"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
