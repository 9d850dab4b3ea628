"""Fixtures of the importer tests: the imported seed documents and an exact YAML reader."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from sheetgen.importers import ImportResult, import_file

REPO = Path(__file__).resolve().parent.parent.parent
SEEDS = REPO / "tests" / "fixtures" / "seeds"
GRID, PDF, DOCX = "000_843e70b5e72a22f4.txt", "001_7b6856de8c6b40d9.txt", "002_86ef9e7dadc5629d.txt"
UNITS = {GRID: "sh-yifenyuan-2020", PDF: "sh-shijianchayuan-2020", DOCX: "tj-xiqing-2025"}


class DecimalLoader(yaml.SafeLoader):
    """SafeLoader that reads floats as the exact Decimal written (``26.50`` stays 26.50)."""


DecimalLoader.add_constructor("tag:yaml.org,2002:float", lambda loader, node: Decimal(loader.construct_scalar(node)))


def load_exact(text: str) -> Any:
    """Return the data of YAML ``text`` with floats as Decimal."""
    return yaml.load(text, Loader=DecimalLoader)


def canon(value: Any) -> Any:
    """Return ``value`` with every number as ("num", exact digits), so 26.50 ≠ 26.5 and 7 == Decimal(7)."""
    if isinstance(value, dict):
        return {key: canon(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [canon(item) for item in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, Decimal)):
        return ("num", format(Decimal(value), "f"))
    return value


@pytest.fixture(scope="session")
def exact() -> Callable[[str], Any]:
    """Return the exact YAML reader."""
    return load_exact


@pytest.fixture(scope="session")
def canonical() -> Callable[[Any], Any]:
    """Return :func:`canon`."""
    return canon


@pytest.fixture(scope="session")
def seeds() -> dict[str, ImportResult]:
    """Return the import of every seed document, by file name."""
    return {name: import_file(SEEDS / name) for name in UNITS}


@pytest.fixture(scope="session")
def seed_text() -> Callable[[str], str]:
    """Return a reader of a seed document's text."""
    return lambda name: (SEEDS / name).read_text(encoding="utf-8")
