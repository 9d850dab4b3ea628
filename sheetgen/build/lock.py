"""The lock on an output folder: one build at a time writes into it.

Two builds writing into one folder would delete each other's temporary files
and overwrite each other's build record.  A build (from the command line,
``--watch`` or ``sheetgen serve``) therefore holds an exclusive lock on
``.sheetgen-lock`` in the output folder while it runs; a second build waits
for it, saying so, and gives up after a bounded time.

The lock is :mod:`filelock`'s: ``flock`` on Unix and ``msvcrt`` locking on
Windows, released by the operating system when the process ends (a killed
build never leaves a stale lock behind), with a fallback for file systems
without ``flock``.  It is imported here only, when a build starts, so that
``sheetgen --help`` stays fast.
"""

from __future__ import annotations

import errno
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sheetgen import os_errors
from sheetgen.errors import SheetgenError
from sheetgen.spec.files import display

LOCK_NAME = ".sheetgen-lock"
DEFAULT_WAIT = 600.0  # seconds: longer than any build of a few thousand specs takes here


class BuildLocked(SheetgenError):
    """Another build kept the output folder for longer than this one would wait."""


@contextmanager
def output_lock(folder: Path, wait: float, on_wait: Callable[[str], None]) -> Iterator[None]:
    """Hold the lock of output folder ``folder`` for the duration of the block.

    When another build holds it, ``on_wait`` is told so (in Chinese) and the
    lock is waited for up to ``wait`` seconds; then :class:`BuildLocked` is raised.
    """
    from filelock import FileLock, Timeout

    lock = FileLock(str(folder / LOCK_NAME))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        on_wait(f"另一个 sheetgen 正在向 {display(folder)} 生成文件，等待它结束（最多 {_seconds(wait)}）……")
        started = time.monotonic()
        try:
            lock.acquire(timeout=wait)
        except Timeout:
            raise BuildLocked(f"{display(folder)}: 另一个 sheetgen 正在向这个文件夹生成文件，"
                              f"等了 {_seconds(wait)} 仍未结束，"
                              "这次没有生成任何文件；等它结束后再运行，或用 -o 换一个输出文件夹") from None
        on_wait(f"另一个 sheetgen 已结束（等了 {_seconds(time.monotonic() - started)}），开始生成")
    except OSError as exc:
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            # Nothing can be written there by this build either: each file says so when it is tried.
            yield
            return
        raise BuildLocked(f"{display(folder)}: 无法锁定输出文件夹：{os_errors.explain(exc)}") from None
    try:
        yield
    finally:
        lock.release()


def _seconds(value: float) -> str:
    if value >= 120:
        return f"{value / 60:.0f} 分钟"
    return f"{value:.1f} 秒" if value < 10 else f"{value:.0f} 秒"
