"""Worker processes that survive a dying worker and never outlive an interrupted build.

A worker killed mid-task (out of memory, ``kill -9``) breaks a whole
:class:`~concurrent.futures.ProcessPoolExecutor`.  :class:`Workers` then
starts a fresh pool for new work and retries each task the break took down
once, alone, so that only a task that really kills its worker is lost.

Workers ignore SIGINT: Ctrl-C (to the whole process group, or to the main
process alone) is the main process's to handle, and it ends the workers with
:meth:`Workers.terminate` at once instead of waiting for the tasks they run.
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any


class WorkerDied(Exception):
    """The task killed its worker process twice."""


def _context() -> Any:
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _pool(jobs: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(jobs, mp_context=_context(), initializer=_ignore_sigint)


def _kill(pool: ProcessPoolExecutor) -> None:
    """End ``pool``'s processes now, whatever they are running."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join(5)


class Workers:
    """Runs tasks in ``jobs`` processes, or in this process when ``jobs`` is 1."""

    def __init__(self, jobs: int):
        self.jobs = jobs
        self._pool = _pool(jobs) if jobs > 1 else None
        self._single: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Start the worker processes now (a pool forks them when first given work)."""
        if self._pool is not None:
            for _ in range(self.jobs):
                self._pool.submit(int)  # a task that does nothing: each submission may fork one

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
        self._single = _pool(1)
        try:
            return self._single.submit(function, task).result()
        except BrokenProcessPool:
            raise WorkerDied from None
        finally:
            self._single.shutdown(cancel_futures=True)
            self._single = None

    def _renew(self) -> None:
        if self._pool is not None and getattr(self._pool, "_broken", False):
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = _pool(self.jobs)

    def close(self) -> None:
        """Stop the worker processes once they are idle (pending tasks are cancelled)."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def terminate(self) -> None:
        """End the worker processes now (Ctrl-C): running tasks are abandoned; their
        files are written atomically, so nothing half-written is left in place."""
        for pool in (self._pool, self._single):
            if pool is not None:
                _kill(pool)
        self._pool = self._single = None
