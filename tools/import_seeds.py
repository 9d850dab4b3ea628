"""Regenerate the seed specs in ``specs/`` from the seed documents in ``tests/fixtures/seeds/``.

Usage: ``python tools/import_seeds.py [--check]``.  Writes ``_defaults.yaml`` and
one file per project into each unit folder (removing the folder's other
``*.yaml`` files) and prints every warning of the import.  With ``--check``
nothing is written; the exit status is 1 if a committed file differs from
what the importer produces now.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sheetgen.importers import ImportResult, import_text  # noqa: E402
from sheetgen.importers.common import spec_labels  # noqa: E402
from sheetgen.importers.yamlwriter import dump_spec  # noqa: E402

SEEDS = ROOT / "tests" / "fixtures" / "seeds"
SPECS = ROOT / "specs"
#: Seed document → unit folder in specs/.
UNITS = {
    "000_843e70b5e72a22f4.txt": "sh-yifenyuan-2020",
    "001_7b6856de8c6b40d9.txt": "sh-shijianchayuan-2020",
    "002_86ef9e7dadc5629d.txt": "tj-xiqing-2025",
}


def import_seed(seed: str) -> ImportResult:
    """Return the import of one seed document, its diagnostics naming the repo-relative path."""
    path = SEEDS / seed
    return import_text(path.read_text(encoding="utf-8-sig"), path.relative_to(ROOT).as_posix())


def render(seed: str, result: ImportResult) -> dict[str, str]:
    """Return file name → YAML text of the unit folder of ``result``."""
    labels = spec_labels(result.defaults["jurisdiction"])
    header = f"# 由 tools/import_seeds.py 从 tests/fixtures/seeds/{seed} 生成；请勿手改，改导入程序后重新生成。\n"
    files = {"_defaults.yaml": header + dump_spec(result.defaults, labels)}
    for project in result.projects:
        files[project.filename] = header + dump_spec(project.data, labels)
    return files


def main(argv: list[str] | None = None) -> int:
    """Regenerate (or with ``--check`` compare) the seed specs; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="只比较，不写文件")
    args = parser.parse_args(argv)
    stale = 0
    for seed, unit in UNITS.items():
        result = import_seed(seed)
        folder = SPECS / unit
        files = render(seed, result)
        print(f"{seed} → specs/{unit}: {result.layout}, {len(result.projects)} 个项目")
        for diagnostic in result.diagnostics:
            print(f"  {diagnostic.format()}")
        existing = {path.name for path in folder.glob("*.yaml")} if folder.is_dir() else set()
        for name in sorted(existing - files.keys()):
            stale += 1
            print(f"  多余的文件：specs/{unit}/{name}")
            if not args.check:
                (folder / name).unlink()
        for name, text in files.items():
            path = folder / name
            if path.is_file() and path.read_text(encoding="utf-8") == text:
                continue
            stale += 1
            print(f"  {'不一致' if args.check else '写入'}：specs/{unit}/{name}")
            if not args.check:
                folder.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
