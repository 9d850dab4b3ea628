"""The words every format shares (``sheetgen/data/common.yaml``), read once and typed."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from msgspec import Struct

from sheetgen.spec.yamlload import read_plain

COMMON_FILE = Path(__file__).resolve().parent.parent / "data" / "common.yaml"


class CommonField(Struct, frozen=True):
    """A field every format has: its dotted key, value kind and the labels people write."""

    key: str
    kind: str
    labels: tuple[str, ...]


class CommonWords(Struct, frozen=True):
    """The defaults a ``jurisdiction.yaml`` may leave out and the label variants import knows."""

    level_labels: tuple[str, str, str]
    target_table: str
    column_aliases: tuple[tuple[str, tuple[str, ...]], ...]
    row_numbers: tuple[str, ...]
    fields: tuple[CommonField, ...]
    label_prefixes: tuple[str, ...]
    sections: tuple[str, ...]
    generic_titles: tuple[str, ...]
    contents_sheets: tuple[str, ...]
    contents_header: tuple[str, ...]
    unit_spellings: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def aliases(self, role: str) -> tuple[str, ...]:
        """Return the column headers people write for the indicator column ``role``."""
        return dict(self.column_aliases).get(role, ())


def _words(items: object) -> tuple[str, ...]:
    return tuple(str(item) for item in items) if isinstance(items, list) else ()


@lru_cache(maxsize=1)
def common_words() -> CommonWords:
    """Return the shared words of ``sheetgen/data/common.yaml``."""
    data = read_plain(COMMON_FILE.read_text(encoding="utf-8"))
    levels = data["level_labels"]
    found = data["import"]
    return CommonWords(
        level_labels=(str(levels["level1"]), str(levels["level2"]), str(levels["level3"])),
        target_table=str(data["target_table"]),
        column_aliases=tuple((str(role), _words(names)) for role, names in found["columns"].items()),
        row_numbers=_words(found["row_numbers"]),
        fields=tuple(CommonField(str(key), str(spec["kind"]), _words(spec["labels"]))
                     for key, spec in found["fields"].items()),
        label_prefixes=_words(found["label_prefixes"]),
        sections=_words(found["sections"]),
        generic_titles=_words(found["generic_titles"]),
        contents_sheets=_words(found["contents_sheets"]),
        contents_header=_words(found["contents_header"]),
        unit_spellings=tuple((str(unit), _words(names)) for unit, names in (data.get("unit_spellings") or {}).items()),
    )
