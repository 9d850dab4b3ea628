"""The output folder kept current for the preview's downloads, by ``run_build`` in a background thread.

Every change the preview sees asks for a build (:meth:`Builds.want`); one
thread runs them one after the other, each covering every change asked for
before it started, through the same incremental, atomic
:func:`~sheetgen.build.runner.run_build` as ``sheetgen build`` (so only what
changed is rendered, and the 汇总 stays complete).  It runs in this process
(``--jobs 1``): forking worker processes from a threaded server is unsafe,
and a save changes one spec.  A PDF (LibreOffice, seconds a file) is made
only when it is downloaded, from the current Word file, by the build's own
converter (:func:`sheetgen.build.pdf.convert`).

:meth:`Builds.current` says whether a file in the output folder is the one
the specs on disk make now: the last build covered every change, its record
lists the file, and the spec's fingerprint (its bytes, defaults, blocks,
jurisdiction) still matches.  Anything else is refused, never handed out.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from msgspec import Struct
from msgspec.structs import replace

from sheetgen.build.manifest import Manifest
from sheetgen.build.plan import Fingerprints, key, unit_fingerprint
from sheetgen.build.runner import BuildOptions, Summary, run_build
from sheetgen.spec.files import SpecFile


class Done(Struct, frozen=True):
    """One finished build: the change it covered, its summary (None: it crashed)."""

    generation: int
    summary: Summary | None
    failure: str = ""
    seconds: float = 0.0


class Builds:
    """Runs ``run_build(options)`` in a thread whenever a newer change is wanted."""

    def __init__(self, options: BuildOptions, on_done: Callable[[Done], None] | None = None):
        self.options = replace(options, formats=tuple(k for k in options.formats if k != "pdf"), jobs=1)
        self._on_done = on_done
        self._cond = threading.Condition()
        self._wanted = 0  # newest change (snapshot version, from 1) a build must cover
        self._done = 0  # change the last finished build covered
        self._running = False
        self._pdf_lock = threading.Lock()
        self._closed = False
        self.last: Done | None = None
        self._thread = threading.Thread(target=self._loop, name="sheetgen-build", daemon=True)
        self._thread.start()

    def want(self, generation: int) -> None:
        """Ask for a build that covers change ``generation``."""
        with self._cond:
            self._wanted = max(self._wanted, generation)
            self._cond.notify_all()

    def wait(self, generation: int, *, timeout: float = 60.0) -> bool:
        """Return whether a build covering change ``generation`` finished within ``timeout`` seconds."""
        self.want(generation)
        with self._cond:
            return self._cond.wait_for(lambda: self._closed or self._done >= generation, timeout)

    def pdf(self, source: Path) -> list[str]:
        """Make the PDF of ``source`` (a Word or Excel file the build wrote) unless it is current;
        return what went wrong (Chinese), empty when it worked."""
        from sheetgen.build import pdf

        program = pdf.soffice()
        if program is None:
            return [f"没有找到 LibreOffice，无法生成 PDF。{pdf.INSTALL_HINT}"]
        with self._pdf_lock:  # one LibreOffice at a time
            return pdf.convert(pdf.stale([source]), program).failures

    @property
    def busy(self) -> bool:
        with self._cond:
            return self._running or self._wanted > self._done

    def close(self, timeout: float = 30.0) -> None:
        """Stop after the build under way (files are written atomically either way)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout)

    def _loop(self) -> None:
        import time

        from sheetgen.authoring.watch import forget_loaded_jurisdictions

        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._closed or self._wanted > self._done)
                if self._closed:
                    return
                generation = self._wanted
                self._running = True
            start = time.monotonic()
            forget_loaded_jurisdictions()
            try:
                done = Done(generation, run_build(self.options))
            except Exception as exc:  # a crash must not leave downloads waiting forever
                done = Done(generation, None, f"{type(exc).__name__}: {exc}")
            done = replace(done, seconds=time.monotonic() - start)
            with self._cond:
                self._running = False
                self._done = max(self._done, generation)
                self.last = done
                self._cond.notify_all()
            if self._on_done is not None:
                self._on_done(done)

    # ------------------------------------------------------------------ is a file current?

    def current(self, path: Path, specs: Sequence[SpecFile], unit: Path | None = None) -> bool:
        """Return whether ``path`` is what ``specs`` on disk make now: the file of those specs
        (one spec's own file, or with ``unit`` the unit's 汇总 of all of them)."""
        last = self.last
        if last is None or last.summary is None or not path.is_file():
            return False
        manifest, _note = Manifest.read(self.options.output)
        fingerprints = Fingerprints(self.options.strict)
        prints = []
        for spec in specs:
            record = manifest.specs.get(spec.real)
            if record is None or not record.fingerprint:
                return False
            if record.fingerprint != fingerprints.spec(spec, record.jurisdiction):
                return False
            if unit is None and str(path) not in record.outputs:
                return False
            prints.append((spec.real, record.fingerprint))
        if unit is not None:
            entry = manifest.units.get(key(unit))
            return (entry is not None and entry.fingerprint == unit_fingerprint(prints)
                    and str(path) in entry.outputs)
        return True

    def current_pdf(self, pdf: Path, source: Path, specs: Sequence[SpecFile], unit: Path | None = None) -> bool:
        """Return whether ``pdf`` was made from ``source`` as it is now, and ``source`` is current."""
        try:
            fresh = pdf.stat().st_mtime_ns >= source.stat().st_mtime_ns
        except OSError:
            return False
        return fresh and self.current(source, specs, unit)
