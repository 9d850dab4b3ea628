"""`sheetgen import` reads the year-end columns of a 绩效自评表 back: 实际完成值, 分值, 得分 and
偏差原因 into each indicator's actual, points, score and reason, the format's not-applicable
word into not_applicable, the 一级 without its points (产出指标（50分） -> 产出指标).  The header
of the 自评表 (项目资金, 实际完成情况) is not read: its texts go to review."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from sheetgen.importing import import_to_folder
from sheetgen.spec.yamlload import load_yaml
from tests.selfeval.test_selfeval_build import EXPECTED, NA, Expected, built  # noqa: F401  (the fixture)

CASES = [(item, kind) for item in EXPECTED for kind in ("docx", "xlsx")]


@pytest.mark.parametrize(("item", "kind"), CASES, ids=[f"{i.unit}/{i.number}-{k}" for i, k in CASES])
def test_the_year_end_columns_import_back(built: Path, tmp_path: Path, item: Expected, kind: str) -> None:  # noqa: F811
    source = built / item.unit / f"{item.stem}-自评.{kind}"
    report = import_to_folder([source], tmp_path / "specs")
    assert report.written, [d.format() for d in report.diagnostics]
    spec = next(p for p in report.written if not p.name.startswith("_"))
    data = load_yaml(spec.read_bytes(), str(spec)).data
    rows = [(level1, level2, name, row) for level1, groups in data["indicators"].items()
            for level2, group in groups.items() for name, row in group.items()]
    assert len(rows) == len(item.rows)
    for (level1, level2, name, row), want in zip(rows, item.rows, strict=True):
        assert want[0].startswith(level1 + "（") and (level2, name, row["value"]) == want[1:4]
        if want[5] == NA:
            assert row["not_applicable"] is True and "actual" not in row and "score" not in row
        else:
            assert row["actual"] == want[4]
            assert (Decimal(str(row["points"])), Decimal(str(row["score"]))) == (Decimal(want[5]), Decimal(want[6]))
        assert row.get("reason", "") == want[7]
