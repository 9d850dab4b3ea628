"""Every kind of bad input gets a clear Chinese message with file and line, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sheetgen.checking import check
from sheetgen.errors import Diagnostic
from tests.conftest import SHANGHAI_SPEC, TIANJIN_DEFAULTS, TIANJIN_SPEC


def problems_of(folder: Path, **kwargs: bool) -> list[Diagnostic]:
    return check([folder], **kwargs).diagnostics


def only(diagnostics: list[Diagnostic], code: str) -> Diagnostic:
    found = [d for d in diagnostics if d.code == code]
    assert len(found) == 1, [d.format() for d in diagnostics]
    return found[0]


def replace(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_valid_specs_have_no_problems(unit_dir: Callable[..., Path]) -> None:
    assert problems_of(unit_dir()) == []
    assert problems_of(unit_dir(TIANJIN_DEFAULTS, {"01-t.yaml": TIANJIN_SPEC}, name="tj")) == []


def test_tab_indentation(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "  total: 100000", "\ttotal: 100000")
    d = only(problems_of(unit_dir(specs={"01-a.yaml": spec})), "yaml-tab")
    assert d.is_error and d.line == line_of(spec, "total: 100000")
    assert "制表符" in d.message and "空格" in d.message


def test_unquoted_greater_equal(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, '">=85%"', ">=85%")
    d = only(problems_of(unit_dir(specs={"01-a.yaml": spec})), "yaml-gt")
    assert d.line == line_of(spec, ">=85%")
    assert "'>=85%'" in d.message and "≥85%" in d.message and "引号" in d.message


def test_duplicate_key_is_an_error(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "plan: 计划\n", "plan: 计划\nplan: 另一个计划\n")
    d = only(problems_of(unit_dir(specs={"01-a.yaml": spec})), "duplicate-key")
    assert d.is_error and d.line == line_of(spec, "另一个计划") and d.yaml_path == "plan"
    assert f"第 {line_of(spec, 'plan: 计划')} 行" in d.message


def test_duplicate_indicator_in_a_group(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "      预算执行率: =100%\n", "      预算执行率: =100%\n      预算执行率: =90%\n")
    d = only(problems_of(unit_dir(specs={"01-a.yaml": spec})), "duplicate-indicator")
    assert d.line == line_of(spec, "=90%") and "预算执行率" in d.message


def test_wrong_types(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "start_date: 2020-01-01", "start_date: 2020年1月1日")
    spec = replace(spec, "government_purchase: false", "government_purchase: 也许")
    spec = replace(spec, "current_year: 100000", "current_year: 十万")
    found = problems_of(unit_dir(specs={"01-a.yaml": spec}))
    by_path = {d.yaml_path: d for d in found if d.code == "wrong-type"}
    assert by_path["start_date"].label == "计划开始日期" and "2020-01-01" in by_path["start_date"].message
    assert by_path["start_date"].line == line_of(spec, "start_date")
    assert by_path["government_purchase"].label == "是否含有政府购买服务"
    assert by_path["budget.current_year"].label == "项目当年预算"
    assert by_path["budget.current_year"].line == line_of(spec, "current_year")


def test_impossible_date(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "end_date: 2020-12-31", "end_date: 2020-02-30")
    d = only(problems_of(unit_dir(specs={"01-a.yaml": spec})), "wrong-type")
    assert d.label == "计划完成日期" and d.line == line_of(spec, "end_date")


def test_unknown_field_with_did_you_mean(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "overview: 概况", "overveiw: 概况")
    found = problems_of(unit_dir(specs={"01-a.yaml": spec}))
    d = only(found, "unknown-field")
    assert d.line == line_of(spec, "overveiw") and "overview" in d.message and "项目概况" in d.message
    assert only(found, "missing-field").label == "项目概况"


def test_label_used_as_key_is_explained(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "plan: 计划", "项目实施计划: 计划")
    d = only(problems_of(unit_dir(specs={"01-a.yaml": spec})), "unknown-field")
    assert "plan" in d.message


def test_missing_required_fields_are_all_listed(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "category: 经常性专项业务费\n", "")
    spec = replace(spec, "  total: 100000\n", "")
    found = [d for d in problems_of(unit_dir(specs={"01-a.yaml": spec})) if d.code == "missing-field"]
    assert {d.label for d in found} == {"项目类别", "项目总预算"}
    budget = next(d for d in found if d.label == "项目总预算")
    assert budget.line == line_of(spec, "budget:")


@pytest.mark.parametrize("content", [b"", b"\n\n", b"# only a comment\n"])
def test_empty_file(unit_dir: Callable[..., Path], content: bytes) -> None:
    d = only(problems_of(unit_dir(specs={"01-a.yaml": content})), "empty-file")
    assert "空" in d.message and d.path.endswith("01-a.yaml")


def test_gb18030_file_is_read_with_a_warning(unit_dir: Callable[..., Path]) -> None:
    found = problems_of(unit_dir(specs={"01-a.yaml": SHANGHAI_SPEC.encode("gb18030")}))
    d = only(found, "encoding")
    assert not d.is_error and "GB18030" in d.message
    assert [x for x in found if x.is_error] == []


def test_utf8_bom_is_read(unit_dir: Callable[..., Path]) -> None:
    assert problems_of(unit_dir(specs={"01-a.yaml": b"\xef\xbb\xbf" + SHANGHAI_SPEC.encode()})) == []


def test_undecodable_bytes(unit_dir: Callable[..., Path]) -> None:
    d = only(problems_of(unit_dir(specs={"01-a.yaml": b"name: \xff\xfe\xfd\x80\x80\n"})), "encoding")
    assert d.is_error


def test_alias_bomb_is_refused(unit_dir: Callable[..., Path]) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join(f'*a{i - 1}' for _ in range(10))}]" for i in range(1, 9)]
    d = only(problems_of(unit_dir(specs={"01-a.yaml": "\n".join(lines) + "\n"})), "alias-bomb")
    assert d.is_error


def test_deep_document_is_refused(unit_dir: Callable[..., Path]) -> None:
    d = only(problems_of(unit_dir(specs={"01-a.yaml": "a: " + "[" * 5000 + "]" * 5000 + "\n"})), "too-deep")
    assert d.is_error


def test_large_document_is_refused(unit_dir: Callable[..., Path]) -> None:
    big = SHANGHAI_SPEC.replace("overview: 概况", "overview: " + "很长" * 600_000)
    d = only(problems_of(unit_dir(specs={"01-a.yaml": big})), "too-large")
    assert d.is_error


def test_vertical_tab_from_word(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "necessity: 必要性", "necessity: 必要\x0b性")
    d = only(problems_of(unit_dir(specs={"01-a.yaml": spec})), "bad-char")
    assert d.line == line_of(spec, "necessity") and "U+000B" in d.message and "Word" in d.message


def test_escaped_control_character(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "necessity: 必要性", 'necessity: "必要\\v性"')
    d = only(problems_of(unit_dir(specs={"01-a.yaml": spec})), "bad-char")
    assert d.line == line_of(spec, "necessity") and d.label == "项目设立的必要性"


def test_not_a_mapping(unit_dir: Callable[..., Path]) -> None:
    d = only(problems_of(unit_dir(specs={"01-a.yaml": "- a\n- b\n"})), "not-mapping")
    assert d.is_error


def test_unknown_jurisdiction(unit_dir: Callable[..., Path]) -> None:
    d = only(problems_of(unit_dir(defaults="jurisdiction: beijing\nyear: 2020\nunit: {name: x}\n")),
             "unknown-jurisdiction")
    assert "shanghai" in d.message and "tianjin" in d.message


def test_indicator_written_one_level_too_high(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "    满意度:\n      救助对象满意度:", "    救助对象满意度:")
    found = problems_of(unit_dir(specs={"01-a.yaml": spec}))
    d = only(found, "indicator-shape")
    assert d.line == line_of(spec, "救助对象满意度") and "三级目标" in d.message


def test_errors_in_one_file_do_not_hide_other_files(unit_dir: Callable[..., Path]) -> None:
    bad = replace(SHANGHAI_SPEC, "plan: 计划", "plan: [计划")
    found = problems_of(unit_dir(specs={"01-a.yaml": bad, "02-b.yaml": SHANGHAI_SPEC.replace("overview", "overveiw")}))
    assert {Path(d.path).name for d in found if d.is_error} == {"01-a.yaml", "02-b.yaml"}


def test_multi_line_value_in_the_wrong_place_gives_one_line(unit_dir: Callable[..., Path]) -> None:
    spec = replace(SHANGHAI_SPEC, "  投入与管理:\n    投入管理:\n      预算编制合理性: 合理\n      预算执行率: =100%\n",
                   "  投入与管理: |-\n    第一行\n    第二行\n")
    d = only(problems_of(unit_dir(specs={"01-a.yaml": spec})), "indicator-shape")
    assert "\n" not in d.format() and "第一行 第二行" in d.message
