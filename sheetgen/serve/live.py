"""The live channel: tells every open page, through server-sent events, that the specs changed.

The watcher thread calls :meth:`Live.publish` with each new snapshot's
version; each open page holds one ``/events`` stream (:meth:`Live.stream`)
and fetches its main part again when the version it shows is not the newest.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

KEEP_ALIVE = 15.0  # seconds between comments that keep an idle stream open


class Live:
    """The newest snapshot version, and a way to wait for the next one."""

    def __init__(self) -> None:
        self.version = 0
        self.stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._changed: asyncio.Event | None = None

    def attach(self) -> None:
        """Bind to the running event loop (the server calls this when it starts)."""
        self._loop = asyncio.get_running_loop()
        self._changed = asyncio.Event()

    def publish(self, version: int) -> None:
        """Announce snapshot ``version`` (from any thread)."""
        self.version = version
        self._call(self._wake)

    def stop(self) -> None:
        """End every stream, so the server can stop without waiting for the pages (any thread)."""
        self.stopping = True
        self._call(self._wake)

    def _call(self, function: Callable[[], None]) -> None:
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: no stream is left to tell
                loop.call_soon_threadsafe(function)

    def _wake(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        if changed is not None:
            changed.set()

    async def _next(self, seen: int, timeout: float) -> int | None:
        """Return the version once it differs from ``seen``, or None after ``timeout`` seconds."""
        if self.version != seen or self.stopping or self._changed is None:
            return self.version
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except asyncio.TimeoutError:
            return None
        return self.version

    async def stream(self) -> AsyncIterator[str]:
        """Return the event stream of one page: the version now, then each new one."""
        yield "retry: 1000\n\n"
        seen = -1
        while not self.stopping:
            version = await self._next(seen, KEEP_ALIVE)
            if self.stopping:
                return
            if version is None:
                yield ": 在线\n\n"
                continue
            seen = version
            yield f"data: {version}\n\n"
