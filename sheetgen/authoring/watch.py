"""``sheetgen build --watch``: build, then rebuild whenever a file is saved.

The files are polled (size and modification time, every ``interval``
seconds) rather than watched through the operating system: no extra
dependency, and it behaves the same on network drives, WSL and shared
folders, where change notifications are unreliable; a unit folder has a few
dozen files, so one poll costs well under a millisecond.  A change is built
once the files have stopped changing for one interval (editors save in
several writes).  ``build`` is incremental, so a round renders only what
changed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sheetgen import jurisdiction as jurisdictions
from sheetgen.build.runner import BuildOptions, Summary

Snapshot = dict[Path, tuple[int, int]]


@dataclass
class Round:
    """One build of the watch loop: its number, the files that changed before it, its summary."""

    number: int
    summary: Summary
    changed: list[Path] = field(default_factory=list)


def watched_folders(options: BuildOptions) -> list[Path]:
    """Return the folders whose files a build depends on: the spec paths, the
    ``templates/`` folder next to each, and the built-in jurisdictions."""
    folders = []
    for given in options.paths:
        given = Path(given)
        base = given if given.is_dir() else given.parent
        folders += [given, base.resolve().parent / "templates"]
    folders.append(jurisdictions.builtin_dir())
    return list(dict.fromkeys(folders))


def snapshot(options: BuildOptions) -> Snapshot:
    """Return (modification time, size) of every file a build of ``options`` reads."""
    output = options.output.resolve()
    found: Snapshot = {}
    for folder in watched_folders(options):
        paths: Iterable[Path] = [folder] if folder.is_file() else (folder.rglob("*") if folder.is_dir() else ())
        for path in paths:
            if any(part.startswith(".") for part in path.parts[-2:]):
                continue
            try:
                if path.resolve().is_relative_to(output):
                    continue
                stat = path.stat()
            except OSError:
                continue
            if path.is_file():
                found[path] = (stat.st_mtime_ns, stat.st_size)
    return found


def changed_files(before: Snapshot, after: Snapshot) -> list[Path]:
    """Return the files added, removed or modified between two snapshots."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def _forget_loaded_jurisdictions() -> None:
    """Drop the in-process validation caches, so an edited jurisdiction is read again.

    A build running in this process (one task, or ``--jobs 1``) keeps its
    checker between calls; worker processes start fresh each build anyway.
    """
    from sheetgen.build import tasks

    tasks._checker.clear()


def watch(
    options: BuildOptions,
    build: Callable[[BuildOptions], Summary],
    on_round: Callable[[Round], None],
    *,
    interval: float = 0.5,
    max_rounds: int | None = None,
    sleep: Callable[[float], None] | None = None,
    on_change: Callable[[int, list[Path]], None] | None = None,
) -> int:
    """Return the number of builds run: one now, then one after each change, until
    ``max_rounds`` builds (forever when None; Ctrl-C stops it).

    ``on_change(number, files)`` is called before each rebuild, ``on_round``
    after each build; ``sleep`` defaults to :func:`time.sleep`."""
    sleep = sleep or time.sleep
    previous = snapshot(options)
    _forget_loaded_jurisdictions()
    on_round(Round(1, build(options)))
    rounds = 1
    while max_rounds is None or rounds < max_rounds:
        sleep(interval)
        current = snapshot(options)
        if current == previous:
            continue
        while True:  # wait until the editor has finished saving
            sleep(interval)
            settled = snapshot(options)
            if settled == current:
                break
            current = settled
        changed = changed_files(previous, current)
        previous = current
        _forget_loaded_jurisdictions()
        rounds += 1
        if on_change is not None:
            on_change(rounds, changed)
        on_round(Round(rounds, build(options), changed))
    return rounds
