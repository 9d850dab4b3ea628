"""The sandboxed Jinja environment both template kinds render in.

Jinja's sandbox checks every attribute a template reads (``project.name``, ``row.level1``):
a Word body reads ~150 per project, and the check was a fifth of its render.  Whether an
attribute is safe depends only on the object's type and the attribute's name
(:func:`jinja2.sandbox.is_internal_attribute`), so each answer is kept per (type, name).
"""

from __future__ import annotations

from typing import Any

from jinja2.sandbox import SandboxedEnvironment

_LIMIT = 4096  # (type, name) answers kept per environment


class Sandbox(SandboxedEnvironment):
    """Jinja's :class:`~jinja2.sandbox.SandboxedEnvironment`, its attribute check remembered."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._safe: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Return whether templates may read ``obj.attr`` (Jinja's answer, kept per type and name)."""
        key = (type(obj), attr)
        safe = self._safe.get(key)
        if safe is None:
            safe = super().is_safe_attribute(obj, attr, value)
            if len(self._safe) >= _LIMIT:
                self._safe.clear()
            self._safe[key] = safe
        return safe
