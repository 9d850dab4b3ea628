"""The style book of an Excel template (``xl/styles.xml``), read and extended
once at compile time.

Every template cell style gets variants the renderer picks per value: text
(wrapped), text that looks like a formula (wrapped, ``quotePrefix`` so Excel
keeps it text when edited), money (the jurisdiction's number format) and date.
The 目录 sheet of a unit workbook gets three styles of its own.
"""

from __future__ import annotations

import copy
import re

from lxml import etree
from msgspec import Struct

from sheetgen import office
from sheetgen.errors import TemplateError

NS = office.S
_Q = f"{{{NS}}}"
_BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10}
_FIRST_CUSTOM_FORMAT = 164


def excel_date_format(strftime: str) -> str:
    """Return the Excel number format of a ``strftime`` date pattern
    (``%Y-%m-%d`` → ``yyyy-mm-dd``; other letters are quoted literals)."""
    codes = {"%Y": "yyyy", "%y": "yy", "%m": "mm", "%d": "dd", "%-m": "m", "%-d": "d"}
    out = []
    for token in re.findall(r"%-?[A-Za-z]|.", strftime):
        if token in codes:
            out.append(codes[token])
        elif token in "-/. :":
            out.append(token)
        else:
            out.append('"' + token.replace('"', "") + '"')
    return "".join(out)


class Variants(Struct, frozen=True):
    """The style ids one template style renders with, per kind of value."""

    text: int
    quoted: int
    money: int
    date: int


class TocStyles(Struct, frozen=True):
    """The style ids of the 目录 sheet."""

    header: int
    number: int
    link: int
    title: int


class StyleBook:
    """``xl/styles.xml`` parsed: font sizes and borders per style id, and new
    style variants appended (call :meth:`to_bytes` after the last one)."""

    def __init__(self, blob: bytes, *, what: str):
        self._what = what
        try:
            self._root = etree.fromstring(blob)
        except etree.XMLSyntaxError as exc:
            raise TemplateError(f"{what}：样式部件 styles.xml 无法解析：{exc}") from None
        self._xfs = self._child("cellXfs")
        self._fonts = self._child("fonts")
        self._borders = self._child("borders")
        self._formats: dict[str, int] = {}
        formats = self._root.find(f"{_Q}numFmts")
        if formats is not None:
            for fmt in formats.findall(f"{_Q}numFmt"):
                self._formats.setdefault(fmt.get("formatCode", ""), int(fmt.get("numFmtId", "0")))
        self._xf_keys = {etree.tostring(xf): i for i, xf in enumerate(self._xfs)}

    def _child(self, name: str) -> etree._Element:
        element = self._root.find(f"{_Q}{name}")
        if element is None:
            raise TemplateError(f"{self._what}：样式部件 styles.xml 缺少 {name}")
        return element

    @property
    def count(self) -> int:
        return len(self._xfs)

    def _xf(self, style: int) -> etree._Element:
        if not 0 <= style < len(self._xfs):
            style = 0
        return self._xfs[style]

    def font_size(self, style: int) -> float:
        """Return the font size in points of style ``style`` (11 if unknown)."""
        font_id = int(self._xf(style).get("fontId", "0"))
        if font_id < len(self._fonts):
            size = self._fonts[font_id].find(f"{_Q}sz")
            if size is not None:
                try:
                    return float(size.get("val", "11"))
                except ValueError:
                    pass
        return 11.0

    def normal_font(self) -> tuple[str, float]:
        """Return the name and size of the workbook's Normal font (font 0), which
        column widths are counted in."""
        font = self._fonts[0] if len(self._fonts) else None
        if font is None:
            return "", 11.0
        name = font.find(f"{_Q}name")
        size = font.find(f"{_Q}sz")
        try:
            points = float(size.get("val", "11")) if size is not None else 11.0
        except ValueError:
            points = 11.0
        return (name.get("val", "") if name is not None else ""), points

    def has_border(self, style: int) -> bool:
        """Return whether style ``style`` draws any cell border."""
        border_id = int(self._xf(style).get("borderId", "0"))
        if border_id >= len(self._borders):
            return False
        return any(side.get("style") not in (None, "none") for side in self._borders[border_id])

    def number_format_id(self, code: str) -> int:
        """Return the id of number format ``code``, adding it when new."""
        if code in _BUILTIN_FORMATS:
            return _BUILTIN_FORMATS[code]
        if code not in self._formats:
            formats = self._root.find(f"{_Q}numFmts")
            if formats is None:
                formats = etree.Element(f"{_Q}numFmts")
                self._root.insert(0, formats)
            new_id = max([_FIRST_CUSTOM_FORMAT - 1, *self._formats.values()]) + 1
            etree.SubElement(formats, f"{_Q}numFmt", numFmtId=str(new_id), formatCode=code)
            formats.set("count", str(len(formats)))
            self._formats[code] = new_id
        return self._formats[code]

    def _add(self, xf: etree._Element) -> int:
        key = etree.tostring(xf)
        if key not in self._xf_keys:
            self._xfs.append(xf)
            self._xfs.set("count", str(len(self._xfs)))
            self._xf_keys[key] = len(self._xfs) - 1
        return self._xf_keys[key]

    def derive(
        self,
        style: int,
        *,
        wrap: bool = False,
        quote: bool = False,
        number_format: str | None = None,
        font: int | None = None,
        border: int | None = None,
        horizontal: str | None = None,
    ) -> int:
        """Return the id of style ``style`` changed as asked (an existing
        identical style is reused)."""
        xf = copy.deepcopy(self._xf(style))
        if number_format is not None:
            xf.set("numFmtId", str(self.number_format_id(number_format)))
            xf.set("applyNumberFormat", "1")
        if font is not None:
            xf.set("fontId", str(font))
            xf.set("applyFont", "1")
        if border is not None:
            xf.set("borderId", str(border))
            xf.set("applyBorder", "1")
        if quote:
            xf.set("quotePrefix", "1")
        if wrap or horizontal:
            alignment = xf.find(f"{_Q}alignment")
            if alignment is None:
                alignment = etree.Element(f"{_Q}alignment")
                xf.insert(0, alignment)
            if wrap:
                alignment.set("wrapText", "1")
            if horizontal:
                alignment.set("horizontal", horizontal)
                alignment.set("vertical", "center")
            xf.set("applyAlignment", "1")
        return self._add(xf)

    def variants(self, style: int, money_format: str, date_format: str) -> Variants:
        """Return the variants of template style ``style``."""
        return Variants(
            text=self.derive(style, wrap=True),
            quoted=self.derive(style, wrap=True, quote=True),
            money=self.derive(style, number_format=money_format),
            date=self.derive(style, number_format=date_format),
        )

    def _add_font(self, base_style: int, *, bold: bool, link: bool, grow: float = 0.0) -> int:
        font_id = int(self._xf(base_style).get("fontId", "0"))
        font = copy.deepcopy(self._fonts[font_id] if font_id < len(self._fonts) else self._fonts[0])
        size = font.find(f"{_Q}sz")
        if grow and size is not None:
            size.set("val", f"{float(size.get('val', '11')) + grow:g}")
        for tag in ("b", "u", "color"):
            for old in font.findall(f"{_Q}{tag}"):
                font.remove(old)
        if bold:
            font.insert(0, etree.Element(f"{_Q}b"))
        if link:
            font.insert(0, etree.Element(f"{_Q}u"))
            size = font.find(f"{_Q}sz")
            color = etree.Element(f"{_Q}color", rgb="FF0563C1")
            if size is not None:
                size.addnext(color)
            else:
                font.append(color)
        self._fonts.append(font)
        self._fonts.set("count", str(len(self._fonts)))
        return len(self._fonts) - 1

    def _thin_border(self) -> int:
        border = etree.Element(f"{_Q}border")
        for side in ("left", "right", "top", "bottom"):
            etree.SubElement(etree.SubElement(border, f"{_Q}{side}", style="thin"), f"{_Q}color", rgb="FF000000")
        etree.SubElement(border, f"{_Q}diagonal")
        self._borders.append(border)
        self._borders.set("count", str(len(self._borders)))
        return len(self._borders) - 1

    def toc_styles(self, base_style: int) -> TocStyles:
        """Return new styles for the 目录 sheet, fonts taken from ``base_style``."""
        border = self._thin_border()
        bold = self._add_font(base_style, bold=True, link=False)
        plain = self._add_font(base_style, bold=False, link=False)
        link = self._add_font(base_style, bold=False, link=True)
        title = self._add_font(base_style, bold=True, link=False, grow=4)
        return TocStyles(
            header=self.derive(0, font=bold, border=border, horizontal="center", wrap=True),
            number=self.derive(0, font=plain, border=border, horizontal="center"),
            link=self.derive(0, font=link, border=border, horizontal="left", wrap=True),
            title=self.derive(0, font=title, horizontal="center", wrap=True),
        )

    def to_bytes(self) -> bytes:
        """Return the styles part with every added style."""
        return etree.tostring(self._root, xml_declaration=True, encoding="UTF-8", standalone=True)
