"""Print where the CPU of a one-job build goes, stage by stage, in ms per spec (run by hand:
``python bench/bench_stages.py``).

Builds the synthetic specs of :mod:`bench.synth` (1,000 by default) with ``--jobs 1`` in this
process, several times in fresh processes (``--rounds``), timing each stage of a spec's way
through the build -- reading, validating, the model, each renderer's layout (``prepare``) and
its documents, writing -- with the process's CPU clock, and prints the median of each stage.
The stages are timed by wrapping sheetgen's own functions, so what is measured is what
``sheetgen build`` runs; what no stage covers (planning, the build record, the unit's work
between stages) is "the rest".
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.synth import make_specs  # noqa: E402

#: stage name -> (module, attribute) of the function timed for it
STAGES = {
    "read the spec": ("sheetgen.spec.files", "read_spec"),
    "validate": ("sheetgen.validation", "check_spec"),
    "model": ("sheetgen.projects", "to_project"),
    "fingerprint": ("sheetgen.build.tasks", "loaded_fingerprint"),
    "Word render + layout": ("sheetgen.render.docx", "DocxTemplate.prepare"),
    "Word documents": ("sheetgen.render.docx", "DocxTemplate.document"),
    "Excel render": ("sheetgen.render.xlsx", "XlsxTemplate.prepare"),
    "Excel documents": ("sheetgen.render.xlsx", "XlsxTemplate.document"),
    "write files": ("sheetgen.build.tasks", "write_atomic"),
}

_CHILD = """\
import importlib, json, sys, time
stages, totals = json.loads(sys.argv[1]), {}
def timed(name, fn):
    def wrapper(*args, **kwargs):
        start = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[name] = totals.get(name, 0.0) + time.process_time() - start
    return wrapper
for name, (module, attribute) in stages.items():
    owner = importlib.import_module(module)
    *path, last = attribute.split(".")
    for part in path:
        owner = getattr(owner, part)
    setattr(owner, last, timed(name, getattr(owner, last)))
from sheetgen.cli import main
start = time.process_time()
sys.argv = ["sheetgen", "build", "--jobs", "1", "-q", *sys.argv[2:]]
code = main()
totals["whole build"] = time.process_time() - start
print(json.dumps(totals))
sys.exit(code)
"""


def one_round(tree: Path, out: Path) -> dict[str, float]:
    """Return the CPU seconds of each stage of one build of ``tree`` in a fresh process."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(STAGES), "-o", str(out), str(tree)],
                          capture_output=True, text=True, env=env, cwd=REPO, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tree = make_specs(Path(tmp) / "specs", args.specs)
        rounds = []
        for number in range(args.rounds):
            rounds.append(one_round(tree, Path(tmp) / f"out{number}"))
            print(f"round {number + 1}/{args.rounds} done (load {' '.join(f'{x:.2f}' for x in os.getloadavg())})",
                  file=sys.stderr)
            time.sleep(0.5)
    names = [*STAGES, "whole build"]
    medians = {name: statistics.median(r.get(name, 0.0) for r in rounds) for name in names}
    covered = sum(medians[name] for name in STAGES)
    print(f"CPU of a one-job build of {args.specs} specs, ms per spec (median of {args.rounds} fresh processes)")
    for name in names:
        print(f"  {name:<24} {medians[name] / args.specs * 1000:6.2f}")
    print(f"  {'the rest':<24} {(medians['whole build'] - covered) / args.specs * 1000:6.2f}")


if __name__ == "__main__":
    main()
