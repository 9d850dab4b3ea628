"""The problems of a jurisdiction's description files, each at its file and line.

``shape.yaml`` declares every key of ``jurisdiction.yaml`` and ``schema.yaml`` --
its type, label and meaning -- as Cerberus rules; each file is checked against it
when the jurisdiction is loaded (:func:`documented` lists the declarations, for
docs and the JSON Schema of the format files).  The rule sets a ``schema.yaml``
declares for its fields are compiled by Cerberus itself with the spec's value
types (:class:`~sheetgen.spec.validator.SpecValidator`), so ``type: strin`` or
``coerce: mony`` is found before any spec is checked.  Every complaint becomes a
:class:`~sheetgen.errors.Diagnostic` in Chinese naming the key; none is raised.

Cerberus is imported by the functions that check a file with it: loading one of
sheetgen's own formats runs only :func:`reference_problems`, and a cold ``sheetgen check``
of valid specs does without Cerberus (see :mod:`sheetgen.spec.validator`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheetgen.errors import Diagnostic, Severity
from sheetgen.spec.values import TYPE_NAMES, describe
from sheetgen.spec.yamlload import Path_, Positions, read_plain

if TYPE_CHECKING:
    from cerberus.errors import ValidationError  # type: ignore[import-untyped]

    from sheetgen.spec.validator import SpecValidator

SHAPE_FILE = Path(__file__).with_name("shape.yaml")
SCHEMA_NAME = "schema.yaml"
#: The code of a problem in a jurisdiction's own files.
CODE = "jurisdiction-file"
#: The sections of ``schema.yaml`` that hold one Cerberus rule set per key.
RULE_SECTIONS = ("fields", "budget", "indicator")
_TYPES = {"string": "文字", "integer": "整数", "decimal": "金额", "date": "日期", "boolean": "是/否",
          "list": "列表", "dict": "映射"}
_MORE_NAMES = {"container": "列表", "number": "数字", "float": "数字", "callable": "函数名"}


@lru_cache(maxsize=1)
def _shapes() -> dict[str, dict[str, Any]]:
    shapes: dict[str, dict[str, Any]] = read_plain(SHAPE_FILE.read_text(encoding="utf-8"))
    return shapes


def shapes() -> Mapping[str, Mapping[str, Any]]:
    """Return the declared shape of each description file (file name -> Cerberus rules)."""
    return _shapes()


def documented(rules: Mapping[str, Any] | None = None, path: Path_ = ()) -> Iterator[tuple[Path_, Mapping[str, Any]]]:
    """Return (key path, declared rules) of every declared key, depth first: a file name
    first (``("jurisdiction.yaml", "money", "unit")``), ``*`` for a key of one's own
    choosing (a table kind, a field)."""
    if rules is None:
        for filename, declared in _shapes().items():
            yield from documented(declared, (filename,))
        return
    for key, rule in rules.items():
        if not isinstance(rule, Mapping):
            continue
        here = (*path, str(key))
        yield here, rule
        for inner in _inner(rule):
            yield from documented(inner[1], (*here, *inner[0]))


def _inner(rule: Mapping[str, Any]) -> Iterator[tuple[Path_, Mapping[str, Any]]]:
    """Return (extra path, keyed rules) of the mappings declared inside ``rule``."""
    schema, values = rule.get("schema"), rule.get("valuesrules")
    if rule.get("type") == "list" and isinstance(schema, Mapping) and isinstance(schema.get("schema"), Mapping):
        yield (), schema["schema"]
    elif isinstance(schema, Mapping) and rule.get("type") != "list":
        yield (), schema
    if isinstance(values, Mapping) and isinstance(values.get("schema"), Mapping):
        yield ("*",), values["schema"]


@lru_cache(maxsize=4)
def _validator(filename: str) -> SpecValidator:
    from sheetgen.spec.validator import trusted

    return trusted(_shapes()[filename])  # our own rules (tests/jurisdiction check them with Cerberus)


def problems(filename: str, data: Any, positions: Positions) -> list[Diagnostic]:
    """Return the problems of one description file (``jurisdiction.yaml`` or ``schema.yaml``)
    whose loaded ``data`` and ``positions`` are given."""
    if data is None:
        return []
    if not isinstance(data, Mapping):
        return [_problem(positions, (), f"{filename} 的内容应是“键: 值”的映射，这里是{describe(data)}")]
    from sheetgen.spec.validator import leaf_errors

    validator = _validator(filename)
    validator.validate(dict(data), normalize=False)
    found = [_shape_problem(error, positions, filename) for error in leaf_errors(validator._errors)]
    if filename == SCHEMA_NAME:
        broken = {d.yaml_path for d in found}
        for section in RULE_SECTIONS:
            rule_sets = data.get(section)
            for key, rules in (rule_sets.items() if isinstance(rule_sets, Mapping) else ()):
                here = f"{section}.{key}"
                if isinstance(rules, Mapping) and not any(p == here or p.startswith(here + ".") for p in broken):
                    found.extend(_rule_set_problems((section, str(key)), rules, positions))
    return found


def reference_problems(schema: Mapping[str, Any], tables: Sequence[Positions]) -> list[Diagnostic]:
    """Return a problem for each field a rule of the merged ``schema`` names but no section
    declares (``tables``: the schema files, most specific first)."""
    found = []
    for path, section, name in _referenced(schema.get("rules")):
        rules = schema.get(section)
        declared = [str(k) for k in rules] if isinstance(rules, Mapping) else []
        if name in declared:
            continue
        import difflib  # for a wrong file only: a good jurisdiction loads without it

        close = difflib.get_close_matches(name, declared, n=1, cutoff=0.5)
        prefix = "budget." if section == "budget" and path[1] != "budget_sum" else ""
        hint = f"是不是 {prefix}{close[0]}？" if close else f"{section} 里已有：" + "、".join(declared)
        table = next((t for t in tables if t.locate(path)), tables[0] if tables else Positions(SCHEMA_NAME))
        found.append(_problem(table, path, f"规则里的字段“{prefix}{name}”在 {section} 里没有定义；{hint}"))
    return found


def field_section(dotted: str) -> tuple[str, str]:
    """Return (section, key) of a field a rule names: ``budget.total`` -> ("budget", "total"),
    ``start_date`` -> ("fields", "start_date")."""
    head, _dot, rest = dotted.partition(".")
    return ("budget", rest) if head == "budget" and rest else ("fields", dotted)


def _referenced(rules: Any) -> Iterator[tuple[Path_, str, str]]:
    """Return (path, section, key) of each field the ``rules`` section names."""
    if not isinstance(rules, Mapping):
        return
    total = rules.get("budget_sum")
    if isinstance(total, Mapping):
        if isinstance(total.get("total"), str):
            yield ("rules", "budget_sum", "total"), "budget", total["total"]
        parts = total.get("parts")
        for index, part in enumerate(parts if isinstance(parts, list) else []):
            if isinstance(part, str):
                yield ("rules", "budget_sum", "parts", str(index)), "budget", part
    limits = rules.get("at_most")
    for index, pair in enumerate(limits if isinstance(limits, list) else []):
        for role in ("field", "limit"):
            if isinstance(pair, Mapping) and isinstance(pair.get(role), str):
                yield ("rules", "at_most", str(index), role), *field_section(pair[role])


# ----------------------------------------------------------------------------- the declared shape

def _problem(positions: Positions, path: Path_, message: str, *, key: bool = False, label: str = "") -> Diagnostic:
    line, col = positions.locate(path, key=key) or (1, 1)
    return Diagnostic(positions.file, line, col, CODE, Severity.ERROR, message, label, ".".join(path))


def _declared(filename: str, path: Path_) -> Mapping[str, Any]:
    """Return the declared rules of the mapping at ``path`` of ``filename`` ({} if none)."""
    rules: Any = {"type": "dict", "schema": _shapes()[filename]}
    for part in path:
        if not isinstance(rules, Mapping):
            return {}
        if rules.get("type") == "list":
            rules = rules.get("schema")
            continue
        keyed = rules.get("schema")
        keyed = keyed if isinstance(keyed, Mapping) else {}
        rules = keyed.get(part) if part in keyed else rules.get("valuesrules")
    return rules if isinstance(rules, Mapping) else {}


def _type_names(wanted: Any) -> str:
    names = wanted if isinstance(wanted, list) else [wanted]
    return "或".join(TYPE_NAMES.get(str(t), _MORE_NAMES.get(str(t), str(t))) for t in names)


def _shape_problem(error: ValidationError, positions: Positions, filename: str) -> Diagnostic:
    from cerberus import errors  # type: ignore[import-untyped]

    path = tuple(str(p) for p in error.document_path)
    name = ".".join(path)
    label = str((_declared(filename, path).get("meta") or {}).get("label", ""))
    code = error.code
    if code == errors.UNKNOWN_FIELD.code:
        import difflib  # for a wrong file only: a good jurisdiction loads without it

        parent = _declared(filename, path[:-1])
        known = list(parent.get("schema") or {}) if isinstance(parent.get("schema"), Mapping) else []
        close = difflib.get_close_matches(path[-1], known, n=1, cutoff=0.5)
        hint = f"；是不是 {close[0]}？" if close else ("；可用的键：" + "、".join(known) if known else "")
        return _problem(positions, path, f"{filename} 里不认识的键“{name}”{hint}", key=True)
    if code == errors.REQUIRED_FIELD.code:
        return _problem(positions, path, f"缺少“{label or path[-1]}”（键 {path[-1]}）", key=True, label=label)
    subject = f"“{label}”（{name}）" if label else f"“{name}”"
    hint = str((_declared(filename, path).get("meta") or {}).get("example", ""))
    if code == errors.BAD_TYPE.code:
        message = (f"{subject}应为{_type_names(error.constraint)}，这里是{describe(error.value)}"
                   + (f"；应写成{hint}" if hint else ""))
    elif code == errors.UNALLOWED_VALUE.code:
        allowed = "、".join(str(a) for a in error.constraint)
        message = f"{subject}只能是：{allowed}（这里是{describe(error.value)}）"
    elif code in (errors.EMPTY_NOT_ALLOWED.code, errors.NOT_NULLABLE.code):
        message = f"{subject}不能为空"
    elif code == errors.REGEX_MISMATCH.code:
        message = f"{subject}的写法不对（这里是{describe(error.value)}）" + (f"；应写成{hint}" if hint else "")
    else:
        message = f"{subject}不符合要求（这里是{describe(error.value)}）"
    return _problem(positions, path, message, label=label)


# ----------------------------------------------------------------------------- Cerberus rule sets

_UNSUPPORTED = re.compile(r"^Unsupported types?: (.+)$")
_UNALLOWED = re.compile(r"^unallowed value (.+)$")
_MUST_BE = re.compile(r"^must be of (.+) type$")
_DEFINITION = re.compile(r"^(?:any|one|all|none)of definition \d+$")


def _rule_set_problems(where: Path_, rules: Mapping[str, Any], positions: Positions) -> list[Diagnostic]:
    """Return the complaints of Cerberus about the rule set ``rules`` declared at ``where``."""
    from cerberus import SchemaError  # type: ignore[import-untyped]

    from sheetgen.spec.validator import SpecValidator

    try:
        SpecValidator({where[-1]: dict(rules)})
    except SchemaError as exc:
        complaints: dict[Path_, list[str]] = {}
        for path, message in _complaints(exc.args[0] if exc.args else {}, ()):
            complaints.setdefault((*where[:-1], *path), []).append(message)
        return [_problem(positions, path, _rule_message(path, messages)) for path, messages in complaints.items()]
    except Exception:  # Cerberus itself fails on some malformed rule sets
        return [_problem(positions, where, f"“{'.'.join(where)}”的规则写法不对，Cerberus 无法读取")]
    return []


def _complaints(tree: Any, path: Path_) -> Iterator[tuple[Path_, str]]:
    """Return (path, message) of each leaf of a Cerberus ``SchemaError`` tree (the
    ``anyof definition N`` levels left out: they are not in the file)."""
    if isinstance(tree, Mapping):
        for name, value in tree.items():
            yield from _complaints(value, path if _DEFINITION.match(str(name)) else (*path, str(name)))
    elif isinstance(tree, list):
        for item in tree:
            yield from _complaints(item, path)
    else:
        yield path, str(tree)


def _rule_message(path: Path_, messages: list[str]) -> str:
    """Return the Chinese message of Cerberus's complaints about the rule at ``path``."""
    import difflib  # for a wrong file only: a good jurisdiction loads without it

    from sheetgen.spec.validator import SpecValidator

    rule = path[-1]
    for message in messages:
        if message == "unknown rule":
            close = difflib.get_close_matches(rule, list(SpecValidator.rules), n=1, cutoff=0.5)
            return f"不认识的规则“{rule}”" + (f"；是不是 {close[0]}？" if close else "")
    for message in messages:
        found = _UNSUPPORTED.match(message)
        if found:
            wrong = found.group(1).strip("[]' ")
            close = difflib.get_close_matches(wrong, list(_TYPES), n=1, cutoff=0.5)
            known = "、".join(f"{t}（{name}）" for t, name in _TYPES.items())
            return f"不认识的类型“{wrong}”；" + (f"是不是 {close[0]}？" if close else "") + f"可用的类型：{known}"
    for message in messages:
        found = _UNALLOWED.match(message)
        if found:
            choices = SpecValidator.coercers if rule == "coerce" else ()
            known = f"；可用的：{'、'.join(choices)}" if choices else ""
            return f"规则“{rule}”不认识“{found.group(1)}”{known}"
    for message in messages:
        found = _MUST_BE.match(message)
        if found:
            wanted = [t.strip("' ") for t in found.group(1).strip("[]").split(",")]
            return f"规则“{rule}”应为{_type_names(wanted)}"
    if "null value not allowed" in messages:
        return f"规则“{rule}”不能为空"
    return f"规则“{rule}”的写法不对"
