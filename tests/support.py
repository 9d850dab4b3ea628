"""Test helpers that go through the real pipeline: spec files -> validated -> model."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from sheetgen.model import Project
from sheetgen.projects import to_project
from sheetgen.spec.files import discover, read_spec
from sheetgen.validation import Checker


def load_projects(path: Path) -> list[Project]:
    """Return the models of every spec under ``path`` (a spec file or a folder), in build order.

    Fails the test if a spec does not validate.
    """
    checker = Checker()
    files, problems = discover([path])
    assert not problems, problems
    projects = []
    for file in files:
        validated = checker.validate(read_spec(file))
        assert validated.ok, [d.format() for d in validated.diagnostics]
        projects.append(to_project(validated))
    return projects


def wait_for(predicate: Callable[[], bool], timeout: float) -> bool:
    """Return whether ``predicate()`` became true within ``timeout`` seconds (polled every 20 ms)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False
