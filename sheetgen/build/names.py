"""File names that are safe on every file system."""

from __future__ import annotations

import re

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
_EDGES = re.compile(r"^[\s.]+|[\s.]+$")  # leading/trailing dots and spaces, in any mix
MAX_NAME_BYTES = 180  # leaves room for an extension and a temporary suffix under 255 bytes


def safe_name(name: str, fallback: str = "未命名") -> str:
    """Return ``name`` made safe as a file or folder name on Windows, macOS and Linux.

    Replaces ``/ \\ : * ? " < > |`` and control characters with ``_``, removes
    leading/trailing dots and spaces (so no ``..``), prefixes reserved device
    names such as ``CON`` and bounds the length in UTF-8 bytes.
    """
    cleaned = _EDGES.sub("", _UNSAFE.sub("_", name))  # also "a. ." -> "a", not "a."
    cleaned = re.sub(r"\.{2,}", ".", cleaned)
    if not cleaned:
        cleaned = fallback
    if cleaned.split(".")[0].strip().upper() in _RESERVED:
        cleaned = f"_{cleaned}"
    encoded = cleaned.encode("utf-8")
    if len(encoded) > MAX_NAME_BYTES:
        cleaned = encoded[:MAX_NAME_BYTES].decode("utf-8", errors="ignore").rstrip(". ")
    return cleaned
