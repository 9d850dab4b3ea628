"""Round trip: every seed spec built to .docx and .xlsx imports back to the same spec content.

Each seed spec is built (single files and the unit's combined 汇总 document and
workbook), the built files are imported with ``sheetgen import``'s writer, and
the imported specs, loaded and validated like any spec, must print exactly
what the originals print: same header fields (amounts digit for digit, dates,
是/否, texts), same indicator tree and columns.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.importers.office_helpers import SEED_SPECS, SPECS, UNITS, build_seeds, import_into, load_models


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the output folder of building all seed specs."""
    return build_seeds(tmp_path_factory.mktemp("seeds"))


@pytest.fixture(scope="module")
def originals() -> dict[str, dict[str, tuple[int, dict]]]:
    """Return unit → spec file name → (number, model view) of the committed seed specs."""
    return {unit: load_models(SPECS / unit) for unit in UNITS}


def _combined(built: Path, unit: str, suffix: str) -> Path:
    found = sorted((built / unit).glob(f"汇总-*{suffix}"))
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
@pytest.mark.parametrize("seed", SEED_SPECS)
def test_single_file_imports_back_to_the_seed_spec(
    built: Path, originals: dict, tmp_path: Path, seed: str, suffix: str
) -> None:
    unit, filename = seed.split("/")
    source = built / unit / filename.replace(".yaml", suffix)
    out = tmp_path / unit
    import_into([source], out)
    imported = load_models(out)
    assert len(imported) == 1
    ((_, view),) = imported.values()
    assert view == originals[unit][filename][1]
    assert not any("review" in yaml.safe_load(p.read_text(encoding="utf-8")) for p in out.glob("*.yaml"))


@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
@pytest.mark.parametrize("unit", UNITS)
def test_combined_document_imports_back_to_every_spec_of_the_unit(
    built: Path, originals: dict, tmp_path: Path, unit: str, suffix: str
) -> None:
    out = tmp_path / unit
    import_into([_combined(built, unit, suffix)], out)
    imported = load_models(out)
    assert list(imported) == list(originals[unit])  # same file names, same order
    for filename, (number, view) in originals[unit].items():
        assert imported[filename] == (number, view), filename


@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
@pytest.mark.parametrize("unit", UNITS)
def test_imported_defaults_hold_the_unit(built: Path, tmp_path: Path, unit: str, suffix: str) -> None:
    out = tmp_path / unit
    import_into([_combined(built, unit, suffix)], out)
    imported = yaml.safe_load((out / "_defaults.yaml").read_text(encoding="utf-8"))
    original = yaml.safe_load((SPECS / unit / "_defaults.yaml").read_text(encoding="utf-8"))
    assert imported == original


EDGE_TIANJIN = """\
jurisdiction: tianjin
year: 2025
unit: {code: "263101", name: 天津市西青区人民检察院}
name: 2025年边界测试项目
budget: {total: "1,234.50", fiscal: 1000.50, other: 234.00}
purpose: |-
  第一行用途 <a> & "引号"
  第二行：=SUM(A1)
targets:
  - 第一条目标
  - |-
    第二条目标
    续写一行
indicators:
  产出指标:
    数量指标:
      质量指标: ＝100％
      空值指标:
      描述指标: {description: 有描述, value: ≥90%}
    成本指标:
      项目总成本: {value: ≤1234.5万}
  满意度指标:
    服务对象满意度指标:
      满意度: "=2020-01-01"
"""

EDGE_SHANGHAI = """\
jurisdiction: shanghai
year: 2021
unit: {name: 上海市人民检察院第一分院}
name: 边界测试
category: 其他一次性项目
start_date: 2021-02-03
end_date: 2021-12-31
government_purchase: true
performance_type: 其他类
overview: |-
  1.第一段
  2.第二段
basis: "2020-01-01"
necessity: 必要性 & <b>
safeguards: 措施
plan: 计划
goals: 目标
budget: {total: 1, current_year: 0, last_year: 123456789012, last_year_spent: }
indicators:
  投入与管理:
    投入管理:
      满意度: ">=90%"
  效果目标:
    满意度:
      投入管理: 提升
"""


# Amounts are written as printed (the jurisdiction's number format pads 1000.5 to 1000.50); an
# empty description prints like none.  (Tianjin's templates print 单位：万元 whatever budget.unit says,
# so a budget.unit override cannot come back from the printed table.)


@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
@pytest.mark.parametrize("spec", [EDGE_TIANJIN, EDGE_SHANGHAI], ids=["tianjin", "shanghai"])
def test_edge_content_survives_the_round_trip(tmp_path: Path, spec: str, suffix: str) -> None:
    from sheetgen.build.runner import BuildOptions, run_build

    source = tmp_path / "specs" / "unit"
    source.mkdir(parents=True)
    (source / "01-edge.yaml").write_text(spec, encoding="utf-8")
    assert not run_build(BuildOptions(paths=(tmp_path / "specs",), output=tmp_path / "out", jobs=1)).failed
    built = tmp_path / "out" / "unit" / f"01-edge{suffix}"
    out = tmp_path / "imported" / "unit"
    import_into([built], out)
    ((_, imported),) = load_models(out).values()
    ((_, original),) = load_models(source).values()
    assert imported == original
