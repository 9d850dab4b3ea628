"""What the CLI shows while building: a progress bar on a terminal, plain
lines otherwise.  Part of the command-line layer (it prints)."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from sheetgen.build.runner import Summary
from sheetgen.errors import Diagnostic
from sheetgen.spec.files import display


class Reporter:
    """Shows build progress and problems on stderr, file names with --verbose."""

    def __init__(self, *, quiet: bool = False, verbose: bool = False, stream: TextIO | None = None):
        self.quiet, self.verbose = quiet, verbose
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() and not quiet
        self.total = self.done = 0
        self._last = 0.0
        self._start = time.monotonic()

    def _clear(self) -> None:
        if self.tty and self.total:
            self.stream.write("\r\x1b[2K")

    def _bar(self) -> None:
        now = time.monotonic()
        if not self.tty or not self.total or (now - self._last < 0.1 and self.done < self.total):
            return
        self._last = now
        width = 30
        filled = int(width * self.done / self.total)
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}")
        self.stream.flush()

    def started(self, total: int) -> None:
        self.total = total
        self._bar()

    def advanced(self, count: int = 1) -> None:
        self.done += count
        self._bar()

    def diagnostics(self, items: Sequence[Diagnostic]) -> None:
        shown = [d for d in items if d.is_error or not self.quiet]
        if not shown:
            return
        self._clear()
        for diagnostic in shown:
            print(diagnostic.format(), file=self.stream)
        self._bar()

    def written(self, path: Path) -> None:
        if self.verbose:
            self._clear()
            print(f"写入 {display(path)}", file=self.stream)
            self._bar()

    def failed(self, message: str) -> None:
        self._clear()
        print(f"错误：{message}", file=self.stream)
        self._bar()

    def note(self, message: str) -> None:
        if not self.quiet:
            self._clear()
            print(message, file=self.stream)
            self._bar()

    def finish(self, summary: Summary) -> None:
        """Print the last line: projects built, unchanged and failed, every warning
        reported, what happened to the 汇总 and to stale files, and where the files are."""
        self._clear()
        elapsed = time.monotonic() - self._start
        line = (f"生成 {summary.built} 个，未变 {summary.unchanged} 个，失败 {summary.failed} 个，"
                f"警告 {summary.warnings} 条")
        if summary.combined_missing:
            line += f"；{summary.combined_missing} 个单位的汇总没有生成"
        if summary.errors:
            line += f"；另有 {summary.errors} 个错误"
        if summary.removed:
            line += f"；删除过期文件 {len(summary.removed)} 个"
        if summary.moved:
            line += f"；{len(summary.moved)} 个过期文件改名为“（已过期）”"
        print(f"{line}；文件在 {summary.output}（{elapsed:.1f} 秒）", file=self.stream)
