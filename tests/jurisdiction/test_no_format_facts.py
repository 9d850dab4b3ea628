"""No format facts in sheetgen/: no string literal of the package (docstrings aside, and the
help text of cli.py, which may name the built-in formats as examples) is a label printed on
a table, a level name, a vocabulary word or a title found in any jurisdiction's data, nor
names a province.  Each such literal is a place where a new province's format would behave
differently from what its folder says."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import REPO

PACKAGE = REPO / "sheetgen"
#: The provincial-level divisions, in Chinese and pinyin.
PROVINCES = (
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽", "福建",
    "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南", "西藏", "陕西",
    "甘肃", "青海", "宁夏", "新疆", "台湾", "香港", "澳门",
)
PINYIN = re.compile(
    r"\b(beijing|tianjin|hebei|shanxi|neimenggu|liaoning|jilin|heilongjiang|shanghai|jiangsu|zhejiang|anhui|"
    r"fujian|jiangxi|shandong|henan|hubei|hunan|guangdong|guangxi|hainan|chongqing|sichuan|guizhou|yunnan|"
    r"xizang|shaanxi|gansu|qinghai|ningxia|xinjiang|taiwan|xianggang|aomen)\b", re.IGNORECASE)
#: Keyword arguments of argparse calls whose text is help for the command line.
HELP_KEYWORDS = {"help", "description", "epilog", "metavar"}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _labels(rules: Any) -> Iterator[str]:
    """Return the printed labels and vocabulary words of a schema.yaml section."""
    for rule in (rules or {}).values():
        if isinstance(rule, dict):
            meta = rule.get("meta") or {}
            if meta.get("label"):
                yield str(meta["label"])
            yield from (str(w) for w in meta.get("vocabulary") or ())


def format_facts() -> set[str]:
    """Return every printed word of every jurisdiction folder under templates/, and the words
    every format shares (sheetgen/data/common.yaml)."""
    words: set[str] = set()
    for folder in sorted((REPO / "templates").iterdir()):
        description_file, schema_file = folder / "jurisdiction.yaml", folder / "schema.yaml"
        if not description_file.is_file():
            continue
        description = yaml.safe_load(description_file.read_text(encoding="utf-8")) or {}
        for key in ("title", "budget_title"):
            if description.get(key):
                words.add(str(description[key]))
        words.update(_strings(description.get("levels")))
        words.update(_strings(description.get("level_labels")))
        words.update(str(c["label"]) for c in description.get("indicator_columns") or ())
        words.update(str(t.get("label")) for t in (description.get("tables") or {}).values() if t.get("label"))
        words.update(_strings((description.get("import") or {}).get("heading")))
        words.update(_strings((description.get("print") or {}).get("contents")))
        words.update(_strings(description.get("self_evaluation")))  # the 自评表's grades, words, titles
        words.update(str(k) for k in ((description.get("self_evaluation") or {}).get("level1") or {}))
        schema = yaml.safe_load(schema_file.read_text(encoding="utf-8")) if schema_file.is_file() else {}
        for section in ("fields", "budget", "indicator"):
            words.update(_labels((schema or {}).get(section)))
    common = yaml.safe_load((PACKAGE / "data" / "common.yaml").read_text(encoding="utf-8"))
    common["import"].pop("generic_titles")  # words a title may hold that name nothing (项目, 专项资金)
    words.update(_strings(common))
    return {w for w in words if re.search(r"[\u4e00-\u9fff]", w)}


def _docstrings(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _help_texts(tree: ast.Module) -> set[int]:
    """Return the ids of the string constants inside help=/description=/epilog= arguments."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in HELP_KEYWORDS:
            found.update(id(inner) for inner in ast.walk(node.value) if isinstance(inner, ast.Constant))
    return found


def literals() -> Iterator[tuple[str, int, str]]:
    """Return (file, line, text) of every string literal of the package that is code, not
    documentation or command-line help."""
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _docstrings(tree) | (_help_texts(tree) if path.name == "cli.py" else set())
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped:
                yield str(path.relative_to(REPO)), node.lineno, node.value


def test_the_scan_sees_the_format_facts() -> None:
    """The data holds the words this test looks for (so an empty scan cannot pass)."""
    words = format_facts()
    assert {"项目名称", "一级指标", "三级目标", "成本", "预算规模及资金用途", "绩效目标表"} <= words


def test_no_literal_in_the_package_is_a_format_fact() -> None:
    words = format_facts()
    found = [f"{file}:{line}: {text!r}" for file, line, text in literals() if text in words]
    assert not found, "printed words of a format belong in templates/<name>/ or sheetgen/data/:\n" + "\n".join(found)


def test_no_literal_in_the_package_names_a_province() -> None:
    found = [f"{file}:{line}: {text!r}" for file, line, text in literals()
             if any(name in text for name in PROVINCES) or PINYIN.search(text)]
    assert not found, "province names belong in templates/<name>/:\n" + "\n".join(found)


def test_the_scan_finds_a_label_put_back(tmp_path: Path) -> None:
    """A literal such as the old cost groups is found (the scan reads real code, not names)."""
    tree = ast.parse('COST = ("成本", "成本指标")\nMESSAGE = f"超过了{x}"\n')
    texts = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    assert [t for t in texts if t in format_facts()] == ["成本", "成本指标"]
