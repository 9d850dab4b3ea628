"""``mypy`` stays clean over the package, the benchmarks and the tools (the ``files`` of
``[tool.mypy]``): the type hints are checked, not only written."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO


@pytest.mark.slow
def test_mypy_finds_no_error_in_the_package_benchmarks_and_tools() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True,
                            timeout=600, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout
