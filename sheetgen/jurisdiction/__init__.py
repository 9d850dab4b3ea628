"""A jurisdiction (表格格式): a folder of templates, its description and its schema part.

A jurisdiction folder holds

* ``jurisdiction.yaml`` -- the description: title, format year, money unit and
  number format, the 一级/二级 vocabulary, the indicator columns, the kinds of
  table and their templates, the print settings, and optionally
  ``extends: <name>`` to inherit everything it does not set;
* ``schema.yaml`` -- its part of the validation schema (header fields, budget
  fields, extra per-indicator columns, rules between fields, rollover rules) as
  Cerberus rules with Chinese labels;
* ``table.docx`` / ``table.xlsx`` -- the Word and Excel templates.

Every key of both files is declared, with its type and meaning, in
:mod:`.shape` (``shape.yaml``); :func:`load` checks the files against it and
returns the typed :class:`Jurisdiction` (:mod:`.typed`) every stage is handed.
Which ``templates/`` folders are searched is the workspace's rule
(:mod:`sheetgen.workspace`).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from sheetgen.jurisdiction.folders import DESCRIPTION, SCHEMA, available, builtin_dir, fingerprint, search_path, shipped
from sheetgen.jurisdiction.keys import SELF_EVALUATION_TABLE, TARGET_TABLE, TEMPLATE_FILES

if TYPE_CHECKING:
    from sheetgen.jurisdiction.loading import load
    from sheetgen.jurisdiction.scoring import Scoring
    from sheetgen.jurisdiction.typed import Column, Field, Jurisdiction, Table

#: The names imported at first use, and the module of each.  Importing them runs the modules
#: of the typed jurisdiction and its loading, which finding specs and a no-change build's
#: fingerprints (:mod:`.folders`, :mod:`.keys`) do without.
_LAZY = {"load": "loading", "Scoring": "scoring", "Column": "typed", "Field": "typed",
         "Jurisdiction": "typed", "Table": "typed"}

if not TYPE_CHECKING:  # mypy reads the imports above: an unknown name stays an error to it

    def __getattr__(name: str) -> Any:
        """Return ``name`` of :data:`_LAZY` from its module, imported at first use (PEP 562)."""
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        __import__(f"{__name__}.{module}")  # not importlib.import_module: -X importtime reports this import
        value = getattr(sys.modules[f"{__name__}.{module}"], name)
        globals()[name] = value
        return value

__all__ = [
    "DESCRIPTION", "SCHEMA", "SELF_EVALUATION_TABLE", "TARGET_TABLE", "TEMPLATE_FILES", "Column", "Field",
    "Jurisdiction", "Scoring", "Table",
    "available", "builtin_dir", "fingerprint", "load", "search_path", "shipped",
]  # fmt: skip
