"""Catalogues of a library's English messages and the Chinese text each becomes.

A catalogue is a list of rules: a pattern an English message may match, and
how it reads in Chinese -- a template whose ``{name}`` fields are filled with
the details the message carried (shown the way the catalogue's owner shows
them), or a function of the match.  :mod:`sheetgen.spec.yaml_errors` keeps
PyYAML's catalogue, :mod:`sheetgen.render.jinja_errors` Jinja's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

Render = Callable[[re.Match[str]], str]
#: A pattern and its rendering.  The pattern is compiled when first matched (by :mod:`re`, which
#: keeps it): the catalogues are read only when something went wrong, and compiling their
#: patterns at import cost every command about 2 ms.
Rule = tuple[str, Render]


class Catalogue:
    """Makes rules whose template fields are shown with ``shown``."""

    def __init__(self, shown: Callable[[str], str]) -> None:
        self._shown = shown

    def fill(self, template: str, match: re.Match[str]) -> str:
        """Return ``template`` with each ``{name}`` replaced by the shown detail of that group."""
        return re.sub(r"\{(\w+)\}", lambda ref: self._shown(match[ref.group(1)] or ""), template)

    def rule(self, pattern: str, render: str | Render) -> Rule:
        """Return the rule turning a message that matches ``pattern`` into ``render``'s text."""
        if isinstance(render, str):
            template = render
            return pattern, lambda m: self.fill(template, m)
        return pattern, render


def first(rules: Iterable[Rule], text: str) -> str | None:
    """Return the Chinese text of the first rule ``text`` matches, or None."""
    for pattern, render in rules:
        match = re.match(pattern, text)
        if match:
            return render(match)
    return None
