"""Print sheetgen's build speed next to docxtpl + openpyxl, and every target of issue 16, in one run
(run by hand, on a quiet machine if you can: ``python bench/bench_build.py``).

In one run, alternating the contenders round by round (``--rounds``, medians quoted):

* the peer, per document, in this process: docxtpl's documented way (a new ``DocxTemplate`` per
  document, ``render``, ``save``) and openpyxl writing the same table cell by cell with merges,
  borders, widths, heights and page setup (:mod:`bench.xlsx_vs_openpyxl`; the jurisdiction is
  loaded once, as sheetgen's is) -- median over the 24 seed projects; sheetgen's own render of
  the same documents beside them;
* sheetgen end to end: ``sheetgen build`` in a fresh process with the default ``--jobs`` (validate,
  .docx, .xlsx and every unit's 汇总) of 1,000 and of 5,000 synthetic specs (:mod:`bench.synth`:
  units of 7-9 specs, as the seed units have), into an empty output folder; ms per spec, and
  its ratio to the peer's docxtpl + openpyxl per spec (target >= 15x);
* the same builds again with nothing changed (target for 1,000: <= 0.3 s);
* cold starts: ``sheetgen --help`` (<= 100 ms) and ``sheetgen check`` of one spec (<= 150 ms);
* the peak resident memory of the main process and of the largest worker, at 1,000 and 5,000
  specs (flat: within 10 %), and of the main process of the no-change builds;
* what writing one new file costs on the file system at the time (it varies: see
  :func:`file_cost`); the builds start once it is back to normal (:func:`settle`, ``--settle``).

Each round builds the smaller tree, the larger, then the smaller again.  The machine's speed drifts
by a third over minutes; the two small builds bracket the large one, so their mean ran under the
same conditions on average, and the 5,000-vs-1,000 figure is the median of each round's own
comparison (:func:`paired_growth`), not a ratio of medians taken from different minutes.
Resampling the rounds (:func:`resampled_medians`) shows how far another run's median could fall
from this one's: a verdict near the limit may turn in the next run.

The load average is printed before and after: the machine is shared, so quote it with the figures.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sheetgen.jurisdiction import Jurisdiction
    from sheetgen.model import Project

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.synth import make_specs  # noqa: E402
from bench.timing import median_ms  # noqa: E402

ONE_SPEC = REPO / "specs" / "sh-yifenyuan-2020" / "01-办案及业务用房专项维修费.yaml"

# Runs sheetgen with ARGS in this process and writes its resource use to STATS: the peak resident
# memory of the process itself (the main process: VmHWM, as ru_maxrss would be the bench's own,
# carried over exec) and of its largest child (a build worker, ru_maxrss of the children).  It
# then ends as the sheetgen command does (cli.run: flushed, then os._exit, no teardown).
_MEASURED = """\
import json, os, resource, sys
stats, sys.argv = sys.argv[1], ["sheetgen", *sys.argv[2:]]
from sheetgen.cli import main
try:
    code = main()
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else 1
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
try:  # this process's own high-water mark: Linux carries ru_maxrss over exec, from the bench that forked it
    main_kb = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0])
except (OSError, IndexError, ValueError):
    main_kb = me.ru_maxrss
with open(stats, "w") as handle:
    json.dump({"code": code, "main_kb": main_kb, "worker_kb": kids.ru_maxrss,
               "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime}, handle)
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
"""


@dataclass
class Run:
    """One ``sheetgen`` run in a fresh process."""

    seconds: float
    code: int
    main_mb: float
    worker_mb: float
    cpu: float


# The child processes may write Python's bytecode cache (as an installed sheetgen has it), even
# where the shell says not to (PYTHONDONTWRITEBYTECODE): else every fresh process compiles
# sheetgen's sources again, ~0.1-0.2 s that no user pays.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def sheetgen(*args: str) -> Run:
    """Return the wall time, exit code, peak memory and CPU time of one sheetgen run."""
    with tempfile.NamedTemporaryFile(suffix=".json") as stats:
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", _MEASURED, stats.name, *args], cwd=REPO,
                              capture_output=True, env=_ENV)
        seconds = time.perf_counter() - start
        found = json.loads(Path(stats.name).read_text() or "{}")
    if done.returncode not in (0,) and not found:
        sys.stderr.write(done.stderr.decode("utf-8", "replace"))
    return Run(seconds, found.get("code", done.returncode), found.get("main_kb", 0) / 1024,
               found.get("worker_kb", 0) / 1024, found.get("cpu", 0.0))


def cold(*args: str) -> float:
    """Return the wall seconds of one plain ``python -m sheetgen ARGS`` (no measuring wrapper)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sheetgen", *args], cwd=REPO, capture_output=True, check=False, env=_ENV)
    return time.perf_counter() - start


# ----------------------------------------------------------------------------- the peer

def seed_projects() -> list:
    """Return the 24 seed projects as models, with their jurisdictions."""
    from sheetgen.projects import to_project
    from sheetgen.spec.files import discover, read_spec
    from sheetgen.validation import Checker

    checker = Checker()
    specs, _ = discover([REPO / "specs"])
    out = []
    for spec in specs:
        validated = checker.validate(read_spec(spec))
        out.append((to_project(validated), validated.jurisdiction))
    return out


def docxtpl_template(source: Path, target: Path) -> None:
    """Write a docxtpl-dialect copy of a sheetgen Word template (``{%vm x %}`` -> docxtpl's ``{% vm %}``)."""
    import re
    import zipfile

    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                text = re.sub(r"\{%\s*vm\s+([^%]+?)\s*%\}", r"{% vm %}{{ \1.text }}", text)
                data = text.encode("utf-8")
            zout.writestr(item, data)


def docxtpl_context(project: Project, jurisdiction: Jurisdiction) -> dict[str, Any]:
    """Return the context docxtpl renders one project with: values as sheetgen prints them."""
    from sheetgen.render.context import format_value

    def fmt(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: fmt(v) for k, v in value.items()}
        return format_value(value, jurisdiction)

    rows = [{"level1": {"text": r.level1.text}, "level2": {"text": r.level2.text}, "name": r.name,
             "value": r.value or "", "description": r.description or ""} for r in project.iter_rows()]
    return {"project": fmt(dict(project.header)), "rows": rows, "number": project.number, "combined": False}


def documented_way(template: Path, context: dict) -> None:
    """Render one document the way docxtpl documents it: open, render, save."""
    from docxtpl import DocxTemplate

    doc = DocxTemplate(str(template))
    doc.render(context)
    doc.save(io.BytesIO())


@dataclass
class Peer:
    """Per-document medians (ms) over the seed projects, one list entry per round."""

    docxtpl: list[float] = field(default_factory=list)
    openpyxl: list[float] = field(default_factory=list)
    ours_docx: list[float] = field(default_factory=list)
    ours_xlsx: list[float] = field(default_factory=list)


def measure_peer(projects: list, folder: Path, repeat: int, peer: Peer) -> None:
    """Add one round of per-document medians to ``peer``: each seed project rendered by
    docxtpl, openpyxl and sheetgen (the peer ``repeat // 4`` times, sheetgen ``repeat`` times)."""
    from bench.xlsx_vs_openpyxl import write_with_openpyxl
    from sheetgen.render.templates import compiled

    docxtpl, openpyxl, ours_docx, ours_xlsx = [], [], [], []
    for project, jurisdiction in projects:
        dialect = folder / f"{jurisdiction.name}.docx"
        if not dialect.exists():
            docxtpl_template(jurisdiction.template_path("docx"), dialect)
        context = docxtpl_context(project, jurisdiction)
        few = max(3, repeat // 4)
        docxtpl.append(median_ms(partial(documented_way, dialect, context), few))
        openpyxl.append(median_ms(partial(write_with_openpyxl, project, jurisdiction), few))
        ours_docx.append(median_ms(partial(compiled("docx", jurisdiction).render, [project], jurisdiction), repeat))
        ours_xlsx.append(median_ms(partial(compiled("xlsx", jurisdiction).render, [project], jurisdiction), repeat))
    peer.docxtpl.append(statistics.median(docxtpl))
    peer.openpyxl.append(statistics.median(openpyxl))
    peer.ours_docx.append(statistics.median(ours_docx))
    peer.ours_xlsx.append(statistics.median(ours_xlsx))


# ----------------------------------------------------------------------------- report

def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def file_cost(folder: Path, count: int = 400, size: int = 20_000) -> float:
    """Return the wall ms to create, write and rename one new file of ``size`` bytes in
    ``folder`` now, as a build writes each output (median of ``count``).  It varies with what
    the file system did lately: this machine's ext4 has no journal, and creating a file
    after many deletions costs up to ten times as much (the kernel skips recently freed inodes)."""
    folder.mkdir(parents=True, exist_ok=True)
    data, times = b"x" * size, []
    for index in range(count):
        start = time.perf_counter()
        temp = folder / f".{index}.tmp"
        with open(temp, "xb") as handle:
            handle.write(data)
        os.replace(temp, folder / f"{index}.bin")
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


#: A new file costs about 0.03-0.09 ms here on a settled file system; more means many files were
#: deleted in the last minutes (an earlier run's temporary folder, a ``rm -rf``) and every
#: build above paid for it.
SLOW_FILE_MS = 0.2
_FILES_SLOW = "slowed by recent deletions: run again in 5-10 minutes"


def settle(folder: Path, wait: float) -> float:
    """Return what a new file costs (ms) once the file system has settled: measured every 30 s
    until under :data:`SLOW_FILE_MS`, for at most ``wait`` seconds (a run started just after
    another, or after a test suite, would otherwise time the kernel's file allocator).
    Says on stderr what it waits for."""
    deadline = time.monotonic() + wait
    while True:
        cost = file_cost(folder)
        if cost <= SLOW_FILE_MS or time.monotonic() >= deadline:
            return cost
        print(f"a new file costs {cost:.3f} ms ({_FILES_SLOW.split(':')[0]}); waiting 30 s", file=sys.stderr)
        time.sleep(30)


def paired_growth(small: list[Run], large: list[Run], sizes: tuple[int, int]) -> list[float]:
    """Return, round by round, how much more (or less) a spec cost in the large build than in
    the two small builds around it: ``small`` holds two runs a round, ``large`` one."""
    n_small, n_large = sizes
    out = []
    for index, big in enumerate(large):
        before, after = small[2 * index], small[2 * index + 1]
        out.append((big.seconds / n_large) / ((before.seconds + after.seconds) / 2 / n_small) - 1)
    return out


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def resampled_medians(values: list[float], draws: int = 10_000) -> list[float]:
    """Return, sorted, the medians of ``draws`` resamplings of ``values`` with replacement (a
    bootstrap): how another run's median of as many rounds could fall on this machine, given how
    this run's rounds spread.  Seeded, so one run's figures print the same each time."""
    chosen = random.Random(16)
    return sorted(statistics.median(chosen.choices(values, k=len(values))) for _ in range(draws))


def verdict(ok: bool) -> str:
    return "holds" if ok else "MISSED"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds of every measurement (default 5)")
    parser.add_argument("--repeat", type=int, default=12, help="renders per document per round (default 12)")
    parser.add_argument("--small", type=int, default=1000, help="specs of the smaller build (default 1000)")
    parser.add_argument("--large", type=int, default=5000, help="specs of the larger build (default 5000)")
    parser.add_argument("--middle", type=int, default=0,
                        help="also build this many specs each round (between the small and the large build) and "
                             "print the cost of an extra spec below and above it: whether the time grows "
                             "linearly (default 0: not built)")
    parser.add_argument("--jobs", default="", help="pass --jobs to the builds (default: sheetgen's default)")
    parser.add_argument("--settle", type=float, default=600,
                        help="seconds to wait at most for the file system to settle before the builds (default 600)")
    args = parser.parse_args()
    jobs = ("--jobs", args.jobs) if args.jobs else ()
    started = load()
    projects = seed_projects()
    cold("check", str(ONE_SPEC))  # a first run writes the bytecode cache of every module a run imports
    peer = Peer()
    sizes = (args.small, *((args.middle,) if args.middle else ()), args.large)
    builds: dict[int, list[Run]] = {n: [] for n in sizes}
    again: dict[int, list[Run]] = {n: [] for n in sizes}  # the no-change rebuilds
    helps: list[float] = []
    checks: list[float] = []
    files: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        trees = {n: make_specs(root / f"specs{n}", n) for n in builds}
        settle(root / "files-settle", args.settle)
        for round_ in range(args.rounds):
            measure_peer(projects, root, args.repeat, peer)
            files.append(file_cost(root / f"files-{round_}"))
            for turn, count in enumerate((*sizes, args.small)):
                tree, out = trees[count], root / f"out{count}-{round_}-{turn}"
                builds[count].append(sheetgen("build", str(tree), "-o", str(out), "--quiet", *jobs))
                again[count].append(sheetgen("build", str(tree), "-o", str(out), "--quiet", *jobs))
            for _ in range(3):
                helps.append(cold("--help"))
                checks.append(cold("check", str(ONE_SPEC)))
            print(f"round {round_ + 1}/{args.rounds} done (load {load()})", file=sys.stderr)
        made = sum(len(names) for _, _, names in os.walk(root))
        print(f"removing the {made} files of this run: a run started in the next "
              "5-10 minutes finds new files slower to make (see file_cost)", file=sys.stderr)

    docxtpl, openpyxl = median(peer.docxtpl), median(peer.openpyxl)
    peer_spec = docxtpl + openpyxl
    seconds = {n: median([r.seconds for r in runs]) for n, runs in builds.items()}
    per_spec = {n: seconds[n] * 1000 / n for n in seconds}
    cpu_spec = {n: median([r.cpu for r in runs]) * 1000 / n for n, runs in builds.items()}
    codes = {r.code for runs in (*builds.values(), *again.values()) for r in runs}
    small, large = args.small, args.large
    ratio = peer_spec / per_spec[small]
    rounds_growth = paired_growth(builds[small], builds[large], (small, large))
    growth = median(rounds_growth)
    resampled = resampled_medians(rounds_growth) if rounds_growth else [float("nan")]
    beyond = sum(abs(g) > 0.10 for g in resampled) / len(resampled)
    tail = len(resampled) // 20  # 5 % of the draws each side: a 90 % interval
    low, high = resampled[tail], resampled[len(resampled) - 1 - tail]
    main_mb = {n: median([r.main_mb for r in runs]) for n, runs in builds.items()}
    worker_mb = {n: median([r.worker_mb for r in runs]) for n, runs in builds.items()}
    # seconds = fixed + marginal * specs through both builds: what a build pays once (start-up,
    # compiling templates, forking the workers, the last unit's wait) weighs more on the smaller
    # one, and is what moves the ms/spec of the two apart
    def extra_spec_ms(low: int, high: int) -> float:
        return (seconds[high] - seconds[low]) * 1000 / (high - low)

    marginal = extra_spec_ms(small, large)
    fixed = seconds[small] - marginal * small / 1000
    # the once part the 10 % allows at this cost a spec: fixed / small - fixed / large <= 10 % of
    # (fixed / small + marginal); the cheaper a spec, the less a build may pay once
    allowed = 0.10 * marginal / 1000 / (0.9 / small - 1 / large)
    slopes = [((low, high), extra_spec_ms(low, high)) for low, high in itertools.pairwise(sizes)]
    no_change = median([r.seconds for r in again[args.small]])
    idle_mb = {n: median([r.main_mb for r in runs]) for n, runs in again.items()}
    help_ms, check_ms = median(helps) * 1000, median(checks) * 1000

    rows = [
        ("peer: docxtpl, one DocxTemplate per document", f"{docxtpl:.1f} ms/document", ""),
        ("peer: openpyxl, cell by cell", f"{openpyxl:.1f} ms/workbook", ""),
        ("peer: docxtpl + openpyxl per spec", f"{peer_spec:.1f} ms/spec", ""),
        ("sheetgen render alone: .docx / .xlsx", f"{median(peer.ours_docx):.2f} / {median(peer.ours_xlsx):.2f} ms "
         f"({docxtpl / median(peer.ours_docx):.0f}x / {openpyxl / median(peer.ours_xlsx):.0f}x)", ""),
        (f"sheetgen build {small} specs, end to end", f"{seconds[small]:.2f} s = {per_spec[small]:.2f} ms/spec "
         f"(cpu {cpu_spec[small]:.2f} ms/spec)", f"<= 3 s: {verdict(seconds[small] <= 3)}"),
        (f"sheetgen build {large} specs, end to end", f"{seconds[large]:.2f} s = {per_spec[large]:.2f} ms/spec "
         f"(cpu {cpu_spec[large]:.2f} ms/spec)", f"<= 15 s: {verdict(seconds[large] <= 15)}"),
        ("ratio: peer per spec / sheetgen per spec", f"{ratio:.1f}x", f">= 15x: {verdict(ratio >= 15)}"),
        (f"ms/spec at {large} vs {small} (median of the rounds)", f"{growth:+.1%} (rounds: "
         + " ".join(f"{g:+.1%}" for g in rounds_growth) + ")", f"within 10 %: {verdict(abs(growth) <= 0.10)}"),
        ("  the median resampled from these rounds", f"90 % within {low:+.1%} to {high:+.1%}; "
         f"beyond 10 % in {beyond:.0%}", ""),
        ("  each round, in seconds", "; ".join(f"{n}: " + " / ".join(f"{r.seconds:.2f}" for r in runs)
                                              for n, runs in sorted(builds.items())), ""),
        ("  the two builds as a line: once + per spec", f"{fixed:.3f} s once + {marginal:.2f} ms/spec "
         f"(the once part is {fixed / seconds[small]:.0%} of the {small})", ""),
        (f"  the once part that keeps {large} within 10 % of {small}", f"under {allowed:.3f} s at "
         f"{marginal:.2f} ms/spec (measured {fixed:.3f} s)", ""),
        *([("  an extra spec, " + " / ".join(f"{a}→{b}" for (a, b), _ in slopes),
            " / ".join(f"{ms:.2f}" for _, ms in slopes) + f" ms ({slopes[1][1] / slopes[0][1] - 1:+.1%})", "")]
          if len(slopes) > 1 else []),
        (f"no-change rebuild of {small}", f"{no_change:.3f} s", f"<= 0.3 s: {verdict(no_change <= 0.3)}"),
        ("sheetgen --help, cold", f"{help_ms:.0f} ms", f"<= 100 ms: {verdict(help_ms <= 100)}"),
        ("sheetgen check of one spec, cold", f"{check_ms:.0f} ms", f"<= 150 ms: {verdict(check_ms <= 150)}"),
    ]
    for label, mb in (("main process", main_mb), ("largest worker", worker_mb), ("main, no-change", idle_mb)):
        if not mb[large] and not mb[small]:
            continue
        change = mb[large] / mb[small] - 1 if mb[small] else float("nan")
        rows.append((f"peak memory, {label}, {small} vs {large}", f"{mb[small]:.1f} vs {mb[large]:.1f} MB "
                     f"({change:+.1%})", f"within 10 %: {verdict(abs(change) <= 0.10)}"))
    rows.append(("file system: one new file written and renamed", f"{median(files):.3f} ms "
                 "(a build writes 2.25 files a spec)", _FILES_SLOW if median(files) > SLOW_FILE_MS else ""))
    width = max(len(r[0]) for r in rows)
    print(f"medians of {args.rounds} rounds; load average {started} at the start, {load()} at the end; "
          f"{os.cpu_count()} cpus; exit codes {sorted(codes)}")
    for label, measured, target in rows:
        print(f"{label.ljust(width)}  {measured:<52}  {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
