"""Change detection for ``sheetgen build --watch`` and ``sheetgen serve``: one mechanism for both.

:func:`changes` yields, batch by batch, the files a build of some paths
depends on that were saved, added or removed: the specs and ``_defaults.yaml``
under those paths, the shared indicator blocks they include (also from outside
the named folder, anywhere in the specs tree), and the jurisdiction folders
(a ``templates/`` folder next to the specs, or the built-in ones).

The operating system's change notifications do the watching, through
``watchfiles`` (the Rust ``notify`` library: inotify, FSEvents,
ReadDirectoryChangesW): a save is seen within tens of milliseconds and an
idle watch costs nothing.  Where notifications do not arrive -- WSL, network
drives, some shared folders -- watchfiles polls instead: on WSL by itself, and
anywhere with ``WATCHFILES_FORCE_POLLING=1``.  Saves that come within 50 ms of
each other (editors write a file in several steps) make one batch.

:func:`watch` is ``build --watch``: build, then rebuild after every batch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from sheetgen import jurisdiction as jurisdictions
from sheetgen.build.runner import BuildOptions, Summary
from sheetgen.jurisdiction.folders import TEMPLATES
from sheetgen.spec.blocks import BLOCK_SUFFIXES, include_area
from sheetgen.spec.files import DEFAULTS_NAME, block_files, holds_specs
from sheetgen.workspace import Workspace, candidate_dirs

TICK_MS = 250  # how often the watcher looks up from waiting (new folders, stop requests)
STEP_MS = 50  # saves closer together than this make one batch
_LOCK_PREFIXES = ("~$", ".~lock", ".#")  # Word, LibreOffice and Emacs lock files


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


class Scope(Struct):
    """The files a build of ``paths`` into ``output`` depends on, and the folders to watch for them.

    All paths are absolute and resolved.  ``areas`` are the folders shared
    blocks may come from (:func:`~sheetgen.spec.blocks.include_area`), which
    hold the named paths; ``templates`` the jurisdiction folders outside them
    (the built-in one, and a ``templates/`` folder next to the specs, which may
    not exist yet); ``blocks`` the block files the specs include now.
    """

    paths: tuple[Path, ...]
    output: Path
    areas: tuple[Path, ...] = ()
    templates: tuple[Path, ...] = ()
    blocks: frozenset[Path] = field(default_factory=frozenset)

    @classmethod
    def of(cls, paths: Sequence[Path], output: Path) -> Scope:
        """Return the scope of a build of ``paths`` into ``output``."""
        scope = cls(tuple(dict.fromkeys(Path(p).resolve() for p in paths)), output.resolve())
        scope.find_folders()
        scope.find_blocks()
        return scope

    def find_folders(self) -> None:
        """Work out again which folders the named paths draw on (one may have appeared)."""
        areas, templates = [], [jurisdictions.builtin_dir()]
        for path in self.paths:
            root = path if path.is_dir() else path.parent
            if path.is_file() or holds_specs(root):  # a unit (or one of its specs): blocks may sit beside it
                areas.append(include_area(root, root))
                templates.extend(candidate_dirs(root))
            elif path.is_dir():  # a tree of units
                areas.append(root)
                templates.extend(candidate_dirs(root, tree=True))
        self.areas = tuple(dict.fromkeys(areas))
        self.templates = tuple(dict.fromkeys(templates))

    def find_blocks(self) -> None:
        """Read again which shared blocks the specs include (an edit may have changed it)."""
        specs, _problems = Workspace.discover(self.paths)
        self.blocks = frozenset(block.resolve() for spec in specs for block in block_files(spec))

    def roots(self) -> tuple[Path, ...]:
        """Return the existing folders to watch (recursively), none inside another."""
        wanted = sorted({p for p in (*self.areas, *self.templates) if p.is_dir()}, key=lambda p: len(p.parts))
        roots: list[Path] = []
        for folder in wanted:
            if not any(_inside(folder, root) for root in roots):
                roots.append(folder)
        return tuple(roots)

    def matters(self, path: Path) -> bool:
        """Return whether a change to ``path`` (absolute) can change what the build writes."""
        if _inside(path, self.output) or path.name.startswith(_LOCK_PREFIXES) or path.name.endswith("~"):
            return False
        root = next((r for r in (*self.templates, *self.areas) if _inside(path, r)), None)
        if root is None:
            return False
        parts = path.relative_to(root).parts
        if any(part.startswith(".") for part in parts):
            return False
        if root in self.templates or TEMPLATES in parts[:-1]:
            return True  # a jurisdiction's files: description, schema, Word and Excel templates
        if path.suffix.lower() not in BLOCK_SUFFIXES:
            return False
        if path in self.blocks:
            return True
        for given in self.paths:
            if given.is_dir() or not given.suffix:
                if _inside(path, given):
                    return True
            elif path in (given, given.parent / DEFAULTS_NAME):  # one spec: it and its folder's defaults
                return True
        # elsewhere in the specs tree: a block not included yet, or another unit's defaults
        # (which a block may also be); another unit's own project specs do not matter
        return any(part.startswith("_") for part in parts)


def changes(
    paths: Sequence[Path],
    output: Path,
    *,
    stop: threading.Event | None = None,
    force_polling: bool | None = None,
) -> Iterator[list[Path]]:
    """Return an iterator over batches of changed files that a build of ``paths`` depends on.

    The first batch is empty and comes once the watcher is running: build
    then, so that no save made during that build is missed.  Every later
    batch lists the files saved, added or removed (sorted).  It ends when
    ``stop`` is set; Ctrl-C raises :class:`KeyboardInterrupt` (main thread).
    """
    import watchfiles

    scope = Scope.of(paths, output)
    stop = stop or threading.Event()
    ready = False
    appeared: list[Path] = []
    while not stop.is_set():
        scope.find_folders()
        roots = scope.roots()
        if not roots:  # nothing there yet: look again each tick
            if not ready:
                ready = True
                yield []
            stop.wait(TICK_MS / 1000)
            continue
        for raw in watchfiles.watch(*roots, watch_filter=None, step=STEP_MS, rust_timeout=TICK_MS,
                                    yield_on_timeout=True, stop_event=stop, force_polling=force_polling):
            if not ready:
                ready = True
                yield []
            found = sorted(_files(raw, scope) | set(appeared))
            appeared = []
            if found:
                scope.find_blocks()
                yield found
            scope.find_folders()
            now = scope.roots()
            if now != roots:  # a templates folder (or the specs) appeared: watch it from now on,
                appeared = [r for r in now if r not in roots]  # and build once more when it does
                break
    return


def _files(raw: Iterable[tuple[Any, str]], scope: Scope) -> set[Path]:
    """Return the files of one batch of raw changes that matter.  A new folder is
    looked into: files written in it before the watcher saw it give no event."""
    found: set[Path] = set()
    for _change, name in raw:
        path = Path(name)
        if path.is_dir():
            found.update(f for f in path.rglob("*") if f.is_file() and scope.matters(f))
        elif scope.matters(path):
            found.add(path)
    return found


class Round(Struct):
    """One build of the watch loop: its number, the files that changed before it, its summary."""

    number: int
    summary: Summary
    changed: list[Path] = field(default_factory=list)


def forget_loaded_jurisdictions() -> None:
    """Drop the in-process cache of parsed defaults and blocks, so edits are read again.

    Jurisdictions need no forgetting: each build makes its own workspace, which
    loads them afresh; worker processes start fresh each build anyway.
    """
    from sheetgen.build import tasks

    tasks._defaults_cache.clear()


def watch(
    options: BuildOptions,
    build: Callable[[BuildOptions], Summary],
    on_round: Callable[[Round], None],
    *,
    max_rounds: int | None = None,
    on_change: Callable[[int, list[Path]], None] | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Return the number of builds run: one now, then one after each batch of changes,
    until ``max_rounds`` builds or ``stop`` is set (forever when neither; Ctrl-C stops it).

    ``on_change(number, files)`` is called before each rebuild, ``on_round`` after each build."""
    rounds = 0
    for changed in changes(options.paths, options.output, stop=stop):
        if rounds and not changed:
            continue
        forget_loaded_jurisdictions()
        rounds += 1
        if changed and on_change is not None:
            on_change(rounds, changed)
        on_round(Round(rounds, build(options), changed))
        if max_rounds is not None and rounds >= max_rounds:
            break
    return rounds
