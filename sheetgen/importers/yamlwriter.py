"""Writes spec data as readable YAML, by hand, for the known shape of a spec.

:func:`dump_spec` returns YAML text that ``yaml.safe_load`` reads back to the
same data: block mappings and sequences, ``|-`` block scalars for multi-line
texts, plain scalars where YAML reads them back as the same text and
double-quoted ones everywhere else (Chinese stays unescaped), decimals exactly
as given (``26.50``), ISO dates, ``true``/``false``, and nothing for None.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import yaml

INDENT = 2
COMMENT_COLUMN = 40
MAX_KEY = 1000  # PyYAML refuses simple keys longer than 1024 characters

_STR_TAG = "tag:yaml.org,2002:str"
_RESOLVER = yaml.resolver.Resolver()
#: Characters YAML cannot hold literally, or reads as line breaks or a byte-order mark.
_NOT_LITERAL = re.compile("[^\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029\ufeff]")
_BAD_PLAIN_START = set("-?:,[]{}#&*!|>'\"%@`")
#: Text that some YAML reader (1.1, 1.2, sheetgen's own) would take as a number, bool, null or date.
_LOOKS_TYPED = re.compile(
    r"""^(?:
        [-+]?(?:[0-9][0-9_]*\.?[0-9_]*|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?
      | [-+]?0[xXoObB][0-9a-fA-F_]+
      | [-+]?[0-9][0-9_]*(?::[0-9_]+)+(?:\.[0-9_]*)?
      | [-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)
      | y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE
      | on|On|ON|off|Off|OFF|null|Null|NULL|~
      | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*
    )$""",
    re.X | re.S,
)
_ESCAPES = {
    "\0": "\\0",
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    '"': '\\"',
    "\\": "\\\\",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
}


def dump_spec(data: Mapping[str, Any], labels: Mapping[str, str] | None = None) -> str:
    """Return ``data`` as YAML text; ``labels`` maps dotted key paths to ``# 标签`` comments."""
    if not data:
        return "{}\n"
    out: list[str] = []
    _mapping(data, 0, "", labels or {}, out)
    return "\n".join(out) + "\n"


def _mapping(data: Mapping[str, Any], indent: int, path: str, labels: Mapping[str, str], out: list[str]) -> None:
    """Append the lines of mapping ``data`` at ``indent`` to ``out``."""
    for key, value in data.items():
        dotted = f"{path}.{key}" if path else str(key)
        head = f"{' ' * indent}{_key(key)}:"
        label = labels.get(dotted)
        if isinstance(value, Mapping):
            out.append(_comment(head if value else f"{head} {{}}", label))
            _mapping(value, indent + INDENT, dotted, labels, out)
        elif isinstance(value, (list, tuple)):
            out.append(_comment(head if value else f"{head} []", label))
            _sequence(value, indent + INDENT, out)
        elif (block := _block(value, indent + INDENT)) is not None:
            out.append(_comment(f"{head} |-", label))
            out.extend(block)
        else:
            text = scalar(value)
            out.append(_comment(f"{head} {text}" if text else head, label))


def _sequence(items: Sequence[Any], indent: int, out: list[str]) -> None:
    """Append the lines of the list ``items`` at ``indent`` to ``out`` (items: scalars or flat mappings)."""
    for item in items:
        if isinstance(item, Mapping):
            _list_mapping(item, indent, out)
            continue
        if isinstance(item, (list, tuple)):
            raise TypeError("dump_spec: nested collections inside a list are not part of a spec")
        if (block := _block(item, indent + INDENT)) is not None:
            out.append(f"{' ' * indent}- |-")
            out.extend(block)
        else:
            out.append(f"{' ' * indent}- {scalar(item)}".rstrip())


def _list_mapping(item: Mapping[str, Any], indent: int, out: list[str]) -> None:
    """Append a list item that is a mapping of scalars (e.g. ``review`` entries) to ``out``."""
    if not item:
        out.append(f"{' ' * indent}- {{}}")
        return
    for index, (key, value) in enumerate(item.items()):
        if isinstance(value, (Mapping, list, tuple)):
            raise TypeError("dump_spec: nested collections inside a list item are not part of a spec")
        lead = f"{' ' * indent}- " if index == 0 else " " * (indent + INDENT)
        head = f"{lead}{_key(key)}:"
        if (block := _block(value, indent + 2 * INDENT)) is not None:
            out.append(f"{head} |-")
            out.extend(block)
        else:
            text = scalar(value)
            out.append(f"{head} {text}" if text else head)


def _comment(line: str, label: str | None) -> str:
    """Return ``line`` with ``# label`` aligned after it (``line`` itself without a label)."""
    if not label:
        return line
    label = " ".join(label.split())
    pad = max(2, COMMENT_COLUMN - _width(line))
    return f"{line}{' ' * pad}# {label}"


def _width(text: str) -> int:
    """Return the printed width of ``text`` (wide characters count 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _key(key: Any) -> str:
    """Return ``key`` as a YAML mapping key."""
    if not isinstance(key, str):
        raise TypeError(f"dump_spec: keys must be text, not {type(key).__name__}")
    text = _string(key)
    if len(text) > MAX_KEY:
        raise ValueError(f"dump_spec: key longer than {MAX_KEY} characters")
    return text


def scalar(value: Any) -> str:
    """Return ``value`` as a one-line YAML scalar ("" for None)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"dump_spec: {value} is no amount")
        return format(value, "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return _string(value)
    raise TypeError(f"dump_spec: cannot write {type(value).__name__} (amounts must be Decimal)")


def _string(text: str) -> str:
    """Return ``text`` plain if YAML reads it back unchanged, else double-quoted."""
    return text if plain_ok(text) else double_quoted(text)


def plain_ok(text: str) -> bool:
    """Return whether ``text`` can be written unquoted and still be read back as this text."""
    return bool(
        text
        and text[0] not in _BAD_PLAIN_START
        and not text[0].isspace()
        and not text[-1].isspace()
        and not text.endswith(":")
        and ": " not in text
        and " #" not in text
        and "\t" not in text
        and "\n" not in text
        and not text.startswith(("---", "..."))
        and not _NOT_LITERAL.search(text)
        and not _LOOKS_TYPED.match(text)
        and _RESOLVER.resolve(yaml.nodes.ScalarNode, text, (True, False)) == _STR_TAG
    )


def double_quoted(text: str) -> str:
    """Return ``text`` as a double-quoted scalar, escaping only what YAML needs escaped."""
    return '"' + "".join(_escape(ch) for ch in text) + '"'


def _escape(ch: str) -> str:
    """Return ``ch`` as it is written inside a double-quoted scalar."""
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    if not _NOT_LITERAL.match(ch):
        return ch
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _block(value: Any, indent: int) -> list[str] | None:
    """Return the lines of ``value`` as a ``|-`` block body, None if it is no multi-line text
    that a literal block keeps exactly."""
    if not isinstance(value, str) or "\n" not in value:
        return None
    lines = value.split("\n")
    if value[0] in " \t\n" or value.endswith("\n") or _NOT_LITERAL.search(value):
        return None
    if any(line != line.rstrip() for line in lines):
        return None
    return [f"{' ' * indent}{line}" if line else "" for line in lines]
