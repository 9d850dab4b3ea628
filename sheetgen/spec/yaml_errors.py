"""Chinese messages for YAML syntax errors, at the line where the mistake was made.

:func:`explain` returns a :class:`SyntaxProblem` (line, column, code, message) for an error of the
YAML library.  The library reports where it *noticed* a problem, which for the usual slips is
a line or thirty lines late and in English; this module first looks for those slips itself:

* a full-width colon after a key (``category：经常性``, an IME slip) or no space after the colon
  (``purpose:用于…``): reported at that line, naming the character and showing the fix;
* a quote or bracket left open: reported where it opens, not where YAML gave up;
* tab indentation, a value starting with ``>``/``|``/``@``, a ``: `` inside a value.

Anything else is translated by :func:`translate`, which knows every problem text of libyaml
and of pure-Python PyYAML (scanner, parser, composer, reader, safe constructor) and keeps the
detail a text carries (a character, a token, a tag) while dropping the English.
"""

from __future__ import annotations

import re

import yaml
from msgspec import Struct

from sheetgen.catalogue import Catalogue, Rule, first

try:
    _Scanner: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Scanner = yaml.SafeLoader


class SyntaxProblem(Struct, frozen=True):
    """Where a syntax error is (1-based) and what to tell the clerk."""

    line: int
    col: int
    code: str
    message: str


# ----------------------------------------------------------------------------- details

#: What the library's token names (PyYAML's ``token.id``) stand for.
_TOKENS = {
    "<directive>": "指令（% 开头的一行）", "<document start>": "文档开始标记“---”",
    "<document end>": "文档结束标记“...”", "<stream start>": "文件开头", "<stream end>": "文件结尾",
    "<block sequence start>": "列表（“- ”开头的各项）", "<block mapping start>": "新的一组“键: 值”",
    "<block end>": "上一层的结束（缩进回退）", "[": "“[”", "{": "“{”", "]": "“]”", "}": "“}”",
    "?": "“? ”", ":": "“:”", "-": "列表项“- ”", ",": "逗号“,”", "<alias>": "别名（*名称）",
    "<anchor>": "锚点（&名称）", "<tag>": "标签（!名称）", "<scalar>": "一个值（文字）",
}
#: What the library's node names (PyYAML's ``node.id``) stand for.
_NODES = {"scalar": "一个值（文字）", "sequence": "列表", "mapping": "一组“键: 值”"}
_CHARS = {"\t": "制表符（Tab）", "\n": "换行", "\r": "换行", " ": "空格", "\x00": "文件结尾", "\ufeff": "字节顺序标记"}


def _shown(detail: str) -> str:
    """Return a library detail (``'x'``, ``'<scalar>'``, ``sequence``) as Chinese text."""
    raw = detail.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        try:
            raw = str(_literal(raw))
        except ValueError:
            raw = raw[1:-1]
    if raw in _TOKENS:
        return _TOKENS[raw]
    if raw in _NODES:
        return _NODES[raw]
    if raw in _CHARS:
        return _CHARS[raw]
    return f"“{raw}”"


def _literal(text: str) -> object:
    """Return the Python literal ``text`` (a repr the library wrote), refusing anything else."""
    import ast

    try:
        return ast.literal_eval(text)
    except (SyntaxError, ValueError):
        raise ValueError(text) from None


# ----------------------------------------------------------------------------- translation

_rule = Catalogue(_shown).rule


def _found(m: re.Match[str]) -> str:
    found = m.groupdict().get("found")
    return f"，实际是{_shown(found)}" if found else ""


_EXPECTED = {
    "alphabetic or numeric character": "字母或数字",
    "a digit or '.'": "数字或“.”",
    "digit or '.' character": "数字或“.”",
    "a digit or ' '": "数字或空格",
    "a digit": "数字",
    "version number": "版本号（如 1.1）",
    "' '": "空格",
    "whitespace": "空格",
    "whitespace or line break": "空格或换行",
    "a comment or a line break": "注释（#）或换行",
    "comment or line break": "注释（#）或换行",
    "'>'": "“>”",
    "the expected '>'": "“>”",
    "'!'": "“!”",
    "URI": "标签名称",
    "tag URI": "标签名称",
    "chomping or indentation indicators": "“-”“+”或一位数字（多行文本的标记后面只能跟这些）",
    "'<document start>'": "文档开始标记“---”",
    "<document start>": "文档开始标记“---”",
    "<stream-start>": "文件开头",
    "the node content": "一个值",
    "node content": "一个值",
    "key": "同一层的下一个键",
    "'-' indicator": "同一层的下一个列表项“- ”",
    "<block end>": "上一层结束（缩进回退）",
    "',' or ']'": "逗号“,”或结尾的“]”",
    "',' or '}'": "逗号“,”或结尾的“}”",
    "':'": "“: ”",
    "a scalar node": "一个值（文字）",
    "a sequence node": "列表",
    "a mapping node": "一组“键: 值”",
    "a sequence": "列表",
    "a mapping for merging": "可以合并的一组“键: 值”",
    "a mapping or list of mappings for merging": "可以合并的一组“键: 值”（或它们的列表）",
    "a mapping of length 1": "只有一项的“键: 值”",
    "a single mapping item": "只有一项的“键: 值”",
    "non-empty name appended to the tag": "标签后面的名称",
    "the empty value": "空值",
    "a class": "一个类",
    "a single document in the stream": "文件里只有一个文档",
    "low surrogate area": "UTF-16 低位代理",
    "hexdecimal number": "十六进制数字",
    "directive name": "指令名称",
}


def _expected(m: re.Match[str]) -> str:
    what = m["what"]
    hex_escape = re.fullmatch(r"(?:URI )?escape sequence of (\d+) hexadecimal numbers", what)
    if hex_escape:
        return f"这里应当是 {hex_escape.group(1)} 位十六进制数字（转义序列）{_found(m)}"
    indicator = re.fullmatch(r"indentation indicator in the range 1-9", what)
    if indicator:
        return f"多行文本标记后面的缩进数字只能是 1–9{_found(m)}"
    shown = _EXPECTED.get(what)
    if shown is None:
        return _unknown(m.string)
    if what in ("key", "'-' indicator", "<block end>"):
        return f"缩进不对齐：这里应当是{shown}{_found(m)}；同一层的各项要用相同数量的空格开头"
    return f"这里应当是{shown}{_found(m)}"


_RULES: list[Rule] = [
    # --- reader
    _rule(r"^unacceptable character #x(?P<code>[0-9a-fA-F]+): .*$",
          lambda m: f"有 YAML 不接受的字符 U+{int(m['code'], 16):04X}；请删去它"),
    _rule(r"^(?:special|control) characters are not allowed$", "有 YAML 不接受的控制字符；请删去它"),
    _rule(r"^(?:invalid Unicode character|invalid (?:leading|trailing) UTF-8 octet|invalid length of a UTF-8 sequence"
          r"|incomplete UTF-8 octet sequence)$", "文件里有无法按 UTF-8 读取的字节；请用编辑器另存为 UTF-8"),
    _rule(r"^(?:incomplete UTF-16 (?:character|surrogate pair)|(?:un)?expected low surrogate area)$",
          "文件里有无法按 UTF-16 读取的字节；请用编辑器另存为 UTF-8"),
    _rule(r"^input error$", "读取文件内容时出错"),
    _rule(r"^input is too long$", "文件太大，无法读取"),
    _rule(r"^'[\w-]+' codec can't decode.*$", "有无法解码的字节（不是有效的 UTF-8）"),
    # --- scanner
    _rule(r"^found character (?P<ch>'.*') that cannot start any token$", "字符{ch}不能出现在值的开头"),
    _rule(r"^found character that cannot start any token$", "这个字符不能出现在值的开头"),
    _rule(r"^could not find expected ':'$", "缺少“: ”（冒号加空格）：每一项应写成“键: 值”"),
    _rule(r"^(?:block )?sequence entries are not allowed (?:here|in this context)$",
          "这里不能开始列表项“- ”（它要另起一行，并与同一层对齐）"),
    _rule(r"^mapping keys are not allowed (?:here|in this context)$", "这里不能出现“? ”（复杂键的标记）"),
    _rule(r"^mapping values are not allowed (?:here|in this context)$",
          "这里不能出现“: ”（冒号加空格）；如果冒号是文字的一部分，请给整个值加引号，或用中文冒号“：”"),
    _rule(r"^found unexpected ':'$", "这里不能出现“:”；如果冒号是文字的一部分，请给整个值加引号"),
    _rule(r"^found extremely long version number$", "%YAML 指令的版本号太长"),
    _rule(r"^found an indentation indicator equal to 0$|^expected indentation indicator in the range 1-9, but found 0$",
          "多行文本标记后面的缩进数字只能是 1–9，不能是 0"),
    _rule(r"^found a tab character (?:where an indentation space is expected|that violates indentation)$",
          "用了制表符（Tab）缩进；YAML 只认空格缩进，请把 Tab 换成空格"),
    _rule(r"^found unknown escape character (?P<ch>'.*')$",
          lambda m: f"双引号里的“\\{_literal(m['ch'])}”不是有效的转义；反斜杠请写成“\\\\”，或改用单引号"),
    _rule(r"^found unknown escape character$",
          "双引号里的反斜杠“\\”后面不是有效的转义；反斜杠请写成“\\\\”，或改用单引号"),
    _rule(r"^found invalid Unicode character escape code$", "双引号里的转义序列不是有效的字符"),
    _rule(r"^found unexpected end of stream$", "文件在这里就结束了，前面开始的内容没有结束"),
    _rule(r"^found unexpected document (?:separator|indicator)$",
          "遇到了文档分隔符“---”或“...”，前面开始的内容没有结束"),
    _rule(r"^could not find expected directive name$", "“%”后面缺少指令名称（项目说明不需要 % 指令）"),
    _rule(r"^found unexpected non-alphabetical character$", "指令名称里有非字母的字符"),
    _rule(r"^found unknown directive name$", "不认识的 % 指令（项目说明不需要 % 指令）"),
    _rule(r"^found an incorrect (?:leading|trailing) UTF-8 octet$", "标签里的 % 转义不是有效的 UTF-8"),
    _rule(r"^did not find URI escaped octet$", "标签里的“%”后面应当是两位十六进制数字"),
    # --- parser
    _rule(r"^found duplicate (?:%?YAML) directive$", "%YAML 指令写了两次"),
    _rule(r"^found incompatible YAML document(?: \(version 1\.\* is required\))?$", "不支持的 YAML 版本（只支持 1.x）"),
    _rule(r"^duplicate tag handle (?P<handle>'.*')$", "文件开头的 % 指令把标签前缀{handle}定义了两次"),
    _rule(r"^found duplicate %TAG directive$", "文件开头的 % 指令把同一个标签前缀定义了两次"),
    _rule(r"^found undefined tag handle (?P<handle>'.*')$", "标签前缀{handle}没有定义"),
    _rule(r"^found undefined tag handle$", "标签前缀没有定义（“!前缀!名称”的前缀要先在文件开头用 % 指令定义）"),
    _rule(r"^found non-specific tag '!'$", "单独的标签“!”不受支持"),
    # --- composer
    _rule(r"^expected a single document in the stream$|^but found another document$",
          "文件里有第二个文档（从“---”开始）；一份项目说明只能有一个文档"),
    _rule(r"^found undefined alias (?P<name>'.*')$", lambda m: f"引用了未定义的锚点 *{_literal(m['name'])}"
          f"（*名称 之前需要有 &名称）"),
    _rule(r"^found undefined alias$", "引用了未定义的锚点（*名称 之前需要有 &名称）"),
    _rule(r"^found duplicate anchor (?P<name>'.*'); first occurrence$",
          lambda m: f"锚点 &{_literal(m['name'])} 定义了两次"),
    _rule(r"^found duplicate anchor; first occurrence$|^second occurrence$", "同一个锚点（&名称）定义了两次"),
    # --- safe constructor
    _rule(r"^could not determine a constructor for the tag (?P<tag>'.*')$",
          lambda m: f"不支持 YAML 标签 {str(_literal(m['tag'])).replace('tag:yaml.org,2002:', '!!')}；"
          "项目说明里只写文字、数字、日期、true/false、列表和“键: 值”"),
    _rule(r"^found unhashable key$", "键不能是列表或一组“键: 值”，只能是文字"),
    _rule(r"^found unconstructable recursive node$", "数据引用了它自己（锚点里用了自己的别名）"),
    _rule(r"^failed to (?:convert base64 data into ascii|decode base64 data): .*$", "二进制数据无法解码"),
    _rule(r"^expected a single mapping item, but found (?P<count>\d+) items$",
          lambda m: f"这里应当是只有一项的“键: 值”，实际有 {m['count']} 项"),
    _rule(r"^expected (?P<what>.+?), but (?:found|got) (?P<found>.+)$", _expected),
    _rule(r"^(?:did not find|could not find) (?:the )?expected (?P<what>.+)$", _expected),
    _rule(r"^(?:cannot find module|module|cannot find) .*$", "不支持 Python 对象标签"),
    # --- the library's own nesting limit
    _rule(r"^(?:exceeded maximum nesting depth|Maximum nesting level reached.*)$", "嵌套太深"),
]

#: What the library was reading when it noticed the problem (its ``context`` text).
_CONTEXTS = [
    (re.compile(r"^while scanning a simple key$"), "键"),
    (re.compile(r"^while scanning for the next token$"), ""),
    (re.compile(r"^while (?:scanning|parsing) an? (?:%YAML |%TAG |tag )?directive$"), "% 指令"),
    (re.compile(r"^while (?:scanning|parsing) an anchor$"), "锚点（&名称）"),
    (re.compile(r"^while (?:scanning|parsing) an alias$"), "别名（*名称）"),
    (re.compile(r"^while (?:scanning|parsing) a (?:tag|handle|URI|directive handle|directive prefix)$"),
     "标签（!名称）"),
    (re.compile(r"^while scanning a block scalar$"), "多行文本（| 或 >）"),
    (re.compile(r"^while (?:scanning|parsing) a (?:double-quoted |single-quoted )?quoted scalar$"
                r"|^while scanning a double-quoted scalar$"), "引号里的文字"),
    (re.compile(r"^while scanning a plain scalar$"), "文字"),
    (re.compile(r"^while parsing a block collection$"), "列表（“- ”开头的各项）"),
    (re.compile(r"^while (?:parsing|constructing) a (?:block )?mapping$"), "一组“键: 值”"),
    (re.compile(r"^while parsing a flow sequence$"), "方括号列表 [ … ]"),
    (re.compile(r"^while parsing a flow mapping$"), "花括号 { … }"),
    (re.compile(r"^while parsing an? (?:block |flow )?(?:node|\w+ node)$"), "值"),
    (re.compile(r"^while constructing (?:an ordered map|pairs)$"), "有序映射"),
    (re.compile(r"^while constructing a Python .*$"), "Python 对象"),
    (re.compile(r"^while increasing (?:block|flow) level$|^while parsing$"), ""),
    (re.compile(r"^while (?:scanning|parsing|composing|constructing)\b.*$"), ""),
]


def _unknown(text: str) -> str:
    """Return a Chinese message for a library text no rule knows, keeping its quoted details."""
    details = re.findall(r"'[^']*'|\"[^\"]*\"", text)
    kept = "、".join(_shown(d) for d in details)
    return f"YAML 无法读取这里的内容（{kept}）" if kept else "YAML 无法读取这里的内容"


def translate(text: str) -> str:
    """Return a library problem or context text in Chinese, keeping its details."""
    text = " ".join(text.split())
    if re.search("[\u4e00-\u9fff]", text):  # our own constructors already speak Chinese
        return text
    found = first(_RULES, text)
    if found is not None:
        return found
    for pattern, what in _CONTEXTS:
        if pattern.match(text):
            return f"读取{what}时出错" if what else "读取时出错"
    return _unknown(text)


def _context(text: str) -> str:
    """Return what the library was reading (its ``while …`` context text) in Chinese, '' when it
    says nothing more than the problem does."""
    for pattern, what in _CONTEXTS:
        if pattern.match(text):
            return what
    return ""


# ----------------------------------------------------------------------------- the usual slips

# A key followed by a full-width colon, or by an ASCII colon without a space.
_KEY_START = r"[^\s:：#'\"\[\]{},&*!|>%@`-]"
_FULL_WIDTH = re.compile(rf"^(?P<indent>\s*)(?P<key>{_KEY_START}[^:：#]{{0,60}}?)\s*(?P<colon>：)\s*(?P<value>.*)$")
_NO_SPACE = re.compile(rf"^(?P<indent>\s*)(?P<key>{_KEY_START}[^:：#\s]{{0,60}}):(?P<value>[^\s:/].*)$")


def _slip(line: str, number: int) -> SyntaxProblem | None:
    """Return the slip on one source line (full-width colon, no space after the colon), if any."""
    match = _FULL_WIDTH.match(line)
    if match and not re.fullmatch(r"\d+", match["key"]):
        key, value = match["key"], match["value"].strip()
        fixed = f"{key}: {value}" if value else f"{key}:"
        return SyntaxProblem(number, match.start("colon") + 1, "yaml-fullwidth-colon",
                             f"键“{key}”后面用了中文冒号“：”；YAML 只认英文冒号加空格，请改成“{_short(fixed)}”")
    match = _NO_SPACE.match(line)
    if match and not re.fullmatch(r"\d+", match["key"]):
        key, value = match["key"], match["value"].strip()
        fixed = _short(f"{key}: {value}")
        return SyntaxProblem(number, match.start("value") + 1, "yaml-colon-space",
                             f"键“{key}”的冒号后面缺少空格；YAML 要求冒号后面空一格，请改成“{fixed}”")
    return None


def _short(text: str) -> str:
    return text if len(text) <= 30 else text[:29] + "…"


def _is_key_line(line: str) -> bool:
    """Return whether a source line holds a key (``key:`` or ``key: value``) or a list item."""
    stripped = line.split(" #")[0].rstrip()
    return bool(re.search(r":(\s|$)", stripped)) or stripped.lstrip().startswith("- ")


def _slip_before(lines: list[str], error_line: int) -> SyntaxProblem | None:
    """Return the first slip among the lines of the plain value that ends at ``error_line``
    (1-based): the lines above it back to the last one holding a key."""
    start = error_line - 1
    while start >= 1:
        text = lines[start - 1]
        if text.strip() and not text.lstrip().startswith("#") and _is_key_line(text):
            break
        start -= 1
    for number in range(start + 1, error_line):
        found = _slip(lines[number - 1], number)
        if found:
            return found
    return None


def _open_quote(exc: yaml.MarkedYAMLError, text: str, lines: list[str]) -> SyntaxProblem | None:
    """Return the quote left open that made ``exc``: one that runs to the end of the file, or a
    quoted value spanning lines that look like keys and ending where YAML then failed."""
    context = exc.context or ""
    if context.startswith("while scanning a quoted scalar") and exc.context_mark is not None:
        line, col = exc.context_mark.line + 1, exc.context_mark.column + 1
        quote = _char_at(lines, line, col) or "\""
        end = "文件末尾" if "end of stream" in (exc.problem or "") else "文档分隔符“---”"
        return SyntaxProblem(line, col, "yaml-quote",
                             f"这一行的引号 {quote} 没有配对：YAML 把从这里到{end}的内容都当成了一个值；"
                             f"请在这段文字末尾补上 {quote}，或删去开头的 {quote}")
    mark = exc.problem_mark
    if mark is None:
        return None
    last = None
    try:
        for token in yaml.scan(text, Loader=_Scanner):
            if token.start_mark.index >= mark.index:
                break
            if isinstance(token, yaml.ScalarToken) and token.style in ("'", '"'):
                last = token
    except yaml.YAMLError:
        pass
    if last is None or last.end_mark.line == last.start_mark.line or last.end_mark.line < mark.line - 1:
        return None
    inside = lines[last.start_mark.line + 1 : last.end_mark.line + 1]
    if not any(_is_key_line(part) for part in inside):
        return None
    line, col = last.start_mark.line + 1, last.start_mark.column + 1
    quote = last.style
    return SyntaxProblem(line, col, "yaml-quote",
                         f"这一行的引号 {quote} 没有配对：YAML 一直读到第 {last.end_mark.line + 1} 行的下一个 {quote} "
                         f"才结束，中间各行都成了这一个值；请在这段文字末尾补上 {quote}，或删去开头的 {quote}")


def _open_bracket(exc: yaml.MarkedYAMLError) -> SyntaxProblem | None:
    """Return the ``[`` or ``{`` left open (reported where it opens) behind ``exc``."""
    context = exc.context or ""
    if not context.startswith(("while parsing a flow sequence", "while parsing a flow mapping")):
        return None
    opened, mark = exc.context_mark, exc.problem_mark
    if opened is None or mark is None:
        return None
    pair = ("[", "]") if "sequence" in context else ("{", "}")
    if mark.line == opened.line:  # closed on its line: a comma is missing
        return SyntaxProblem(mark.line + 1, mark.column + 1, "yaml-syntax",
                             f"“{pair[0]}…{pair[1]}”里的各项要用逗号“,”分开；如果这是一段文字，请给整个值加引号")
    return SyntaxProblem(opened.line + 1, opened.column + 1, "yaml-bracket",
                         f"这一行的“{pair[0]}”没有配对的“{pair[1]}”：请在末尾补上“{pair[1]}”；"
                         f"如果“{pair[0]}”是文字的一部分，请给整个值加引号")


def _char_at(lines: list[str], line: int, col: int) -> str:
    if 0 < line <= len(lines) and 0 < col <= len(lines[line - 1]):
        return lines[line - 1][col - 1]
    return ""


# ----------------------------------------------------------------------------- entry points

def position(exc: yaml.MarkedYAMLError) -> tuple[int, int]:
    """Return the 1-based (line, col) where the library noticed ``exc``."""
    mark = exc.problem_mark or exc.context_mark
    return ((mark.line + 1), (mark.column + 1)) if mark else (1, 1)


def explain(exc: yaml.MarkedYAMLError, text: str) -> SyntaxProblem:
    """Return where the mistake behind ``exc`` is in ``text`` and a Chinese message for it."""
    lines = text.splitlines()
    line, col = position(exc)
    problem, context = exc.problem or "", exc.context or ""
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    if "simple key" in context and exc.context_mark is not None:  # the key line itself, not the next one
        key_line = exc.context_mark.line + 1
        found = _slip(lines[key_line - 1], key_line) if key_line <= len(lines) else None
        return found or SyntaxProblem(key_line, exc.context_mark.column + 1, "yaml-syntax",
                                      "这一行缺少“: ”（冒号加空格）：每一项应写成“键: 值”")
    quote = _open_quote(exc, text, lines)
    if quote:
        return quote
    if "mapping values are not allowed" in problem or "expected <block end>" in problem or \
            "did not find expected key" in problem:
        found = _slip_before(lines, line)
        if found:
            return found
    bracket = _open_bracket(exc)
    if bracket:
        return bracket
    if "'\\t'" in problem or "tab character" in problem or "\t" in source[: max(col, 1)]:
        return SyntaxProblem(line, col, "yaml-tab", "用了制表符（Tab）缩进；YAML 只认空格缩进，请把 Tab 换成空格"
                                                   "（编辑器里可设“用空格代替 Tab”）")
    if "block scalar" in context and ("chomping" in problem or "comment or line break" in problem):
        value = re.search(r":\s*([>|][^\s]*)", source)
        shown = value.group(1) if value else source.strip()
        if shown.startswith(">"):
            return SyntaxProblem(line, col, "yaml-gt", f"值“{shown}”以 > 开头，YAML 把 > 当作多行文本的标记。"
                                                       f"请加引号写成 '{shown}'，或写成 ≥{shown.lstrip('>=')}")
        return SyntaxProblem(line, col, "yaml-syntax",
                             f"值“{shown}”以 | 开头，YAML 把 | 当作多行文本的标记；请给整个值加引号")
    if "mapping values are not allowed" in problem:
        return SyntaxProblem(line, col, "yaml-colon", translate(problem))
    if "undefined alias" in problem:
        name = re.match(r"\*([^\s,\]}]+)", source[col - 1 :]) if col >= 1 else None
        shown = f" *{name.group(1)}" if name and "'" not in problem else ""
        return SyntaxProblem(line, col, "yaml-alias", translate(problem).replace("锚点", f"锚点{shown}", 1))
    if "expected <block end>" in problem or "did not find expected key" in problem or \
            "did not find expected '-' indicator" in problem:
        before = source[: col - 1].rstrip()
        if before and before[-1] in "]}\"'" and before.lstrip()[:1] not in ("]", "}"):  # `[a, b] c`, `"x" y`
            return SyntaxProblem(line, col, "yaml-syntax",
                                 f"值在“{before[-1]}”处已经结束，后面不能再写文字；如果整段都是文字，请给整个值加引号")
        return SyntaxProblem(line, col, "yaml-indent", translate(problem))
    if "cannot start any token" in problem:
        char = re.search(r"'(.+?)'", problem)
        shown = char.group(1) if char else _char_at(lines, line, col) or "?"
        return SyntaxProblem(line, col, "yaml-syntax", f"字符 {shown} 不能出现在值的开头；请给整个值加引号")
    if "duplicate anchor" in context and exc.context_mark is not None:
        name = re.match(r"&([^\s,\]}]+)", source[col - 1 :])
        message = f"锚点 &{name.group(1)} 定义了两次" if name and "'" not in context else translate(context)
        return SyntaxProblem(line, col, "yaml-syntax",
                             f"{message}（第 {exc.context_mark.line + 1} 行已有）；请给它换个名字")
    message = translate(problem or context)
    where = _context(context)
    if where and exc.context_mark is not None and exc.problem_mark is not None and \
            exc.context_mark.line != exc.problem_mark.line:
        message += f"（读取第 {exc.context_mark.line + 1} 行开始的{where}时）"
    elif where:
        message += f"（读取{where}时）"
    return SyntaxProblem(line, col, "yaml-syntax", f"YAML 语法错误：{message}")


def explain_reader(exc: yaml.reader.ReaderError) -> str:
    """Return a Chinese message for a reader error (a character YAML does not accept)."""
    character = exc.character
    if isinstance(character, int):
        return f"有 YAML 不接受的字符 U+{character:04X}；请删去它"
    if isinstance(character, (bytes, str)) and character:
        shown = character.hex() if isinstance(character, bytes) else f"{ord(character[0]):04X}"
        return f"有 YAML 无法读取的字节或字符（{shown}）；请用编辑器另存为 UTF-8"
    return translate(str(exc.reason or ""))
