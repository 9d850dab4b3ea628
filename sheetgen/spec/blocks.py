"""Shared indicator blocks: ``include:`` inside the indicator tree.

Any mapping of the indicator tree -- ``indicators`` itself, a 一级 group or a
二级 group -- may hold ``include: 路径`` (or a list of paths).  Each path names
a YAML file (relative to the file that names it) whose mapping is put in at
the place of the ``include`` key: a block included under ``indicators`` holds
一级 groups, one included under a 一级 group holds 二级 groups, one under a
二级 group holds rows.  Keys the including mapping writes itself win: a row
(or group) of the same name replaces the block's in place (full-form rows
merge column by column); other keys keep their own place before or after
the ``include``.  Blocks may include blocks.

Blocks must be ``.yaml``/``.yml`` files inside the specs tree
(:func:`include_area`); every block keeps its own positions table, so a
problem in a block points at the block's file and line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec import Struct, field

from sheetgen.errors import Diagnostic, Severity
from sheetgen.mappings import deep_merge

if TYPE_CHECKING:  # (a no-change build imports this module, and needs no YAML reader)
    from sheetgen.spec.yamlload import Loaded, Path_, Positions

INCLUDE_KEY = "include"
MAX_DEPTH = 8
TREE = "indicators"
_LEVELS = 2  # include may sit in the tree (0), a 一级 group (1) or a 二级 group (2)
BLOCK_SUFFIXES = (".yaml", ".yml")

Loader = Callable[[Path], "Loaded | Diagnostic"]


class Expanded(Struct):
    """A file's data with its blocks put in, the blocks' positions tables
    (re-rooted at the place they were included), problems, and the block files read."""

    data: Any
    tables: list[Positions] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def includes(data: Any, depth: int = -1) -> bool:
    """Return whether ``data`` (a file's content) has an ``include`` key anywhere one may sit:
    at its top (misplaced), in the indicator tree, a 一级 group or a 二级 group."""
    if not isinstance(data, (dict, Mapping)):  # dict first: YAML's mappings pass without the ABC's check
        return False
    if INCLUDE_KEY in data:
        return True
    if depth < 0:
        return includes(data.get(TREE), 0)
    return depth < _LEVELS and any(includes(value, depth + 1) for value in data.values())


def include_area(root: Path, unit_dir: Path) -> Path:
    """Return the folder blocks must stay inside: the specs root named on the
    command line, or the folder above the unit when the unit (or one of its
    files) itself was named."""
    root, unit = root.resolve(), unit_dir.resolve()
    return root.parent if unit == root else root


def _merge_value(base: Any, over: Any) -> Any:
    return deep_merge(base, over) if isinstance(base, Mapping) and isinstance(over, Mapping) else over


class _Context(Struct):
    area: Path
    load: Loader
    display: Callable[[Path], str]
    out: Expanded
    chain: tuple[Path, ...] = ()


def expand(
    data: Any, positions: Positions, path: Path, area: Path, load: Loader, display: Callable[[Path], str]
) -> Expanded:
    """Return ``data`` (one file's content, read from ``path``) with every block it includes put in.

    ``load`` reads a block file (returning its :class:`Loaded` or a
    :class:`Diagnostic` when unreadable); ``area`` bounds where blocks may be.
    ``data`` itself is not changed (it may be cached).
    """
    out = Expanded(data)
    if not isinstance(data, Mapping):
        return out
    ctx = _Context(area.resolve(), load, display, out, (path.resolve(),))
    if INCLUDE_KEY in data:
        line, col = positions.locate((INCLUDE_KEY,), key=True) or (1, 1)
        out.diagnostics.append(
            Diagnostic(
                positions.file,
                line,
                col,
                "include-place",
                Severity.ERROR,
                "include（引用共用指标块）要写在 indicators 里面的某一层，不能写在最外层",
            )
        )
        data = {k: v for k, v in data.items() if k != INCLUDE_KEY}
    if isinstance(data.get(TREE), Mapping):
        data = {**data, TREE: _expand(data[TREE], 0, (TREE,), (TREE,), positions, path, ctx)}
    out.data = data
    return out


def _expand(
    mapping: Mapping[str, Any], depth: int, where: Path_, local: Path_, positions: Positions, path: Path, ctx: _Context
) -> dict[str, Any]:
    """Return ``mapping`` (at tree ``depth``, final path ``where``, path ``local``
    inside its own file) with its blocks and those of its sub-mappings put in."""
    own = {k: v for k, v in mapping.items() if k != INCLUDE_KEY}
    if depth < _LEVELS:
        own = {
            k: _expand(v, depth + 1, (*where, str(k)), (*local, str(k)), positions, path, ctx)
            if isinstance(v, Mapping)
            else v
            for k, v in own.items()
        }
    if INCLUDE_KEY not in mapping:
        return own
    blocks: dict[str, Any] = {}
    for target in _targets(mapping[INCLUDE_KEY], (*local, INCLUDE_KEY), positions, ctx):
        block = _read_block(target, depth, where, (*local, INCLUDE_KEY), positions, path, ctx)
        if block:
            blocks = _merge_value(blocks, block)
    out: dict[str, Any] = {}
    for key in mapping:
        if key == INCLUDE_KEY:
            for name, value in blocks.items():
                out[name] = _merge_value(value, own[name]) if name in own else value
        elif key not in blocks:
            out[key] = own[key]
    return out


def _problem(positions: Positions, local: Path_, code: str, message: str, ctx: _Context) -> None:
    line, col = positions.locate(local) or (1, 1)
    ctx.out.diagnostics.append(
        Diagnostic(positions.file, line, col, code, Severity.ERROR, message, "引用共用指标块", ".".join(local))
    )


def _targets(value: Any, local: Path_, positions: Positions, ctx: _Context) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, str) and item.strip() for item in items):
        _problem(
            positions,
            local,
            "include-invalid",
            "include 应写共用指标块文件的路径（相对于本文件），或几个路径的列表",
            ctx,
        )
        return []
    return [item.strip() for item in items]


def _read_block(
    target: str, depth: int, where: Path_, local: Path_, positions: Positions, path: Path, ctx: _Context
) -> dict[str, Any] | None:
    """Return the expanded content of block ``target`` named in ``path``, or None (problem reported)."""
    if Path(target).is_absolute() or target.startswith(("~", "\\")):
        _problem(
            positions,
            local,
            "include-outside",
            f"共用指标块“{target}”要写成相对于本文件的路径（如 ../_blocks/投入与管理.yaml），不能写绝对路径",
            ctx,
        )
        return None
    file = (path.parent / target).resolve()
    if not file.is_relative_to(ctx.area):
        _problem(
            positions,
            local,
            "include-outside",
            f"共用指标块“{target}”在项目说明文件夹 {ctx.display(ctx.area)} 之外；"
            "只能引用这个文件夹里的文件（例如放在 _blocks/ 里）",
            ctx,
        )
        return None
    if file.suffix.lower() not in BLOCK_SUFFIXES:
        _problem(positions, local, "include-invalid", f"共用指标块“{target}”应是 .yaml 文件", ctx)
        return None
    if file in ctx.chain:
        _problem(positions, local, "include-cycle", f"共用指标块“{target}”又引用回了自己（循环引用）", ctx)
        return None
    if len(ctx.chain) > MAX_DEPTH:
        _problem(positions, local, "include-depth", f"共用指标块嵌套引用超过 {MAX_DEPTH} 层", ctx)
        return None
    if not file.is_file():
        _problem(positions, local, "include-missing", f"找不到共用指标块“{target}”（{ctx.display(file)}）", ctx)
        return None
    ctx.out.files.append(file)
    loaded = ctx.load(file)
    if isinstance(loaded, Diagnostic):
        ctx.out.diagnostics.append(loaded)
        return None
    ctx.out.diagnostics.extend(loaded.diagnostics)
    if loaded.data is None:
        return None
    if not isinstance(loaded.data, Mapping):
        ctx.out.diagnostics.append(
            Diagnostic(
                loaded.positions.file,
                1,
                1,
                "include-invalid",
                Severity.ERROR,
                "共用指标块的内容应是“名称: …”的映射（一组指标）",
            )
        )
        return None
    ctx.out.tables.append(loaded.positions.rerooted(where))
    chain, ctx.chain = ctx.chain, (*ctx.chain, file)
    try:
        return _expand(loaded.data, depth, where, (), loaded.positions, file, ctx)
    finally:
        ctx.chain = chain
