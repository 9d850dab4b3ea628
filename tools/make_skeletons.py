"""Derive each jurisdiction's usual indicator rows from the seed specs into
``templates/<name>/skeletons.yaml`` (used by ``sheetgen new``).

Usage: ``python tools/make_skeletons.py [--check]``.  For every jurisdiction
used in ``specs/``, the specs are grouped by 绩效类型 (``performance_type``,
when the jurisdiction has it) and a row (一级, 二级, 三级 name) is kept when
it appears in more than half of the group's specs (and in at least two),
with the value most of them give it; a row without such a value is left out
(the user writes project-specific rows anyway).  A group (一级, 二级) most
specs have but without such a row gets one placeholder row named ``待填写``
(``sheetgen check`` reports it as still to fill).  The dates of most specs
(e.g. 01-01 to 12-31) are kept as month-day.  With ``--check`` nothing is
written; the exit status is 1 when a committed file differs.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sheetgen import jurisdiction as jurisdictions  # noqa: E402
from sheetgen.importers.yamlwriter import dump_spec  # noqa: E402
from sheetgen.spec.files import discover, read_spec  # noqa: E402
from sheetgen.validation import Checker  # noqa: E402
from sheetgen.validation.rules import TO_FILL  # noqa: E402

SPECS = ROOT / "specs"
TEMPLATES = ROOT / "templates"
TYPE_FIELD = "performance_type"
Row = tuple[str, str, str]


def _majority(values: Sequence[Any]) -> Any:
    """Return the value more than half of ``values`` share, or None."""
    counted = Counter(json.dumps(v, ensure_ascii=False, sort_keys=True) for v in values)
    text, count = counted.most_common(1)[0]
    return json.loads(text) if count * 2 > len(values) else None


def usual_rows(trees: Sequence[Mapping[str, Any]], jurisdiction: jurisdictions.Jurisdiction) -> dict[str, Any]:
    """Return the indicator tree of the rows most of ``trees`` share, with their usual values."""
    seen: dict[Row, list[Any]] = defaultdict(list)
    groups: Counter[tuple[str, str]] = Counter()
    order: dict[tuple[str, ...], int] = {}
    for tree in trees:
        for level1, level2s in tree.items():
            for level2, rows in level2s.items():
                groups[(level1, level2)] += 1
                order.setdefault((level1, level2), len(order))
                for name, row in rows.items():
                    key = (level1, level2, name)
                    seen[key].append(row)
                    order.setdefault(key, len(order))
    level1_rank = {n: i for i, n in enumerate(jurisdiction.level1_names)}
    level2_rank = {n: i for i, n in enumerate(jurisdiction.level2_names)}

    def rank(key: tuple[str, ...]) -> tuple[int, int, int]:
        group = order[key[:2]]
        return level1_rank.get(key[0], 99), level2_rank.get(key[1], 99) * 1000 + group, order[key]

    kept = []
    for key, rows in seen.items():
        if len(rows) * 2 <= len(trees) or len(rows) < 2:
            continue
        value = _majority(rows)
        if value is None or (isinstance(value, dict) and value.get("value") in (None, "")) or value == "":
            continue
        kept.append((rank(key), key, value))
    full_form = sum(isinstance(r, Mapping) for rows in seen.values() for r in rows) * 2 > sum(map(len, seen.values()))
    columns = [c["key"] for c in jurisdiction.indicator_columns if c.get("key") != "name"] or ["value"]
    placeholder = {c: TO_FILL for c in columns} if full_form else TO_FILL
    filled = {key[:2] for _rank, key, _value in kept}
    for group, count in groups.items():
        if count * 2 > len(trees) and count >= 2 and group not in filled:
            kept.append((rank(group), (*group, TO_FILL), placeholder))
    out: dict[str, Any] = {}
    for _rank, (level1, level2, name), value in sorted(kept, key=lambda item: item[0]):
        out.setdefault(level1, {}).setdefault(level2, {})[name] = value
    return out


def usual_dates(specs: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> dict[str, str]:
    """Return the month-day most specs give each date field (e.g. start_date: 01-01)."""
    out = {}
    for key in keys:
        values = [spec[key].strftime("%m-%d") for spec in specs if hasattr(spec.get(key), "strftime")]
        usual = _majority(values) if values else None
        if usual:
            out[key] = usual
    return out


def skeletons(name: str, specs: Sequence[Mapping[str, Any]]) -> str:
    """Return the text of ``templates/<name>/skeletons.yaml`` derived from ``specs``."""
    found = jurisdictions.load(name)
    fields = found.schema.get("fields") or {}
    date_keys = [k for k, rule in fields.items() if rule.get("type") == "date"]
    data: dict[str, Any] = {}
    if TYPE_FIELD in fields:
        data["type_field"] = TYPE_FIELD
    dates = usual_dates(specs, date_keys)
    if dates:
        data["dates"] = dates
    data["default"] = {"specs": len(specs), "indicators": usual_rows([s["indicators"] for s in specs], found)}
    if TYPE_FIELD in fields:
        groups: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        for spec in specs:
            groups[str(spec[TYPE_FIELD])].append(spec)
        data["types"] = {
            kind: {"specs": len(group), "indicators": usual_rows([s["indicators"] for s in group], found)}
            for kind, group in sorted(groups.items())
        }
    labels = {
        "type_field": "按这个字段（绩效类型）选常用指标",
        "dates": "日期字段常用的月-日（年份取年度）",
        "default": "不指定绩效类型时：大多数项目都有的指标",
        "types": "各绩效类型：该类大多数项目都有的指标",
    }
    header = (
        f"# {found.title}：sheetgen new 预填的常用指标，由 tools/make_skeletons.py 从 specs/ 的项目说明生成。\n"
        "# 规则：某一类里一半以上的项目（至少 2 个）都有、且大多数取同一个值的指标才收入。\n"
        "# 可以手改（例如加上本地常用的指标）；specs 是推算时用到的项目数。\n"
    )
    return header + dump_spec(data, labels)


def main(argv: list[str] | None = None) -> int:
    """Regenerate (or with ``--check`` compare) every skeletons.yaml; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="只比较，不写文件")
    args = parser.parse_args(argv)
    checker = Checker()
    by_jurisdiction: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    found, _ = discover([SPECS])
    for spec in found:
        validated = checker.validate(read_spec(spec))
        if validated.data is None or validated.jurisdiction is None:
            print(f"跳过有错误的 {spec.display}")
            continue
        by_jurisdiction[validated.jurisdiction.name].append(validated.data)
    stale = 0
    for name, specs in sorted(by_jurisdiction.items()):
        path = TEMPLATES / name / "skeletons.yaml"
        text = skeletons(name, specs)
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        stale += 1
        print(f"{'不一致' if args.check else '写入'}：{path.relative_to(ROOT)}")
        if not args.check:
            path.write_text(text, encoding="utf-8")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
