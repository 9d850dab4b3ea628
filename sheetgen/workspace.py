"""The workspace: where specs, their folder defaults and the jurisdictions are found -- one
rule for each, and one loader and cache of jurisdictions.  Every command starts from one
:class:`Workspace`.

* **Specs** are found by :func:`sheetgen.spec.files.discover` (:meth:`Workspace.discover`).
* **Defaults**: the ``_defaults.yaml`` files of a spec's folder and of the folders above it up
  to the folder named on the command line (:func:`sheetgen.spec.files.defaults_chain`),
  always read through sheetgen's own YAML loader (:meth:`Workspace.unit_defaults`).
* **Jurisdictions**: a spec in folder ``F`` may use the jurisdictions in the ``templates/``
  folders of ``F``, of its parent and of its grandparent (``specs/单位/templates``,
  ``specs/templates``, ``./templates``), nearest first, before the built-in ones; a folder
  there with the name of a built-in jurisdiction overrides it (:func:`override_dirs`).  The
  rule depends only on where the spec is, never on which path a command was given.

A workspace loads each jurisdiction once (:meth:`Workspace.jurisdiction`); a long-running
command (``serve``, ``build --watch``) makes a new workspace for each round, so an edited
format is read again.  :class:`Formats` is what a unit folder can use, loaded: build workers
are handed it instead of looking anything up again.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec import Struct, field

from sheetgen import jurisdiction as jurisdictions
from sheetgen.errors import Diagnostic, JurisdictionError, SheetgenError
from sheetgen.jurisdiction.folders import TEMPLATES, check_name, not_found
from sheetgen.mappings import deep_merge
from sheetgen.spec.files import (
    DEFAULTS_NAME,
    SpecFile,
    SpecFolder,
    defaults_chain,
    discover,
    display,
    find_folders,
    real_text,
)

if TYPE_CHECKING:  # a no-change build makes no typed jurisdiction (see sheetgen.jurisdiction)
    from sheetgen.jurisdiction import Jurisdiction

#: How many folders, from a spec's own folder up, may hold a ``templates/`` folder of overrides.
OVERRIDE_LEVELS = 3


def candidate_dirs(folder: Path, *, tree: bool = False) -> tuple[Path, ...]:
    """Return every ``templates/`` folder (existing or not) whose jurisdictions override the
    built-in ones for specs in the unit folder ``folder``, nearest first.  With ``tree``,
    ``folder`` holds unit folders: the ones that every unit inside it shares."""
    current = Path(real_text(folder))  # (its parent resolved once for all the units in it)
    levels = []
    for _ in range(OVERRIDE_LEVELS - 1 if tree else OVERRIDE_LEVELS):
        levels.append(current / TEMPLATES)
        if current.parent == current:
            break
        current = current.parent
    builtin = jurisdictions.builtin_dir()
    return tuple(p for p in dict.fromkeys(levels) if p != builtin)


def override_dirs(folder: Path, *, tree: bool = False) -> tuple[Path, ...]:
    """Return the existing ``templates/`` folders of :func:`candidate_dirs`."""
    return tuple(p for p in candidate_dirs(folder, tree=tree) if p.is_dir())


class Formats(Struct, frozen=True):
    """The jurisdictions a unit folder can use, loaded: each name found along ``search`` with
    its jurisdiction, or the error that says why it cannot be used.  Pure data: it pickles,
    and looking a name up touches no disk."""

    search: tuple[Path, ...]
    found: tuple[tuple[str, Jurisdiction | JurisdictionError], ...] = ()
    others: tuple[str, ...] = ()  # names also found along ``search`` but not loaded (see Workspace.formats)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(sorted({*(name for name, _ in self.found), *self.others}))

    def get(self, name: str) -> Jurisdiction:
        """Return the jurisdiction ``name``; raise :class:`JurisdictionError` when there is
        none or its files are wrong."""
        for known, loaded in self.found:
            if known == name:
                if isinstance(loaded, JurisdictionError):
                    raise JurisdictionError(str(loaded), loaded.diagnostics)
                return loaded
        check_name(name)
        raise not_found(name, self.names)

    def usable(self) -> list[Jurisdiction]:
        """Return the jurisdictions whose files are right, by name."""
        return [j for _, j in self.found if not isinstance(j, JurisdictionError)]

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the bytes of its fields, made once: a build sends the same formats to its
        workers with every unit (some 14 KB, 0.75 ms to pickle and as much to unpickle each
        time), and a worker unpickles each once (:func:`_received`)."""
        import pickle  # (here: a check or a build with nothing to do sends none)

        sent = _SENT.get(id(self))
        if sent is None or sent[0] is not self:
            if len(_SENT) >= _KEPT:
                _SENT.clear()
            sent = _SENT[id(self)] = (self, pickle.dumps((self.search, self.found, self.others),
                                                         pickle.HIGHEST_PROTOCOL))
        return (_received, (sent[1],))


_KEPT = 16  # formats kept pickled, or unpickled, per process (a build uses one or two)
_SENT: dict[int, tuple[Formats, bytes]] = {}  # by identity (each kept, so its id is not reused)
_RECEIVED: dict[bytes, Formats] = {}


def _received(blob: bytes) -> Formats:
    """Return the formats pickled as ``blob`` (unpickled once per process)."""
    found = _RECEIVED.get(blob)
    if found is None:
        import pickle

        if len(_RECEIVED) >= _KEPT:
            _RECEIVED.clear()
        found = _RECEIVED[blob] = Formats(*pickle.loads(blob))
    return found


class UnitDefaults(Struct):
    """The merged ``_defaults.yaml`` files of a unit folder (outermost first) and those files."""

    data: dict[str, Any] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


class Workspace:
    """Finds specs, defaults and jurisdictions by the rules above; loads each jurisdiction once."""

    def __init__(self) -> None:
        self._loaded: dict[tuple[str, tuple[Path, ...]], Jurisdiction | JurisdictionError] = {}
        self._formats: dict[tuple[tuple[Path, ...], str | None], Formats] = {}
        self._names: dict[tuple[Path, ...], list[str]] = {}
        self._search: dict[tuple[str, bool], tuple[Path, ...]] = {}
        self._prints: dict[tuple[str, tuple[Path, ...]], str] = {}

    # ------------------------------------------------------------------ specs and defaults

    @staticmethod
    def discover(paths: Iterable[Path]) -> tuple[list[SpecFile], list[Diagnostic]]:
        """Return the spec files under ``paths`` in build order, and the paths not found."""
        return discover(paths)

    @staticmethod
    def find_folders(paths: Iterable[Path]) -> tuple[list[SpecFolder], list[Diagnostic]]:
        """Return the folders of the specs under ``paths`` in build order, each read when its
        turn comes, and the paths not found."""
        return find_folders(paths)

    @staticmethod
    def unit_defaults(folder: Path) -> UnitDefaults:
        """Return the merged defaults a spec written into the unit ``folder`` gets (its folder's
        and the unbroken run of folders above holding one), read through sheetgen's loader;
        raise :class:`SheetgenError` naming file, line and column when one cannot be read."""
        from sheetgen.spec.yamlload import load_yaml  # (a no-change build reads no YAML)

        chain = defaults_chain(Path(folder), None)
        merged: dict[str, Any] = {}
        for path in chain:
            try:
                raw = path.read_bytes()
            except OSError as exc:
                from sheetgen import os_errors

                raise SheetgenError(f"{path}: 无法读取：{os_errors.explain(exc)}") from None
            loaded = load_yaml(raw, display(path))
            error = next((d for d in loaded.diagnostics if d.is_error), None)
            if error is not None:
                raise SheetgenError(f"{error.path}:{error.line}:{error.col}: {error.message}")
            if isinstance(loaded.data, Mapping):
                merged = deep_merge(merged, loaded.data)
        return UnitDefaults(merged, list(chain))

    # ------------------------------------------------------------------ jurisdictions

    def search_path(self, folder: Path, *, tree: bool = False) -> tuple[Path, ...]:
        """Return the folders searched for the jurisdictions of specs in ``folder``: its
        overrides (:func:`override_dirs`), then the built-in folder (found once per folder)."""
        key = (os.fspath(folder), tree)  # by text: a fresh Path per spec made and hashed cost 4 µs a spec
        if key not in self._search:
            self._search[key] = jurisdictions.search_path(override_dirs(folder, tree=tree))
        return self._search[key]

    def load(self, name: str, search: tuple[Path, ...]) -> Jurisdiction:
        """Return jurisdiction ``name`` along ``search`` (loaded once; an error is kept too)."""
        key = (name, search)
        if key not in self._loaded:
            try:
                self._loaded[key] = jurisdictions.load(name, search)
            except JurisdictionError as exc:
                self._loaded[key] = exc
        found = self._loaded[key]
        if isinstance(found, JurisdictionError):
            raise JurisdictionError(str(found), found.diagnostics)
        return found

    def jurisdiction(self, name: str, folder: Path, *, tree: bool = False) -> Jurisdiction:
        """Return the jurisdiction ``name`` as specs in ``folder`` find it."""
        return self.load(name, self.search_path(folder, tree=tree))

    def formats(self, folder: Path, *, tree: bool = False, only: str | None = None) -> Formats:
        """Return every jurisdiction specs in ``folder`` can use, loaded (see :class:`Formats`);
        with ``only``, just that one is loaded (a command checking a few specs loads no more
        formats than they name) and the others are known by name."""
        return self._formats_along(self.search_path(folder, tree=tree), only)

    def _formats_along(self, search: tuple[Path, ...], only: str | None = None) -> Formats:
        key = (search, only)
        if key not in self._formats:
            found: list[tuple[str, Jurisdiction | JurisdictionError]] = []
            others = []
            for name in self._available(search):
                if only is not None and name != only:
                    others.append(name)
                    continue
                try:
                    found.append((name, self.load(name, search)))
                except JurisdictionError as exc:
                    found.append((name, exc))
            self._formats[key] = Formats(search, tuple(found), tuple(others))
        return self._formats[key]

    def _available(self, search: tuple[Path, ...]) -> list[str]:
        if search not in self._names:
            self._names[search] = jurisdictions.available(search)
        return self._names[search]

    @staticmethod
    @cache
    def builtin_formats() -> Formats:
        """Return the built-in jurisdictions alone (what a library caller gets by default),
        loaded once per process: they are files of the installed package."""
        return Workspace()._formats_along(jurisdictions.search_path(()))

    def fingerprint(self, name: str, folder: Path) -> str:
        """Return the fingerprint of jurisdiction ``name`` as ``folder`` finds it ("missing" if
        none): of a loaded one, or taken from its files without loading them (equal to the
        fingerprint of the last good build means the same files, hence a good load)."""
        search = self.search_path(folder)
        loaded = self._loaded.get((name, search))
        if loaded is not None and not isinstance(loaded, JurisdictionError):
            return loaded.fingerprint
        key = (name, search)
        if key not in self._prints:
            try:
                self._prints[key] = jurisdictions.fingerprint(name, search)
            except JurisdictionError:
                self._prints[key] = "missing"
        return self._prints[key]


__all__ = [
    "DEFAULTS_NAME", "OVERRIDE_LEVELS", "TEMPLATES", "Formats", "UnitDefaults", "Workspace", "candidate_dirs",
    "override_dirs",
]  # fmt: skip
