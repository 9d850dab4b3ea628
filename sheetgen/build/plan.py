"""Where a build writes, and the fingerprints that say whether an output is up to date."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from sheetgen import __version__
from sheetgen.build.manifest import digest
from sheetgen.build.names import safe_name
from sheetgen.spec.files import LoadedSpec, SpecFile, SpecFolder, entry_is_file, file_digest, read_spec, real_text
from sheetgen.workspace import Workspace

COMBINED_PREFIX = "汇总-"
STALE_MARK = "（已过期）"


def key(path: Path) -> str:
    """Return the record key of a spec or unit folder: its real absolute path, so that
    `build specs`, `build ./specs` and `build /abs/specs` share their records (a found spec's
    is :attr:`SpecFile.real`, worked out when it was found)."""
    return real_text(path)


def unit_folder(spec: SpecFile) -> Path:
    """Return the output sub-folder of a spec's unit, relative to the output folder."""
    return _unit_folder(os.path.dirname(spec.path), os.fspath(spec.root), os.getcwd())


def folder_output(folder: SpecFolder) -> Path:
    """Return the output sub-folder of a spec folder's unit, relative to the output folder."""
    return _unit_folder(os.fspath(folder.path), os.fspath(folder.root), os.getcwd())


@lru_cache(maxsize=1 << 12)
def _unit_folder(folder: str, given_root: str, cwd: str) -> Path:
    # real paths (an absolute path stays as it is): the units of one root share its folders' real paths
    unit_dir, root = Path(real_text(os.path.join(cwd, folder))), Path(real_text(os.path.join(cwd, given_root)))
    try:
        relative = unit_dir.relative_to(root)
    except ValueError:
        relative = Path()
    parts = relative.parts or (unit_dir.name,)
    return Path(*[safe_name(p) for p in parts])


def _suffixed(stem: str, suffix: str) -> str:
    """Return a file stem with a table's suffix (``01-项目`` + ``自评`` -> ``01-项目-自评``)."""
    return safe_name(f"{stem}-{suffix}") if suffix else safe_name(stem)


def spec_outputs(spec: SpecFile, output: Path, kinds: Sequence[str], suffix: str = "") -> dict[str, Path]:
    """Return the path of each file kind a spec's own build writes (of the table whose files
    end in ``suffix``; the 目标表's have none)."""
    return {kind: Path(text) for kind, text in output_texts(spec, output, kinds, suffix).items()}


def output_texts(spec: SpecFile, output: Path, kinds: Sequence[str], suffix: str = "") -> dict[str, str]:
    """Return :func:`spec_outputs` as text: planning a build of thousands of specs that are
    current makes no Path of their files (pathlib keeps every file name it parses, for good)."""
    return outputs_in(os.path.join(output, unit_folder(spec)), spec, kinds, suffix)


def outputs_in(folder: str, spec: SpecFile, kinds: Sequence[str], suffix: str = "") -> dict[str, str]:
    """Return :func:`output_texts` of a spec whose unit's output folder is ``folder`` (the
    output folder joined with :func:`folder_output` of its folder: one for all its specs)."""
    stem = _suffixed(spec.path.stem, suffix)
    return {kind: os.path.join(folder, f"{stem}.{kind}") for kind in kinds}


def combined_outputs(spec: SpecFile, unit_name: str, output: Path, kinds: Sequence[str],
                     suffix: str = "") -> dict[str, Path]:
    """Return the path of each kind of a unit's combined file (of the table with ``suffix``)."""
    folder = output / unit_folder(spec)
    stem = _suffixed(f"{COMBINED_PREFIX}{unit_name}", suffix)
    return {kind: folder / f"{stem}.{kind}" for kind in kinds}


def table_kinds(names: Iterable[str], workspace: Workspace,
                paths: Iterable[Path]) -> tuple[tuple[str, ...], list[str], list[str]]:
    """Return the kinds of the tables named (``--table 自评表``: by key, name or a part of the
    name, in any format the specs under ``paths`` can use), the names no table has and the
    names of the tables there are."""
    formats = [j for path in paths for j in workspace.formats(Path(path) if Path(path).is_dir()
                                                               else Path(path).parent, tree=True).usable()]
    kinds: list[str] = []
    unknown: list[str] = []
    for name in names:
        found = next((t for j in formats if (t := j.find_table(name)) is not None), None)
        if found is None:
            unknown.append(name)
        elif found.kind not in kinds:
            kinds.append(found.kind)
    known = list(dict.fromkeys(t.label for j in formats for t in j.tables))
    return tuple(kinds), unknown, known


def pdf_path(source: Path) -> Path:
    """Return where the PDF of ``source`` goes."""
    return source.with_suffix(".pdf") if source.suffix == ".docx" else source.with_name(source.name + ".pdf")


def stale_path(path: Path) -> Path:
    """Return where an output that is no longer current is moved aside:
    ``汇总-X.xlsx`` -> ``汇总-X（已过期）.xlsx``, ``X.xlsx.pdf`` -> ``X（已过期）.xlsx.pdf``."""
    name = path.name
    suffix = next((s for s in _SUFFIXES if name.endswith(s) and len(name) > len(s)), path.suffix)
    return path.with_name(f"{name[: len(name) - len(suffix)]}{STALE_MARK}{suffix}")


_SUFFIXES = (".xlsx.pdf", ".docx.pdf", ".docx", ".xlsx", ".pdf")


def spec_fingerprint(strict: bool, number: int, files: Sequence[str], blocks: Iterable[tuple[Path, str]],
                     jurisdiction: str) -> str:
    """Return the fingerprint of one spec's build: sheetgen's version, the options that
    change the outcome, its place in the unit, the digests of the spec's and its
    defaults' bytes (``files``: spec first), the shared blocks (names and digests)
    and the jurisdiction's fingerprint."""
    parts = [__version__, str(strict), str(number), *files]
    for block, block_digest in sorted(set(blocks), key=lambda b: str(b[0])):
        parts += [str(block), block_digest]
    parts.append(jurisdiction)
    return digest(*parts)


def loaded_fingerprint(loaded: LoadedSpec, strict: bool, jurisdiction: str) -> str:
    """Return the fingerprint of a spec from the very bytes it was loaded from."""
    spec, sources = loaded.file, loaded.sources
    files = [sources.get(spec.path, ""), *[sources.get(p, "") for p in spec.defaults]]
    blocks = [(block, sources.get(block, "")) for block in loaded.blocks]
    return spec_fingerprint(strict, spec.number, files, blocks, jurisdiction)


def unit_fingerprint(members: Iterable[tuple[str, str]]) -> str:
    """Return the fingerprint of a unit's combined files: its specs (keys and fingerprints)."""
    return digest(__version__, *[part for member in sorted(members) for part in member])


class OnDisk:
    """Whether files are on disk, told from one listing of each folder asked about (a unit's
    outputs share a folder: one ``scandir`` instead of a ``stat`` per file).  Made for one
    unit's planning and dropped after it, so that a file made meanwhile is seen by the next."""

    def __init__(self) -> None:
        self._folders: dict[str, frozenset[str]] = {}

    def __call__(self, path: str) -> bool:
        """Return whether ``path`` is a file (or a link to one), as :func:`os.path.isfile` says."""
        folder, name = os.path.split(path)
        files = self._folders.get(folder)
        if files is None:
            files = self._folders[folder] = _files_in(folder)
        return name in files


def _files_in(folder: str) -> frozenset[str]:
    """Return the names of the files (or links to files) in ``folder`` (none when it cannot be read)."""
    try:
        with os.scandir(folder or ".") as entries:
            return frozenset(e.name for e in entries if entry_is_file(e))
    except OSError:
        return frozenset()


def _read_bytes(path: Path) -> bytes | None:
    """Return the bytes of ``path`` (None when it cannot be read), in one unbuffered read."""
    try:
        with open(path, "rb", buffering=0) as file:
            return file.readall()
    except OSError:
        return None


class Fingerprints:
    """Fingerprints of specs as they are on disk now (the planning side; the
    worker computes the one it records from the bytes it read, with
    :func:`loaded_fingerprint`)."""

    def __init__(self, strict: bool, workspace: Workspace | None = None):
        self._strict = strict
        self.workspace = workspace or Workspace()
        self._defaults: dict[Path, tuple[str, bool]] = {}
        self._jurisdictions: dict[tuple[str, str], str] = {}  # (name, real folder): its fingerprint

    def _defaults_file(self, path: Path) -> tuple[str, bool]:
        if path not in self._defaults:
            raw = _read_bytes(path)
            self._defaults[path] = (file_digest(raw), raw is not None and b"include" in raw)
        return self._defaults[path]

    def spec(self, spec: SpecFile, jurisdiction: str) -> str:
        """Return the fingerprint of ``spec`` on disk, built with jurisdiction ``jurisdiction``."""
        raw = _read_bytes(spec.path)
        defaults = [self._defaults_file(p) for p in spec.defaults]
        blocks: list[tuple[Path, str]] = []
        if (raw is not None and b"include" in raw) or any(includes for _, includes in defaults):
            blocks = [(block, file_digest(_read_bytes(block))) for block in read_spec(spec).blocks]
        files = [file_digest(raw), *[d for d, _ in defaults]]
        return spec_fingerprint(self._strict, spec.number, files, blocks, self._jurisdiction(jurisdiction, spec))

    def _jurisdiction(self, name: str, spec: SpecFile) -> str:
        """Return the fingerprint of jurisdiction ``name`` as ``spec``'s folder finds it (worked
        out once per folder: a unit's specs share it)."""
        where = (name, os.path.dirname(spec.real))
        found = self._jurisdictions.get(where)
        if found is None:
            if len(self._jurisdictions) >= _FOLDERS_KEPT:
                self._jurisdictions.clear()
            found = self._jurisdictions[where] = self.workspace.fingerprint(name, spec.unit_dir)
        return found


_FOLDERS_KEPT = 256  # folders whose jurisdictions' fingerprints are kept (a few units are planned at a time)
