"""Helpers shared by the layouts: typed values, label normalisation, key order, file names.

All functions are pure: they return new values and report problems through a
:class:`~sheetgen.importers.result.Sink`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from sheetgen.importers.result import Sink
from sheetgen.jurisdiction import Jurisdiction

UNIT_ORDER = ("code", "name")

_UNSAFE_FILENAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def normalize_label(text: str) -> str:
    """Return ``text`` as a label key: no spaces, full-width brackets, no trailing colon."""
    text = re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）")
    return text.rstrip("：:")


def parse_amount(text: str, sink: Sink, line: int, label: str) -> Decimal | str | None:
    """Return the exact amount printed in ``text`` (commas removed), None when blank.

    Text that is no number is kept as text, with a warning.
    """
    cleaned = re.sub(r"[\s,，]", "", text)
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        sink.warn(line, "import-value", f"“{text}”不是金额，按原文保留", label=label)
        return text
    if not value.is_finite():
        sink.warn(line, "import-value", f"“{text}”不是金额，按原文保留", label=label)
        return text
    return value


def parse_date(text: str, sink: Sink, line: int, label: str) -> dt.date | str | None:
    """Return the date written as ``YYYY-MM-DD`` in ``text``, None when blank, else the text."""
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        sink.warn(line, "import-value", f"“{text}”不是 YYYY-MM-DD 格式的日期，按原文保留", label=label)
        return text


def parse_bool(text: str, sink: Sink, line: int, label: str) -> bool | str | None:
    """Return True for 是, False for 否, None when blank, else the text with a warning."""
    text = text.strip()
    if not text:
        return None
    if text in ("是", "否"):
        return text == "是"
    sink.warn(line, "import-value", f"“{text}”不是“是”或“否”，按原文保留", label=label)
    return text


def set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set ``data[a][b]`` for ``dotted == "a.b"``, creating the inner dicts."""
    *parents, last = dotted.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[last] = value


def ordered(data: Mapping[str, Any], jurisdiction: Jurisdiction) -> dict[str, Any]:
    """Return ``data`` with its keys (and those of ``budget``/``unit``) in the jurisdiction's
    spec order (:attr:`~sheetgen.jurisdiction.Jurisdiction.spec_order`)."""
    out = _reorder(data, jurisdiction.spec_order)
    if isinstance(out.get("budget"), Mapping):
        out["budget"] = _reorder(out["budget"], jurisdiction.budget_order)
    if isinstance(out.get("unit"), Mapping):
        out["unit"] = _reorder(out["unit"], UNIT_ORDER)
    return out


def _reorder(data: Mapping[str, Any], order: Sequence[str]) -> dict[str, Any]:
    """Return ``data`` with the keys of ``order`` first, the others after in their order."""
    first = {key: data[key] for key in order if key in data}
    return {**first, **{key: value for key, value in data.items() if key not in first}}


def safe_filename(number: int, name: str) -> str:
    """Return ``NN-name.yaml`` with the characters file systems refuse replaced by ``_``."""
    stem = _UNSAFE_FILENAME.sub("_", name).strip(" .") or "项目"
    return f"{number:02d}-{stem[:80]}.yaml"


def common_year(years: Sequence[int | None], sink: Sink) -> int | None:
    """Return the year most projects have (the later one on a tie), None when none has one."""
    counts = Counter(y for y in years if y is not None)
    if not counts:
        sink.warn(1, "import-year", "源文件中找不到年度")
        return None
    return max(counts, key=lambda y: (counts[y], y))


def build_defaults(jurisdiction: Jurisdiction, year: int | None, unit: Mapping[str, Any]) -> dict[str, Any]:
    """Return the ``_defaults.yaml`` content of a unit in spec order."""
    data: dict[str, Any] = {"jurisdiction": jurisdiction.name}
    if year is not None:
        data["year"] = year
    data["unit"] = _reorder(unit, UNIT_ORDER)
    return data


def spec_labels(found: Jurisdiction) -> dict[str, str]:
    """Return the label of every header key of a spec (dotted paths), for YAML comments: the
    core keys' labels and help, the jurisdiction's fields, and its budget section's title."""
    from sheetgen.authoring.skeleton import labels_of
    from sheetgen.validation.schema import build_schema

    labels = labels_of(build_schema(found))
    for declared in found.header_fields:
        labels[declared.dotted] = declared.label
    title = found.budget_title or labels.get("budget", "")
    labels["budget"] = f"{title}（{found.money_unit}）"
    return labels
