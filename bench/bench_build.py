"""Print sheetgen's speed figures next to their targets (run by hand: python bench/bench_build.py).

Figures (medians unless said otherwise):
  * per-document .docx render: sheetgen (template compiled once) vs docxtpl's
    documented way (a new DocxTemplate per document, render, save) -- target >= 20x;
  * per-workbook .xlsx render: sheetgen vs openpyxl writing the same sheet cell by cell -- target >= 10x;
  * 1,000 specs (validate + .docx + .xlsx + combined files) with --jobs 2 -- target <= 10 s;
  * the same 1,000 again with nothing changed -- target <= 1 s;
  * `sheetgen --help` -- target <= 150 ms;
  * peak memory of a build of 200 and of 1,000 specs -- must not grow with N.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.synth import make_specs  # noqa: E402
from bench.timing import median_ms  # noqa: E402


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


def docxtpl_context(project, jurisdiction) -> dict:  # type: ignore[no-untyped-def]
    from sheetgen.render.context import format_value

    def fmt(value):  # type: ignore[no-untyped-def]
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


def bench_docx(projects: list, repeat: int) -> tuple[float, float]:
    from sheetgen.render.templates import compiled

    ours, theirs = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for project, jurisdiction in projects:
            template = compiled("docx", jurisdiction)
            ours.append(median_ms(partial(template.render, [project], jurisdiction), repeat))
            dialect = Path(tmp) / f"{jurisdiction.name}.docx"
            if not dialect.exists():
                docxtpl_template(jurisdiction.template_path("docx"), dialect)
            context = docxtpl_context(project, jurisdiction)

            theirs.append(median_ms(partial(documented_way, dialect, context), max(3, repeat // 4)))
    return statistics.median(ours), statistics.median(theirs)


def bench_xlsx(projects: list, repeat: int) -> tuple[float, float]:
    from sheetgen.render.templates import compiled

    try:
        from bench.xlsx_vs_openpyxl import write_with_openpyxl
    except ImportError:
        write_with_openpyxl = None
    ours, theirs = [], []
    for project, jurisdiction in projects:
        template = compiled("xlsx", jurisdiction)
        ours.append(median_ms(partial(template.render, [project], jurisdiction), repeat))
        if write_with_openpyxl is not None:
            theirs.append(median_ms(partial(write_with_openpyxl, project, jurisdiction), max(3, repeat // 4)))
    return statistics.median(ours), (statistics.median(theirs) if theirs else float("nan"))


def run_cli(*args: str) -> tuple[float, int]:
    """Return (wall seconds, exit code) of one sheetgen run in a fresh process."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "sheetgen", *args], cwd=REPO, capture_output=True)
    return time.perf_counter() - start, done.returncode


def peak_rss_mb(*args: str) -> float:
    """Return the peak resident memory (MB) of the largest process of one sheetgen run."""
    code = ("import resource, subprocess, sys; "
            f"subprocess.run([sys.executable, '-m', 'sheetgen', {', '.join(repr(a) for a in args)}], "
            "capture_output=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return int(done.stdout.strip()) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=int, default=1000, help="how many synthetic specs (default 1000)")
    parser.add_argument("--repeat", type=int, default=20, help="repetitions per render timing")
    args = parser.parse_args()
    rows: list[tuple[str, str, str]] = []

    projects = seed_projects()
    ours, docxtpl = bench_docx(projects, args.repeat)
    rows.append(("docx render, median over 24 seed specs", f"{ours:.2f} ms vs docxtpl {docxtpl:.1f} ms = "
                 f"{docxtpl / ours:.0f}x", ">= 20x"))
    ours_x, openpyxl = bench_xlsx(projects, args.repeat)
    rows.append(("xlsx render, median over 24 seed specs", f"{ours_x:.2f} ms vs openpyxl {openpyxl:.1f} ms = "
                 f"{openpyxl / ours_x:.0f}x", ">= 10x"))

    helps = [run_cli("--help")[0] * 1000 for _ in range(7)]
    rows.append(("sheetgen --help, median of 7", f"{statistics.median(helps):.0f} ms", "<= 150 ms"))

    with tempfile.TemporaryDirectory() as tmp:
        small = make_specs(Path(tmp) / "specs200", 200)
        big = make_specs(Path(tmp) / "specs", args.specs)
        out = Path(tmp) / "out"
        seconds, code = run_cli("build", str(big), "-o", str(out), "--jobs", "2", "--quiet")
        files = len(list(out.rglob("*.docx"))) + len(list(out.rglob("*.xlsx")))
        rows.append((f"build {args.specs} specs --jobs 2 (exit {code}, {files} files)", f"{seconds:.2f} s",
                     "<= 10 s"))
        again, code = run_cli("build", str(big), "-o", str(out), "--jobs", "2", "--quiet")
        rows.append((f"no-change rebuild of {args.specs} (exit {code})", f"{again:.2f} s", "<= 1 s"))
        mem_small = peak_rss_mb("build", str(small), "-o", str(Path(tmp) / "o1"), "--jobs", "2", "--quiet")
        mem_big = peak_rss_mb("build", str(big), "-o", str(Path(tmp) / "o2"), "--jobs", "2", "--quiet")
        rows.append(("peak RSS, 200 specs vs " + str(args.specs), f"{mem_small:.0f} MB vs {mem_big:.0f} MB",
                     "no growth with N"))

    width = max(len(r[0]) for r in rows)
    print(f"{'figure'.ljust(width)}  {'measured':<44}  target")
    for name, measured, target in rows:
        print(f"{name.ljust(width)}  {measured:<44}  {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
