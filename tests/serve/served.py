"""The real ``sheetgen serve`` in a subprocess on a free port, for the server and browser tests."""

from __future__ import annotations

import http.client
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.conftest import REPO

START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Served:
    """``python -m sheetgen serve`` running until :meth:`stop`; its output is collected as it comes."""

    def __init__(self, root: Path, output: Path, *extra: str, cwd: Path | None = None, wait: bool = True):
        self.port = free_port()
        self.url = f"http://localhost:{self.port}"
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sheetgen", "serve", str(root), "-o", str(output), "--port", str(self.port), *extra],
            cwd=cwd or root.parent, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, encoding="utf-8",
        )
        self.out: queue.Queue[str] = queue.Queue()
        self.lines: list[str] = []
        self.err_lines: list[str] = []
        threading.Thread(target=self._read, args=(self.process.stdout, self.lines, True), daemon=True).start()
        threading.Thread(target=self._read, args=(self.process.stderr, self.err_lines, False), daemon=True).start()
        if wait:
            self.wait_ready()

    def _read(self, stream: object, into: list[str], signal_lines: bool) -> None:
        for line in stream:  # type: ignore[attr-defined]
            into.append(line)
            if signal_lines:
                self.out.put(line)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                line = self.out.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None:
                    raise AssertionError(f"sheetgen serve ended: {self.stderr}") from None
                continue
            if line.startswith("预览："):
                return
        raise AssertionError(f"sheetgen serve did not start in {START_TIMEOUT} s: {self.stderr}")

    @property
    def stderr(self) -> str:
        return "".join(self.err_lines)

    def get(self, path: str, headers: dict[str, str] | None = None,
            timeout: float = 120) -> tuple[int, dict[str, str], bytes]:
        """Return (status, headers, body) of a GET of ``path`` sent exactly as written (no normalising)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
            connection.putheader("Host", (headers or {}).get("Host", f"localhost:{self.port}"))
            for name, value in (headers or {}).items():
                if name != "Host":
                    connection.putheader(name, value)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def stop(self, timeout: float = 15.0) -> int:
        """Send Ctrl-C (SIGINT) and return the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"sheetgen serve did not stop within {timeout} s after Ctrl-C") from None
