"""What a rule finds: a YAML path, a code, a severity and a Chinese message, before
:func:`sheetgen.validation.Checker.validate` places it in a file and names its label."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from msgspec import Struct

from sheetgen.errors import Severity
from sheetgen.jurisdiction import Jurisdiction


class Finding(Struct, frozen=True):
    """A problem a rule found, before it is placed in a file."""

    path: tuple[str, ...]
    code: str
    severity: Severity
    message: str
    at_key: bool = False  # point at the key (a name) rather than its value


Rule = Callable[[Mapping[str, Any], Jurisdiction], Iterator[Finding]]

#: What a skeleton writes for an indicator it cannot guess (a row's name, value or column).
TO_FILL = "待填写"

#: The codes of findings about a value left blank.
BLANK_CODES = ("empty-value", "to-fill")
