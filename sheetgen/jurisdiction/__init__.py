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

from sheetgen.jurisdiction.loading import (
    DESCRIPTION,
    SCHEMA,
    available,
    builtin_dir,
    fingerprint,
    load,
    search_path,
    shipped,
)
from sheetgen.jurisdiction.scoring import SELF_EVALUATION_TABLE, Scoring
from sheetgen.jurisdiction.typed import TARGET_TABLE, TEMPLATE_FILES, Column, Field, Jurisdiction, Table

__all__ = [
    "DESCRIPTION", "SCHEMA", "SELF_EVALUATION_TABLE", "TARGET_TABLE", "TEMPLATE_FILES", "Column", "Field",
    "Jurisdiction", "Scoring", "Table",
    "available", "builtin_dir", "fingerprint", "load", "search_path", "shipped",
]  # fmt: skip
