"""Print the instructions a build costs, counted by valgrind (run by hand, on any machine:
``python bench/bench_instructions.py``; ``--tree`` a second source tree to compare).

Timings on a shared 2-core host vary by a third from one minute to the next; the number of
instructions a process executes does not.  For each source tree given (default: this one), it
prints what valgrind's cachegrind counts (``--cache-sim=no``; with ``PYTHONHASHSEED=0``, so
that set and dict orders are the same from run to run):

* a spec of ``sheetgen build --jobs 1`` (validate, .docx, .xlsx, its share of the 汇总, write):
  the build of ``--large`` synthetic specs less that of ``--small``, divided by the difference,
  so that what is paid once (start, imports, compiling the templates) drops out;
* what a build does before its workers fork: the imports, the formats of the first unit and
  compiling their templates (:func:`sheetgen.build.tasks.warm`).

An instruction is not a nanosecond (memory traffic is not counted), so quote it next to the
timings of ``bench_build.py``, not instead of them.  Each tree runs once first to write its
bytecode cache; valgrind makes a run about 50 times slower (a minute or two in all).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.synth import make_specs  # noqa: E402

_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")

# What the main process of a build does before it forks its workers (sheetgen.build.runner).
_STARTUP = """\
import sys
from pathlib import Path
import sheetgen.cli, sheetgen.build.runner, sheetgen.build.tasks as tasks
from sheetgen.workspace import Workspace
formats = Workspace().formats(Path(sys.argv[1]))
tasks.warm(formats, ("docx", "xlsx"), ("target",))
"""


def instructions(tree: Path, *args: str, cwd: str) -> int:
    """Return the instructions cachegrind counts running Python with ``args`` in ``cwd`` (not a
    source tree: ``-m`` puts it first on the path), ``tree`` first on its path."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(tree), PYTHONHASHSEED="0")
    done = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                           sys.executable, *args], env=env, capture_output=True, text=True, check=False, cwd=cwd)
    found = _REFS.search(done.stderr)
    if done.returncode not in (0, 1) or found is None:
        raise SystemExit(f"valgrind failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def build(tree: Path, specs: Path, scratch: str) -> int:
    """Return the instructions of ``sheetgen build --jobs 1`` of ``specs`` with ``tree``'s sheetgen."""
    out = Path(scratch, "out")
    shutil.rmtree(out, ignore_errors=True)
    return instructions(tree, "-m", "sheetgen", "build", str(specs), "-o", str(out), "-q", "--jobs", "1", cwd=scratch)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", type=Path, default=[],
                        help="a source tree of sheetgen to count (repeatable; default: this one)")
    parser.add_argument("--small", type=int, default=48, help="specs of the smaller build (default 48)")
    parser.add_argument("--large", type=int, default=240, help="specs of the larger build (default 240)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    trees = [t.resolve() for t in args.tree] or [REPO]
    with tempfile.TemporaryDirectory(prefix="sheetgen-instructions-") as scratch:
        small, large = (make_specs(Path(scratch, f"specs-{n}"), n) for n in (args.small, args.large))
        first_unit = next(p for p in sorted(small.iterdir()) if p.is_dir())
        startup = Path(scratch, "startup.py")
        startup.write_text(_STARTUP, encoding="utf-8")
        for tree in trees:
            build(tree, small, scratch)  # (writes the tree's bytecode cache)
            per_spec = (build(tree, large, scratch) - build(tree, small, scratch)) / (args.large - args.small)
            before_fork = instructions(tree, str(startup), str(first_unit), cwd=scratch)
            print(f"{tree}: {per_spec / 1e6:.2f} M instructions a spec (builds of {args.large} less {args.small}); "
                  f"{before_fork / 1e6:.0f} M before the workers fork", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
