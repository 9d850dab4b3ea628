"""Jurisdiction folders for users: which ones sheetgen finds, and copying one to edit.

A jurisdiction (表格格式) is a folder -- ``jurisdiction.yaml``,
``schema.yaml``, ``table.docx``, ``table.xlsx`` (see
:mod:`sheetgen.jurisdiction`).  sheetgen looks for one in the ``templates/``
folders next to the specs first, then among the built-in ones; a new
province's format is a copy of a built-in folder, edited.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from msgspec import Struct, field

from sheetgen import jurisdiction as jurisdictions
from sheetgen import os_errors
from sheetgen.errors import JurisdictionError, SheetgenError
from sheetgen.jurisdiction.folders import TEMPLATES, same_files
from sheetgen.workspace import override_dirs as workspace_override_dirs


class Entry(Struct, frozen=True):
    """One jurisdiction sheetgen finds: name, title, format year, the folder it
    comes from, whether that is a built-in one, and what it extends or overrides."""

    name: str
    title: str
    format_year: str
    folder: Path
    builtin: bool
    extends: str = ""
    overrides_builtin: bool = False
    same_as_builtin: bool = False
    problem: str = ""


class CopyResult(Struct):
    """A copied jurisdiction folder: where from, where to, the files, and advice."""

    source: Path
    dest: Path
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def override_dirs(specs: Path) -> tuple[Path, ...]:
    """Return the ``templates/`` folders searched before the built-in ones for specs under
    the folder of units ``specs`` (the workspace's rule: ``specs/templates``, then the one
    next to ``specs``)."""
    return workspace_override_dirs(Path(specs), tree=True)


def list_jurisdictions(dirs: tuple[Path, ...]) -> list[Entry]:
    """Return every jurisdiction found in ``dirs`` and the built-ins, the folder
    that wins for each name (``dirs`` come first), sorted by name."""
    builtin = jurisdictions.builtin_dir()
    builtin_names = set(jurisdictions.available([builtin]))
    entries = []
    for name in jurisdictions.available([*dirs, builtin]):
        folder = next(d / name for d in (*dirs, builtin) if (d / name / jurisdictions.DESCRIPTION).is_file())
        is_builtin = folder.parent == builtin
        try:
            found = jurisdictions.load(name, jurisdictions.search_path(dirs))
        except JurisdictionError as exc:
            entries.append(Entry(name, "", "", folder, is_builtin, problem=str(exc)))
            continue
        extends = found.extends
        overrides = not is_builtin and name in builtin_names
        entries.append(
            Entry(
                name,
                found.title,
                str(found.format_year or ""),
                folder,
                is_builtin,
                str(extends or ""),
                overrides,
                overrides and same_files(folder, builtin / name),
            )
        )
    return entries


def copy_jurisdiction(name: str, dest: Path, dirs: tuple[Path, ...]) -> CopyResult:
    """Return the result of copying jurisdiction ``name`` (the folder that wins
    along ``dirs`` and the built-ins) to the new folder ``dest``.

    The copy is made in a temporary folder and renamed into place, so ``dest``
    is either complete or absent.  Raises :class:`SheetgenError` when ``dest``
    exists (nothing is overwritten) or lies inside the source.
    """
    source = jurisdictions.load(name, jurisdictions.search_path(dirs)).folder
    dest = Path(dest)
    if dest.exists() or dest.is_symlink():
        raise SheetgenError(f"{dest} 已存在；不会覆盖。请换一个新文件夹名")
    if dest.resolve().is_relative_to(source.resolve()):
        raise SheetgenError(f"{dest} 在格式“{name}”的文件夹 {source} 里面；请复制到别处")
    dest.parent.mkdir(parents=True, exist_ok=True)
    temp = dest.with_name(f".{dest.name}.copying-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        shutil.copytree(source, temp, ignore=shutil.ignore_patterns(".*", "__pycache__"))
        os.rename(temp, dest)
    except OSError as exc:
        shutil.rmtree(temp, ignore_errors=True)
        raise SheetgenError(f"{dest}: 无法复制格式文件夹：{os_errors.explain(exc)}") from None
    result = CopyResult(source, dest, sorted(p for p in dest.rglob("*") if p.is_file()))
    new_name = dest.name
    if dest.parent.name != TEMPLATES:
        result.notes.append(
            f"sheetgen 只在项目说明旁边的 templates/ 文件夹里找格式；请把 {dest} 放到 specs/templates/ 下，否则用不上"
        )
    if new_name in jurisdictions.available([jurisdictions.builtin_dir()]):
        result.notes.append(f"新文件夹与内置格式“{new_name}”同名，会代替内置的“{new_name}”")
    result.notes.append(f"在单位的 _defaults.yaml 里写 jurisdiction: {new_name} 就用这个格式")
    return result
