"""Round trip: every seed spec built to .docx and .xlsx imports back to the same spec content.

Each seed spec is built (single files and the unit's combined 汇总 document and
workbook), the built files are imported with ``sheetgen import``'s writer, and
the imported specs, loaded and validated like any spec, must print exactly
what the originals print: same header fields (amounts digit for digit, dates,
是/否, texts), same indicator tree and columns.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.importers.office_helpers import SEED_SPECS, SPECS, UNITS, build_seeds, import_into, load_models


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the output folder of building all seed specs."""
    return build_seeds(tmp_path_factory.mktemp("seeds"))


@pytest.fixture(scope="module")
def originals() -> dict[str, dict[str, tuple[int, dict]]]:
    """Return unit → spec file name → (number, model view) of the committed seed specs."""
    return {unit: load_models(SPECS / unit) for unit in UNITS}


def _combined(built: Path, unit: str, suffix: str) -> Path:
    found = sorted((built / unit).glob(f"汇总-*{suffix}"))
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
@pytest.mark.parametrize("seed", SEED_SPECS)
def test_single_file_imports_back_to_the_seed_spec(
    built: Path, originals: dict, tmp_path: Path, seed: str, suffix: str
) -> None:
    unit, filename = seed.split("/")
    source = built / unit / filename.replace(".yaml", suffix)
    out = tmp_path / unit
    import_into([source], out)
    imported = load_models(out)
    assert len(imported) == 1
    ((_, view),) = imported.values()
    assert view == originals[unit][filename][1]
    assert not any("review" in yaml.safe_load(p.read_text(encoding="utf-8")) for p in out.glob("*.yaml"))


@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
@pytest.mark.parametrize("unit", UNITS)
def test_combined_document_imports_back_to_every_spec_of_the_unit(
    built: Path, originals: dict, tmp_path: Path, unit: str, suffix: str
) -> None:
    out = tmp_path / unit
    import_into([_combined(built, unit, suffix)], out)
    imported = load_models(out)
    assert list(imported) == list(originals[unit])  # same file names, same order
    for filename, (number, view) in originals[unit].items():
        assert imported[filename] == (number, view), filename


@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
@pytest.mark.parametrize("unit", UNITS)
def test_imported_defaults_hold_the_unit(built: Path, tmp_path: Path, unit: str, suffix: str) -> None:
    out = tmp_path / unit
    import_into([_combined(built, unit, suffix)], out)
    imported = yaml.safe_load((out / "_defaults.yaml").read_text(encoding="utf-8"))
    original = yaml.safe_load((SPECS / unit / "_defaults.yaml").read_text(encoding="utf-8"))
    assert imported == original
