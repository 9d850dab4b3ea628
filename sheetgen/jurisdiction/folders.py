"""The folders of jurisdictions: finding one along a search path, the built-in folder, and the
fingerprint of a jurisdiction's files.

Apart from :mod:`.loading` because a no-change build needs only these: finding a
jurisdiction's folders and fingerprinting them reads no description file beyond its
``extends`` key, and makes none of the typed parts (:mod:`.typed`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path

from sheetgen.errors import JurisdictionError
from sheetgen.os_errors import explain

DESCRIPTION = "jurisdiction.yaml"
SCHEMA = "schema.yaml"
#: The name of a folder of jurisdictions (the built-in one, and each one that overrides it).
TEMPLATES = "templates"


@cache
def builtin_dir() -> Path:
    """Return the real path of the folder holding the built-in jurisdictions (found once per
    process: it is a folder of the installed package).

    In an installed wheel they live in ``sheetgen/_templates``; in a source
    checkout (or an editable install) in the repository's ``templates/``.
    """
    package = Path(__file__).resolve().parent.parent
    packaged = package / "_templates"
    return (packaged if packaged.is_dir() else package.parent / TEMPLATES).resolve()


def shipped(folder: Path) -> bool:
    """Return whether ``folder`` holds one of sheetgen's own jurisdictions: it lies under
    :func:`builtin_dir`, or it holds the same files, byte for byte, as the built-in folder of
    its name (a copy never edited, such as the repository's ``templates/`` beside an installed
    sheetgen).  Their files are checked by sheetgen's tests (tests/validation/
    test_jurisdiction_files.py checks the description files, tests/render/test_template_check.py
    the templates), not again each time a command loads them.  A user's own folder -- an
    edited copy, a new format -- always is."""
    real = folder.resolve()
    builtin = builtin_dir()
    return real.is_relative_to(builtin) or same_files(real, builtin / real.name)


def same_files(one: Path, other: Path) -> bool:
    """Return whether folders ``one`` and ``other`` hold the same files with the same bytes
    (False when either holds none or cannot be read)."""
    try:
        mine, theirs = _files(one), _files(other)
        if not mine or mine.keys() != theirs.keys() or any(mine[name].stat().st_size != theirs[name].stat().st_size
                                               for name in mine):
            return False
        return all(mine[name].read_bytes() == theirs[name].read_bytes() for name in mine)
    except OSError:
        return False


def _files(folder: Path) -> dict[str, Path]:
    """Return the files under ``folder`` by their path in it (none when it is no folder)."""
    return {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()} if folder.is_dir() else {}


def search_path(extra: Iterable[Path] = ()) -> tuple[Path, ...]:
    """Return the folders searched for jurisdictions: ``extra`` first, then the built-ins."""
    return (*[Path(p) for p in extra], builtin_dir())


def available(dirs: Sequence[Path]) -> list[str]:
    """Return the names of all jurisdictions found in ``dirs``."""
    names = {p.parent.name for d in dirs if d.is_dir() for p in d.glob(f"*/{DESCRIPTION}")}
    return sorted(names)


def check_name(name: str) -> None:
    """Raise :class:`JurisdictionError` when ``name`` cannot be a jurisdiction folder's name."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise JurisdictionError(f"格式名称“{name}”无效")


def not_found(name: str, known: Sequence[str]) -> JurisdictionError:
    """Return the error of a jurisdiction ``name`` that none of the ``known`` ones is."""
    return JurisdictionError(f"找不到格式“{name}”。可用的格式：{'、'.join(known) or '（无）'}")


def find_folder(name: str, dirs: tuple[Path, ...], start: int) -> tuple[int, Path]:
    """Return the first folder of jurisdiction ``name`` along ``dirs`` from ``start`` on, and
    the position of its parent in ``dirs`` (a folder extending its own name searches on from there)."""
    check_name(name)
    for index in range(start, len(dirs)):
        folder = dirs[index] / name
        if (folder / DESCRIPTION).is_file():
            return index, folder
    raise not_found(name, available(dirs))


def fingerprint(name: str, dirs: Sequence[Path]) -> str:
    """Return the fingerprint :func:`.loading.load` gives jurisdiction ``name`` along ``dirs``, without
    checking its files: only the ``extends`` key of each ``jurisdiction.yaml`` is read, to find
    its folders (a no-change build needs no more).  Raise :class:`JurisdictionError` when
    there is no such jurisdiction or its ``extends`` chain cannot be followed."""
    return fingerprint_files(_folders(name, tuple(dirs), 0, ()))


def _folders(name: str, dirs: tuple[Path, ...], start: int, seen: tuple[str, ...]) -> tuple[Path, ...]:
    """Return the folders of jurisdiction ``name`` (its own, then its ``extends`` chain's), as
    :func:`.loading.load` finds them."""
    index, folder = find_folder(name, dirs, start)
    try:
        parent_name = _extends((folder / DESCRIPTION).read_bytes())
    except (OSError, ValueError) as exc:
        raise JurisdictionError(f"{folder / DESCRIPTION}: 无法读取") from exc
    if not (parent_name and isinstance(parent_name, str)):
        return (folder,)
    if str(folder) in seen or len(seen) > 16:
        raise JurisdictionError(f"格式“{name}”的 extends 形成了循环")
    next_start = index + 1 if parent_name == name else 0
    return (folder, *_folders(parent_name, dirs, next_start, (*seen, str(folder))))


#: How a file in UTF-16 or UTF-32 starts: there ``extends`` is not spelt in ASCII bytes.
_WIDE_STARTS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


def _extends(raw: bytes) -> object:
    """Return the ``extends`` value of a ``jurisdiction.yaml`` of bytes ``raw`` (None when it has
    none); raise ValueError when it is no YAML.  The file is parsed only when the key may be in
    it: without the word ``extends`` (nor an escape that could spell it, nor a wide encoding) it
    cannot be -- so a no-change build of formats extending none, the built-ins among them,
    never imports PyYAML (27 ms here)."""
    if b"extends" not in raw and b"\\" not in raw and not raw.startswith(_WIDE_STARTS):
        return None
    import yaml

    from sheetgen.spec.yamlload import read_plain

    try:
        description = read_plain(raw)
    except yaml.YAMLError as exc:
        raise ValueError(str(exc)) from None
    return description.get("extends") if isinstance(description, Mapping) else None


def fingerprint_files(folders: Sequence[Path]) -> str:
    """Return a digest of every file of the jurisdiction's folders, names and bytes."""
    digest = hashlib.sha256()
    for path in sorted(p for folder in folders for p in _files(folder).values()):
        digest.update(str(path).encode())
        try:
            digest.update(path.read_bytes())
        except OSError as exc:
            raise JurisdictionError(f"{path}: 无法读取格式文件：{explain(exc)}") from None
    return digest.hexdigest()
