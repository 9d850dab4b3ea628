"""The build manifest: what each output was built from, for incremental builds."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheetgen import __version__
from sheetgen.build.atomic import write_atomic

MANIFEST_NAME = ".sheetgen-manifest.json"
FORMAT = 1


def digest(*parts: bytes | str) -> str:
    """Return a SHA-256 hex digest of ``parts`` (each length-prefixed)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


@dataclass
class Record:
    """What one spec was last built from and what came of it."""

    fingerprint: str
    jurisdiction: str
    template_dirs: list[str]
    outputs: list[str]
    diagnostics: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Manifest:
    """Records by spec path, plus fingerprints of each unit's combined outputs."""

    specs: dict[str, Record] = field(default_factory=dict)
    units: dict[str, dict[str, Any]] = field(default_factory=dict)  # fingerprint, outputs

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        """Return the manifest stored in ``folder`` (empty if none or unreadable)."""
        try:
            raw = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if raw.get("format") != FORMAT or raw.get("version") != __version__:
            return cls()
        try:
            specs = {k: Record(**v) for k, v in raw.get("specs", {}).items()}
        except TypeError:
            return cls()
        return cls(specs, dict(raw.get("units", {})))

    def write(self, folder: Path) -> None:
        """Store the manifest in ``folder`` atomically."""
        payload = {
            "format": FORMAT,
            "version": __version__,
            "specs": {k: vars(v) for k, v in sorted(self.specs.items())},
            "units": dict(sorted(self.units.items())),
        }
        write_atomic(folder / MANIFEST_NAME,
                     json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))
