"""Worker processes that survive a dying worker.

A worker killed mid-task (out of memory, ``kill -9``) breaks a whole
:class:`~concurrent.futures.ProcessPoolExecutor`.  :class:`Workers` then
starts a fresh pool for new work and retries each task the break took down
once, alone, so that only a task that really kills its worker is lost.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any


class WorkerDied(Exception):
    """The task killed its worker process twice."""


def _context() -> Any:
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")


class Workers:
    """Runs tasks in ``jobs`` processes, or in this process when ``jobs`` is 1."""

    def __init__(self, jobs: int):
        self.jobs = jobs
        self._pool = ProcessPoolExecutor(jobs, mp_context=_context()) if jobs > 1 else None

    def submit(self, function: Callable[[Any], Any], task: Any) -> Future[Any]:
        """Return a future of ``function(task)`` (already done when running in-process)."""
        if self._pool is None:
            done: Future[Any] = Future()
            done.set_result(function(task))
            return done
        try:
            return self._pool.submit(function, task)
        except BrokenProcessPool:
            self._renew()
            assert self._pool is not None
            return self._pool.submit(function, task)

    def result(self, future: Future[Any], function: Callable[[Any], Any], task: Any) -> Any:
        """Return the result of ``future``; if its worker died, retry the task alone once.

        Raises :class:`WorkerDied` when the retry dies too.
        """
        try:
            return future.result()
        except BrokenProcessPool:
            self._renew()
        single = ProcessPoolExecutor(1, mp_context=_context())
        try:
            return single.submit(function, task).result()
        except BrokenProcessPool:
            raise WorkerDied from None
        finally:
            single.shutdown(cancel_futures=True)

    def _renew(self) -> None:
        if self._pool is not None and getattr(self._pool, "_broken", False):
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = ProcessPoolExecutor(self.jobs, mp_context=_context())

    def close(self) -> None:
        """Stop the worker processes (pending tasks are cancelled)."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
