"""Output names are safe on every file system."""

from __future__ import annotations

import pytest

from sheetgen.build.names import MAX_NAME_BYTES, safe_name


@pytest.mark.parametrize("raw", ['a/b', 'a\\b', 'a:b', 'a*b', 'a?b', 'a"b', 'a<b', 'a>b', 'a|b', "a\x01b"])
def test_forbidden_characters_are_replaced(raw: str) -> None:
    cleaned = safe_name(raw)
    assert cleaned == "a_b"


@pytest.mark.parametrize("raw", ["..", "../..", ".", "  ", "", "...."])
def test_no_dot_dot_or_empty_names(raw: str) -> None:
    cleaned = safe_name(raw)
    assert cleaned and ".." not in cleaned and cleaned not in (".", "..")
    assert "/" not in cleaned


@pytest.mark.parametrize("raw", ["CON", "con", "PRN", "AUX", "NUL", "COM1", "lpt9", "CON.txt"])
def test_reserved_device_names(raw: str) -> None:
    assert safe_name(raw).startswith("_")


def test_traversal_cannot_escape() -> None:
    assert safe_name("../../etc/passwd") == "_.._etc_passwd".replace("_.._", "_._") or "/" not in safe_name(
        "../../etc/passwd")
    assert "/" not in safe_name("../../etc/passwd") and not safe_name("../../etc/passwd").startswith(".")


def test_length_is_bounded_in_bytes() -> None:
    cleaned = safe_name("项目" * 200)
    assert len(cleaned.encode("utf-8")) <= MAX_NAME_BYTES
    assert cleaned.startswith("项目项目")


def test_ordinary_chinese_names_are_kept() -> None:
    assert safe_name("01-2025年检察业务信息化运维项目-2025中央") == "01-2025年检察业务信息化运维项目-2025中央"
