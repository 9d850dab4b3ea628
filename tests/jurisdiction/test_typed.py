"""The typed jurisdiction: every key declared and documented, loaded once, handed to every
stage; one rule for which templates/ folder overrides a built-in one."""

from __future__ import annotations

import builtins
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from sheetgen import jurisdiction as jurisdictions
from sheetgen.checking import check
from sheetgen.errors import Diagnostic, JurisdictionError, Severity
from sheetgen.jurisdiction import shape
from sheetgen.spec.files import discover, read_spec
from sheetgen.validation import validate
from sheetgen.workspace import Workspace, override_dirs
from tests.conftest import REPO, SHANGHAI_SPEC, TIANJIN_DEFAULTS, TIANJIN_SPEC


def test_every_declared_key_has_a_label_and_a_meaning() -> None:
    undocumented = [".".join(path) for path, rules in shape.documented()
                    if not (rules.get("meta") or {}).get("label") or not (rules.get("meta") or {}).get("description")]
    assert not undocumented
    declared = {".".join(path) for path, _ in shape.documented()}
    assert {"jurisdiction.yaml.print.fonts.body", "jurisdiction.yaml.tables.*.templates.docx",
            "jurisdiction.yaml.levels.cost_groups", "schema.yaml.rules.at_most.field"} <= declared


def test_the_typed_jurisdiction_holds_what_its_files_say() -> None:
    raw = yaml.safe_load((REPO / "templates" / "tianjin" / "jurisdiction.yaml").read_text(encoding="utf-8"))
    found = jurisdictions.load("tianjin")
    assert found.title == raw["title"] and found.money_unit == raw["money"]["unit"]
    assert found.levels.level2 == tuple(raw["levels"]["level2"])
    assert found.levels.cost_groups == tuple(raw["levels"]["cost_groups"])
    assert [c.key for c in found.indicator_columns] == [c["key"] for c in raw["indicator_columns"]]
    assert found.budget_title == raw["budget_title"]
    assert found.print.fonts.body == raw["print"]["fonts"]["body"]
    assert found.print.contents.page == raw["print"]["contents"]["page"]
    assert found.table("target").label == raw["tables"]["target"]["label"]
    assert found.template_path("docx") == REPO / "templates" / "tianjin" / "table.docx"
    assert found.rules.budget_sum is not None and found.rules.budget_sum.parts == ("fiscal", "other")
    assert found.spec_order[:5] == ("jurisdiction", "year", "unit", "number", "name")
    assert found.spec_order.index("budget") < found.spec_order.index("purpose")


def test_a_jurisdiction_travels_to_a_worker_whole() -> None:
    found = jurisdictions.load("shanghai")
    again = pickle.loads(pickle.dumps(found))
    assert again == found and again.fingerprint == found.fingerprint
    problem = Diagnostic("schema.yaml", 3, 5, shape.CODE, Severity.ERROR, "坏了")
    broken = pickle.loads(pickle.dumps(JurisdictionError("格式有错", [problem])))
    assert str(broken) == "格式有错" and broken.diagnostics == [problem]


def test_a_misspelt_table_kind_key_is_an_error_at_its_line(unit_dir: Callable[..., Path]) -> None:
    folder = unit_dir(specs={"01-a.yaml": SHANGHAI_SPEC})
    copy = folder.parent / "templates" / "shanghai"
    shutil.copytree(REPO / "templates" / "shanghai", copy)
    description = copy / "jurisdiction.yaml"
    text = description.read_text(encoding="utf-8")
    description.write_text(text.replace("  target: {label:", "  target: {lable:"), encoding="utf-8")
    line = text[: text.index("  target: {label:")].count("\n") + 1
    found = [d for d in check([folder]).diagnostics if d.path.endswith("jurisdiction.yaml")]
    assert [(d.line, d.yaml_path) for d in found] == [(line, "tables.target.lable")]
    assert "label" in found[0].message


def test_a_cost_group_is_the_formats_own_word(unit_dir: Callable[..., Path]) -> None:
    """A format whose cost group is called 成本类指标 declares it, and gets the check."""
    spec = TIANJIN_SPEC.replace("    成本指标:\n", "    成本类指标:\n").replace("value: ≤10万元", "value: ≤12万元")
    folder = unit_dir(TIANJIN_DEFAULTS, {"01-t.yaml": spec}, name="tj")
    copy = folder.parent / "templates" / "tianjin"
    shutil.copytree(REPO / "templates" / "tianjin", copy)
    description = copy / "jurisdiction.yaml"
    text = description.read_text(encoding="utf-8")
    text = text.replace("数量指标, 质量指标, 时效指标, 成本指标,", "数量指标, 质量指标, 时效指标, 成本类指标,")
    description.write_text(text.replace("cost_groups: [成本指标]", "cost_groups: [成本类指标]"), encoding="utf-8")
    found = [d for d in check([folder]).diagnostics if d.code == "cost-over-budget"]
    assert len(found) == 1 and "司法救助总金额" in found[0].message


def test_one_override_rule_whatever_path_a_command_is_given(unit_dir: Callable[..., Path]) -> None:
    """A templates/ folder beside specs/ overrides the built-in format for a spec whether the
    folder of units, the unit or the spec itself is checked."""
    folder = unit_dir(specs={"01-a.yaml": SHANGHAI_SPEC})
    beside = folder.parent.parent / "templates" / "shanghai"
    shutil.copytree(REPO / "templates" / "shanghai", beside)
    schema = beside / "schema.yaml"
    text = schema.read_text(encoding="utf-8")
    schema.write_text(text.replace("meta: {label: 项目概况,", "meta: {label: 项目简况,"), encoding="utf-8")
    spec = folder / "01-a.yaml"
    spec.write_text(SHANGHAI_SPEC.replace("overview: 概况", "overview:"), encoding="utf-8")  # still to fill
    for given in (folder.parent, folder, spec):
        labels = {d.label for d in check([given]).diagnostics if d.yaml_path == "overview"}
        assert labels == {"项目简况"}, given
    assert beside.parent in override_dirs(folder)


def test_validate_reads_no_file(unit_dir: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    folder = unit_dir(specs={"01-a.yaml": SHANGHAI_SPEC})
    (spec,), _ = discover([folder])
    loaded = read_spec(spec)
    found = Workspace().jurisdiction("shanghai", folder)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("validate opened a file")

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(Path, "read_bytes", refuse)
    monkeypatch.setattr(Path, "read_text", refuse)
    assert validate(loaded, found).ok


@pytest.mark.parametrize("filename", ["jurisdiction.yaml", "schema.yaml"])
def test_the_json_schema_of_the_format_files_is_a_view_of_their_shape(filename: str, tmp_path: Path) -> None:
    import json

    import jsonschema

    from sheetgen.cli import main

    out = tmp_path / "format.schema.json"
    assert main(["schema", "--format-file", filename, "-o", str(out)]) == 0
    schema = json.loads(out.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    for name in ("shanghai", "tianjin"):
        data = yaml.safe_load((REPO / "templates" / name / filename).read_text(encoding="utf-8"))
        assert not list(validator.iter_errors(data)), name
    assert list(validator.iter_errors({"date_fromat": "%Y"} if filename == "jurisdiction.yaml" else {"feilds": {}}))
    first = next(iter(schema["properties"].values()))
    assert first["title"] and first["description"]


def test_new_reads_the_unit_defaults_through_sheetgens_loader(tmp_path: Path) -> None:
    """A key written twice in _defaults.yaml is an error at its line for new and rollover too
    (bare yaml.safe_load kept the second one silently)."""
    from sheetgen.authoring.skeleton import new_spec
    from sheetgen.errors import SheetgenError

    unit = tmp_path / "specs" / "u"
    unit.mkdir(parents=True)
    (unit / "_defaults.yaml").write_text(TIANJIN_DEFAULTS + "jurisdiction: shanghai\n", encoding="utf-8")
    with pytest.raises(SheetgenError) as raised:
        new_spec("新项目", unit)
    line = len(TIANJIN_DEFAULTS.splitlines()) + 1
    assert f"_defaults.yaml:{line}:1:" in str(raised.value) and "jurisdiction" in str(raised.value)


def test_a_build_worker_looks_no_jurisdiction_up(unit_dir: Callable[..., Path], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The task carries the unit's jurisdictions, loaded: a worker validates and renders with
    them even where nothing can be loaded any more."""
    from sheetgen.build import tasks
    from sheetgen.build.plan import key, spec_outputs

    folder = unit_dir(specs={"01-a.yaml": SHANGHAI_SPEC, "02-b.yaml": SHANGHAI_SPEC})
    specs, _ = discover([folder])
    out = tmp_path / "out"
    jobs = tuple(tasks.SpecJob(s, key(s.path), tuple(spec_outputs(s, out, ("docx", "xlsx")).items()), None)
                 for s in specs)
    task = tasks.UnitTask(folder, jobs, Workspace().formats(folder), out, ("docx", "xlsx"), False, False, None)
    task = pickle.loads(pickle.dumps(task))  # as it travels to a worker process

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the worker looked a jurisdiction up")

    monkeypatch.setattr(jurisdictions, "load", refuse)
    monkeypatch.setattr("sheetgen.jurisdiction.loading.load", refuse)
    monkeypatch.setattr(Workspace, "formats", refuse)
    result = tasks.run_unit(task)
    assert all(o.good for o in result.specs) and not result.combined.blocked
    assert len([p for _, p in result.combined.written if p.is_file()]) == 2
