"""Shared indicator blocks (``include:`` in the indicator tree): placement,
overrides, positions in the block's own file, refusals, build fingerprints."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sheetgen.build.runner import BuildOptions, run_build
from sheetgen.checking import check
from sheetgen.spec.files import discover, read_spec
from tests.conftest import SHANGHAI_SPEC, TIANJIN_DEFAULTS, TIANJIN_SPEC

BLOCK = """\
投入管理:
  预算编制合理性: 合理
  预算执行率: =100%
  预算资金到位率: =100%
财务管理:
  财务管理制度健全性: 健全
"""

SPEC_HEAD = SHANGHAI_SPEC[: SHANGHAI_SPEC.index("indicators:")]


def spec_with(tree: str) -> str:
    return SPEC_HEAD + "indicators:\n" + tree


def write_block(folder: Path, name: str, text: str) -> Path:
    path = folder.parent / "_blocks" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def loaded(folder: Path, name: str = "01-a.yaml"):  # type: ignore[no-untyped-def]
    specs, _ = discover([folder.parent])
    return read_spec(next(s for s in specs if s.path.name == name))


def rows(data: dict) -> list[tuple[str, str, str, object]]:  # type: ignore[type-arg]
    return [
        (l1, l2, name, row)
        for l1, groups in data["indicators"].items()
        for l2, group in groups.items()
        for name, row in group.items()
    ]


def test_block_goes_in_at_the_include_and_own_rows_override_in_place(unit_dir: Callable[..., Path]) -> None:
    tree = """\
  投入与管理:
    include: ../_blocks/投入与管理.yaml
    投入管理:
      预算执行率: =95%
      预算调整率: ≤5%
  产出目标:
    数量:
      完成率: =100%
"""
    folder = unit_dir(specs={"01-a.yaml": spec_with(tree)})
    write_block(folder, "投入与管理.yaml", BLOCK)
    spec = loaded(folder)
    assert not spec.diagnostics
    assert [r[2:] for r in rows(spec.data)] == [
        ("预算编制合理性", "合理"),
        ("预算执行率", "=95%"),
        ("预算资金到位率", "=100%"),
        ("预算调整率", "≤5%"),
        ("财务管理制度健全性", "健全"),
        ("完成率", "=100%"),
    ]
    assert list(spec.data["indicators"]) == ["投入与管理", "产出目标"]
    assert [b.name for b in spec.blocks] == ["投入与管理.yaml"]
    report = check([folder])
    assert report.errors == 0 and report.warnings == 0, [d.format() for d in report.diagnostics]


def test_block_keeps_the_place_of_the_include_key(unit_dir: Callable[..., Path]) -> None:
    tree = """\
  效果目标:
    社会效益:
      工作效率: 提升
    include: ../_blocks/满意度.yaml
  影响力目标:
    长效管理:
      长效管理机制: 完善
"""
    folder = unit_dir(specs={"01-a.yaml": spec_with(tree)})
    write_block(folder, "满意度.yaml", '满意度:\n  检察院工作人员满意度: ">=90%"\n')
    spec = loaded(folder)
    assert [(r[1], r[2]) for r in rows(spec.data)] == [
        ("社会效益", "工作效率"),
        ("满意度", "检察院工作人员满意度"),
        ("长效管理", "长效管理机制"),
    ]


def test_whole_tree_block_blocks_in_blocks_and_lists(unit_dir: Callable[..., Path]) -> None:
    tree = """\
  include: [../_blocks/前.yaml]
  产出目标:
    数量:
      完成率: =100%
"""
    folder = unit_dir(specs={"01-a.yaml": spec_with(tree)})
    write_block(folder, "前.yaml", "投入与管理:\n  include: 投入与管理.yaml\n")
    write_block(folder, "投入与管理.yaml", BLOCK)
    spec = loaded(folder)
    assert not spec.diagnostics
    assert list(spec.data["indicators"]) == ["投入与管理", "产出目标"]
    assert len(rows(spec.data)) == 5
    assert sorted(b.name for b in spec.blocks) == ["前.yaml", "投入与管理.yaml"]


def test_full_form_rows_merge_column_by_column(unit_dir: Callable[..., Path]) -> None:
    block = "数量指标:\n  软件维护次数:\n    description: 一年内办案软件维护次数\n    value: ≥200次\n"
    spec = TIANJIN_SPEC.replace(
        "  产出指标:\n",
        "  产出指标:\n    include: ../_blocks/数量.yaml\n    数量指标:\n      软件维护次数:\n        value: ≥300次\n",
    )
    folder = unit_dir(defaults=TIANJIN_DEFAULTS, specs={"01-a.yaml": spec})
    write_block(folder, "数量.yaml", block)
    data = loaded(folder).data
    assert data["indicators"]["产出指标"]["数量指标"]["软件维护次数"] == {
        "description": "一年内办案软件维护次数",
        "value": "≥300次",
    }
    assert list(data["indicators"]["产出指标"]) == ["数量指标", "成本指标"]


def test_problems_in_a_block_point_at_the_block_file(unit_dir: Callable[..., Path]) -> None:
    folder = unit_dir(specs={"01-a.yaml": spec_with("  投入与管理:\n    include: ../_blocks/投入与管理.yaml\n")})
    block = write_block(folder, "投入与管理.yaml", BLOCK.replace("预算执行率: =100%", "预算执行率: =>100%"))
    report = check([folder])
    bad = [d for d in report.diagnostics if d.code == "value-syntax"]
    assert len(bad) == 1
    assert bad[0].path.endswith("_blocks/投入与管理.yaml") and bad[0].line == 3 and bad[0].col == 10
    assert block.read_text(encoding="utf-8").splitlines()[2].startswith("  预算执行率")


def test_yaml_errors_in_a_block_point_at_the_block_file(unit_dir: Callable[..., Path]) -> None:
    folder = unit_dir(specs={"01-a.yaml": spec_with("  投入与管理:\n    include: ../_blocks/坏.yaml\n")})
    write_block(folder, "坏.yaml", "投入管理:\n  a: 1\n  a: 2\n")
    duplicate = [d for d in check([folder]).diagnostics if d.code == "duplicate-key"]
    assert duplicate and duplicate[0].path.endswith("_blocks/坏.yaml") and duplicate[0].line == 3


def test_defaults_may_include_a_block_for_every_project(unit_dir: Callable[..., Path]) -> None:
    defaults = (
        "jurisdiction: shanghai\nyear: 2020\nunit:\n  name: 单位\nindicators:\n  投入与管理:\n"
        "    include: ../_blocks/投入与管理.yaml\n"
    )
    own = spec_with("  产出目标:\n    数量:\n      完成率: =100%\n")
    folder = unit_dir(defaults=defaults, specs={"01-a.yaml": own})
    write_block(folder, "投入与管理.yaml", BLOCK)
    assert list(loaded(folder).data["indicators"]) == ["投入与管理", "产出目标"]


@pytest.mark.parametrize(
    ("target", "code", "words"),
    [
        ("../../../../../../etc/passwd", "include-outside", "之外"),
        ("../../outside.yaml", "include-outside", "之外"),
        ("/etc/passwd", "include-outside", "绝对路径"),
        ("../_blocks/没有.yaml", "include-missing", "找不到"),
        ("../_blocks/notes.txt", "include-invalid", ".yaml"),
        ("../_blocks/自己.yaml", "include-cycle", "循环"),
        ("[1, 2]", "include-invalid", "路径"),
    ],
)
def test_refused_includes_say_why(unit_dir: Callable[..., Path], target: str, code: str, words: str) -> None:
    folder = unit_dir(
        specs={
            "01-a.yaml": spec_with(
                f"  投入与管理:\n    include: {target}\n  产出目标:\n    数量:\n      完成率: =100%\n"
            )
        }
    )
    (folder.parent.parent / "outside.yaml").write_text("投入管理:\n  a: b\n", encoding="utf-8")
    write_block(folder, "notes.txt", "投入管理:\n  a: b\n")
    write_block(folder, "自己.yaml", "include: 自己.yaml\n")
    report = check([folder])
    found = [d for d in report.diagnostics if d.code == code]
    assert found and words in found[0].message, [d.format() for d in report.diagnostics]
    assert found[0].is_error
    if code != "include-cycle":
        assert found[0].path.endswith("01-a.yaml") and found[0].line == 20


def test_include_outside_the_tree_is_refused(unit_dir: Callable[..., Path]) -> None:
    folder = unit_dir(specs={"01-a.yaml": "include: ../_blocks/x.yaml\n" + SHANGHAI_SPEC})
    codes = {d.code for d in check([folder]).diagnostics}
    assert codes == {"include-place"}


def test_a_single_file_may_include_from_the_specs_folder(unit_dir: Callable[..., Path]) -> None:
    folder = unit_dir(specs={"01-a.yaml": spec_with("  投入与管理:\n    include: ../_blocks/投入与管理.yaml\n")})
    write_block(folder, "投入与管理.yaml", BLOCK)
    report = check([folder / "01-a.yaml"])
    assert report.errors == 0, [d.format() for d in report.diagnostics]


def test_editing_a_block_rebuilds_the_specs_that_include_it(unit_dir: Callable[..., Path], tmp_path: Path) -> None:
    including = spec_with("  投入与管理:\n    include: ../_blocks/投入与管理.yaml\n")
    folder = unit_dir(specs={"01-a.yaml": including, "02-b.yaml": SHANGHAI_SPEC})
    block = write_block(folder, "投入与管理.yaml", BLOCK)
    options = BuildOptions(paths=(folder.parent,), output=tmp_path / "out", formats=("xlsx",), jobs=1)
    first = run_build(options)
    assert (first.built, first.failed) == (2, 0)
    again = run_build(options)
    assert (again.built, again.unchanged) == (0, 2)
    block.write_text(BLOCK.replace("合理", "较合理"), encoding="utf-8")
    third = run_build(options)
    assert (third.built, third.unchanged) == (1, 1)
