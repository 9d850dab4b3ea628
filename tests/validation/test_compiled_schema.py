"""The compiled schemas (:mod:`sheetgen.validation.compiled`) agree with Cerberus.

A compiled schema vouches for a document only when Cerberus finds it valid, and then gives
the very document Cerberus normalizes (same types, values and key order).  Checked on the
seed specs and the 自评 fixtures, on those spoiled by random mutations (wrong types,
missing and unknown keys, empty values, out-of-range numbers, dates with times ...), and on
a made-up schema using every rule the compiled form follows.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetgen import jurisdiction as jurisdictions
from sheetgen.spec.files import LoadedSpec, discover, read_spec
from sheetgen.spec.validator import SpecValidator
from sheetgen.spec.values import COERCIONS, VALUE_TYPES
from sheetgen.validation import _schema_check, validate
from sheetgen.validation.cerberus_check import SchemaCheck, Validation
from sheetgen.validation.compiled import compile_schema
from sheetgen.validation.evaluation import BLOCK
from sheetgen.validation.written import as_written
from sheetgen.validation.year_end import split
from tests.conftest import REPO

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _canon(value: Any) -> Any:
    """Return ``value`` as nested tuples that tell apart types and key order (``Decimal(1) == 1``)."""
    if isinstance(value, Mapping):
        return ("mapping", type(value).__name__, tuple((_canon(k), _canon(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ("sequence", type(value).__name__, tuple(_canon(v) for v in value))
    return type(value).__name__, repr(value)


def _agree(validation: Validation, document: Any) -> bool:
    """Assert that the compiled schema and Cerberus agree on ``document``; return whether it is valid."""
    before = _canon(document)
    quick = validation.quick(document)
    assert _canon(document) == before  # the compiled schema changes nothing it is given
    valid = validation.cerberus.validate(document)
    assert (quick is not None) == valid, validation.cerberus.errors
    if quick is not None:
        assert _canon(quick) == _canon(validation.cerberus.document)
    return valid


def _loaded() -> list[LoadedSpec]:
    specs, _ = discover([REPO / "specs", REPO / "tests" / "fixtures" / "selfeval"])
    return [read_spec(spec) for spec in specs]


SEEDS = _loaded()
CHECKS = {name: _schema_check(jurisdictions.load(name)) for name in ("shanghai", "tianjin")}


def _check(loaded: LoadedSpec) -> SchemaCheck:
    assert loaded.data is not None
    return CHECKS[str(loaded.data["jurisdiction"])]


def _documents(loaded: LoadedSpec, data: Mapping[str, Any]) -> Iterator[tuple[Validation, Any]]:
    """Return each (validation, document) the validation of ``data`` (``loaded``'s) hands to Cerberus."""
    check = _check(loaded)
    header, year_end = split(as_written(data, check.schema, loaded))
    yield check.header, header
    tree = header.get("indicators")
    for groups in tree.values() if isinstance(tree, Mapping) else ():
        for rows in groups.values() if isinstance(groups, Mapping) else ():
            for row in rows.values() if isinstance(rows, Mapping) else ():
                if isinstance(row, Mapping):
                    yield check.row, row
    if year_end.block is not None:
        yield check.year_end_block, {BLOCK: year_end.block}
    for values in year_end.rows.values():
        yield check.year_end_row, dict(values)


def test_compiled_for_both_jurisdictions() -> None:
    for check in CHECKS.values():
        for validation in (check.header, check.row, check.year_end_block, check.year_end_row):
            assert validation.compiled is not None


@pytest.mark.parametrize("loaded", SEEDS, ids=lambda loaded: loaded.file.path.name)
def test_seeds_pass_the_compiled_schema(loaded: LoadedSpec) -> None:
    assert loaded.data is not None
    for validation, document in _documents(loaded, loaded.data):
        assert validation.quick(document) is not None
        assert _agree(validation, document)
    assert validate(loaded, jurisdictions.load(str(loaded.data["jurisdiction"]))).ok


# ----------------------------------------------------------------------------- spoiled specs

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 3000), st.integers(), st.text(max_size=6),
    st.sampled_from(["", " ", "是", "否", "y", "N", "元", "万元", "美元", "待填写", "2,468,000", "26.50", "-1",
                     "2020-01-01", "2020-01-01 09:00", "=100%", "≥3次", "\x01"]),
    st.decimals(allow_nan=False, allow_infinity=False, places=2), st.decimals(allow_nan=False),
    st.floats(allow_nan=False), st.dates(), st.datetimes(),
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.one_of(st.text(max_size=4), st.integers(0, 3)), inner, max_size=3),
), max_leaves=6)
KEYS = st.sampled_from(["value", "actual", "points", "score", "reason", "not_applicable", "description", "unit",
                        "name", "code", "total", "fiscal", "other", "current_year", "year", "number", "x", "名称"])


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, child in value.items():
            yield (*prefix, key)
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield (*prefix, index)
            yield from _paths(child, (*prefix, index))


@st.composite
def spoiled(draw: st.DrawFn) -> tuple[LoadedSpec, dict[str, Any]]:
    """Return a seed spec and its data spoiled by 1 to 4 mutations."""
    loaded = draw(st.sampled_from(SEEDS))
    data = copy.deepcopy(loaded.data)
    assert data is not None
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(data) if p[0] != "jurisdiction"]
        path = draw(st.sampled_from(paths))
        parent: Any = data
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["set", "set", "set", "delete", "add", "full-form"]))
        if action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(KEYS)] = draw(VALUES)
        elif action == "full-form" and isinstance(parent, dict) and not isinstance(parent[path[-1]], (dict, list)):
            parent[path[-1]] = {"value": parent[path[-1]], draw(KEYS): draw(VALUES)}
        else:
            parent[path[-1]] = draw(VALUES)
    return loaded, data


@SETTINGS
@given(spoiled())
def test_compiled_schema_agrees_with_cerberus_on_spoiled_specs(case: tuple[LoadedSpec, dict[str, Any]]) -> None:
    loaded, data = case
    for validation, document in _documents(loaded, data):
        _agree(validation, document)


# ----------------------------------------------------------------------------- every rule

SCHEMA = {
    "code": {"type": "string", "regex": "[0-9]{3}", "nullable": True, "coerce": "text"},
    "kind": {"type": "string", "allowed": ["甲", "乙"], "empty": True, "default": "甲"},
    "tags": {"type": "list", "allowed": ["a", "b"], "nullable": True},
    "count": {"type": "integer", "min": 1, "max": 10, "required": True},
    "amount": {"type": "decimal", "coerce": "money", "min": 0, "nullable": True},
    "flag": {"type": "boolean", "coerce": "yesno", "default": False},
    "day": {"type": "date"},
    "either": {"type": ["string", "integer"], "empty": False},
    "anything": {},
    "words": {"type": "dict", "keysrules": {"type": "string", "empty": False},
              "valuesrules": {"type": "list", "schema": {"type": "string", "empty": False, "default": "无"}}},
    "parts": {"type": "list", "schema": {"type": "dict", "schema": {
        "name": {"type": "string", "required": True, "empty": False},
        "share": {"type": "decimal", "coerce": "money", "max": 100, "nullable": True, "default": 0}}}},
    "block": {"type": "dict", "nullable": True, "schema": {
        "unit": {"type": "string", "allowed": ["元", "万元"], "default": "元"},
        "note": {"type": "string", "nullable": True, "coerce": "text"}}},
}
MADE_UP = Validation(SCHEMA)
GOOD = {  # values each field takes when it passes (mostly) ...
    "code": st.sampled_from(["123", 123, None, "007"]),
    "kind": st.sampled_from(["甲", "乙", ""]),
    "tags": st.one_of(st.none(), st.lists(st.sampled_from(["a", "b"]), max_size=3)),
    "count": st.integers(1, 10),
    "amount": st.one_of(st.none(), st.sampled_from(["1,000", "26.50", 7, Decimal("1.5")])),
    "flag": st.sampled_from(["是", "否", "n", True, False, None]),
    "day": st.dates(),
    "either": st.one_of(st.integers(), st.text(min_size=1, max_size=3)),
    "anything": VALUES,
    "words": st.dictionaries(st.sampled_from(["level1", "level2"]),
                             st.lists(st.one_of(st.none(), st.sampled_from(["a", "b"])), max_size=3), max_size=2),
    "parts": st.lists(st.fixed_dictionaries({"name": st.sampled_from(["a", "b"])},
                                            optional={"share": st.sampled_from(["50", 100, None, Decimal(3)])}),
                      max_size=3),
    "block": st.one_of(st.none(), st.fixed_dictionaries({}, optional={
        "unit": st.sampled_from(["元", "万元", None]), "note": st.sampled_from(["x", 5, None])})),
}
BAD = {  # ... and when it may well not
    "code": st.sampled_from(["12", "1234", 12345, "12a"]),
    "kind": st.sampled_from(["丙", None, 1]),
    "tags": st.lists(st.sampled_from(["a", "c", 1]), min_size=1, max_size=3),
    "count": st.sampled_from([0, 11, -1, True, "3", None]),
    "amount": st.sampled_from(["-5", "x", "1,0.0", -1, True, 2.5]),
    "flag": st.sampled_from(["也许", 1, ""]),
    "day": st.one_of(st.datetimes(), st.sampled_from(["2020-01-01", None])),
    "either": st.sampled_from(["", None, 1.5, []]),
    "anything": st.none(),
    "words": st.one_of(st.dictionaries(st.sampled_from(["", "x", 3]), st.lists(st.sampled_from(["", 1, "a"]),
                                                                               max_size=2), min_size=1, max_size=2),
                       st.dictionaries(st.just("level1"), st.sampled_from(["a", None, {}]), min_size=1)),
    "parts": st.lists(st.one_of(st.fixed_dictionaries({}, optional={"name": st.sampled_from(["", 3, None]),
                                                                     "share": st.sampled_from(["101", "x"]),
                                                                     "x": SCALARS}), SCALARS),
                      min_size=1, max_size=3),
    "block": st.one_of(st.fixed_dictionaries({}, optional={"unit": st.just("美元"), "note": st.just([]),
                                                           "y": SCALARS}), st.just([])),
}
@st.composite
def made_up_documents(draw: st.DrawFn) -> dict[str, Any]:
    """Return a document of the made-up schema: passing values, then 0 to 2 fields spoiled."""
    document = draw(st.fixed_dictionaries({"count": GOOD["count"]},
                                          optional={k: v for k, v in GOOD.items() if k != "count"}))
    for _ in range(draw(st.integers(0, 2))):
        key = draw(st.sampled_from([*GOOD, "unknown"]))
        action = draw(st.sampled_from(["bad", "any", "delete"]))
        if action == "delete":
            document.pop(key, None)
        else:
            document[key] = draw(BAD.get(key, SCALARS) if action == "bad" else VALUES)
    return document


@SETTINGS
@given(made_up_documents())
def test_compiled_schema_agrees_with_cerberus_on_every_rule(document: dict[str, Any]) -> None:
    _agree(MADE_UP, document)


def test_made_up_schema_is_compiled_and_vouches_for_a_valid_document() -> None:
    assert MADE_UP.compiled is not None
    document = {"count": 3, "amount": "1,000", "flag": "是", "code": 123,
                "words": {"level1": ["a", None]}, "parts": [{"name": "a"}], "block": {}}
    assert _agree(MADE_UP, document)
    assert MADE_UP.quick(document) == {
        "count": 3, "amount": Decimal(1000), "flag": True, "code": "123", "words": {"level1": ["a", "无"]},
        "parts": [{"name": "a", "share": Decimal(0)}], "block": {"unit": "元"}, "kind": "甲"}


@pytest.mark.parametrize("rules", [
    {"type": "string", "forbidden": ["x"]},
    {"type": "string", "check_with": "something"},
    {"type": "string", "coerce": "unknown"},
    {"type": "list", "items": [{"type": "string"}]},
    {"type": "dict", "schema": {"a": {"type": "string"}}, "allow_unknown": True},
    {"type": "number", "minlength": 1},
])
def test_a_schema_with_a_rule_it_does_not_follow_is_left_to_cerberus(rules: dict[str, Any]) -> None:
    assert compile_schema({"field": rules}) is None


def _flat(types: tuple[Any, ...]) -> set[type]:
    """Return the Python types of an ``isinstance`` tuple, nested tuples opened."""
    return {t for item in types for t in (_flat(item) if isinstance(item, tuple) else {item})}


@pytest.mark.parametrize("name", sorted(VALUE_TYPES))
def test_value_types_are_those_of_the_validator(name: str) -> None:
    definition = SpecValidator.types_mapping[name]
    included, excluded = VALUE_TYPES[name]
    assert (_flat(included), _flat(excluded)) == (_flat(definition.included_types), _flat(definition.excluded_types))


def test_coercions_are_those_of_the_validator() -> None:
    assert set(COERCIONS) == set(SpecValidator.coercers)
    validator = SpecValidator({})
    for name, coerce in COERCIONS.items():
        for value in ("2,468,000", " 是 ", "否", "N", 100, Decimal("26.50"), True, dt.date(2020, 1, 2), None, "x"):
            assert _canon(coerce(value)) == _canon(getattr(validator, f"_normalize_coerce_{name}")(value))


@pytest.mark.filterwarnings("ignore:The rule 'keyschema' was renamed:DeprecationWarning")
@pytest.mark.parametrize(("rules", "good", "bad"), [
    ({"anyof_type": ["string", "integer"]}, "a", 1.5),
    ({"type": "dict", "keyschema": {"type": "string"}}, {"a": 1}, {1: 1}),
])
def test_a_schema_cerberus_expands_is_left_to_cerberus_and_checked_alike(rules: dict[str, Any], good: Any,
                                                                          bad: Any) -> None:
    validation = Validation({"field": rules})
    assert validation.compiled is None and "cerberus" in vars(validation)  # made at once: every document needs it
    assert validation.normalized({"field": good}) == {"field": good}
    assert validation.normalized({"field": bad}) is None


def test_dates_with_a_time_are_no_dates() -> None:
    validation = Validation({"day": {"type": "date", "nullable": True}})
    assert not _agree(validation, {"day": dt.datetime(2020, 1, 1, 9)})
    assert _agree(validation, {"day": dt.date(2020, 1, 1)})
    assert _agree(validation, {"day": None})

