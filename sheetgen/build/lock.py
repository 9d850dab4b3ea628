"""The lock on an output folder: one build at a time writes into it.

Two builds writing into one folder would delete each other's temporary files
and overwrite each other's build record.  A build (from the command line,
``--watch`` or ``sheetgen serve``) therefore holds an exclusive lock on
``.sheetgen-lock`` in the output folder while it runs; a second build waits
for it, saying so, and gives up after a bounded time.

The lock is the operating system's own advisory lock on the open file:
``flock`` on Unix, ``msvcrt.locking`` on Windows.  The system releases it when
the process ends, so a killed build never leaves a stale lock behind; it is
tied to the open file, so two builds in one process (``sheetgen serve``) wait
for each other as two processes do.  (It was :mod:`filelock`'s; since its 3.16
that package imports asyncio, logging and more, 15--40 ms of every build's
start for one system call, so the call is made here.)  A file system that
cannot lock (some network shares) builds without the lock, as a read-only
folder does, where every file says for itself why it was not written.
"""

from __future__ import annotations

import errno
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sheetgen import os_errors
from sheetgen.errors import SheetgenError
from sheetgen.spec.files import display

LOCK_NAME = ".sheetgen-lock"
DEFAULT_WAIT = 600.0  # seconds: longer than any build of a few thousand specs takes here
_POLL = 0.05  # seconds between tries while another build holds the lock
_CANNOT_LOCK = frozenset({errno.ENOLCK, errno.ENOSYS, errno.EOPNOTSUPP, getattr(errno, "ENOTSUP", errno.EOPNOTSUPP)})
_UNWRITABLE = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})


class BuildLocked(SheetgenError):
    """Another build kept the output folder for longer than this one would wait."""


if sys.platform == "win32":  # pragma: no cover  (the suite runs on Linux)
    import msvcrt

    _BUSY = frozenset({errno.EACCES, errno.EDEADLOCK})  # what msvcrt.locking raises for a lock held

    def _lock_now(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    _BUSY = frozenset({errno.EAGAIN, errno.EWOULDBLOCK})

    def _lock_now(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _try_lock(fd: int) -> bool:
    """Return whether the lock on the open file ``fd`` was taken (False: another holds it)."""
    try:
        _lock_now(fd)
    except OSError as exc:
        if exc.errno in _BUSY:
            return False
        raise
    return True


def _acquired(fd: int, wait: float) -> bool:
    """Return whether the lock on ``fd`` was taken within ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while not _try_lock(fd):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(_POLL, left))
    return True


@contextmanager
def output_lock(folder: Path, wait: float, on_wait: Callable[[str], None]) -> Iterator[None]:
    """Hold the lock of output folder ``folder`` for the duration of the block.

    When another build holds it, ``on_wait`` is told so (in Chinese) and the
    lock is waited for up to ``wait`` seconds; then :class:`BuildLocked` is raised.
    """
    try:
        fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    except OSError as exc:
        if exc.errno in _UNWRITABLE:
            yield  # nothing can be written there by this build either: each file says so when it is tried
            return
        raise BuildLocked(f"{display(folder)}: 无法锁定输出文件夹：{os_errors.explain(exc)}") from None
    try:
        try:
            if not _try_lock(fd):
                on_wait(f"另一个 sheetgen 正在向 {display(folder)} 生成文件，等待它结束（最多 {_seconds(wait)}）……")
                started = time.monotonic()
                if not _acquired(fd, wait):
                    raise BuildLocked(f"{display(folder)}: 另一个 sheetgen 正在向这个文件夹生成文件，"
                                      f"等了 {_seconds(wait)} 仍未结束，"
                                      "这次没有生成任何文件；等它结束后再运行，或用 -o 换一个输出文件夹")
                on_wait(f"另一个 sheetgen 已结束（等了 {_seconds(time.monotonic() - started)}），开始生成")
            locked = True
        except OSError as exc:
            if exc.errno not in _CANNOT_LOCK:
                raise BuildLocked(f"{display(folder)}: 无法锁定输出文件夹：{os_errors.explain(exc)}") from None
            locked = False  # a file system without locks: build as without the lock
        try:
            yield
        finally:
            if locked:
                _unlock(fd)
    finally:
        os.close(fd)


def _seconds(value: float) -> str:
    if value >= 120:
        return f"{value / 60:.0f} 分钟"
    return f"{value:.1f} 秒" if value < 10 else f"{value:.0f} 秒"
