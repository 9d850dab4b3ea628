"""Small helpers on mappings shared by the spec loader, jurisdictions and the project model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``over`` merged onto ``base`` key by key; nested mappings merge too, ``over`` wins."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


class FrozenDict(dict):  # type: ignore[type-arg]
    """A dict that refuses changes; unlike ``MappingProxyType`` it pickles,
    so projects can travel to worker processes."""

    def _readonly(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("FrozenDict is read-only")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _readonly  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenDict, (dict(self),))

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items(), key=lambda kv: kv[0])))
