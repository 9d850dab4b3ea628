"""Synthetic spec trees made from the seed specs, for benchmarks."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def make_specs(target: Path, count: int, per_unit: int = 40) -> Path:
    """Return ``target`` filled with ``count`` specs cloned from the 24 seed specs, in unit
    folders of one seed unit each (with its ``_defaults.yaml``): each round over the seeds makes
    one folder per seed unit, so a folder holds that unit's 7-9 specs (at most ``per_unit``)."""
    if target.exists():
        shutil.rmtree(target)
    seeds = sorted(p for p in (REPO / "specs").glob("*/[!_]*.yaml"))
    made = 0
    unit = 0
    while made < count:
        for seed in seeds:
            if made >= count:
                break
            folder = target / f"unit-{unit:03d}-{seed.parent.name}"
            if not folder.exists():
                folder.mkdir(parents=True)
                shutil.copy(seed.parent / "_defaults.yaml", folder / "_defaults.yaml")
            index = len(list(folder.glob("[!_]*.yaml"))) + 1
            text = seed.read_text(encoding="utf-8")
            name_line = next(line for line in text.splitlines() if line.startswith("name:"))
            text = text.replace(name_line, f"{name_line.split('#')[0].rstrip()}（副本{made}）", 1)
            (folder / f"{index:03d}-{seed.stem[3:]}.yaml").write_text(text, encoding="utf-8")
            made += 1
            if index >= per_unit:
                unit += 1
        unit += 1
    return target
