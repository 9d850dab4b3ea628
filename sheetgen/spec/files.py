"""Finding specs on disk and reading each with its folder defaults.

A folder of specs is one unit (申报单位).  ``_defaults.yaml`` files in the
folder and in its ancestors up to the root that was named on the command line
are merged under the spec, outermost first.  Files whose names start with
``_`` or ``.`` are not projects, nor is anything under a ``templates`` folder.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec import Struct, field

from sheetgen import os_errors
from sheetgen.errors import Diagnostic, Severity
from sheetgen.jurisdiction.folders import TEMPLATES
from sheetgen.mappings import deep_merge
from sheetgen.spec.blocks import Expanded, expand, include_area, includes

if TYPE_CHECKING:  # the YAML reader is imported when a spec is read: a no-change build reads none
    from sheetgen.spec.yamlload import Loaded, Path_, Positions

DEFAULTS_NAME = "_defaults.yaml"
SPEC_SUFFIXES = (".yaml", ".yml")


class SpecFile(Struct, frozen=True):
    """A spec file found on disk: its path, its unit folder, its position there,
    the defaults files that apply to it (outermost first) and its real path as text
    (:func:`real_text`, worked out when it was found: a build's record key)."""

    path: Path
    root: Path
    number: int
    defaults: tuple[Path, ...]
    real: str

    @property
    def unit_dir(self) -> Path:
        return self.path.parent

    @property
    def display(self) -> str:
        return _shown(self.real, self.path)


class LoadedSpec(Struct):
    """A spec read from disk and merged with its defaults; not yet validated.

    ``data`` is ``None`` when the file could not be read at all.
    ``positions`` holds the positions table of each file the data came from:
    the spec, the shared indicator blocks it includes, then the defaults files
    innermost first (each followed by its blocks).  ``blocks`` lists the block
    files read (see :mod:`sheetgen.spec.blocks`).  ``sources`` holds the
    SHA-256 of the very bytes each file was parsed from (empty when it could
    not be read): a build's record of what it built is made from these, never
    from a second read that an edit may have slipped in before.
    """

    file: SpecFile
    data: dict[str, Any] | None
    positions: list[Positions]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    blocks: list[Path] = field(default_factory=list)
    sources: dict[Path, str] = field(default_factory=dict)

    def locate(self, path: Path_, *, key: bool = False) -> tuple[str, int, int]:
        """Return (file, line, col) of ``path``: in the spec if set there, else in
        the defaults file that set it, else at its nearest ancestor."""
        path = tuple(path)
        for table in self.positions:  # the spec (and its blocks) first, then defaults innermost first
            if path in table.keys or path in table.values:
                found = table.locate(path, key=key)
                if found:
                    return table.file, found[0], found[1]
        for table in self.positions:
            found = table.locate(path, key=key)
            if found:
                return table.file, found[0], found[1]
        return self.file.display, 1, 1


def display(path: Path) -> str:
    """Return ``path`` as messages name it: relative to the working folder when inside it."""
    return _shown(real_text(path), path)


def _shown(real: str, path: Path) -> str:
    """Return ``path``, whose real path is ``real``, as messages name it."""
    here = _real_folder(os.getcwd())
    if real == here:
        return "."
    inside = here.rstrip(os.sep) + os.sep
    return real[len(inside):] if real.startswith(inside) else str(path)


def real_text(path: str | os.PathLike[str]) -> str:
    """Return the text of ``path.resolve()``: the folder's real path, resolved once per folder
    (a unit folder holds many specs), joined with the name; the whole path resolved afresh
    when it ends in ``.``/``..`` or names a symlink.  Nothing is kept per file, so that what
    a build keeps does not grow with the number of specs."""
    text = os.fspath(path)
    if not os.path.isabs(text):
        text = os.path.join(os.getcwd(), text)
    folder, name = os.path.split(text)
    if name in ("", ".", "..") or os.path.islink(text):
        return os.path.realpath(text)
    return os.path.join(_real_folder(folder), name)


@lru_cache(maxsize=4096)
def _real_folder(folder: str) -> str:
    return os.path.realpath(folder)


def _is_spec(path: Path) -> bool:
    return _is_spec_name(path.name)


def _is_spec_name(name: str) -> bool:
    """Return whether a file called ``name`` is a spec (by its name; no Path made of it: pathlib
    keeps every name it parses)."""
    return not name.startswith(("_", ".")) and os.path.splitext(name)[1].lower() in SPEC_SUFFIXES


def holds_specs(folder: Path) -> bool:
    """Return whether ``folder`` itself holds project specs (is a unit folder)."""
    return bool(_spec_names(folder))


def _skipped_name(name: str) -> bool:
    return name.startswith((".", "_")) or name in (TEMPLATES, "output")


def _spec_folders(root: Path) -> list[tuple[Path, int]]:
    """Return the folders under ``root`` (``root`` among them) holding spec files, with how many
    each holds, sorted: the folders of the files ``root.rglob("*")`` finds (no symlinked folder
    followed), none of whose names below ``root`` is skipped."""
    found: list[tuple[Path, int]] = []
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as entries:
                listed = list(entries)
        except OSError:
            continue
        count = 0
        for entry in listed:
            try:
                if entry.is_dir() and not entry.is_symlink():
                    if not _skipped_name(entry.name):
                        folders.append(folder / entry.name)
                elif entry.is_file() and _is_spec_name(entry.name):
                    count += 1
            except OSError:
                continue
        if count:
            found.append((folder, count))
    return sorted(found, key=lambda item: str(item[0]))


def _spec_names(folder: Path) -> list[str]:
    """Return the names of the spec files in ``folder``, sorted (none when it cannot be read)."""
    return [name for name, _ in _spec_entries(folder)]


def _spec_entries(folder: Path) -> list[tuple[str, bool]]:
    """Return the name of each spec file in ``folder`` and whether it is a symlink, sorted by
    name (none when it cannot be read): told from the folder's listing, no ``stat`` per file."""
    try:
        with os.scandir(folder) as entries:
            return sorted((e.name, e.is_symlink()) for e in entries if _is_spec_name(e.name) and entry_is_file(e))
    except OSError:
        return []


def entry_is_file(entry: os.DirEntry[str]) -> bool:
    """Return whether a folder entry is a file or a link to one (False when that cannot be told)."""
    try:
        return entry.is_file()
    except OSError:
        return False


class SpecFolder(Struct):
    """A folder a build or check takes specs from, found before any of its specs is read:
    the folder as found, the folder named on the command line its defaults go up to, whether
    all its specs are taken (it is under a folder named) and the files in it named themselves."""

    path: Path
    root: Path
    whole: bool
    named: list[Path] = field(default_factory=list)
    listed: int = 0  # the spec files in it when it was found

    def count(self, *, whole: bool = False) -> int:
        """Return how many specs :meth:`specs` gives (as the folder was found)."""
        taken = whole or self.whole
        return (self.listed if taken else 0) + sum(not (taken and _is_spec(p)) for p in self.named)

    def specs(self, taken: Taken, *, whole: bool = False) -> list[SpecFile]:
        """Return the specs of this folder in build order (``whole``: all of them, even when only
        some were named), leaving out any ``taken`` already under another name, and note them there."""
        entries = _spec_entries(self.path)
        numbers = {name: index for index, (name, _) in enumerate(entries, start=1)}
        whole = whole or self.whole
        # each file and whether its real path is the real folder's and its name (a file of the
        # listing that is no symlink); the files named are told apart by name from the listing's
        items = [(self.path / name, not link) for name, link in entries] if whole else []
        items.extend((p, False) for p in dict.fromkeys(self.named) if p.name not in numbers or not whole)
        folder = real_text(self.path)
        defaults = _defaults_chain(Path(folder), self.root)
        out = []
        for path, plain in sorted(items, key=lambda item: item[0].name):
            own = os.path.join(folder, path.name)
            real = own if plain else real_text(path)
            if not taken.has(real):
                if not whole or real != own:  # named alone, or a symlink
                    taken.files.add(real)
                out.append(SpecFile(path, self.root, numbers.get(path.name, 1), defaults, real))
        if whole:
            taken.folders.add(folder)
        return out


class Taken(Struct):
    """The specs taken so far by a build or check, by real path: one file is one project however
    many names lead to it.  Kept as the real folders whose specs were all taken and the real paths
    of the other files taken (named alone, symlinks), so it grows with the folders, not the specs."""

    folders: set[str] = field(default_factory=set)
    files: set[str] = field(default_factory=set)

    def has(self, real: str) -> bool:
        """Return whether the spec whose real path is ``real`` was taken."""
        folder, name = os.path.split(real)
        return real in self.files or (folder in self.folders and _is_spec_name(name))


def find_folders(paths: Iterable[Path]) -> tuple[list[SpecFolder], list[Diagnostic]]:
    """Return the folders of the specs under ``paths`` (files or folders), in build order,
    each to be read when its turn comes (what a build holds does not grow with the number
    of specs), and a diagnostic for each path that does not exist.  A folder found through
    two paths is taken from the first (folders named first: its root wins over a file's)."""
    found: dict[Path, SpecFolder] = {}
    problems: list[Diagnostic] = []
    for given in map(Path, paths):
        if given.is_dir():
            for folder, count in _spec_folders(given):
                unit = found.setdefault(folder, SpecFolder(folder, given, True, listed=count))
                if not unit.whole:  # named a file of it before: the folder named takes it whole
                    unit.root, unit.whole, unit.listed = given, True, count
        elif given.is_file():
            unit = found.get(given.parent) or SpecFolder(given.parent, given.parent, False,
                                                         listed=len(_spec_names(given.parent)))
            found.setdefault(given.parent, unit)
            if given not in unit.named:
                unit.named.append(given)
        else:
            problems.append(Diagnostic(str(given), 0, 0, "not-found", Severity.ERROR, "找不到这个文件或文件夹"))
    return sorted(found.values(), key=lambda u: str(u.path)), problems


def discover(paths: Iterable[Path]) -> tuple[list[SpecFile], list[Diagnostic]]:
    """Return the spec files under ``paths`` (files or folders), in build order,
    and a diagnostic for each path that does not exist."""
    folders, problems = find_folders(paths)
    taken = Taken()
    return [spec for folder in folders for spec in folder.specs(taken)], problems


def defaults_chain(folder: Path, root: Path | None) -> tuple[Path, ...]:
    """Return the ``_defaults.yaml`` files that apply to specs in ``folder``, outermost first:
    those of ``folder`` and of each folder above it up to ``root`` (the folder named on the
    command line; only ``folder``'s own when ``root`` is not above it).  Without a root -- a
    unit folder named alone, as ``new`` and ``rollover`` name it -- the chain goes up through
    the unbroken run of folders above that hold one."""
    return _defaults_chain(folder.resolve(), root)


def _defaults_chain(folder: Path, root: Path | None) -> tuple[Path, ...]:
    """Return :func:`defaults_chain` of the real folder ``folder``."""
    if root is None:
        chain = []
        current = folder
        while (current / DEFAULTS_NAME).is_file():
            chain.append(current / DEFAULTS_NAME)
            if current.parent == current:
                break
            current = current.parent
        return tuple(reversed(chain))
    folders = []
    stop = Path(real_text(root))
    current = folder
    while True:
        folders.append(current)
        if current == stop or current.parent == current:
            break
        current = current.parent
    if stop not in folders:  # a single file: only its own folder
        folders = folders[:1]
    return tuple(f / DEFAULTS_NAME for f in reversed(folders) if (f / DEFAULTS_NAME).is_file())


def _read(path: Path) -> tuple[bytes | None, Diagnostic | None]:
    """Return the bytes of ``path``, or the problem that kept them from being read."""
    try:
        with open(path, "rb", buffering=0) as file:  # unbuffered: one read of the whole file
            return file.readall(), None
    except OSError as exc:
        return None, Diagnostic(display(path), 1, 1, "unreadable", Severity.ERROR,
                                f"无法读取文件：{os_errors.explain(exc)}")


def file_digest(raw: bytes | None) -> str:
    """Return the SHA-256 hex digest of a file's bytes ("" for a file that could not be read)."""
    return hashlib.sha256(raw).hexdigest() if raw is not None else ""


def _cache_key(path: Path) -> tuple[Path, int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (path, -1, -1)
    return (path, stat.st_mtime_ns, stat.st_size)


def read_spec(spec: SpecFile, cache: dict[Any, Any] | None = None) -> LoadedSpec:
    """Return the spec merged onto its defaults, with positions and load problems.

    ``cache`` keeps parsed defaults and block files between calls (keyed by
    path, time and size, so an edited file is read again), each with the
    digest of the bytes it was parsed from.
    """
    from sheetgen.spec.yamlload import load_yaml

    cache = {} if cache is None else cache
    sources: dict[Path, str] = {}

    def load(path: Path) -> Loaded | Diagnostic:
        key = _cache_key(path)
        if key not in cache:
            raw, problem = _read(path)
            cache[key] = (load_yaml(raw, display(path)) if raw is not None else problem, file_digest(raw))
        loaded, sources[path] = cache[key]
        return loaded

    blocks: list[Path] = []

    def with_blocks(loaded: Loaded, path: Path) -> Expanded:
        if not includes(loaded.data):  # the usual case: no block to put in, no path to resolve
            return Expanded(loaded.data)
        area = include_area(spec.root, spec.unit_dir)
        expanded = expand(loaded.data, loaded.positions, path, area, load, display)
        blocks.extend(expanded.files)
        return expanded

    diagnostics: list[Diagnostic] = []
    merged: dict[str, Any] = {}
    tables: list[Positions] = []
    for defaults_path in spec.defaults:
        loaded = load(defaults_path)
        if isinstance(loaded, Diagnostic):
            return LoadedSpec(spec, None, [], [loaded], sources=sources)
        diagnostics.extend(d for d in loaded.diagnostics)
        if loaded.data is None:
            if any(d.is_error for d in loaded.diagnostics):
                return LoadedSpec(spec, None, [], diagnostics, sources=sources)
            continue
        if not isinstance(loaded.data, dict):
            return LoadedSpec(spec, None, [], [*diagnostics, Diagnostic(
                loaded.positions.file, 1, 1, "not-mapping", Severity.ERROR,
                "默认值文件的内容应是“键: 值”的映射")], sources=sources)
        expanded = with_blocks(loaded, defaults_path)
        diagnostics.extend(expanded.diagnostics)
        merged = deep_merge(merged, expanded.data)
        tables[:0] = [loaded.positions, *expanded.tables]
    raw, problem = _read(spec.path)
    sources[spec.path] = file_digest(raw)
    if raw is None:
        return LoadedSpec(spec, None, tables, [*diagnostics, problem] if problem else diagnostics, blocks, sources)
    loaded_spec = load_yaml(raw, spec.display)
    diagnostics.extend(loaded_spec.diagnostics)
    if loaded_spec.data is None:
        return LoadedSpec(spec, None, tables, diagnostics, blocks, sources)
    if not isinstance(loaded_spec.data, dict):
        diagnostics.append(Diagnostic(spec.display, 1, 1, "not-mapping", Severity.ERROR,
                                      "项目说明的内容应是“键: 值”的映射（例如 name: 项目名称），这里不是"))
        return LoadedSpec(spec, None, tables, diagnostics, blocks, sources)
    expanded = with_blocks(loaded_spec, spec.path)
    diagnostics.extend(expanded.diagnostics)
    merged = deep_merge(merged, expanded.data)
    tables[:0] = [loaded_spec.positions, *expanded.tables]
    return LoadedSpec(spec, merged, tables, diagnostics, blocks, sources)


def block_files(spec: SpecFile) -> list[Path]:
    """Return the shared indicator blocks ``spec`` and its defaults include
    (for build fingerprints); reads nothing more than the files' bytes unless
    one of them mentions ``include``."""
    for path in (*spec.defaults, spec.path):
        raw, _problem = _read(path)
        if raw is not None and b"include" in raw:
            return read_spec(spec).blocks
    return []
