"""Compiling an Excel template sheet, once: rows, loops, merges, widths.

A row whose first cell is ``{%tr for x in expr %}`` opens a loop, a row
``{%tr endfor %}`` closes it; the marker rows are removed and the rows between
repeat per item.  Cell texts compile in :mod:`sheetgen.render.xlsx_cells`.
Merged ranges of the template are anchored on their first row (and so move
with it); every cell they cover is emitted, styled, so borders are drawn on
the whole range.  Column widths and fonts are resolved here for the row
height estimate.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from jinja2.sandbox import SandboxedEnvironment
from lxml import etree
from msgspec import Struct
from msgspec.structs import replace

from sheetgen import office
from sheetgen.errors import TemplateError
from sheetgen.render.xlsx_cells import EMPTY, EXPR, MIXED, RAW, VM, VM_TAG, Cell, CellCompiler, finish_static
from sheetgen.render.xlsx_styles import NS, StyleBook, Variants
from sheetgen.render.xlsx_text import COLUMNS, ooxml_unescape, parse_ref, xml_text

_Q = f"{{{NS}}}"
_TR = re.compile(r"^\{%-?\s*tr\s+(.*?)\s*-?%\}$", re.DOTALL)
_TR_FOR = re.compile(r"^for\s+([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s+in\s+(.+)$", re.DOTALL)


class Row(Struct, frozen=True):
    """One compiled template row: its cells and the merges anchored on it
    (first column, rows down, last column); the columns where a merge that stretches
    with the rows starts (``anchors``) or continues (``stretched``) on this row."""

    tref: int
    attrs: str
    height: float
    cells: tuple[Cell, ...]
    merges: tuple[tuple[int, int, int], ...]
    anchors: tuple[int, ...] = ()
    stretched: tuple[int, ...] = ()


class Stretch(Struct, frozen=True):
    """A template merge across ``{%tr %}`` marker rows: it starts at its first template row
    and ends with the last row rendered from the last template row it covers, so a label
    column merged over the indicator rows covers them however many there are."""

    first_row: int
    col: int
    last_row: int
    last_col: int


class Loop(Struct, frozen=True):
    """A ``{%tr for %}`` block: loop variables, the items and the body."""

    ref: str
    targets: tuple[str, ...]
    items: Callable[[Mapping[str, Any]], Any]
    body: tuple[Row | Loop | Choice, ...]
    test: Callable[[Mapping[str, Any]], Any] | None = None  # ``for x in y if test``: items it keeps


class Choice(Struct, frozen=True):
    """A ``{%tr if %}`` … ``{%tr elif %}`` … ``{%tr else %}`` … ``{%tr endif %}`` block: each
    branch's condition (None for ``else``) and rows; the first branch whose condition holds is printed."""

    ref: str
    branches: tuple[tuple[Callable[[Mapping[str, Any]], Any] | None, tuple[Row | Loop | Choice, ...]], ...]


class CellSource(Struct, frozen=True):
    """The Jinja text of one template cell (``vm``: the expression of a ``{%vm %}`` cell)
    and the ``{%tr for … %}`` statements around its row, outer first."""

    ref: str
    text: str
    loops: tuple[str, ...] = ()
    vm: bool = False


class CompiledSheet(Struct, frozen=True):
    """A compiled sheet body: rows and loops, column widths, last column and
    the default row height; the Jinja sources of its cells and loop markers."""

    body: tuple[Row | Loop | Choice, ...]
    widths: tuple[float, ...]
    last_col: int
    default_height: float
    sources: tuple[CellSource, ...] = ()
    stretches: tuple[Stretch, ...] = ()


# ------------------------------------------------------------------ reading


def _read_text(cell: etree._Element, strings: list[str]) -> str | None:
    kind = cell.get("t", "n")
    if kind == "s":
        value = cell.findtext(f"{_Q}v")
        try:
            return strings[int(value or "")]
        except (ValueError, IndexError):
            return ""
    if kind == "inlineStr":
        inline = cell.find(f"{_Q}is")
        return ooxml_unescape("".join(map(office.text_of, inline.itertext()))) if inline is not None else ""
    return None


def shared_strings(blob: bytes | None) -> list[str]:
    """Return the shared strings of a package (rich text flattened)."""
    if not blob:
        return []
    root = etree.fromstring(blob)
    return [ooxml_unescape("".join(map(office.text_of, si.itertext()))) for si in root.findall(f"{_Q}si")]


def _raw_suffix(cell: etree._Element) -> str:
    """Return the XML of a non-text template cell after ``r="…"``."""
    kind = cell.get("t", "n")
    parts = []
    formula = cell.find(f"{_Q}f")
    if formula is not None and formula.get("t") != "shared" and formula.text:
        parts.append(f"<f>{xml_text(formula.text)}</f>")
    value = cell.findtext(f"{_Q}v")
    if value is not None and kind in ("n", "b", "e", "str"):
        parts.append(f"<v>{xml_text(value)}</v>")
    if not parts:
        return ""
    return f' t="{kind}">' + "".join(parts) + "</c>"


# ------------------------------------------------------------------ compiler


class SheetCompiler:
    """Compile one template sheet (``what`` names the template file in errors)."""

    def __init__(
        self,
        sheet: bytes,
        strings: list[str],
        styles: StyleBook,
        env: SandboxedEnvironment,
        *,
        what: str,
        money_format: str,
        date_format: str,
    ):
        self.what = what
        self.styles = styles
        self.cells = CellCompiler(env, self.error)
        self.money_format = money_format
        self.date_format = date_format
        self._variants: dict[int, Variants] = {}
        self._sources: list[tuple[int, str, str, bool]] = []  # (row, ref, text, vm) of cells with Jinja
        try:
            self.root = etree.fromstring(sheet)
        except etree.XMLSyntaxError as exc:
            raise TemplateError(f"{what}：工作表 XML 无法解析：{exc}") from None
        self.strings = strings

    # -- errors ---------------------------------------------------------
    def error(self, ref: str, message: str) -> TemplateError:
        return TemplateError(f"{self.what} 单元格 {ref}：{message}")

    def variants(self, style: int) -> Variants:
        if style not in self._variants:
            self._variants[style] = self.styles.variants(style, self.money_format, self.date_format)
        return self._variants[style]

    # -- structure ------------------------------------------------------
    def _grid(self) -> tuple[dict[int, etree._Element], dict[int, dict[int, etree._Element]]]:
        rows: dict[int, etree._Element] = {}
        cells: dict[int, dict[int, etree._Element]] = {}
        data = self.root.find(f"{_Q}sheetData")
        last = 0
        for row in data if data is not None else ():
            if row.tag != f"{_Q}row":
                continue
            number = int(row.get("r") or last + 1)
            last = number
            rows[number] = row
            col_next = 0
            for cell in row.findall(f"{_Q}c"):
                ref = cell.get("r")
                col = parse_ref(ref)[1] if ref else col_next
                col_next = col + 1
                cells.setdefault(number, {})[col] = cell
        return rows, cells

    def _merges(self) -> list[tuple[int, int, int, int]]:
        out = []
        for merge in self.root.iterfind(f"{_Q}mergeCells/{_Q}mergeCell"):
            first, _, last = (merge.get("ref") or "").partition(":")
            if not last:
                continue
            r1, c1 = parse_ref(first)
            r2, c2 = parse_ref(last)
            out.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
        return out

    def _widths(self, count: int) -> tuple[float, ...]:
        fmt = self.root.find(f"{_Q}sheetFormatPr")
        default = 9.14
        if fmt is not None:
            if fmt.get("defaultColWidth"):
                default = float(office.text_of(fmt.get("defaultColWidth")))
            elif fmt.get("baseColWidth"):
                default = float(office.text_of(fmt.get("baseColWidth"))) + 0.71
        widths = [default] * count
        for col in self.root.iterfind(f"{_Q}cols/{_Q}col"):
            low, high = int(col.get("min", "1")), int(col.get("max", "1"))
            width = float(col.get("width", default))
            if col.get("hidden") in ("1", "true"):
                width = 0.0
            for index in range(low - 1, min(high, count)):
                widths[index] = width
        return tuple(widths)

    def default_height(self) -> float:
        fmt = self.root.find(f"{_Q}sheetFormatPr")
        return float(fmt.get("defaultRowHeight", "15")) if fmt is not None else 15.0

    # -- whole sheet ----------------------------------------------------
    def compile(self) -> CompiledSheet:
        """Return the compiled sheet body."""
        rows, cells = self._grid()
        merges = self._merges()
        last_row = max([*rows, *(m[2] for m in merges), 0])
        last_col = max([0, *(c for r in cells.values() for c in r), *(m[3] for m in merges)])
        widths = self._widths(last_col + 1)
        texts: dict[tuple[int, int], str | None] = {}
        for number, row_cells in cells.items():
            for col, cell in row_cells.items():
                texts[number, col] = _read_text(cell, self.strings)
        markers = self._markers(cells, texts)
        stretches = self._stretches(merges, markers)

        anchored: dict[int, list[tuple[int, int, int]]] = {}
        covered: dict[tuple[int, int], int] = {}
        extent: dict[tuple[int, int], tuple[int, int]] = {}
        anchors: dict[int, list[int]] = {}
        stretched: dict[int, list[int]] = {}
        for stretch in stretches:
            anchors.setdefault(stretch.first_row, []).append(stretch.col)
            for r in range(stretch.first_row + 1, stretch.last_row + 1):
                stretched.setdefault(r, []).append(stretch.col)
        for r1, c1, r2, c2 in merges:
            if any((s.first_row, s.col) == (r1, c1) for s in stretches):
                extent[r1, c1] = (0, c2)  # its rows are known once rendered
            else:
                anchored.setdefault(r1, []).append((c1, r2 - r1, c2))
                extent[r1, c1] = (r2 - r1, c2)
            anchor_cell = cells.get(r1, {}).get(c1)
            anchor_style = int(anchor_cell.get("s", "0")) if anchor_cell is not None else 0
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if (r, c) != (r1, c1):
                        covered[r, c] = anchor_style

        default_height = self.default_height()
        compiled: dict[int, Row] = {}
        for number in range(1, last_row + 1):
            if number in markers:
                continue
            row = self._row(
                number,
                rows.get(number),
                cells.get(number, {}),
                texts,
                covered,
                extent,
                anchored.get(number, []),
                widths,
                default_height,
            )
            if number in anchors or number in stretched:
                row = replace(row, anchors=tuple(anchors.get(number, ())), stretched=tuple(stretched.get(number, ())))
            compiled[number] = row
        body = self._nest(compiled, markers, last_row)
        for item in body:
            for made in item.cells if isinstance(item, Row) else ():
                if made.kind == VM:
                    raise self.error(made.ref, "{%vm %} 只能用在 {%tr for %} 循环的行中")
        return CompiledSheet(body=body, widths=widths, last_col=last_col, default_height=default_height,
                             sources=self._cell_sources(markers), stretches=tuple(stretches))

    def _cell_sources(self, markers: Mapping[int, tuple[str, str]]) -> tuple[CellSource, ...]:
        """Return the Jinja sources of the sheet: each loop marker, each condition of a
        conditional block and each cell with Jinja, with the loop statements around it."""
        last_row = max([*markers, 0])
        loops = [(first, last, markers[first][1]) for first, last in self._loops(markers, last_row)]

        def around(row: int) -> tuple[str, ...]:
            return tuple(text for first, last, text in sorted(loops) if first < row < last)

        out = [(first, CellSource(markers[first][0], f"{{% {text} %}}{{% endfor %}}", around(first)))
               for first, _, text in loops]
        for row, (ref, statement) in markers.items():
            word, _, test = statement.partition(" ")
            if word in ("if", "elif"):
                out.append((row, CellSource(ref, f"{{% if {test} %}}{{% endif %}}", around(row))))
        out += [(row, CellSource(ref, text, around(row), vm)) for row, ref, text, vm in self._sources]
        return tuple(source for _, source in sorted(out, key=lambda item: item[0]))

    def _markers(
        self, cells: dict[int, dict[int, etree._Element]], texts: dict[tuple[int, int], str | None]
    ) -> dict[int, tuple[str, str]]:
        """Return the loop marker rows: row → (cell ref, ``for …`` or ``endfor``)."""
        markers = {}
        for number, row_cells in cells.items():
            for col in sorted(row_cells):
                text = (texts.get((number, col)) or "").strip()
                if not text:
                    continue
                match = _TR.match(text)
                if match:
                    markers[number] = (f"{COLUMNS[col]}{number}", match.group(1).strip())
                break
        return markers

    @staticmethod
    def _loops(markers: Mapping[int, tuple[str, str]], last_row: int) -> list[tuple[int, int]]:
        """Return the (for row, endfor row) of each loop (an unclosed one ends after the sheet;
        :meth:`_nest` reports it)."""
        loops: list[tuple[int, int]] = []
        opened: list[int] = []
        for number in sorted(markers):
            statement = markers[number][1]
            if statement == "endfor":
                if opened:
                    loops.append((opened.pop(), number))
            elif _TR_FOR.match(statement):
                opened.append(number)
        loops += [(first, last_row + 1) for first in opened]
        return loops

    def _stretches(self, merges: list[tuple[int, int, int, int]],
                   markers: Mapping[int, tuple[str, str]]) -> list[Stretch]:
        """Return the merges that cross loop marker rows (they stretch with the rows); refuse
        one that hides a marker, or starts inside a loop and ends past it."""
        last_row = max([*markers, *(m[2] for m in merges), 0])
        loops = self._loops(markers, last_row)
        out = []
        for r1, c1, r2, c2 in merges:
            crossed = [m for m in markers if r1 <= m <= r2]
            if not crossed:
                continue
            ref = f"{COLUMNS[c1]}{r1}:{COLUMNS[c2]}{r2}"
            for marker in crossed:
                marker_col = parse_ref(markers[marker][0])[1]
                if c1 <= marker_col <= c2:
                    raise self.error(ref, f"合并单元格盖住了第 {marker} 行的循环标记；"
                                     "请把 {%tr … %} 写在合并区域以外的第一个格子里")
            for first, last in loops:
                if first < r1 < last:
                    raise self.error(ref, f"合并单元格从第 {first} 行起的循环里面开始，跨过了循环标记行；"
                                     "跟着指标行伸长的合并单元格（如左边的标签列）要从循环上面的行开始")
            out.append(Stretch(r1, c1, r2, c2))
        return out

    def _row(
        self,
        number: int,
        row: etree._Element | None,
        row_cells: dict[int, etree._Element],
        texts: dict[tuple[int, int], str | None],
        covered: dict[tuple[int, int], int],
        extent: dict[tuple[int, int], tuple[int, int]],
        merges: list[tuple[int, int, int]],
        widths: tuple[float, ...],
        default_height: float,
    ) -> Row:
        out: list[Cell] = []
        positions = sorted(set(row_cells) | {c for (r, c) in covered if r == number})
        for col in positions:
            ref = f"{COLUMNS[col]}{number}"
            element = row_cells.get(col)
            style = int(element.get("s", "0")) if element is not None else covered[number, col]
            if (number, col) in covered:
                if not self.styles.has_border(style):
                    style = covered[number, col]
                cell = Cell(col=col, ref=ref, kind=EMPTY, style=style, variants=self.variants(style))
                out.append(finish_static(cell))
                continue
            text = texts.get((number, col))
            if text is None:
                raw = _raw_suffix(element) if element is not None else ""
                cell = Cell(col=col, ref=ref, kind=RAW if raw else EMPTY, style=style, variants=self.variants(style))
                out.append(finish_static(cell, raw))
                continue
            kind, static, fn = self.cells.compile(ref, text)
            if kind in (EXPR, MIXED, VM):
                vm = VM_TAG.match(text.strip()) if kind == VM else None
                self._sources.append((number, ref, vm.group(1) if vm else text, vm is not None))
            rows_down, last_col = extent.get((number, col), (0, col))
            variants = self.variants(style)
            cell = Cell(
                col=col,
                ref=ref,
                kind=kind,
                style=variants.text,
                variants=variants,
                text=static,
                fn=fn,
                width=sum(widths[col : last_col + 1]),
                font_size=self.styles.font_size(style),
                rows_down=rows_down,
                last_col=last_col,
            )
            out.append(finish_static(cell))
        attrs, height = _row_attrs(row, default_height)
        # A {%vm %} cell merges itself (over its group); drop the template merge it anchors.
        vm_cols = {c.col for c in out if c.kind == VM}
        for cell in out:
            if cell.kind == VM and cell.rows_down:
                raise self.error(cell.ref, "{%vm %} 单元格不能在模板中向下合并（合并由数据决定）")
        kept = tuple(m for m in merges if m[0] not in vm_cols)
        return Row(tref=number, attrs=attrs, height=height, cells=tuple(out), merges=kept)

    @property
    def _merged_away(self) -> str:
        """Return the hint for a missing loop marker when the sheet has merges ('' when none)."""
        if not self._merges():
            return ""
        return ("；是不是合并单元格时盖掉了它？Excel 合并单元格只留左上角的文字：请先合并，"
                "再把 {%tr … %} 写在合并区域以外、这一行第一个有字的格子里")

    def _nest(self, compiled: dict[int, Row], markers: dict[int, tuple[str, str]],
              last_row: int) -> tuple[Row | Loop | Choice, ...]:
        """Return the rows of the sheet nested into its loops and conditional blocks."""
        # each open block: (kind, ref, statement, finished branches, rows of the current branch)
        stack: list[tuple[str, str, str, list[tuple[str, list[Any]]], list[Any]]] = [("", "", "", [], [])]
        for number in range(1, last_row + 1):
            if number in compiled:
                stack[-1][4].append(compiled[number])
                continue
            ref, statement = markers[number]
            word = statement.split(None, 1)[0] if statement else ""
            kind = stack[-1][0]
            if word in ("endfor", "endif") and kind != word[3:]:
                opened = "{%tr for … %}" if word == "endfor" else "{%tr if … %}"
                raise self.error(ref, f"{{%tr {word} %}} 没有对应的 {opened}" + self._merged_away)
            if word in ("elif", "else") and kind != "if":
                raise self.error(ref, f"{{%tr {word} … %}} 不在 {{%tr if … %}} 和 {{%tr endif %}} 之间")
            if word == "endfor":
                _, open_ref, open_statement, _, body = stack.pop()
                stack[-1][4].append(self._loop(open_ref, open_statement, tuple(body)))
            elif word == "endif":
                _, open_ref, open_statement, branches, body = stack.pop()
                stack[-1][4].append(self._choice(open_ref, [*branches, (open_statement, body)]))
            elif word in ("elif", "else"):
                top = stack[-1]
                top[3].append((top[2], top[4]))
                stack[-1] = (top[0], top[1], statement, top[3], [])
            elif word == "if":
                stack.append(("if", ref, statement, [], []))
            elif _TR_FOR.match(statement):
                stack.append(("for", ref, statement, [], []))
            else:
                raise self.error(ref, f"无法识别的行标记“{{%tr {statement} %}}”（应为 for … in …、endfor、"
                                 "if …、elif …、else 或 endif）")
        if len(stack) > 1:
            kind, ref = stack[-1][0], stack[-1][1]
            closing = "{%tr endfor %}（循环未闭合）" if kind == "for" else "{%tr endif %}"
            raise self.error(ref, f"{{%tr {kind} … %}} 没有对应的 {closing}" + self._merged_away)
        return tuple(stack[0][4])

    def _choice(self, ref: str, branches: list[tuple[str, list[Any]]]) -> Choice:
        """Return the compiled conditional block of ``branches`` (statement, rows)."""
        out = []
        for statement, body in branches:
            word, _, test = statement.partition(" ")
            out.append((self.cells.expression(ref, test) if word != "else" else None, tuple(body)))
        return Choice(ref=ref, branches=tuple(out))

    def _loop(self, ref: str, statement: str, body: tuple[Row | Loop | Choice, ...]) -> Loop:
        match = _TR_FOR.match(statement)
        assert match is not None
        targets = tuple(t.strip() for t in match.group(1).split(","))
        for item in body:
            vm = isinstance(item, Row) and any(c.kind == VM for c in item.cells)
            if vm and len(body) != 1:
                raise self.error(ref, "含 {%vm %} 的循环只能有一行")
        items, test = _split_test(match.group(2))
        return Loop(ref=ref, targets=targets, items=self.cells.expression(ref, items), body=body,
                    test=self.cells.expression(ref, test) if test is not None else None)


def _split_test(source: str) -> tuple[str, str | None]:
    """Return the iterable and the condition of ``y if cond`` in ``for x in y if cond`` (the
    first ``if`` outside brackets and quotes; None when there is none)."""
    depth, quote = 0, ""
    for index, char in enumerate(source):
        if quote:
            quote = "" if char == quote and source[index - 1] != "\\" else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif (not depth and source.startswith("if", index) and index and source[index - 1].isspace()
              and index + 2 < len(source) and source[index + 2].isspace()):
            return source[:index].strip(), source[index + 2 :].strip()
    return source, None


_ROW_KEEP = ("s", "customFormat", "hidden", "outlineLevel", "collapsed", "thickTop", "thickBot")


def _row_attrs(row: etree._Element | None, default_height: float) -> tuple[str, float]:
    """Return the kept attributes of a template row and its height in points."""
    if row is None:
        return "", default_height
    attrs = "".join(f' {name}="{row.get(name)}"' for name in _ROW_KEEP if row.get(name) is not None)
    height = float(office.text_of(row.get("ht"))) if row.get("ht") else default_height
    return attrs, height
