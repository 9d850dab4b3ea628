"""Print the live preview's figures next to their targets (run by hand: python bench/bench_serve.py).

Starts the real ``sheetgen serve`` on a copy of the seed specs and measures:
  * a project page (seed-sized) once warm, full page and the live part -- target < 100 ms;
  * the index and a unit's 汇总 page once warm;
  * a save to the spec -> the page's event -> its new main part fetched -- target < 1 s
    (what an open page does; the browser test checks the same in Chromium);
  * `sheetgen --help` (serve's libraries must not load for it) -- target <= 150 ms.
"""

from __future__ import annotations

import argparse
import http.client
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.serve.served import Served  # noqa: E402

UNIT, SPEC, NAME = "sh-yifenyuan-2020", "04-检察业务保障费", "检察业务保障费"


def timed_get(port: int, path: str) -> tuple[float, bytes]:
    """Return (milliseconds, body) of one GET on a fresh connection, as a browser's first request."""
    start = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Host": f"localhost:{port}"})
    body = connection.getresponse().read()
    connection.close()
    return (time.perf_counter() - start) * 1000, body


def page_ms(port: int, path: str, repeat: int) -> tuple[float, float]:
    """Return (median, worst) milliseconds of ``repeat`` GETs of ``path`` after two warm-up GETs."""
    for _ in range(2):
        timed_get(port, path)
    times = [timed_get(port, path)[0] for _ in range(repeat)]
    return statistics.median(times), max(times)


def update_ms(served: Served, spec: Path, path: str, rounds: int) -> list[float]:
    """Return, per save, milliseconds from writing the spec to having the page's new main part."""
    original = spec.read_text(encoding="utf-8")
    results = []
    for n in range(rounds):
        events = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
        events.request("GET", "/events", headers={"Host": f"localhost:{served.port}"})
        stream = events.getresponse()
        seen = None
        while seen is None:  # the version the page has now
            line = stream.fp.readline().decode()
            if line.startswith("data:"):
                seen = line.split(":", 1)[1].strip()
        text = f"改名第{n}次"
        start = time.perf_counter()
        spec.write_text(original.replace(f"name: {NAME}", f"name: {text}"), encoding="utf-8")
        while True:
            line = stream.fp.readline().decode()
            if line.startswith("data:") and line.split(":", 1)[1].strip() != seen:
                break
        _ms, body = timed_get(served.port, path + "?part=main")
        results.append((time.perf_counter() - start) * 1000)
        assert text in body.decode(), "the new part shows the edit"
        events.close()
        time.sleep(0.3)
    spec.write_text(original, encoding="utf-8")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=50, help="GETs per page timing")
    parser.add_argument("--saves", type=int, default=10, help="saves timed for the live update")
    args = parser.parse_args()
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="sheetgen-bench-serve-") as tmp:
        base = Path(tmp)
        shutil.copytree(REPO / "specs", base / "specs")
        start = time.perf_counter()
        served = Served(base / "specs", base / "output")
        rows.append(("serve start (24 specs) until it answers", f"{(time.perf_counter() - start) * 1000:.0f} ms", ""))
        try:
            project = "/p/" + quote(f"{UNIT}/{SPEC}.yaml")
            median, worst = page_ms(served.port, project, args.repeat)
            rows.append((f"project page, warm, median of {args.repeat}", f"{median:.1f} ms (worst {worst:.1f})",
                         "< 100 ms"))
            median, worst = page_ms(served.port, project + "?part=main", args.repeat)
            rows.append(("project page's live part, warm", f"{median:.1f} ms (worst {worst:.1f})", "< 100 ms"))
            median, _worst = page_ms(served.port, "/", args.repeat)
            rows.append(("index (3 units, 24 projects), warm", f"{median:.1f} ms", "< 100 ms"))
            median, _worst = page_ms(served.port, "/u/" + quote(UNIT), args.repeat)
            rows.append(("a unit's 汇总 page (9 projects), warm", f"{median:.1f} ms", "< 100 ms"))
            updates = update_ms(served, base / "specs" / UNIT / f"{SPEC}.yaml", project, args.saves)
            rows.append((f"save -> event -> new part, median of {args.saves}",
                         f"{statistics.median(updates):.0f} ms (worst {max(updates):.0f})", "< 1000 ms"))
        finally:
            served.stop()
    helps = []
    for _ in range(7):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sheetgen", "--help"], capture_output=True, check=True, cwd=REPO)
        helps.append((time.perf_counter() - start) * 1000)
    rows.append(("sheetgen --help, median of 7", f"{statistics.median(helps):.0f} ms", "<= 150 ms"))
    width = max(len(r[0]) for r in rows)
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:<24} {target}")


if __name__ == "__main__":
    main()
