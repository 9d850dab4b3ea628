"""Schema checking with Cerberus, and its errors turned into Chinese diagnostics.

Cerberus itself is imported when a document is first handed to it (:class:`Validation`):
the compiled schemas vouch for valid specs without it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sheetgen.errors import Diagnostic, Severity
from sheetgen.jurisdiction import Jurisdiction
from sheetgen.spec.files import LoadedSpec
from sheetgen.spec.values import _MONEY_TEXT as _MONEY_TEXT  # read by authoring/schema_export
from sheetgen.spec.values import TYPE_NAMES, describe
from sheetgen.validation.compiled import CompiledSchema, compile_schema
from sheetgen.validation.schema import indicator_row_schema, known_keys, label_for
from sheetgen.validation.written import TextFields

if TYPE_CHECKING:
    from cerberus.errors import ValidationError

    from sheetgen.spec.validator import SpecValidator

_DATE_AND_TIME = re.compile(r"^\s*(\d{4}-\d{1,2}-\d{1,2})(?:[Tt]|\s+)\d{1,2}:\d{2}")


def _type_message(error: ValidationError, label: str) -> str:
    wanted = error.constraint if isinstance(error.constraint, list) else [error.constraint]
    names = "或".join(TYPE_NAMES.get(str(t), str(t)) for t in wanted)
    message = f"“{label or '此项'}”应为{names}，这里是{describe(error.value)}"
    timed = _DATE_AND_TIME.match(str(error.value)) if "date" in wanted else None
    if timed:
        day = _iso(timed.group(1)) or timed.group(1)
        return f"“{label or '此项'}”只写日期，不写时间：这里是{describe(error.value)}；请写成 {day}"
    if "date" in wanted and isinstance(error.value, str):
        message += "；日期要写成 2020-01-01 这样的真实日期"
    if "boolean" in wanted:
        message += "；请写 true（是）或 false（否）"
    if "decimal" in wanted:
        message += "；金额只写数字，如 2468000 或 26.50，单位写在 budget.unit"
    if wanted == ["string"] and isinstance(error.value, (list, Mapping)):
        message += "；如果是多行文字，请用 |- 开头的多行写法"
    return message


def _iso(day: str) -> str:
    """Return ``2020-1-1`` as ``2020-01-01`` when it is a real day, else ''."""
    try:
        year, month, date = (int(p) for p in day.split("-"))
        return dt.date(year, month, date).isoformat()
    except ValueError:
        return ""


def _shape_message(path: tuple[str, ...], value: Any, jurisdiction: Jurisdiction) -> str:
    from sheetgen.validation.schema import level_label

    here, below = level_label(jurisdiction, len(path) - 1), level_label(jurisdiction, len(path))
    return (f"{here}“{path[-1]}”下面应列出{below}（一行一个，“名称: 值”），这里却是{describe(value)}；"
            f"是不是少了一层{below if len(path) == 2 else ''}或缩进不对？")


def _suggest(key: str, allowed: Mapping[str, str]) -> str:
    import difflib  # for a key not allowed only: a valid spec's check does without it

    for name, label in allowed.items():
        if label and key in (label, label.rstrip("：:")):
            return f"“{label}”应写作键 {name}"
    close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
    if close:
        label = allowed[close[0]]
        return f"是不是 {close[0]}（{label}）？" if label else f"是不是 {close[0]}？"
    labels = difflib.get_close_matches(key, [v for v in allowed.values() if v], n=1, cutoff=0.5)
    if labels:
        name = next(k for k, v in allowed.items() if v == labels[0])
        return f"是不是 {name}（{labels[0]}）？"
    return "可用的键：" + "、".join(allowed) if allowed else ""


def translate(error: ValidationError, loaded: LoadedSpec, schema: Mapping[str, Any],
              jurisdiction: Jurisdiction, prefix: tuple[str, ...] = ()) -> Diagnostic:
    """Return the diagnostic of one Cerberus error (``prefix``: where the validated mapping sits)."""
    from cerberus import errors

    path = (*prefix, *(str(p) for p in error.document_path))
    yaml_path = ".".join(path)
    label = label_for(path, schema, jurisdiction)
    code_of = error.code
    key_position = code_of in (errors.UNKNOWN_FIELD.code, errors.REQUIRED_FIELD.code)
    file, line, col = loaded.locate(path, key=key_position)
    if code_of == errors.REQUIRED_FIELD.code:
        code, message = "missing-field", f"缺少必填项“{label or path[-1]}”（键 {path[-1]}）"
    elif code_of == errors.UNKNOWN_FIELD.code:
        hint = _suggest(path[-1], known_keys(path[:-1], schema))
        code, message = "unknown-field", f"不认识的字段“{path[-1]}”" + (f"；{hint}" if hint else "")
        label = ""
    elif code_of == errors.BAD_TYPE.code and path[:1] == ("indicators",) and 2 <= len(path) <= 3:
        code, message = "indicator-shape", _shape_message(path, error.value, jurisdiction)
    elif code_of == errors.BAD_TYPE.code:
        code, message = "wrong-type", _type_message(error, label)
    elif code_of == errors.EMPTY_NOT_ALLOWED.code or code_of == errors.NOT_NULLABLE.code:
        code, message = "empty", f"“{label}”不能为空"
    elif code_of == errors.MIN_VALUE.code:
        if error.constraint == 0:
            code, message = "negative", f"“{label}”不能是负数（这里是 {error.value}）"
        else:
            code, message = "too-small", f"“{label}”不能小于 {error.constraint}（这里是 {error.value}）"
    elif code_of == errors.MAX_VALUE.code:
        code, message = "too-large", f"“{label}”不能大于 {error.constraint}（这里是 {error.value}）"
    elif code_of == errors.UNALLOWED_VALUE.code:
        allowed = "、".join(str(a) for a in error.constraint)
        code, message = "not-allowed", f"“{label}”只能是：{allowed}（这里是 {describe(error.value)}）"
    elif code_of == errors.COERCION_FAILED.code:
        code, message = "wrong-type", f"“{label}”无法识别：{describe(error.value)}"
    else:
        code, message = "invalid", f"“{label or yaml_path}”不符合要求（{error.rule}: {error.constraint}）"
    return Diagnostic(file, line, col, code, Severity.ERROR, message, label, yaml_path)


class Validation:
    """A Cerberus validator with its schema compiled (:mod:`.compiled`): a document that
    passes is normalized without Cerberus, any other goes to Cerberus as before.

    The validator is made (and Cerberus imported) when a document first needs it, so a
    cold check of valid specs never imports Cerberus.  A schema the compiled form does not
    follow needs it for every document: then it is made at once, from the schema as given
    (Cerberus expands some rules in place, and the schema is shared with the rest of the
    check; one it compiles holds none of those rules)."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema
        self.compiled: CompiledSchema | None = compile_schema(schema)
        if self.compiled is None:
            _ = self.cerberus

    @cached_property
    def cerberus(self) -> SpecValidator:
        """Return the Cerberus validator of the schema (made at first use)."""
        from sheetgen.spec.validator import trusted

        return trusted(self.schema)

    def quick(self, document: Mapping[str, Any]) -> dict[str, Any] | None:
        """Return ``document`` normalized when the compiled schema vouches for it, else None."""
        return None if self.compiled is None else self.compiled.normalized(document)

    def normalized(self, document: Mapping[str, Any]) -> dict[str, Any] | None:
        """Return ``document`` normalized when it is valid, else None (then Cerberus has run
        and :attr:`cerberus` holds its errors)."""
        quick = self.quick(document)
        if quick is not None:
            return quick
        return self.cerberus.document if self.cerberus.validate(document) else None  # type: ignore[no-any-return]


class SchemaCheck:
    """The compiled schema of one jurisdiction.

    Cerberus checks the header fields and each full-form indicator row; the
    indicator tree itself (一级 → 二级 → 三级 mappings) is walked in
    :mod:`.indicators`, because a child validator per row made Cerberus take
    half of a build's validation time.  The rules all come from the same
    schema data (``core.yaml`` + the jurisdiction's ``schema.yaml``).  Each
    validator's schema is also compiled (:class:`Validation`): a document that
    passes skips Cerberus, one that does not is checked and worded by it.
    """

    def __init__(self, schema: dict[str, Any], jurisdiction: Jurisdiction) -> None:
        from sheetgen.validation.evaluation import BLOCK, ROW_KEYS

        self.schema = schema
        self.jurisdiction = jurisdiction
        header_schema = dict(schema)
        header_schema["indicators"] = {"required": True, "nullable": False}
        # core.yaml is ours and each rule set of the jurisdiction was checked as it loaded
        self.header = Validation(header_schema)
        row_rules = indicator_row_schema(schema)["schema"]
        self.row = Validation(row_rules)
        self.year_end_block = Validation({BLOCK: dict(schema[BLOCK])})  # the 自评表's data: the year_end block
        self.year_end_row = Validation({k: dict(row_rules[k]) for k in ROW_KEYS})  # and an indicator's year-end keys
        self.texts = TextFields(schema)  # where the schema wants text (see .written)

    def problems(self, validation: Validation, loaded: LoadedSpec,
                 prefix: tuple[str, ...] = ()) -> list[Diagnostic]:
        """Return the diagnostics of the last Cerberus run of ``validation``, one per path and code."""
        from sheetgen.spec.validator import leaf_errors

        unique: dict[tuple[str, str], Diagnostic] = {}
        for error in leaf_errors(validation.cerberus._errors):
            problem = translate(error, loaded, self.schema, self.jurisdiction, prefix)
            unique.setdefault((problem.yaml_path, problem.code), problem)
        return list(unique.values())

    def check(self, loaded: LoadedSpec, data: Mapping[str, Any]) -> tuple[dict[str, Any], list[Diagnostic]]:
        """Return ``data`` (``loaded``'s, texts as written) normalized (partly when invalid)
        and its schema problems."""
        from sheetgen.validation.indicators import check_tree

        document = self.header.quick(data)
        problems: list[Diagnostic] = []
        if document is None:
            self.header.cerberus.validate(data)
            document = self.header.cerberus.document
            problems = self.problems(self.header, loaded)
        if "indicators" in data:
            tree, tree_problems = check_tree(data["indicators"], self, loaded)
            document["indicators"] = tree
            problems += tree_problems
        return document, problems
