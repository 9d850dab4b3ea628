"""dump_spec writes YAML that reads back to exactly the data it was given."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetgen import jurisdiction as jurisdictions
from sheetgen.importers import ImportResult
from sheetgen.importers.common import spec_labels
from sheetgen.importers.yamlwriter import dump_spec, plain_ok

Seeds = dict[str, ImportResult]
GRID, PDF, DOCX = "000_843e70b5e72a22f4.txt", "001_7b6856de8c6b40d9.txt", "002_86ef9e7dadc5629d.txt"

TRICKY = [
    ">=90%", "<=10%", "=100%", "=", "<<", "≥99百分之", "yes", "No", "on", "OFF", "y", "n", "true", "False",
    "null", "Null", "~", "", " ", " lead", "trail ", "a: b", "a:b", "a:", "a #b", "a#b", "#x", "- x", "-x",
    "? x", "?x", ": x", "[a]", "{a}", "a, b", "'q'", '"q"', "@x", "`x", "%x", "!x", "&x", "*x", "|x", ">x",
    "123", "-5", "+7", "1.5", "26.50", ".5", "1e5", "1.5e3", "1_000", "0x1F", "0o17", "0b11", "1:20", "12:30:45",
    ".inf", "-.Inf", ".NaN", "2020-01-01", "2020-02-30", "2020-1-1 10:00", "---", "--- x", "...", "... x",
    "a\nb", "a\n", "\na", "a\n\nb", "  a\nb", "a\n  b", "a  \nb", "a\tb", "\t", "a\rb", "\x00", "\x85", "\u2028",
    "\ufeff", "\x7f", "中文", "中文：冒号", "检察院工作人员满意度: 高", "项目名称 #1", "\u3000全角空格",
    "\\", "\\n", "'", '"', "a'b", 'a"b', "%", "@", "\U0001f600",
]  # fmt: skip


def test_tricky_strings_round_trip(exact: Callable[[str], Any]) -> None:
    data = {"values": {text: text for text in TRICKY if text}, "list": TRICKY, "empty": ""}
    assert exact(dump_spec(data)) == data
    assert yaml.safe_load(dump_spec(data)) == data


def test_chinese_is_never_escaped() -> None:
    text = dump_spec({"overview": "第一段：说明\n第二段", "name": "检察院工作人员满意度: 高", "v": ">=90%"})
    assert "\\u" not in text and "第一段：说明" in text
    assert "overview: |-\n  第一段：说明\n  第二段\n" in text
    assert 'name: "检察院工作人员满意度: 高"' in text
    assert 'v: ">=90%"' in text


def test_scalars_are_written_as_the_spec_asks(exact: Callable[[str], Any]) -> None:
    data = {
        "total": Decimal("26.50"),
        "big": Decimal("2468000"),
        "tiny": Decimal("1E-7"),
        "huge": Decimal("1E+3"),
        "date": dt.date(2020, 1, 1),
        "yes": True,
        "no": False,
        "none": None,
        "year": 2024,
        "code": "263101",
        "empty_list": [],
        "empty_map": {},
    }
    text = dump_spec(data)
    assert "total: 26.50\n" in text and "big: 2468000\n" in text and "huge: 1000\n" in text
    assert "date: 2020-01-01\n" in text and '"yes": true\n' in text and "none:\n" in text
    assert 'code: "263101"\n' in text
    loaded = exact(text)
    assert str(loaded["total"]) == "26.50" and loaded["tiny"] == Decimal("1E-7")
    assert loaded == data


def test_labels_become_comments() -> None:
    text = dump_spec({"name": "x", "budget": {"total": Decimal(1)}}, {"name": "项目名称", "budget.total": "预算数"})
    assert text.splitlines()[0].startswith("name: x ") and text.splitlines()[0].endswith("# 项目名称")
    assert text.splitlines()[2].endswith("# 预算数")
    assert yaml.safe_load(text) == {"name": "x", "budget": {"total": 1}}


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        dump_spec({"total": 26.5})


@pytest.mark.parametrize("seed", [GRID, PDF, DOCX])
def test_every_seed_project_round_trips(
    seeds: Seeds, exact: Callable[[str], Any], canonical: Callable[[Any], Any], seed: str
) -> None:
    result = seeds[seed]
    labels = spec_labels(jurisdictions.load(result.defaults["jurisdiction"]))
    for data in [result.defaults, *(p.data for p in result.projects)]:
        text = dump_spec(data, labels)
        assert "\\u" not in text
        assert canonical(exact(text)) == canonical(data)


# Anything a spec can hold: text (any characters), exact amounts, dates, booleans, None, lists of text.
_text = st.text(max_size=40)
_amount = st.decimals(min_value=0, max_value=10**12, places=2).filter(lambda d: not d.is_signed())
_leaf = st.one_of(_text, _amount, st.integers(), st.dates(), st.booleans(), st.none(), st.lists(_text, max_size=3))
_keys = st.text(max_size=20)
_tree = st.recursive(_leaf, lambda inner: st.dictionaries(_keys, inner, max_size=4), max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(data=st.dictionaries(_keys, _tree, max_size=5))
def test_any_spec_shaped_data_round_trips(
    exact: Callable[[str], Any], canonical: Callable[[Any], Any], data: dict[str, Any]
) -> None:
    assert canonical(exact(dump_spec(data))) == canonical(data)


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_any_text_round_trips_as_value_key_and_list_item(text: str) -> None:
    data = {"value": text, text: "key", "items": [text]}
    assert yaml.safe_load(dump_spec(data)) == data
    if plain_ok(text):
        assert f"value: {text}\n" in dump_spec({"value": text})
