"""The fixed keys of a jurisdiction's tables: read by the build to name its record and
outputs, apart from :mod:`.typed` so that a no-change build makes none of the typed parts."""

from __future__ import annotations

#: The key of the one kind of table every jurisdiction has: the 绩效目标表.
TARGET_TABLE = "target"
#: The key of the 绩效自评表 among a jurisdiction's tables.
SELF_EVALUATION_TABLE = "selfeval"
#: The file kinds a table has a template for, and the template file each defaults to.
TEMPLATE_FILES = {"docx": "table.docx", "xlsx": "table.xlsx"}
