"""Print how long validation takes (run by hand: python bench/bench_check.py).

Figures (medians): loading and validating the 24 seed specs, and 200 synthetic specs
(bench/synth.py), each through a fresh :class:`~sheetgen.validation.Checker` (so the
jurisdictions are loaded and their schema.yaml rules compiled once per run, as in a build
worker); and loading both built-in jurisdictions on their own.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.synth import make_specs  # noqa: E402
from bench.timing import median_ms  # noqa: E402


def check_all(folder: Path) -> None:
    from sheetgen.spec.files import discover, read_spec
    from sheetgen.validation import Checker

    checker = Checker()
    specs, _ = discover([folder])
    cache: dict[object, object] = {}
    for spec in specs:
        checker.validate(read_spec(spec, cache))


def load_jurisdictions() -> None:
    from sheetgen import jurisdiction

    jurisdiction.load("shanghai")
    jurisdiction.load("tianjin")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    print(f"load shanghai + tianjin:     {median_ms(load_jurisdictions, args.repeat * 3):7.1f} ms")
    print(f"validate 24 seed specs:      {median_ms(lambda: check_all(REPO / 'specs'), args.repeat):7.1f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        folder = make_specs(Path(tmp) / "specs", 200)
        print(f"validate 200 synthetic specs: {median_ms(lambda: check_all(folder), args.repeat):7.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
