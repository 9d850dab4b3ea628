"""The schemas sheetgen hands Cerberus without having it check them again (spec.validator.trusted)
are valid Cerberus schemas: sheetgen's own shape.yaml, and the spec schema of each built-in
format (core.yaml plus the format's rule sets, each of which the loading checks)."""

from __future__ import annotations

import pytest
from cerberus import SchemaError

from sheetgen import jurisdiction as jurisdictions
from sheetgen.jurisdiction import shape
from sheetgen.spec.validator import SpecValidator
from sheetgen.validation.schema import build_schema, indicator_row_schema


@pytest.mark.parametrize("filename", sorted(shape.shapes()))
def test_shape_of_each_description_file_is_a_valid_schema(filename: str) -> None:
    SpecValidator(dict(shape.shapes()[filename]))  # raises SchemaError when not


@pytest.mark.parametrize("name", ["shanghai", "tianjin"])
def test_spec_schema_of_each_builtin_format_is_valid(name: str) -> None:
    schema = build_schema(jurisdictions.load(name))
    SpecValidator(schema)
    SpecValidator(indicator_row_schema(schema)["schema"])


def test_a_bad_rule_set_is_still_refused_by_cerberus() -> None:
    with pytest.raises(SchemaError):
        SpecValidator({"x": {"type": "strin"}})
