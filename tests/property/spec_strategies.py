"""Hypothesis strategies for spec data (holds no tests; imported by the property tests).

:func:`valid_specs` draws a whole valid project of either built-in jurisdiction
as plain data plus the model the tables must show:

* text of CJK, Latin, digits, spaces (also U+3000) and the punctuation people
  type (``：；，“”《》（）`` and ASCII), sometimes with pieces that look like
  template tags, formulas, Excel escapes (``_x0041_``), XML, tabs, emoji;
* long texts with line breaks (empty lines too), empty optional fields;
* 1 to 200 indicators in shapes from one huge group to forty 一级 of one row;
  一级/二级 names, 项目类别 and 绩效类型 from the jurisdiction's vocabulary or outside it;
* target values: every comparator (``≥ ≤ = > < >= <= ＝``), integer and
  decimal numbers, every unit form (``% ％ 次 万元 元 万 小时`` or none);
  qualitative text; or empty;
* amounts in the table's unit or the other one (``budget.unit``), dates from 1800 on;
* money-valued 成本 rows kept within the budget, Tianjin's 预算数 equal to its parts,
  Shanghai's 当年预算 ≤ 总预算 and 上年执行数 ≤ 上年预算额 (the format's ``at_most`` rules).
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import Any

from hypothesis import strategies as st

from sheetgen import jurisdiction as jurisdictions
from sheetgen.spec.yamlload import printed_form

SHANGHAI = jurisdictions.load("shanghai")
TIANJIN = jurisdictions.load("tianjin")
MAX_ROWS = 200
# Dates from here on: Excel has no dates before 1900-01-01 (the table then shows the text), and
# counts a 1900-02-29 that never was.
FIRST_DAY = dt.date(1800, 1, 1)
EXCEL_FIRST_DAY = dt.date(1900, 1, 1)

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
PUNCTUATION = "：；，“”《》（）、。！？·—…【】「」‘’-_/.,;:()[]{}#&*!|>'\"%@`~^$+=<\\"
CHAR = st.one_of(
    CJK,
    CJK,
    CJK,
    st.sampled_from(string.ascii_letters),
    st.sampled_from(string.digits),
    st.sampled_from(PUNCTUATION),
    st.sampled_from(" \u3000"),
)
# Pieces a user (or a copy from elsewhere) may well put in a text.
ODD_PIECES = (
    "_x0041_", "_x005F_", "{{ 7*7 }}", "{% for x in y %}", "{#", "=SUM(A1:A2)", "+1", "-1", "@x", "&amp;", "<b>",
    "]]>", "\t", "😀", "𠀀", "１２３", "Ⅻ", "\u00a0", "  ", "2020-01-01", "true", "null", "# x", ": y", "- z",
)  # fmt: skip
PIECE = st.one_of(
    st.text(CHAR, min_size=1, max_size=12), st.text(CHAR, min_size=1, max_size=12), st.sampled_from(ODD_PIECES)
)


def text(min_size: int = 0, max_pieces: int = 5) -> st.SearchStrategy[str]:
    """Return a strategy of one-line mixed text."""
    return st.lists(PIECE, min_size=min_size, max_size=max_pieces).map("".join)


LINE = text()
LONG_TEXT = st.one_of(
    st.just(""),
    LINE,
    st.lists(st.lists(PIECE, max_size=12).map("".join), min_size=2, max_size=6).map("\n".join),
)
NAME = text(min_size=1, max_pieces=4).filter(lambda t: len(t) <= 60)
# In the indicator tree ``include`` pulls in a block file (docs/spec.md), so it is no name there.
TREE_NAME = NAME.filter(lambda t: t != "include")

COMPARATORS = ("≥", "≤", "=", ">", "<", ">=", "<=", "＝")
UNITS = ("%", "％", "次", "万元", "元", "万", "小时", "")
MONEY_FACTOR = {"元": Decimal(1), "万元": Decimal(10000), "万": Decimal(10000)}
COST_GROUPS = ("成本", "成本指标", "经济成本指标")
NOT_A_START = set("≥≤=＝><＞＜≠!")


@st.composite
def comparison(draw: st.DrawFn) -> str:
    """Return a comparison value such as ``≥90%``, ``= 2.5万元`` or ``<12``."""
    number = draw(
        st.one_of(
            st.integers(0, 10**6).map(str),
            st.tuples(st.integers(0, 9999), st.integers(0, 99)).map(lambda t: f"{t[0]}.{t[1]:02d}"),
        )
    )
    space = draw(st.sampled_from(("", "", " ")))
    return f"{draw(st.sampled_from(COMPARATORS))}{space}{number}{draw(st.sampled_from(UNITS))}"


QUALITATIVE = text(min_size=1).filter(lambda t: t.strip()[:1] not in NOT_A_START)
VALUE = st.one_of(comparison(), comparison(), QUALITATIVE, st.none())


@dataclass
class Row:
    """One indicator row as the table must show it."""

    level1: str
    level2: str
    name: str
    value: str | None
    description: str | None


@dataclass
class Drawn:
    """A drawn spec: its data (``defaults`` goes to ``_defaults.yaml``) and what the table shows."""

    jurisdiction: str
    data: dict[str, Any]
    defaults: dict[str, Any]
    tree: list[tuple[str, list[tuple[str, list[Row]]]]] = field(default_factory=list)

    @property
    def merged(self) -> dict[str, Any]:
        return {**self.defaults, **self.data}

    @property
    def rows(self) -> list[Row]:
        return [row for _, groups in self.tree for _, rows in groups for row in rows]


SHAPES = st.one_of(
    st.lists(st.lists(st.integers(1, 8), min_size=1, max_size=6), min_size=1, max_size=8),
    st.integers(1, 40).map(lambda n: [[1]] * n),  # many 一级 of one row each
    st.integers(1, 60).map(lambda n: [[1] * n]),  # one 一级 with many 二级
    st.integers(1, MAX_ROWS).map(lambda n: [[n]]),  # one huge group
    st.lists(st.lists(st.integers(1, 40), min_size=1, max_size=3), min_size=1, max_size=5),
    # the largest trees: 200 rows in one group, 40 一级 of 5 rows, two 一级 of 100 二级 each
    st.sampled_from(([[MAX_ROWS]], [[5]] * 40, [[1] * 100] * 2, [[25] * 4] * 2)),
)


def _clamp(shape: list[list[int]]) -> list[list[int]]:
    """Return ``shape`` cut to at most MAX_ROWS rows in all."""
    out, left = [], MAX_ROWS
    for groups in shape:
        kept = []
        for count in groups:
            if left <= 0:
                break
            kept.append(min(count, left))
            left -= kept[-1]
        if kept:
            out.append(kept)
    return out


# Hypothesis bounds how much it draws for one example; a big tree therefore draws a few texts
# and makes its names from them and the row number (``text·012``), distinct by construction.  The
# number has three digits: with one, a long vocabulary word plus ``·9`` would be a near-miss of
# that word (two extra characters), which check refuses as a typo.
FEW = 8


def _pick(draw: st.DrawFn, count: int, base: st.SearchStrategy[Any], *, distinct: bool = False) -> list[Any]:
    """Return ``count`` values of ``base`` (names that print differently if ``distinct``: two names
    that differ only by spaces or invisible characters print as the same row, which check refuses)."""
    if count <= FEW:
        return draw(st.lists(base, min_size=count, max_size=count, unique_by=printed_form if distinct else None))
    pool = draw(st.lists(base, min_size=1, max_size=4))
    picks = [pool[draw(st.integers(0, len(pool) - 1))] for _ in range(count)]
    return [f"{p}·{i:03d}" for i, p in enumerate(picks, 1)] if distinct else picks


def _names(draw: st.DrawFn, count: int, vocabulary: Sequence[str]) -> list[str]:
    """Return ``count`` distinct level names, from ``vocabulary`` or made up."""
    pick = st.one_of(st.sampled_from(vocabulary), st.sampled_from(vocabulary), TREE_NAME) if vocabulary else TREE_NAME
    return _pick(draw, count, pick, distinct=True)


ROW_FORMS = ("compact", "full", "full-no-value", "full-no-description")


@st.composite
def indicator_tree(draw: st.DrawFn, jurisdiction: jurisdictions.Jurisdiction) -> tuple[dict[str, Any], list]:
    """Return (the spec's ``indicators`` mapping, the tree of rows it prints)."""
    shape = _clamp(draw(SHAPES))
    tianjin = jurisdiction.name == "tianjin"
    level1_names = _names(draw, len(shape), jurisdiction.level1_names)
    data: dict[str, Any] = {}
    tree = []
    for level1, groups in zip(level1_names, shape, strict=True):
        level2_names = _names(draw, len(groups), jurisdiction.level2_names)
        data[level1] = {}
        printed_groups = []
        for level2, count in zip(level2_names, groups, strict=True):
            names = _pick(draw, count, TREE_NAME, distinct=True)
            values = _pick(draw, count, VALUE)
            forms = _pick(draw, count, st.sampled_from(ROW_FORMS))
            descriptions = _pick(draw, count, st.one_of(LINE, st.none())) if tianjin else [None] * count
            rows_data: dict[str, Any] = {}
            rows = []
            for name, value, form, description in zip(names, values, forms, descriptions, strict=True):
                if form == "compact":
                    rows_data[name] = value
                    description = None
                else:
                    row: dict[str, Any] = {}
                    if tianjin and form != "full-no-description":
                        row["description"] = description
                    else:
                        description = None
                    if form == "full-no-value":
                        value = None
                    else:
                        row["value"] = value
                    rows_data[name] = row
                rows.append(Row(level1, level2, name, value, description))
            data[level1][level2] = rows_data
            printed_groups.append((level2, rows))
        tree.append((level1, printed_groups))
    return data, tree


def _cost_need(tree: list, budget_factor: Decimal) -> Decimal:
    """Return the largest amount (in the budget's unit) a 成本 row caps the cost at."""
    need = Decimal(0)
    for _, groups in tree:
        for level2, rows in groups:
            if level2 not in COST_GROUPS:
                continue
            for row in rows:
                value = (row.value or "").strip()
                comparator = next((c for c in (">=", "<=", *COMPARATORS) if value.startswith(c)), None)
                if comparator is None or comparator in ("≥", ">", ">="):
                    continue
                rest = value[len(comparator) :].strip()
                digits = rest.rstrip("".join(set("".join(UNITS))))
                unit = rest[len(digits) :]
                if unit in MONEY_FACTOR:
                    need = max(need, Decimal(digits) * MONEY_FACTOR[unit] / budget_factor)
    return need


def _word(key: str) -> st.SearchStrategy[str]:
    """Return a strategy of a Shanghai header word: mostly from the field's closed vocabulary
    (``meta.vocabulary`` in schema.yaml), sometimes a made-up one (a warning, still printed)."""
    words = SHANGHAI.field_vocabularies[key][1]
    return st.one_of(st.sampled_from(words), st.sampled_from(words), NAME)


def _amount(places: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(0, high * 10**places).map(lambda n: Decimal(n).scaleb(-places))


def _maybe_text_amount(amount: Decimal) -> st.SearchStrategy[Any]:
    """Return the amount as written in YAML: a number, or text with thousands separators."""
    return st.sampled_from((amount, amount, f"{amount:,}"))


@st.composite
def valid_specs(draw: st.DrawFn, which: str | None = None) -> Drawn:
    """Return a valid spec of ``which`` jurisdiction (either when None)."""
    which = which or draw(st.sampled_from(("shanghai", "tianjin")))
    jurisdiction = SHANGHAI if which == "shanghai" else TIANJIN
    indicators, tree = draw(indicator_tree(jurisdiction))
    year = draw(st.integers(1990, 2100))
    unit: dict[str, Any] = {"name": draw(NAME)}
    header: dict[str, Any] = {"name": draw(NAME)}
    if draw(st.booleans()):
        header["number"] = draw(st.integers(1, 999))
    if which == "shanghai":
        usual, early = st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)), st.dates(FIRST_DAY, dt.date(1900, 3, 1))
        start = draw(st.one_of(usual, usual, st.dates(FIRST_DAY, dt.date(2100, 12, 31)), early))
        end = draw(st.dates(start, dt.date(2100, 12, 31)))
        header |= {
            "category": draw(_word("category")),
            "start_date": start,
            "end_date": end,
            "government_purchase": draw(st.booleans()),
            "performance_type": draw(_word("performance_type")),
        }
        for key in ("overview", "basis", "necessity", "safeguards", "plan", "goals"):
            header[key] = draw(LONG_TEXT)
        money_unit = draw(st.sampled_from((None, "元", "万元")))  # budget.unit; the table prints 元
        places, high = (4, 10**6) if money_unit == "万元" else (0, 10**10)
        money = _amount(places, high)
        need = _cost_need(tree, MONEY_FACTOR[money_unit or "元"]).quantize(Decimal(1).scaleb(-places), ROUND_CEILING)
        total = max(draw(money), need)
        budget: dict[str, Any] = {"total": total, "current_year": min(draw(money), total)}  # 当年 ≤ 总预算
        for key in ("last_year", "last_year_spent"):  # optional: absent, blank or an amount
            if draw(st.booleans()):
                budget[key] = draw(st.one_of(st.none(), money))
        if budget.get("last_year") is not None and budget.get("last_year_spent") is not None:
            budget["last_year_spent"] = min(budget["last_year_spent"], budget["last_year"])  # 执行数 ≤ 预算额
    else:
        if draw(st.booleans()):
            unit["code"] = draw(st.from_regex(r"[0-9]{6}", fullmatch=True))
        money_unit = draw(st.sampled_from((None, "万元", "元")))  # budget.unit; the table prints 万元
        high = 10**6 if money_unit != "元" else 10**10
        fiscal = draw(_amount(2, high))
        other = draw(st.one_of(st.none(), _amount(2, high // 10)))
        need = _cost_need(tree, MONEY_FACTOR[money_unit or "万元"]).quantize(Decimal("0.01"), ROUND_CEILING)
        total = fiscal + (other or 0)
        if total < need:
            fiscal += need - total
            total = need
        budget = {"total": total, "fiscal": fiscal}
        if other is not None or draw(st.booleans()):
            budget["other"] = other
        header |= {"purpose": draw(LONG_TEXT), "targets": draw(st.lists(LONG_TEXT, max_size=5))}
    header["budget"] = {k: v if v is None else draw(_maybe_text_amount(v)) for k, v in budget.items()}
    if money_unit is not None:
        header["budget"]["unit"] = money_unit
    header["indicators"] = indicators
    common = {"jurisdiction": which, "year": year, "unit": unit}
    keys = draw(st.permutations(list(header)))
    data = {k: header[k] for k in keys}
    if draw(st.booleans()):  # the unit's shared keys in _defaults.yaml
        return Drawn(which, data, common, tree)
    return Drawn(which, {**common, **data}, {}, tree)


def as_amount(value: Any, unit: str | None = None, table_unit: str = "元") -> Decimal | None:
    """Return a drawn amount (number or text with separators, in ``unit``) in the table's unit."""
    if value is None:
        return None
    amount = Decimal(str(value).replace(",", ""))
    return amount * MONEY_FACTOR[unit or table_unit] / MONEY_FACTOR[table_unit]


def header_value(data: Mapping[str, Any], dotted: str) -> Any:
    """Return the value at a dotted path of spec data (None when absent)."""
    value: Any = data
    for part in dotted.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value
