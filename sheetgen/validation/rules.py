"""Domain rules: plain functions over a normalized spec.

Each rule takes the normalized spec data and the jurisdiction and returns
:class:`Finding` s (a YAML path, a code, a severity and a Chinese message);
:func:`sheetgen.validation.validate` gives them file positions and labels.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

from sheetgen.errors import Severity
from sheetgen.jurisdiction import Jurisdiction
from sheetgen.measures import AT_LEAST, ParsedValue, parse_value  # the one parser of targets and actuals
from sheetgen.money import EXCEL_DIGITS, UNITS, convert, excel_shows, fits_excel, format_money, shows_exactly
from sheetgen.validation.findings import TO_FILL, Finding, Rule
from sheetgen.validation.vocabulary import vocabulary

_T = TypeVar("_T")
_KNOWN: dict[tuple[str, str, str], Any] = {}


def _once(jurisdiction: Jurisdiction, what: str, make: Callable[[], _T]) -> _T:
    """Return ``make()``, worked out once per jurisdiction (name and fingerprint) and ``what``."""
    key = (what, jurisdiction.name, jurisdiction.fingerprint)
    if key not in _KNOWN:
        if len(_KNOWN) >= 256:
            _KNOWN.pop(next(iter(_KNOWN)))
        _KNOWN[key] = make()
    return _KNOWN[key]  # type: ignore[no-any-return]


#: :func:`parse_value` of a target, kept for the values met most (specs repeat ``=100%``, ``有效`` ...).
_parsed_target = lru_cache(maxsize=4096)(parse_value)


def iter_indicators(data: Mapping[str, Any]) -> Iterator[tuple[tuple[str, ...], str, str, Any]]:
    """Return (path, 一级, 二级, row) for every indicator row of the spec."""
    tree = data.get("indicators")
    for level1, groups in (tree.items() if isinstance(tree, Mapping) else ()):
        for level2, rows in (groups.items() if isinstance(groups, Mapping) else ()):
            for name, row in (rows.items() if isinstance(rows, Mapping) else ()):
                yield ("indicators", str(level1), str(level2), str(name)), str(level1), str(level2), row


def row_value(row: Any) -> str | None:
    """Return the target value of an indicator row in compact or full form."""
    if isinstance(row, str):
        return str(row)
    if isinstance(row, Mapping):
        value = row.get("value")
        return None if value is None else str(value)
    return None if row is None else str(row)


def _day(value: Any) -> dt.date | None:
    """Return ``value`` if it is a date without a time of day (a time is the schema's error)."""
    return value if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else None


def dates_in_order(data: Mapping[str, Any], jurisdiction: Jurisdiction) -> Iterator[Finding]:
    """Return a finding when 计划开始日期 is after 计划完成日期."""
    start, end = _day(data.get("start_date")), _day(data.get("end_date"))
    if start is not None and end is not None and start > end:
        end_label, start_label = jurisdiction.label("end_date"), jurisdiction.label("start_date")
        yield Finding(("end_date",), "date-order", Severity.ERROR,
                      f"{end_label} {end.isoformat()} 早于{start_label} {start.isoformat()}")


def amounts_not_negative(data: Mapping[str, Any], jurisdiction: Jurisdiction) -> Iterator[Finding]:
    """Return a finding for every negative amount in the budget block."""
    budget = data.get("budget")
    for key, value in (budget.items() if isinstance(budget, Mapping) else ()):
        if isinstance(value, Decimal) and value < 0:
            yield Finding(("budget", key), "negative", Severity.ERROR, f"金额不能是负数（这里是 {value}）")


def budget_adds_up(data: Mapping[str, Any], jurisdiction: Jurisdiction) -> Iterator[Finding]:
    """Return a finding when the total is not the sum of its parts (e.g. 预算数 = 财政资金 + 其他资金)."""
    rule = jurisdiction.rules.budget_sum
    if rule is None:
        return
    budget = data.get("budget")
    if not isinstance(budget, Mapping):
        return
    total = budget.get(rule.total)
    parts = [budget.get(p) for p in rule.parts]
    if not isinstance(total, Decimal):
        return
    summed = sum((p for p in parts if isinstance(p, Decimal)), Decimal(0))
    if summed != total:

        def label(key: str) -> str:
            found = jurisdiction.declared(f"budget.{key}")
            return found.label if found else key

        shown = " + ".join(f"{label(p)} {budget.get(p) or 0}" for p in rule.parts)
        yield Finding(("budget", rule.total), "budget-sum", Severity.ERROR,
                      f"{label(rule.total)} {total} 不等于 {shown} = {summed}")


def _field_value(data: Mapping[str, Any], dotted: str) -> Any:
    value: Any = data
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def within_limits(data: Mapping[str, Any], jurisdiction: Jurisdiction) -> Iterator[Finding]:
    """Return an error for each ``field ≤ limit`` the jurisdiction declares
    (``rules.at_most`` in schema.yaml, e.g. 项目当年预算 ≤ 项目总预算) that the spec
    breaks; a pair with a blank side is not checked."""
    budget = data.get("budget")
    unit = str((budget.get("unit") if isinstance(budget, Mapping) else None) or jurisdiction.money_unit)
    for pair in jurisdiction.rules.at_most:
        field, limit = pair.field, pair.limit
        value, bound = _field_value(data, field), _field_value(data, limit)
        if isinstance(value, Decimal) and isinstance(bound, Decimal):
            shown, shown_bound = f"{value:,f} {unit}", f"{bound:,f} {unit}"
        elif _day(value) and _day(bound):
            shown, shown_bound = value.isoformat(), bound.isoformat()
        else:
            continue
        if value > bound:
            name, bound_name = jurisdiction.label(field), jurisdiction.label(limit)
            yield Finding(tuple(field.split(".")), "over-limit", Severity.ERROR,
                          f"{name} {shown} 大于{bound_name} {shown_bound}；{name}不能超过{bound_name}")


def _in_words(yuan: Decimal) -> str:
    """Return an amount in 元 the way people say it: 103.5 亿元, 246.8 万元, 500 元."""
    for unit in ("亿元", "万元"):
        if yuan >= UNITS[unit]:
            return f"{(yuan / UNITS[unit]).normalize():f} {unit}"
    return f"{yuan.normalize():f} 元"


def amounts_plausible(data: Mapping[str, Any], jurisdiction: Jurisdiction) -> Iterator[Finding]:
    """Return a warning for each amount outside what one project plausibly costs
    (``money.plausible`` of the jurisdiction, in 元), suggesting the ``budget.unit`` in
    which the figure would be plausible: a 元 figure typed into a 万元 table is 10,000
    times too large, a 万元 figure in a 元 table 10,000 times too small."""
    bounds = jurisdiction.plausible_range
    if bounds is None:
        return
    from sheetgen.validation.schema import core_schema

    low, high = bounds
    units = core_schema()["budget"]["schema"]["unit"]["allowed"]
    pattern, table_unit = jurisdiction.money_format, jurisdiction.money_unit
    for key, value, unit, printed in _amounts(data, jurisdiction):
        yuan = value * UNITS[unit]
        if value <= 0 or low <= yuan <= high or not fits_excel(printed, pattern):
            continue
        size = "大" if yuan > high else "小"
        span = (f"{_in_words(low)} 至 {_in_words(high)}" if high.is_finite() else f"至少 {_in_words(low)}") \
            if low else f"至多 {_in_words(high)}"
        message = f"{value:,f} {unit}（即 {_in_words(yuan)}）对一个项目来说{size}得不寻常（本格式的合理范围是{span}）"
        other = next((u for u in units if u != unit and u in UNITS and low <= value * UNITS[u] <= high), None)
        if other:
            message += (f"；如果这是按{other}填写的金额，请在 budget 下写 unit: {other}"
                        f"（表上会显示为 {format_money(convert(value, other, table_unit), pattern)} {table_unit}）")
        else:
            message += "；请检查是否多写或少写了 0"
        yield Finding(("budget", key), "implausible-amount", Severity.WARNING, message)


def cost_within_budget(data: Mapping[str, Any], jurisdiction: Jurisdiction) -> Iterator[Finding]:
    """Return a finding when a money-valued indicator of a cost group (``levels.cost_groups``
    of the jurisdiction, e.g. 成本) exceeds the project budget."""
    budget = data.get("budget")
    if not isinstance(budget, Mapping):
        return
    total = budget.get("total")
    if not isinstance(total, Decimal):
        return
    budget_unit = UNITS.get(str(budget.get("unit") or jurisdiction.money_unit), Decimal(1))
    for path, _level1, level2, row in iter_indicators(data):
        if level2 not in jurisdiction.levels.cost_groups:
            continue
        value = row_value(row)
        parsed = _parsed_target(value) if value else None
        if not isinstance(parsed, ParsedValue) or parsed.unit not in UNITS:
            continue
        if parsed.kind == AT_LEAST:
            continue
        amount = parsed.number * UNITS[parsed.unit] / budget_unit
        if amount > total:
            unit_name = str(budget.get("unit") or jurisdiction.money_unit)
            yield Finding((*path, "value") if isinstance(row, Mapping) else path, "cost-over-budget",
                          Severity.ERROR,
                          f"成本指标“{path[-1]}”的值 {value} 折合 {amount.normalize():f} {unit_name}，"
                          f"超过了项目预算 {total} {unit_name}")


def value_syntax(data: Mapping[str, Any], jurisdiction: Jurisdiction) -> Iterator[Finding]:
    """Return findings for malformed comparison values and warnings for empty ones."""
    for path, _level1, _level2, row in iter_indicators(data):
        value = row_value(row)
        value_path = path if isinstance(row, str) or not isinstance(row, Mapping) else (*path, "value")
        if value is None or not value.strip():
            yield Finding(value_path, "empty-value", Severity.WARNING,
                          f"指标“{path[-1]}”没有指标值；表格上会留空")
            continue
        parsed = _parsed_target(value)
        if isinstance(parsed, str):
            yield Finding(value_path, "value-syntax", Severity.ERROR, f"指标“{path[-1]}”的值“{value}”：{parsed}")


def nothing_to_review(data: Mapping[str, Any], jurisdiction: Jurisdiction) -> Iterator[Finding]:
    """Return an error for each text the importer could not place (``review:``)."""
    items = data.get("review")
    for index, item in enumerate(items if isinstance(items, list) else ()):
        text = item.get("text", "") if isinstance(item, Mapping) else str(item)
        source = item.get("source", "") if isinstance(item, Mapping) else ""
        yield Finding(("review", str(index)), "needs-review", Severity.ERROR,
                      f"导入时无法归位的文字“{str(text)[:40]}”（出处：{source}）；请放到正确的字段后删除这一项")


def _amounts(data: Mapping[str, Any], jurisdiction: Jurisdiction) -> Iterator[tuple[str, Decimal, str, Decimal]]:
    """Return (key, amount as written, its unit, amount in the table's unit) of each budget amount."""
    budget = data.get("budget")
    if not isinstance(budget, Mapping):
        return
    unit = str(budget.get("unit") or jurisdiction.money_unit)
    if unit not in UNITS or jurisdiction.money_unit not in UNITS:
        return
    for key, value in budget.items():
        if isinstance(value, Decimal):
            yield str(key), value, unit, convert(value, unit, jurisdiction.money_unit)


def amounts_fit_excel(data: Mapping[str, Any], jurisdiction: Jurisdiction) -> Iterator[Finding]:
    """Return an error for each amount Excel cannot store exactly as the table shows it.

    Excel keeps numbers as binary floats, exact to 15 significant digits:
    ``12345678901234567890`` would show as 12,345,678,901,234,600,000.  Such an
    amount is refused rather than written as text (see docs/spec.md): no real
    budget needs more than 15 digits, so it is a slip of the keyboard, and a
    text cell where a number belongs would not add up in the unit's workbook.
    """
    pattern = jurisdiction.money_format
    for key, value, unit, printed in _amounts(data, jurisdiction):
        if fits_excel(printed, pattern):
            continue
        shown = excel_shows(printed, pattern)
        where = f"表上会显示成 {shown}" if shown else "Excel 根本存不下这个数"
        yield Finding(("budget", key), "too-many-digits", Severity.ERROR,
                      f"金额 {value:f} {unit} 的位数太多：Excel 只能精确保存 {EXCEL_DIGITS} 位有效数字"
                      f"（整数部分最多 {EXCEL_DIGITS} 位），{where}；请检查是否多写了数字")


def amounts_print_exactly(data: Mapping[str, Any], jurisdiction: Jurisdiction) -> Iterator[Finding]:
    """Return a warning for each amount that the table's unit and number format would round.

    Amounts are printed in the jurisdiction's unit (元 in Shanghai, 万元 in
    Tianjin); a spec may give them in another unit (``budget.unit``).
    """
    pattern = jurisdiction.money_format
    for key, value, unit, printed in _amounts(data, jurisdiction):
        if fits_excel(printed, pattern) and not shows_exactly(printed, pattern):
            yield Finding(("budget", key), "amount-rounded", Severity.WARNING,
                          f"{value} {unit} 折合 {printed.normalize():f} {jurisdiction.money_unit}，"
                          f"表上将显示为 {format_money(printed, pattern)}")


#: The most characters (UTF-16 code units, as Excel counts them) one Excel cell holds.
EXCEL_CELL_CHARS = 32_767


def _excel_length(text: str) -> int:
    """Return the length of ``text`` as Excel counts it (characters outside the BMP count twice)."""
    if not text or max(text) <= "\uffff":  # no character outside the BMP (the usual case, in C)
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _cell_texts(value: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], bool, int]]:
    """Return (path, whether it is a name, Excel length) of each text that fills one cell:
    every string and name, and each list of strings (printed numbered in one cell)."""
    if isinstance(value, Mapping):
        for key, child in value.items():
            yield (*path, str(key)), True, _excel_length(str(key))
            yield from _cell_texts(child, (*path, str(key)))
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        numbering = sum(len(f"{i}.") for i in range(1, len(value) + 1))
        yield path, True, sum(map(_excel_length, value)) + numbering + max(len(value) - 1, 0)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _cell_texts(child, (*path, str(index)))
    elif isinstance(value, str):
        yield path, False, _excel_length(value)


def _longest_cell(value: Any) -> int:
    """Return at least the Excel length of the longest text of ``value`` that fills one cell
    (as :func:`_cell_texts` finds them), counting each character as two: quick to work out,
    and a spec's texts are mostly far below the limit."""
    if isinstance(value, str):
        return 2 * len(value)
    longest = 0
    if isinstance(value, (dict, Mapping)):  # (a dict is told apart in C, before the ABC)
        for key, child in value.items():
            size = 2 * len(child) if isinstance(child, str) else _longest_cell(child)
            longest = max(longest, 2 * len(str(key)), size)
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        longest = 2 * sum(map(len, value)) + len(value) * (len(str(len(value))) + 2)  # numbers "1." and breaks
    elif isinstance(value, list):
        for child in value:
            longest = max(longest, _longest_cell(child))
    return longest


def texts_fit_cells(data: Mapping[str, Any], jurisdiction: Jurisdiction) -> Iterator[Finding]:
    """Return an error for each text longer than an Excel cell holds (32,767 characters)."""
    if _longest_cell(data) <= EXCEL_CELL_CHARS:
        return
    for path, at_key, length in _cell_texts(data, ()):
        if length > EXCEL_CELL_CHARS:
            yield Finding(path, "too-long", Severity.ERROR,
                          f"这段文字有 {length:,} 个字符，超过 Excel 一个单元格最多能放的 {EXCEL_CELL_CHARS:,} 个"
                          "（Excel 会截断或拒绝打开）；请删减，或把附件内容另附说明", at_key)


RULES: tuple[Rule, ...] = (
    dates_in_order, amounts_not_negative, budget_adds_up, within_limits, cost_within_budget, vocabulary,
    value_syntax, nothing_to_review, amounts_fit_excel, amounts_print_exactly, amounts_plausible, texts_fit_cells,
)


def apply_rules(data: Mapping[str, Any], jurisdiction: Jurisdiction) -> list[Finding]:
    """Return the findings of every domain rule on ``data``.

    A rule that fails on input nobody foresaw gives an error for this spec (which
    then is not built) instead of stopping the check or build of every other spec.
    """
    findings: list[Finding] = []
    for rule in RULES:
        try:
            findings.extend(rule(data, jurisdiction))
        except Exception as exc:  # one spec must never take down the run
            findings.append(Finding((), "internal-error", Severity.ERROR,
                                    f"检查规则 {rule.__name__} 在这份说明上出了内部错误（{type(exc).__name__}），"
                                    "所以不生成它的表格；其他项目不受影响。请把这份说明发给维护者"))
    return findings


def _fill_in_fields(rules: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """Return (path, label) of every required field in ``rules`` that may be written blank
    (``required`` and ``nullable``), descending into sub-mappings."""
    for key, rule in rules.items():
        if not isinstance(rule, Mapping) or key in ("indicators", "review"):
            continue
        path = (*prefix, str(key))
        if rule.get("required") and rule.get("nullable"):
            yield path, str(rule.get("meta", {}).get("label", key))
        if rule.get("type") == "dict" and isinstance(rule.get("schema"), Mapping):
            yield from _fill_in_fields(rule["schema"], path)


def _fill_in(jurisdiction: Jurisdiction) -> tuple[tuple[tuple[str, ...], str], ...]:
    """Return (path, label) of every required field a spec of ``jurisdiction`` may write blank."""
    from sheetgen.validation.schema import core_schema

    return (*_fill_in_fields(core_schema()), *_fill_in_fields({f.key: f.rules for f in jurisdiction.fields}),
            *_fill_in_fields({f.key: f.rules for f in jurisdiction.budget_fields}, ("budget",)))


def nothing_left_to_fill(data: Mapping[str, Any], jurisdiction: Jurisdiction) -> Iterator[Finding]:
    """Return a ``to-fill`` error for each required field still left blank (``key:`` with no
    value) and each indicator row whose name, value or column is still ``待填写``.

    Required fields are ``nullable`` in the schemas so that a draft -- such as
    the skeleton ``sheetgen new`` writes -- may leave them blank; this rule
    then names each one as still to fill, instead of a type or emptiness error.
    """
    from sheetgen.validation.schema import level_label

    for path, label in _once(jurisdiction, "fill-in", lambda: _fill_in(jurisdiction)):
        parent: Any = data
        for key in path[:-1]:
            parent = parent.get(key) if isinstance(parent, Mapping) else None
        if isinstance(parent, Mapping) and path[-1] in parent and parent[path[-1]] is None:
            yield Finding(path, "to-fill", Severity.ERROR, f"尚未填写：{label}", at_key=True)
    columns = _once(jurisdiction, "columns", lambda: {c.key: c.label for c in jurisdiction.indicator_columns})
    for path, level1, level2, row in iter_indicators(data):
        if path[-1] == TO_FILL:
            row_label = level_label(jurisdiction, 3)
            message = f"尚未填写：{level1} → {level2} 下的{row_label}（名称和各列）"
            yield Finding(path, "to-fill", Severity.ERROR, message, at_key=True)
            continue
        if isinstance(row, str) and TO_FILL not in row:  # the usual row: nothing to fill
            continue
        cells = row.items() if isinstance(row, Mapping) else [("value", row)]
        for column, text in cells:
            if isinstance(text, str) and text.strip() == TO_FILL:
                where = (*path, column) if isinstance(row, Mapping) else path
                yield Finding(where, "to-fill", Severity.ERROR,
                              f"尚未填写：指标“{path[-1]}”的{columns.get(str(column), str(column))}")


RULES = (*RULES, nothing_left_to_fill)
