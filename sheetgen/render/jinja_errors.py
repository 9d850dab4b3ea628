"""Chinese for what Jinja says about a broken template, keeping the tag or name it is about.

:func:`explain` returns the message for a Jinja syntax error (``unexpected '}'``, an unknown or
unclosed tag, a missing filter), an undefined name, a sandbox refusal, or a Python error raised
while rendering (a division by zero, a wrong type).  The renderers put it into their
:class:`~sheetgen.errors.TemplateError` together with the template file and the place.
"""

from __future__ import annotations

import ast
import re

from jinja2 import TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError

from sheetgen.catalogue import Catalogue, Rule, first

#: Jinja's token descriptions (``describe_token``) as the template author writes them.
_TOKENS = {
    "end of print statement": "“}}”", "begin of print statement": "“{{”",
    "end of statement block": "“%}”", "begin of statement block": "“{%”",
    "end of template": "模板结尾", "begin of comment": "“{#”", "end of comment": "“#}”", "comment": "注释",
    "begin of line statement": "行语句开头", "end of line statement": "行语句结尾",
    "template data / text": "文字", "name": "名称", "integer": "整数", "float": "小数", "string": "文字",
    "operator": "运算符",
}
#: Python's type names as they appear in messages.
_TYPES = {"NoneType": "空值", "int": "整数", "float": "小数", "str": "文字", "dict": "一组数据",
          "list": "列表", "tuple": "列表", "Decimal": "数字", "date": "日期", "datetime": "日期时间",
          "bool": "真假值", "Fields": "字段", "Undefined": "未定义的值"}


def _shown(quoted: str) -> str:
    """Return a quoted detail of a Jinja message (``'endfor'``, ``'end of print statement'``) for Chinese text."""
    try:
        raw = str(ast.literal_eval(quoted))
    except (SyntaxError, ValueError):
        raw = quoted.strip("'\"")
    if raw in _TOKENS:
        return _TOKENS[raw]
    if raw in _TYPES:
        return _TYPES[raw]
    return f"“{raw}”"


def _any(text: str) -> str:
    """Return the quoted details of ``text`` joined for Chinese ('' when there are none)."""
    return "、".join(_shown(d) for d in re.findall(r"'[^']*'|\"[^\"]*\"", text))


def _tags(text: str) -> str:
    """Return Jinja's ``'elif' or 'else' or 'endif'`` as “elif”、“else”或“endif”."""
    items = [_shown(d) for d in re.findall(r"'[^']*'", text)]
    return "或".join(items)


def _unfinished(m: re.Match[str]) -> str:
    """Return the Chinese of Jinja's unknown-tag / end-of-template message and its hints."""
    head = f"不认识的标签 {_shown(m['tag'])}" if m.groupdict().get("tag") else "模板在这里就结束了，还有标签没有结束"
    rest = m["rest"] or ""
    parts = [head]
    nesting = re.search(r"currently looking for (.+?)\.(?: |$)", rest)
    looking = re.search(r"looking for the following tags: (.+?)\.(?: |$)", rest)
    innermost = re.search(r"needs to be closed is ('[^']*')", rest)
    if nesting:
        parts.append(f"标签嵌套错了：这里应当先出现 {_tags(nesting.group(1))}")
    elif looking:
        parts.append(f"这里应当是 {_tags(looking.group(1))}")
    if innermost:
        parts.append(f"最里层还没有结束的是 {_shown(innermost.group(1))}")
    return "；".join(parts)


_rule = Catalogue(_shown).rule


_SYNTAX: list[Rule] = [
    _rule(r"^unexpected end of template, expected (?P<x>'.*')\.?$", "模板在这里就结束了，缺少 {x}"),
    _rule(r"^Unexpected end of template\.(?P<rest>.*)$", _unfinished),
    _rule(r"^Encountered unknown tag (?P<tag>'[^']*')\.(?P<rest>.*)$", _unfinished),
    _rule(r"^unexpected (?P<x>'.*'), expected (?P<y>'.*')$", "这里的 {x} 没有配对（应当是 {y}）"),
    _rule(r"^unexpected char (?P<ch>'\"'|\"'\"|'\\''|\"“\"|\"”\") at \d+$", "标签里的引号 {ch} 没有配对"),
    _rule(r"^unexpected char (?P<ch>.+) at \d+$", "标签里不能有字符 {ch}（文字要放在引号里）"),
    _rule(r"^unexpected (?P<x>'.*')$", "这里不该出现 {x}（前面的表达式没有写完，或括号没有配对）"),
    _rule(r"^expected token (?P<x>'.*'), got (?P<y>'.*')$", "这里应当是 {x}，实际是 {y}"),
    _rule(r"^Expected an expression, got (?P<y>'.*')$", "这里缺少表达式，实际是 {y}"),
    _rule(r"^tag name expected$", "“{%”后面缺少标签名（如 for、if）"),
    _rule(r"^expected name or number$", "“.”后面应当是名称或数字"),
    _rule(r"^expected subscript expression$", "方括号里缺少下标"),
    _rule(r"^expected call$", "这里应当是一次调用（名称后面加括号）"),
    _rule(r"^invalid syntax for function call expression$", "调用的写法不对"),
    _rule(r"^non-default argument follows default argument$", "没有默认值的参数不能写在有默认值的参数后面"),
    _rule(r"^You cannot chain multiple tests with is$", "不能连着写多个 is 测试"),
    _rule(r"^Required blocks can only contain comments or whitespace$", "必填的块里只能有注释或空白"),
    _rule(r"^Invalid character in identifier$", "名称里有不允许的字符"),
    _rule(r"^Missing end of comment tag$", "注释没有结束（缺少“#}”）"),
    _rule(r"^No filter named (?P<name>'.*')\.?$", "没有名为 {name} 的过滤器"),
    _rule(r"^No test named (?P<name>'.*')\.?$", "没有名为 {name} 的测试"),
    _rule(r"^block (?P<name>'.*') defined twice$", "块 {name} 定义了两次"),
    _rule(r"^cannot use extend from a non top-level scope$", "extends 只能写在模板的最外层"),
    _rule(r"^(?:truncated|malformed) .*escape.*$|^.*can't decode bytes.*$", "引号里的文字有不完整的反斜杠转义"),
]

_UNDEFINED: list[Rule] = [
    _rule(r"^(?P<name>'.*') is undefined$", "没有 {name} 这个名称"),
    _rule(r"^(?P<obj>'.*') has no attribute (?P<attr>'.*')$", "没有 {attr} 这一项"),
    _rule(r"^(?P<obj>.+) has no element (?P<item>.+)$",
          lambda m: f"没有第 {m['item']} 项（或没有 {m['item']} 这一项）"),
]


def explain(exc: BaseException) -> str:
    """Return what Jinja (or Python, while rendering) said in ``exc``, in Chinese."""
    text = " ".join((getattr(exc, "message", None) or str(exc)).split())
    if re.search("[\u4e00-\u9fff]", text):  # ours (sheetgen's own undefined fields) already speak Chinese
        return text
    if isinstance(exc, TemplateSyntaxError):
        found = first(_SYNTAX, text)
        return found or (f"模板写法不对（{_any(text)}）" if _any(text) else "模板写法不对")
    if isinstance(exc, UndefinedError):
        return first(_UNDEFINED, text) or "用到了不存在的名称或字段"
    if isinstance(exc, SecurityError):
        attribute = re.match(r"access to attribute ('[^']*')", text)
        shown = f" {_shown(attribute.group(1))}" if attribute else ""
        return f"为安全起见，模板不能访问{shown}这样的内部内容"
    if isinstance(exc, ZeroDivisionError):
        return "除数是零"
    if isinstance(exc, OverflowError):
        return "数字或范围太大（模板里的 range 最多 100000 项）" if "range" in text.lower() else "数字太大"
    if isinstance(exc, TypeError):
        details = _any(text)
        return f"类型不对，不能这样运算或调用（{details}）" if details else "类型不对，不能这样运算或调用"
    if isinstance(exc, (ValueError, ArithmeticError)):
        return "值不对，无法转换或计算"
    if isinstance(exc, (LookupError, AttributeError)):
        return "用到了不存在的项"
    if isinstance(exc, RecursionError):
        return "模板嵌套太深"
    return "模板运行出错"
