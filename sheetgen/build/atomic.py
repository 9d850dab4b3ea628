"""Atomic file writes: a temporary file in the same folder, then a rename.

A reader (or a user opening the file) sees either the old file or the new
one, never a half-written one; an interrupted build (Ctrl-C, kill -9, a full
disk) leaves at most a hidden temporary file, which the next build removes
once the process that wrote it is gone (its id is in the file's name).

There is no ``fsync`` per file: it cost 4.3 ms a file on this machine (about
10 s for a 1,000-spec build) and only matters for power loss, where ext4,
XFS and btrfs already write a file's data before a rename that replaces
another file.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import itertools
import os
from collections.abc import Iterable
from pathlib import Path

from sheetgen import os_errors
from sheetgen.errors import SheetgenError

TEMP_MARK = ".sheetgen-tmp-"


class WriteError(SheetgenError):
    """A file could not be written; the message says why, in Chinese."""

    def __init__(self, path: Path, message: str):
        from sheetgen.spec.files import display  # (messages name a file as the user does)

        super().__init__(f"{display(path)}: {message}")
        self.path = path
        self.reason = message


def _explain(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "磁盘已满，文件没有写入（原文件保持不变）"
    if exc.errno == errno.EDQUOT:
        return "磁盘配额已用完，文件没有写入（原文件保持不变）"
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "无法写入：文件可能正在 Word/Excel/WPS 中打开，或文件夹是只读的（原文件保持不变）"
    if exc.errno == errno.ENAMETOOLONG:
        return "文件名太长，无法写入"
    return f"无法写入：{os_errors.explain(exc)}"


_names = itertools.count()


def _write_all(handle: io.FileIO, data: bytes) -> None:
    view = memoryview(data)
    while view:  # (a raw file may take less than it is given)
        written = handle.write(view)
        if not written:
            raise OSError(errno.EIO, "write() wrote nothing")
        view = view[written:]


def _create(folder: str, name: str) -> tuple[str, io.FileIO]:
    """Return a new temporary file next to ``name`` in ``folder`` (made when missing), open for
    writing unbuffered: a file is written in one piece or a few large ones, and without the
    buffered layer of ``open`` (its buffer, the terminal check) a file costs 43 instead of 51 us."""
    while True:
        temp = os.path.join(folder, f".{name}{TEMP_MARK}{os.getpid()}-{next(_names)}")
        try:
            return temp, _new_file(temp)
        except FileExistsError:  # left by an earlier process of the same id: take the next name
            continue
        except FileNotFoundError:
            try:
                os.makedirs(folder, exist_ok=True)
            except OSError as exc:
                raise WriteError(Path(folder), _explain(exc)) from None
            return temp, _new_file(temp)


def _new_file(path: str) -> io.FileIO:
    """Return ``path``, a file that must not exist yet, made and open for writing (unbuffered)."""
    return io.FileIO(path, "xb")


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically; raise :class:`WriteError` on failure."""
    write_atomic_chunks(path, (data,))


def write_atomic_chunks(path: Path, chunks: Iterable[bytes], *, same_as: str = "") -> bool:
    """Write the bytes of ``chunks``, made as they are written (a large file need not be held
    whole), to ``path`` atomically; raise :class:`WriteError` on failure.  Return whether
    ``path`` was replaced: not when the bytes' SHA-256 is ``same_as`` (``path`` holds them already)."""
    folder, name = os.path.split(os.fspath(path))
    temp = ""
    digest = hashlib.sha256() if same_as else None
    try:
        temp, handle = _create(folder or ".", name)
        with handle:
            for chunk in chunks:
                _write_all(handle, chunk)
                if digest is not None:
                    digest.update(chunk)
        if digest is not None and digest.hexdigest() == same_as:
            os.unlink(temp)
            return False
        os.replace(temp, path)
        return True
    except OSError as exc:
        if temp:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        raise WriteError(path, _explain(exc)) from None
    except BaseException:  # Ctrl-C in the middle of a write: no temporary file stays behind
        if temp:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        raise


def _writer_alive(temp: Path) -> bool:
    """Return whether the process whose id is in ``temp``'s name still runs."""
    pid_text = temp.name.rpartition(TEMP_MARK)[2].partition("-")[0]
    if not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill(pid, 0) would end the process there; Windows refuses to delete an open file anyway
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists but belongs to someone else
        return True
    return True


def remove_stale_temps(folder: Path) -> int:
    """Return how many temporary files of earlier interrupted builds were removed from
    ``folder``; those of a process that still runs (a worker still writing) stay."""
    removed = 0
    for root, _folders, names in os.walk(folder):  # (not Path.rglob: 13.0 -> 7.3 ms at 1,000 specs)
        for name in names:
            if not (name.startswith(".") and TEMP_MARK in name):
                continue
            temp = Path(root, name)
            if _writer_alive(temp):
                continue
            with contextlib.suppress(OSError):
                temp.unlink()
                removed += 1
    return removed
