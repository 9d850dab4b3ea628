"""The indicator tree: 一级 → 二级 → 三级 mappings, each row a value or a full-form mapping."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sheetgen.errors import Diagnostic, Severity
from sheetgen.spec.files import LoadedSpec
from sheetgen.spec.values import as_text, describe
from sheetgen.spec.yamlload import invisible_difference, printed_form
from sheetgen.validation.schema import core_label, level_label

if TYPE_CHECKING:
    from sheetgen.validation.cerberus_check import SchemaCheck


def _not_a_level(jurisdiction: Any, level: int, name: str, found: Any) -> str:
    """Return the message for a 一级/二级 entry whose content is not the next level's mapping."""
    below = level_label(jurisdiction, level + 1)
    rows = "（一行一个，“名称: 值”）" if level == 2 else ""
    return (f"{level_label(jurisdiction, level)}“{name}”下面应列出{below}{rows}，这里却是{describe(found)}；"
            f"是不是少了一层{below}或缩进不对？")


def check_tree(tree: Any, check: SchemaCheck, loaded: LoadedSpec) -> tuple[Any, list[Diagnostic]]:
    """Return the normalized indicator tree and its problems."""
    problems: list[Diagnostic] = []
    jurisdiction = check.jurisdiction

    def problem(path: tuple[str, ...], code: str, message: str, *, key: bool = False) -> None:
        file, line, col = loaded.locate(path, key=key)
        depth = len(path) - 1
        label = level_label(jurisdiction, depth) if 1 <= depth <= 3 else core_label("indicators")
        problems.append(Diagnostic(file, line, col, code, Severity.ERROR, message, label, ".".join(path)))

    def twins(names: list[str], parent: tuple[str, ...], code: str) -> None:
        """Report each name that prints like an earlier one of the same mapping (they differ only
        by invisible characters, e.g. one from a shared block and one written in the spec)."""
        first: dict[str, str] = {}
        for name in names:
            printed = printed_form(name)
            if printed not in first:
                first[printed] = name
                continue
            file, line, _col = loaded.locate((*parent, first[printed]), key=True)
            here = loaded.locate((*parent, name), key=True)[0]
            where = f"第 {line} 行" if file == here else f"{file} 第 {line} 行"
            what = "指标" if code == "duplicate-indicator" else "名称"
            problem((*parent, name), code,
                    f"同一组里{what}“{printed}”出现了两次（{where}已有）：两处只差空格或看不见的字符"
                    f"（{invisible_difference(name, first[printed])}），表上会印成两行一样的；请删去一处或改名",
                    key=True)

    root = ("indicators",)
    if not isinstance(tree, Mapping) or not tree:
        what = "是空的" if isinstance(tree, Mapping) or tree is None else f"是{describe(tree)}"
        problem(root, "indicator-shape", f"{core_label('indicators')}{what}；应按 一级 → 二级 → 三级: 值 逐层列出")
        return tree, problems
    normalized: dict[str, Any] = {}
    twins([str(k) for k in tree], root, "duplicate-key")
    for level1, groups in tree.items():
        path1 = (*root, str(level1))
        if not isinstance(groups, Mapping) or not groups:
            problem(path1, "indicator-shape", _not_a_level(jurisdiction, 1, str(level1), groups))
            continue
        out1: dict[str, Any] = {}
        normalized[str(level1)] = out1
        twins([str(k) for k in groups], path1, "duplicate-key")
        for level2, rows in groups.items():
            path2 = (*path1, str(level2))
            if rows is None or (isinstance(rows, Mapping) and not rows):
                out1[str(level2)] = {}  # an empty 二级 group: printed as one blank row with its name
                continue
            if not isinstance(rows, Mapping):
                problem(path2, "indicator-shape", _not_a_level(jurisdiction, 2, str(level2), rows))
                continue
            out2: dict[str, Any] = {}
            out1[str(level2)] = out2
            twins([str(k) for k in rows], path2, "duplicate-indicator")
            for name, row in rows.items():
                if isinstance(row, str):  # the usual row: ``name: value``
                    out2[str(name)] = row
                    continue
                path3 = (*path2, str(name))
                if isinstance(row, Mapping):
                    document = check.row.normalized(row)
                    if document is not None:
                        out2[str(name)] = document
                    else:
                        problems.extend(check.problems(check.row, loaded, path3))
                        out2[str(name)] = dict(row)
                elif isinstance(row, list):
                    problem(path3, "wrong-type", f"指标“{name}”的值应是文字，这里是{describe(row)}")
                else:
                    out2[str(name)] = as_text(row)
    return normalized, problems
