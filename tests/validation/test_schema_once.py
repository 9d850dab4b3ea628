"""Cerberus checks a jurisdiction's schema once per process, not again for every spec.

Cerberus copies the schema at every normalization and re-checks the copy (hashing every
rule, building a schema validator): per spec that was most of validation's time.  The
document itself is still normalized and validated by Cerberus every time: the same
problems are found in the 1st and the 20th spec.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cerberus import schema as cerberus_schema

from sheetgen.spec.files import discover, read_spec
from sheetgen.validation import Checker
from tests.conftest import REPO


def _loaded(count: int) -> list:
    specs, _ = discover([REPO / "specs"])
    return [read_spec(spec) for spec in specs[:count]]


def test_schema_definitions_are_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    checker = Checker()
    loaded = _loaded(20)
    checker.validate(loaded[0])  # the first spec of each jurisdiction compiles its schema
    checker.validate(loaded[-1])
    built: list[object] = []
    original = cerberus_schema.DefinitionSchema.__init__

    def counting(self: object, *args: object, **kwargs: object) -> None:
        built.append(self)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cerberus_schema.DefinitionSchema, "__init__", counting)
    results = [checker.validate(item) for item in loaded]
    assert all(r.ok for r in results)
    assert built == []


def test_problems_still_found_after_many_specs(unit_dir, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import SHANGHAI_SPEC

    checker = Checker()
    for item in _loaded(20):
        assert checker.validate(item).ok
    bad = SHANGHAI_SPEC.replace("category: 经常性专项业务费", "category: 12").replace(
        "government_purchase: false", "government_purchase: 也许")
    folder = unit_dir(specs={"01-a.yaml": bad, "02-b.yaml": SHANGHAI_SPEC})
    specs, _ = discover([folder])
    first, second = (checker.validate(read_spec(s)) for s in specs)
    assert {d.yaml_path for d in first.diagnostics if d.is_error} >= {"government_purchase"}
    assert second.ok
