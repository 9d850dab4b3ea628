"""Where a build writes, and whether an output is up to date."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sheetgen import __version__
from sheetgen import jurisdiction as jurisdictions
from sheetgen.build.manifest import Record, digest
from sheetgen.build.names import safe_name
from sheetgen.errors import JurisdictionError
from sheetgen.spec.files import SpecFile, block_files

COMBINED_PREFIX = "汇总-"


def unit_folder(spec: SpecFile) -> Path:
    """Return the output sub-folder of a spec's unit, relative to the output folder."""
    try:
        relative = spec.unit_dir.resolve().relative_to(spec.root.resolve())
    except ValueError:
        relative = Path()
    parts = relative.parts or (spec.unit_dir.resolve().name,)
    return Path(*[safe_name(p) for p in parts])


def spec_outputs(spec: SpecFile, output: Path, kinds: Sequence[str]) -> dict[str, Path]:
    """Return the path of each file kind a spec's own build writes."""
    folder = output / unit_folder(spec)
    stem = safe_name(spec.path.stem)
    return {kind: folder / f"{stem}.{kind}" for kind in kinds}


def combined_outputs(spec: SpecFile, unit_name: str, output: Path, kinds: Sequence[str]) -> dict[str, Path]:
    """Return the path of each kind of a unit's combined file."""
    folder = output / unit_folder(spec)
    stem = safe_name(f"{COMBINED_PREFIX}{unit_name}")
    return {kind: folder / f"{stem}.{kind}" for kind in kinds}


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


class Fingerprints:
    """Fingerprints of specs: sheetgen version, the spec and defaults bytes,
    the shared indicator blocks they include (names and bytes), the
    jurisdiction's files (searched where they would be found now) and the
    options that change the output."""

    def __init__(self, kinds: Sequence[str], strict: bool):
        self._options = (",".join(kinds), str(strict))
        self._jurisdictions: dict[tuple[str, tuple[Path, ...]], str] = {}
        self._dirs: dict[tuple[Path, Path], tuple[Path, ...]] = {}

    def template_dirs(self, spec: SpecFile) -> tuple[Path, ...]:
        """Return the override folders searched for ``spec``'s jurisdiction (cached per folder)."""
        from sheetgen.validation import template_dirs

        key = (spec.unit_dir, spec.root)
        if key not in self._dirs:
            self._dirs[key] = template_dirs(spec)
        return self._dirs[key]

    def _jurisdiction(self, name: str, dirs: tuple[Path, ...]) -> str:
        key = (name, dirs)
        if key not in self._jurisdictions:
            try:
                self._jurisdictions[key] = jurisdictions.load(name, jurisdictions.search_path(dirs)).fingerprint
            except JurisdictionError:
                self._jurisdictions[key] = "missing"
        return self._jurisdictions[key]

    def spec(self, spec: SpecFile, record: Record | None) -> str:
        """Return the fingerprint of ``spec`` given the jurisdiction its last build used."""
        parts: list[bytes | str] = [__version__, *self._options, str(spec.number), _read_bytes(spec.path)]
        parts += [_read_bytes(p) for p in spec.defaults]
        for block in block_files(spec):
            parts += [str(block), _read_bytes(block)]
        if record is not None:
            parts.append(self._jurisdiction(record.jurisdiction, self.template_dirs(spec)))
        return digest(*parts)
