"""The year-end data of a spec (绩效自评表), checked in a pass of its own.

A spec is the single source of its indicators, and the year-end data sits next to them
(``actual:``, ``points:``, ``score:``, ``reason:``, ``not_applicable:`` in a row; the
``year_end:`` block of execution figures).  :func:`split` takes that data out before the
target table is checked -- the 绩效目标表 is checked exactly as without it -- and
:func:`check` checks it: the same Cerberus rules (``core.yaml``), then the scoring
(:func:`sheetgen.validation.evaluation.evaluate`: a shortfall without a reason, an actual in another
unit, a score over full marks, a qualitative indicator not met without its score …).
A problem found here holds back the spec's 自评表 only; its 目标表 is still built.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from msgspec import Struct, field

from sheetgen.errors import Diagnostic
from sheetgen.spec.files import LoadedSpec
from sheetgen.validation.evaluation import BLOCK, ROW_KEYS, YearEnd, evaluate
from sheetgen.validation.schema import label_for

if TYPE_CHECKING:
    from sheetgen.model import Evaluation
    from sheetgen.validation.cerberus_check import SchemaCheck

Row = tuple[str, str, str]


def split(data: Mapping[str, Any]) -> tuple[dict[str, Any], YearEnd]:
    """Return ``data`` without its year-end data, and that data as written."""
    target = {k: v for k, v in data.items() if k != BLOCK}
    rows: dict[Row, dict[str, Any]] = {}
    tree = data.get("indicators")
    if isinstance(tree, Mapping) and any(isinstance(r, Mapping) and any(k in r for k in ROW_KEYS)
                                         for g in tree.values() if isinstance(g, Mapping)
                                         for rs in g.values() if isinstance(rs, Mapping) for r in rs.values()):
        stripped: dict[Any, Any] = {}
        for level1, groups in tree.items():
            if not isinstance(groups, Mapping):
                stripped[level1] = groups
                continue
            stripped[level1] = out1 = {}
            for level2, group in groups.items():
                if not isinstance(group, Mapping):
                    out1[level2] = group
                    continue
                out1[level2] = out2 = {}
                for name, row in group.items():
                    if isinstance(row, Mapping) and any(k in row for k in ROW_KEYS):
                        rows[(str(level1), str(level2), str(name))] = {k: row[k] for k in ROW_KEYS if k in row}
                        row = {k: v for k, v in row.items() if k not in ROW_KEYS}
                    out2[name] = row
        target["indicators"] = stripped
    # ``year_end:`` written blank is year-end data still to fill; anything but a mapping is
    # left to Cerberus to name
    block: Any = None if BLOCK not in data else ({} if data[BLOCK] is None else data[BLOCK])
    return target, YearEnd(block, rows)


class YearEndCheck(Struct):
    """The year-end data of one spec after :func:`check`: normalized (None when it has
    errors, or the spec carries none), its problems and its scores (the evaluation worked out
    by the check, when the data has no error: the model takes it, not working it out again)."""

    data: YearEnd | None
    carried: bool
    diagnostics: list[Diagnostic] = field(default_factory=list)
    evaluation: Evaluation | None = None


def check(year_end: YearEnd, target: Mapping[str, Any] | None, loaded: LoadedSpec,
          schema_check: SchemaCheck) -> YearEndCheck:
    """Return the checked year-end data of a spec whose target part, normalized, is ``target``
    (None when the target part has errors: then only the year-end data's own shape is checked),
    with the validators and messages of the jurisdiction's compiled schema."""
    if not year_end.carried and not year_end.rows:
        return YearEndCheck(None, False)
    schema, jurisdiction = schema_check.schema, schema_check.jurisdiction
    block_validator, row_validator = schema_check.year_end_block, schema_check.year_end_row
    found: list[Diagnostic] = []
    block = None
    if year_end.block is not None:
        document = block_validator.normalized({BLOCK: year_end.block})
        if document is not None:
            block = document.get(BLOCK)
        else:
            found += schema_check.problems(block_validator, loaded)
    rows: dict[Row, Mapping[str, Any]] = {}
    for row, values in year_end.rows.items():
        document = row_validator.normalized(dict(values))
        if document is not None:
            rows[row] = document
        else:
            found += schema_check.problems(row_validator, loaded, ("indicators", *row))
    carried = year_end.carried
    normalized = YearEnd(block, rows)
    if found or target is None or not carried:
        return YearEndCheck(None if found else normalized, carried, found)
    evaluation, findings = evaluate(target, normalized, jurisdiction)
    for finding in findings:
        file, line, col = loaded.locate(finding.path, key=finding.at_key)
        found.append(Diagnostic(file, line, col, finding.code, finding.severity, finding.message,
                                label_for(finding.path, schema, jurisdiction), ".".join(finding.path)))
    if any(d.is_error for d in found):
        return YearEndCheck(None, carried, found)
    return YearEndCheck(normalized, carried, found, evaluation)
