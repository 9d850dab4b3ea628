"""Closed vocabularies (项目类别, 绩效类型, 一级/二级 names): a near-miss of a known word is an
error that stops the build; an unknown word is a warning naming the closest; a word the
unit really uses is allowed in its _defaults.yaml (``vocabulary:``) or by a copied format."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from sheetgen.checking import check
from sheetgen.cli import main
from sheetgen.errors import Diagnostic
from tests.conftest import REPO, SHANGHAI_DEFAULTS, SHANGHAI_SPEC, TIANJIN_DEFAULTS, TIANJIN_SPEC
from tests.validation.test_bad_input import line_of, only, replace


def found(folder: Path) -> list[Diagnostic]:
    return check([folder]).diagnostics


@pytest.mark.parametrize(("old", "new", "path", "closest"), [
    ("performance_type: 事业/专业类", "performance_type: 其它类", "performance_type", "其他类"),
    ("performance_type: 事业/专业类", "performance_type: 政府菜购类", "performance_type", "政府采购类"),
    ("performance_type: 事业/专业类", 'performance_type: "其他类\u3000"', "performance_type", "其他类"),
    ("category: 经常性专项业务费", "category: 其他一次姓项目", "category", "其他一次性项目"),
    ("category: 经常性专项业务费", "category: 经常性专项业务", "category", "经常性专项业务费"),
    ("  产出目标:", "  产出木标:", "indicators.产出木标", "产出目标"),
    ("    满意度:", "    满义度:", "indicators.效果目标.满义度", "满意度"),
])
def test_a_near_miss_is_an_error_naming_the_word(unit_dir: Callable[..., Path], old: str, new: str, path: str,
                                                 closest: str) -> None:
    spec = replace(SHANGHAI_SPEC, old, new)
    d = only(found(unit_dir(specs={"01-a.yaml": spec})), "near-miss")
    assert d.is_error and d.yaml_path == path and d.line == line_of(spec, new.strip().split(":")[0].strip('"'))
    assert f"“{closest}”" in d.message and "vocabulary" in d.message


def test_a_tianjin_level2_typo_stops_the_build(unit_dir: Callable[..., Path], tmp_path: Path) -> None:
    spec = replace(TIANJIN_SPEC, "    成本指标:", "    成本指票:")
    folder = unit_dir(TIANJIN_DEFAULTS, {"01-t.yaml": spec}, name="tj")
    d = only(found(folder), "near-miss")
    assert d.label == "二级指标" and "“成本指标”" in d.message
    assert main(["build", str(folder), "-o", str(tmp_path / "out"), "-j", "1", "-q"]) == 1
    assert not list((tmp_path / "out").rglob("*.xlsx")), "a typo never reaches a table"


def test_a_word_far_from_every_known_one_is_a_warning(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "performance_type: 事业/专业类", "performance_type: 科研试验类")
    d = only(found(unit_dir(specs={"01-a.yaml": spec})), "not-in-vocabulary")
    assert not d.is_error and d.label == "绩效类型" and d.line == line_of(spec, "performance_type")
    assert "其他类" in d.message and "vocabulary" in d.message
    spec = replace(SHANGHAI_SPEC, "    满意度:\n", "    公众参与:\n")
    d = only(found(unit_dir(specs={"01-a.yaml": spec})), "unknown-level2")
    assert not d.is_error


def test_the_unit_allows_its_own_words_in_its_defaults(unit_dir: Callable[..., Path], tmp_path: Path) -> None:
    defaults = SHANGHAI_DEFAULTS + "vocabulary:\n  performance_type: [其它类]\n  level2: [满义度, 公众参与]\n"
    spec = replace(SHANGHAI_SPEC, "performance_type: 事业/专业类", "performance_type: 其它类")
    spec = replace(spec, "    满意度:\n", "    满义度:\n")
    spec = replace(spec, "    成本:\n", "    公众参与:\n")
    folder = unit_dir(defaults, {"01-a.yaml": spec})
    assert found(folder) == []
    assert main(["build", str(folder), "-o", str(tmp_path / "out"), "-j", "1", "-q"]) == 0
    cells = [v for row in openpyxl.load_workbook(tmp_path / "out" / "unit" / "01-a.xlsx").active.iter_rows(
        values_only=True) for v in row]
    assert "其它类" in cells and "满义度" in cells and "公众参与" in cells
    assert "vocabulary" not in str(cells), "the allowance is not printed"


def test_an_allowance_for_an_unknown_vocabulary(unit_dir: Callable[..., Path]) -> None:
    defaults = SHANGHAI_DEFAULTS + "vocabulary:\n  perfomance_type: [其它类]\n"
    d = only(found(unit_dir(defaults)), "unknown-vocabulary")
    assert d.is_error and d.path.endswith("_defaults.yaml") and "performance_type" in d.message
    assert d.line == line_of(defaults, "perfomance_type")


def test_an_allowance_of_the_wrong_shape(unit_dir: Callable[..., Path]) -> None:
    defaults = SHANGHAI_DEFAULTS + "vocabulary:\n  performance_type: 其它类\n"
    d = only(found(unit_dir(defaults)), "wrong-type")
    assert d.yaml_path == "vocabulary.performance_type" and "列表" in d.message


def test_a_copied_format_extends_its_vocabulary(unit_dir: Callable[..., Path]) -> None:
    folder = unit_dir(specs={"01-a.yaml": replace(SHANGHAI_SPEC, "performance_type: 事业/专业类",
                                                  "performance_type: 其它类")})
    copy = folder.parent / "templates" / "shanghai"
    shutil.copytree(REPO / "templates" / "shanghai", copy)
    schema = copy / "schema.yaml"
    text = schema.read_text(encoding="utf-8")
    assert "vocabulary: [" in text
    schema.write_text(text.replace("vocabulary: [其他类,", "vocabulary: [其它类, 其他类,", 1), encoding="utf-8")
    assert found(folder) == []


def test_to_fill_and_blank_words_are_not_vocabulary_problems(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "performance_type: 事业/专业类", "performance_type: 待填写")
    spec = replace(spec, "category: 经常性专项业务费", "category:")
    codes = {d.code for d in found(unit_dir(specs={"01-a.yaml": spec}))}
    assert "near-miss" not in codes and "not-in-vocabulary" not in codes and "to-fill" in codes


def test_every_seed_word_is_in_the_vocabulary(tmp_path: Path) -> None:
    """All 24 seed specs check with 0 errors and the one warning they had (an empty value)."""
    shutil.copytree(REPO / "specs", tmp_path / "specs")
    report = check([tmp_path / "specs"])
    assert len(report.specs) == 24 and report.errors == 0
    assert [(Path(d.path).name, d.code) for d in report.diagnostics] == [("09-信息化运维项目.yaml", "empty-value")]
