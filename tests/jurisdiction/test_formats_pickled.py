"""The formats a build sends its workers with every unit are pickled once and unpickled once
per process (:meth:`sheetgen.workspace.Formats.__reduce__`), and arrive whole."""

from __future__ import annotations

import pickle
from pathlib import Path

from sheetgen.workspace import Formats, Workspace

REPO = Path(__file__).resolve().parents[2]


def test_formats_arrive_whole_and_are_unpickled_once() -> None:
    formats = Workspace().formats(REPO / "specs" / "sh-yifenyuan-2020")
    assert formats.usable()
    first, second = pickle.loads(pickle.dumps(formats)), pickle.loads(pickle.dumps(formats))
    assert first is second  # the same bytes: unpickled once
    assert first == formats and first.names == formats.names
    shanghai = first.get("shanghai")
    assert shanghai.fingerprint == formats.get("shanghai").fingerprint
    assert pickle.dumps(formats) == pickle.dumps(formats)  # pickled once: the same bytes each time


def test_other_formats_are_other_bytes() -> None:
    formats = Workspace().formats(REPO / "specs" / "sh-yifenyuan-2020")
    fewer = Formats(formats.search, formats.found[:1], formats.others)
    back = pickle.loads(pickle.dumps(fewer))
    assert back == fewer and back != formats and back is not pickle.loads(pickle.dumps(formats))
