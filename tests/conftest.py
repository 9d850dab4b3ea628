"""Shared fixtures: small, hand-written valid specs for each built-in jurisdiction."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

SHANGHAI_DEFAULTS = """\
jurisdiction: shanghai
year: 2020
unit:
  name: 上海市人民检察院第一分院
"""

SHANGHAI_SPEC = """\
name: 检察业务保障费
category: 经常性专项业务费
start_date: 2020-01-01
end_date: 2020-12-31
government_purchase: false
performance_type: 事业/专业类
overview: 概况
basis: 依据
necessity: 必要性
safeguards: 措施
plan: 计划
goals: 目标
budget:
  total: 100000
  current_year: 100000
  last_year: 704000
  last_year_spent: 704000
indicators:
  投入与管理:
    投入管理:
      预算编制合理性: 合理
      预算执行率: =100%
  产出目标:
    成本:
      救助金额合规性: 合规
  效果目标:
    满意度:
      救助对象满意度: ">=85%"
"""

TIANJIN_DEFAULTS = """\
jurisdiction: tianjin
year: 2025
unit:
  code: "263101"
  name: 天津市西青区人民检察院
"""

TIANJIN_SPEC = """\
name: 2025年司法救助项目-2025中央
budget:
  total: 10.00
  fiscal: 10.00
  other:
purpose: 用于司法救助
targets:
  - 对遭受侵害导致生活困难的被害人进行救助。
indicators:
  产出指标:
    成本指标:
      司法救助总金额:
        description: 司法救助金总金额
        value: ≤10万元
  满意度指标:
    服务对象满意度指标:
      被救助人员满意程度:
        description: 使被救助人员权益得到维护，提高幸福感
        value: ≥90%
"""


@pytest.fixture
def unit_dir(tmp_path: Path) -> Callable[..., Path]:
    """Return a factory writing a unit folder with defaults and specs; returns the folder."""

    def make(defaults: str = SHANGHAI_DEFAULTS, specs: dict[str, str | bytes] | None = None,
             name: str = "unit") -> Path:
        folder = tmp_path / "specs" / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "_defaults.yaml").write_text(defaults, encoding="utf-8")
        for filename, content in (specs or {"01-a.yaml": SHANGHAI_SPEC}).items():
            path = folder / filename
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content), encoding="utf-8")
        return folder

    return make


# ----------------------------------------------------------------------------- fast by default

#: Tests that take seconds each: generated property runs, LibreOffice/poppler round trips,
#: builds in subprocesses and the installed command.  A module is slow when its path
#: contains one of these; a single test can also say ``@pytest.mark.slow``.
SLOW_PATHS = ("tests/property/", "tests/clients/", "_libreoffice.py", "tests/build/test_pdf.py",
              "tests/faults/", "tests/cli/test_installed.py")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--all", action="store_true", default=False,
                     help="also run the slow tests (property, LibreOffice, subprocess builds); .ci/run does")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes seconds; left out unless --all or -m selects it")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        where = item.path.as_posix()
        if any(part in where for part in SLOW_PATHS):
            item.add_marker(pytest.mark.slow)
    if config.getoption("--all") or config.getoption("markexpr"):
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]


def pytest_report_header(config: pytest.Config) -> str:
    if config.getoption("--all") or config.getoption("markexpr"):
        return "sheetgen: all tests"
    return "sheetgen: fast tests only (slow ones deselected; run with --all for the whole suite, as CI does)"
