"""Safe YAML loading that keeps every node's position and refuses what loses data.

Returns plain Python data plus a :class:`Positions` table mapping YAML paths
to ``(line, col)``.  Differences from ``yaml.safe_load``:

* duplicate keys are reported (PyYAML silently keeps the last one);
* floats are read as exact :class:`~decimal.Decimal` (``26.50`` stays 26.50);
* only ``true``/``false`` are booleans (``yes``/``no``/``on``/``off`` stay
  text) and ``12:30`` is not a base-60 number;
* mapping keys are the text as written (``007`` stays "007", ``true`` "true");
  for every plain scalar YAML types as something else (``0100`` -> 100,
  ``true``, ``~``, ``2020-01-01 09:00:00``) :attr:`Positions.texts` keeps the
  characters written, so text fields can print exactly what was typed;
* keys that differ only by invisible characters (a trailing space, NBSP,
  zero-width space) are duplicates, as they print identically;
* size, nesting depth and alias expansion are bounded (alias bombs);
* syntax errors become diagnostics in Chinese at the line of the slip behind
  them, with a hint for the usual mistakes (:mod:`sheetgen.spec.yaml_errors`).

The usual file (no anchor, alias, tag or merge key, not too deep, no mistake) is read in one
pass over libyaml's events that records positions, finds duplicates and builds the data
(:func:`_read_usual`); any other is read in full -- checked, composed into nodes, walked and
constructed by PyYAML (:func:`_load_fully`) -- with the same result the one pass would give.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from msgspec import Struct

from sheetgen.errors import Diagnostic, Severity

try:  # libyaml is much faster and keeps marks as well
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _BaseLoader = yaml.SafeLoader

#: PyYAML's plain safe loader (libyaml's when PyYAML has it): for files whose positions are not
#: needed (sheetgen's own data, a jurisdiction already checked by :func:`load_yaml`).
PLAIN_LOADER: type = _BaseLoader


def read_plain(text: str | bytes) -> Any:
    """Return the data of a YAML text read with :data:`PLAIN_LOADER` (no positions kept)."""
    return yaml.load(text, Loader=PLAIN_LOADER)


MAX_BYTES = 1024 * 1024
MAX_DEPTH = 40
MAX_NODES = 100_000

Path_ = tuple[str, ...]


class SpecLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """A SafeLoader with YAML 1.2-like scalars, Decimal floats and keys as written."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """Return the mapping of ``node`` with each scalar key as the text written
        (a key names a field or an indicator: ``007`` is "007", not 7)."""
        if not isinstance(node, yaml.MappingNode):  # !!map on a scalar: PyYAML's own error
            return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]
        self.flatten_mapping(node)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = key_node.value
            else:
                raise yaml.constructor.ConstructorError(
                    None, None, "键只能是一段文字（名称），不能是列表或“键: 值”", key_node.start_mark)
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


SpecLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag not in (
        "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
SpecLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
SpecLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
SpecLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"), list("-+.0123456789"))


def _not_a(node: yaml.ScalarNode, what: str) -> yaml.constructor.ConstructorError:
    """Return the error for an explicitly tagged scalar (``!!int x``) that is no such value."""
    return yaml.constructor.ConstructorError(None, None, f"“{node.value}”不是{what}（标签 {node.tag}）",
                                             node.start_mark)


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    try:
        value = Decimal(loader.construct_scalar(node).replace("_", ""))
    except InvalidOperation:  # only an explicit !!float can get here (the resolver matched digits)
        raise _not_a(node, "数字") from None
    if not value.is_finite():
        raise _not_a(node, "有限的数字")
    return value


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    try:
        return int(loader.construct_scalar(node).replace("_", ""))
    except ValueError:  # only an explicit !!int can get here
        raise _not_a(node, "整数") from None


def _construct_bool(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> bool:
    text = loader.construct_scalar(node).lower()
    if text not in ("true", "false"):  # only an explicit !!bool can get here
        raise _not_a(node, "“true”或“false”")
    return text == "true"


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, AttributeError):  # 2020-02-30, or !!timestamp x: keep the text, validation says it is no date
        return loader.construct_scalar(node)


SpecLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
SpecLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
SpecLoader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)


def _refuse_tag(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """Refuse the YAML types a spec has no use for (they would print as Python reprs such as b'…')."""
    raise yaml.constructor.ConstructorError(
        None, None, f"不支持 YAML 标签 {node.tag.replace('tag:yaml.org,2002:', '!!')}；"
        "项目说明里只写文字、数字、日期、true/false、列表和“键: 值”", node.start_mark)


for _tag in ("binary", "set", "omap", "pairs"):
    SpecLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse_tag)
SpecLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


class Positions:
    """Where each YAML path sits in its file: the key's and the value's position;
    and ``texts``: the characters written for each plain scalar value that YAML
    typed as other than text (``0100``, ``true``, ``~``, ``2020-01-01 09:00:00``).

    The table of a file read in one pass is filled on first use (:meth:`of_text`):
    most files' positions are never asked for."""

    def __init__(self, file: str, keys: dict[Path_, tuple[int, int]] | None = None,
                 values: dict[Path_, tuple[int, int]] | None = None, texts: dict[Path_, str] | None = None) -> None:
        self.file = file
        self._keys: dict[Path_, tuple[int, int]] = {} if keys is None else keys
        self._values: dict[Path_, tuple[int, int]] = {} if values is None else values
        self._texts: dict[Path_, str] = {} if texts is None else texts
        self._text: str | None = None  # the text the tables are still to be read from

    @classmethod
    def of_text(cls, file: str, text: str) -> Positions:
        """Return the table of ``text``, a file :func:`_read_usual` reads, to be filled on first use."""
        table = cls(file)
        table._text = text
        return table

    def _filled(self) -> None:
        if self._text is not None:
            filled = _read_usual(self._text, self.file, _CONSTRUCTOR, positions=True).positions
            self._keys, self._values, self._texts = filled._keys, filled._values, filled._texts
            self._text = None

    @property
    def keys(self) -> dict[Path_, tuple[int, int]]:
        self._filled()
        return self._keys

    @property
    def values(self) -> dict[Path_, tuple[int, int]]:
        self._filled()
        return self._values

    @property
    def texts(self) -> dict[Path_, str]:
        self._filled()
        return self._texts

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Positions):
            return NotImplemented
        return (self.file, self.keys, self.values, self.texts) == (other.file, other.keys, other.values, other.texts)

    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass it was

    def __repr__(self) -> str:
        return f"Positions(file={self.file!r}, keys={self.keys!r}, values={self.values!r}, texts={self.texts!r})"

    def rerooted(self, prefix: Path_) -> Positions:
        """Return this table with every path moved under ``prefix`` (a block put in at that place)."""
        return Positions(
            self.file,
            {(*prefix, *p): v for p, v in self.keys.items()},
            {(*prefix, *p): v for p, v in self.values.items()},
            {(*prefix, *p): v for p, v in self.texts.items()},
        )

    def locate(self, path: Path_, *, key: bool = False) -> tuple[int, int] | None:
        """Return the position of ``path`` (or of its nearest recorded ancestor)."""
        table = self.keys if key else self.values
        probe = tuple(path)
        while probe:
            if probe in table:
                return table[probe]
            if not key and probe in self.keys:
                return self.keys[probe]
            probe = probe[:-1]
        return None


class Loaded(Struct):
    """The result of reading one YAML file."""

    data: Any
    positions: Positions
    diagnostics: list[Diagnostic]


def _diag(file: str, line: int, col: int, code: str, message: str, *, label: str = "",
          path: str = "", severity: Severity = Severity.ERROR) -> Diagnostic:
    return Diagnostic(file, line, col, code, severity, message, label, path)


# ----------------------------------------------------------------------------- decoding

# Everything PyYAML's reader refuses (C0 and C1 controls but tab, line breaks and U+0085, DEL,
# surrogates, U+FFFE/U+FFFF), so that each is reported at its line instead of as a reader error.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff\ud800-\udfff]")


def decode(raw: bytes, file: str) -> tuple[str | None, list[Diagnostic]]:
    """Return the text of a spec file and what was noticed about its encoding."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), []
        except UnicodeDecodeError:
            return None, [_diag(file, 1, 1, "encoding", "文件以 UTF-16 标记开头，但内容无法按 UTF-16 读取")]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        bad_line = raw[: exc.start].count(b"\n") + 1
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            return None, [_diag(file, bad_line, 1, "encoding",
                                "文件不是 UTF-8 编码，也不是 GBK/GB18030 编码，无法读取；请用编辑器另存为 UTF-8")]
        return text, [_diag(file, bad_line, 1, "encoding",
                            "文件是 GBK/GB18030 编码（Windows 记事本等常用），已按 GB18030 读取；"
                            "建议另存为 UTF-8", severity=Severity.WARNING)]


def _check_chars(text: str, file: str) -> list[Diagnostic]:
    problems = []
    for match in _BAD_CHARS.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        col = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        char = match.group()
        hint = (
            "这是从 Word 粘贴来的手动换行符（Shift+Enter），Word 和 Excel 都无法保存；请删去它，需要换行就用 | 多行文本"
            if char == "\x0b"
            else "Word 和 Excel 都无法保存这个控制字符，请删去"
        )
        problems.append(_diag(file, line, col, "bad-char", f"第 {line} 行有不可见字符 U+{ord(char):04X}。{hint}"))
        if len(problems) >= 20:
            break
    return problems


# ----------------------------------------------------------------------------- syntax errors

def _syntax_message(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, int, str, str]:
    """Return (line, col, code, message) of a syntax error, at the line of the slip behind it."""
    from sheetgen.spec import yaml_errors  # only when a file has a mistake (its tables cost a cold start)

    found = yaml_errors.explain(exc, text)
    return found.line, found.col, found.code, found.message


# ----------------------------------------------------------------------------- bounds

def _depth_bound(text: str) -> int:
    """Return an upper bound of the nesting depth of ``text`` without parsing it.

    Every level of block nesting needs one more column of indentation or an
    indicator (``- ``, ``: ``, ``? ``) on the line, every level of flow nesting a
    bracket; specs stay far below the limit, so the full check is skipped.
    """
    brackets = text.count("[") + text.count("{")
    deepest = 0
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        if stripped and not stripped.startswith("#"):
            marks = stripped.count("- ") + stripped.count(": ") + stripped.count("? ")
            deepest = max(deepest, len(line) - len(stripped) + marks)
    return brackets + deepest + 1


def _check_shape(text: str, file: str) -> Diagnostic | None:
    depth = 0
    try:
        for event in yaml.parse(text, Loader=SpecLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    return _too_deep(file, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        if _nesting_limit(exc):  # libyaml's own limit (PyYAML >= 6.0.3) fired before ours
            return _too_deep(file, *_position(exc))
        return None  # the composer reports it with a better message
    except yaml.YAMLError:
        return None
    return None


def _nesting_limit(exc: yaml.MarkedYAMLError) -> bool:
    """Return whether ``exc`` is the YAML library's own nesting limit (libyaml says
    "exceeded maximum nesting depth"), which is the same refusal as ours."""
    return "maximum nesting depth" in f"{exc.problem or ''} {exc.context or ''}"


def _position(exc: yaml.MarkedYAMLError) -> tuple[int, int]:
    """Return the 1-based (line, col) where ``exc`` was found."""
    from sheetgen.spec import yaml_errors

    return yaml_errors.position(exc)


def _too_deep(file: str, line: int, col: int) -> Diagnostic:
    return _diag(file, line, col, "too-deep", f"嵌套超过 {MAX_DEPTH} 层，不像是一份项目说明；拒绝读取")


def _count_nodes(node: yaml.Node, memo: dict[int, int]) -> int:
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = 1  # guards against recursive aliases
    if isinstance(node, yaml.MappingNode):
        total = 1 + sum(_count_nodes(k, memo) + _count_nodes(v, memo) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        total = 1 + sum(_count_nodes(v, memo) for v in node.value)
    else:
        total = 1
    memo[key] = min(total, MAX_NODES + 1)
    return memo[key]


def _alias_problem(root: yaml.Node) -> tuple[str, yaml.Node] | None:
    """Return ("loop", node) when an anchor contains an alias of itself (``a: &a [*a]``: the data
    would hold itself and every walk over it would recurse forever), ("deep", node) when
    aliases nest the data deeper than MAX_DEPTH, else None.  Iterative, so no recursion limit."""
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            continue
        key = id(node)
        if leaving:
            on_path.discard(key)
            depth[key] = 1 + max((depth.get(id(c), 0) for c in children), default=0)
            if depth[key] > MAX_DEPTH:
                return "deep", node
            continue
        if key in depth:
            continue
        on_path.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in on_path:
                return "loop", child
            if id(child) not in depth:
                stack.append((child, False))
    return None


# ----------------------------------------------------------------------------- positions

_STR_TAG = "tag:yaml.org,2002:str"


def printed_as_is(text: str) -> bool:
    """Return whether ``text`` is its own :func:`printed_form` as far as C string methods tell
    (the usual case): printable (no format character, no space but U+0020), no double space,
    none at either end."""
    return text.isprintable() and "  " not in text and text == text.strip(" ")


def printed_form(text: str) -> str:
    """Return ``text`` as it reads on paper: invisible characters (zero-width spaces,
    BOMs, soft hyphens) dropped, every run of spaces (NBSP, U+3000 too) one space, no
    space at either end.  Two names with the same printed form print as the same row."""
    if printed_as_is(text):
        return text
    visible = "".join(" " if ch.isspace() else ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(visible.split())


def invisible_difference(one: str, other: str) -> str:
    """Return the characters by which two texts of the same printed form differ, as U+XXXX."""
    odd = sorted({ch for ch in one + other if ch.isspace() or unicodedata.category(ch) == "Cf"})
    return "、".join(f"U+{ord(ch):04X}" for ch in odd)


def _record_text(node: yaml.Node, path: Path_, positions: Positions) -> None:
    """Keep the characters of a plain scalar (style None, or "" from libyaml) that YAML typed as other than text."""
    if isinstance(node, yaml.ScalarNode) and not node.style and node.tag != _STR_TAG and node.value:
        positions.texts[path] = node.value


def _walk(node: yaml.Node, path: Path_, positions: Positions, problems: list[Diagnostic],
          seen: set[int]) -> None:
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first: dict[str, tuple[str, int]] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            child = (*path, key)
            printed = printed_form(key)
            if printed in first:
                problems.append(_duplicate(positions.file, line, col, child, first[printed]))
            else:
                first[printed] = (key, line)
            positions.keys[child] = (line, col)
            positions.values[child] = (value_node.start_mark.line + 1, value_node.start_mark.column + 1)
            _record_text(value_node, child, positions)
            _walk(value_node, child, positions, problems, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, str(index))
            positions.values[child] = (item.start_mark.line + 1, item.start_mark.column + 1)
            _record_text(item, child, positions)
            _walk(item, child, positions, problems, seen)


def _duplicate(file: str, line: int, col: int, path: Path_, first: tuple[str, int]) -> Diagnostic:
    """Return the error for key ``path[-1]`` at ``line`` when ``first`` (key, line) prints the same."""
    key, (first_key, first_line) = path[-1], first
    in_indicators = len(path) >= 4 and path[0] == "indicators"
    code = "duplicate-indicator" if in_indicators else "duplicate-key"
    if key == first_key:
        message = (f"同一组里指标“{key}”出现了两次（第 {first_line} 行已有）" if in_indicators else
                   f"键“{key}”重复出现（第 {first_line} 行已有）；YAML 只会保留后一个，前面的内容会丢失")
    else:
        what = "指标" if in_indicators else "名称"
        message = (f"同一组里{what}“{printed_form(key)}”出现了两次（第 {first_line} 行已有）："
                   f"两处只差空格或看不见的字符（{invisible_difference(key, first_key)}），"
                   "表上会印成两行一样的；请删去一处或改名")
    return _diag(file, line, col, code, message, path=".".join(path))


def iter_strings(data: Any, path: Path_ = ()) -> Iterator[tuple[Path_, str]]:
    """Return every (path, string) in ``data``, keys included."""
    if isinstance(data, dict):
        for key, value in data.items():
            child = (*path, str(key))
            if isinstance(key, str):
                yield child, key
            yield from iter_strings(value, child)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from iter_strings(value, (*path, str(index)))
    elif isinstance(data, str):
        yield path, data


# ----------------------------------------------------------------------------- one pass

#: libyaml's parser alone (None without libyaml): the usual file is read from its events.
_EventParser: type | None = getattr(yaml.cyaml, "CParser", None) if hasattr(yaml, "CSafeLoader") else None

#: The tags of the plain scalars that YAML types as other than text and sheetgen constructs.
_TYPED = frozenset(f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "timestamp"))

#: Where the lines of a text break (as :meth:`str.splitlines` breaks them).
_LINE_BREAK = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_NOT_SPACE = re.compile(r"\S")  # \s is str.isspace() in a str pattern
_RESOLVERS = SpecLoader.yaml_implicit_resolvers  # by first character ("" for the empty text)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()  # for SpecLoader's scalar constructors (they keep no state)


class _Unusual(Exception):
    """Raised by :func:`_read_usual` on what it leaves to the full reading."""


def _blank_or_comments(text: str) -> bool:
    """Return whether every line of ``text`` is blank or a comment (stripped of
    Unicode spaces, as :meth:`str.strip` strips them), without splitting it into lines."""
    start = 0
    while True:
        content = _NOT_SPACE.search(text, start)
        if content is None:
            return True
        if text[content.start()] != "#":
            return False
        end = _LINE_BREAK.search(text, content.start())
        if end is None:
            return True
        start = end.end()


def _plain_value(text: str, constructor: yaml.constructor.SafeConstructor) -> tuple[Any, bool]:
    """Return the value of an untagged plain scalar as :class:`SpecLoader` constructs it, and
    whether YAML typed it as other than text; raise :class:`_Unusual` for the types it refuses.

    The tag is found as ``SpecLoader.resolve`` finds it: by the first implicit resolver of the
    first character whose pattern matches (``SpecLoader`` has no path or wildcard resolvers).
    """
    for tag, pattern in _RESOLVERS.get(text[:1], ()):
        if pattern.match(text):
            if tag not in _TYPED:
                raise _Unusual(tag)
            return SpecLoader.yaml_constructors[tag](constructor, yaml.ScalarNode(tag, text)), True
    return text, False


class _MaybeDuplicate(_Unusual):
    """Raised by :func:`_read_collection` when it records no positions and a key is written
    again, or may print as another one (it is not :func:`printed_as_is`)."""


def _read_usual(text: str, file: str, constructor: yaml.constructor.SafeConstructor, *,
                positions: bool = False) -> Loaded:
    """Return what :func:`load_yaml` reads from ``text`` (without the encoding notes) in one pass
    over libyaml's events, which finds duplicate keys and builds the data; and records positions
    with ``positions``, else leaves them to be read on first use (:meth:`Positions.of_text`) --
    unless a key is duplicated, as its diagnostic names its path: then the positions are read too.

    Raise :class:`_Unusual` on all that only the full reading handles (or reports): tags and
    anchors (or a text with ``!`` or ``&`` anywhere), aliases, merge keys (``<<``), keys that are
    lists or mappings, no document or more than one, nesting deeper than MAX_DEPTH.  A YAML error
    (a syntax error, or a character libyaml refuses: those that :func:`_check_chars` reports)
    propagates.
    """
    assert _EventParser is not None
    if "!" in text or "&" in text:  # without them, no event has a tag or an anchor
        raise _Unusual("tag or anchor")
    table = Positions(file) if positions else Positions.of_text(file, text)
    problems: list[Diagnostic] = []
    parser = _EventParser(text)
    try:
        next_event = parser.get_event
        if type(next_event()) is not yaml.StreamStartEvent or type(next_event()) is not yaml.DocumentStartEvent:
            raise _Unusual("no document")
        event = next_event()
        if type(event) is yaml.ScalarEvent:
            data = _plain_value(event.value, constructor)[0] if event.style == "" else event.value
        elif type(event) is yaml.MappingStartEvent or type(event) is yaml.SequenceStartEvent:
            data = _read_collection(type(event) is yaml.MappingStartEvent, next_event,
                                    table if positions else None, file, problems, constructor)
        else:
            raise _Unusual("an alias")
        if type(next_event()) is not yaml.DocumentEndEvent or type(next_event()) is not yaml.StreamEndEvent:
            raise _Unusual("more than one document")
    except _MaybeDuplicate:
        return _read_usual(text, file, constructor, positions=True)
    finally:
        parser.dispose()
    return Loaded(data, table, problems)


def _read_collection(mapping: bool, next_event: Callable[[], Any], table: Positions | None, file: str,
                     problems: list[Diagnostic], constructor: yaml.constructor.SafeConstructor) -> Any:
    """Return the document's root mapping (``mapping``) or list read from ``next_event`` up to its
    end (its start read), recording in ``table`` (unless None) positions, plain typed text and in
    ``problems`` duplicate keys as :func:`_walk` does, in the same order (see :func:`_read_usual`).
    Raise :class:`_MaybeDuplicate` (see there) when ``table`` is None."""
    record = table is not None
    keys, values, texts = (table._keys, table._values, table._texts) if table is not None else ({}, {}, {})
    resolvers = _RESOLVERS
    root: dict[str, Any] | list[Any] = {} if mapping else []
    # The collection being read: its data, whether it is a mapping, its path, the key awaiting its
    # value with that value's path (None when a key comes next, always None in a list) and the
    # event of the first key of each printed form; ``outer`` holds the same but the key of those around it.
    data: Any = root
    path: Path_ = ()
    key: str | None = None
    child: Path_ = ()
    first: dict[str, Any] = {}
    outer: list[tuple[Any, bool, Path_, dict[str, Any]]] = []
    while True:
        event = next_event()
        kind = type(event)
        if kind is yaml.ScalarEvent:
            value = event.value
            if mapping and key is None:  # the key of a pair
                if value == "<<" and event.style == "":
                    raise _Unusual("a merge key")
                key = value
                if not record:  # two keys print the same only if equal, when each is printed as is
                    if key in data or not printed_as_is(key):
                        raise _MaybeDuplicate(key)
                    continue
                mark = event.start_mark
                line, col = mark.line + 1, mark.column + 1
                child = (*path, key)
                printed = printed_form(key)
                if printed in first:
                    earlier = first[printed]
                    problems.append(_duplicate(file, line, col, child, (earlier.value, earlier.start_mark.line + 1)))
                else:
                    first[printed] = event
                keys[child] = (line, col)
                continue
            if record:
                if not mapping:
                    child = (*path, str(len(data)))
                mark = event.start_mark
                values[child] = (mark.line + 1, mark.column + 1)
            if event.style == "" and value[:1] in resolvers:
                value, typed = _plain_value(value, constructor)
                if record and typed and event.value:
                    texts[child] = event.value
            if mapping:
                data[key] = value
                key = None
            else:
                data.append(value)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if mapping and key is None:
                raise _Unusual("a list or mapping as a key")
            if len(outer) + 2 > MAX_DEPTH:  # the root is at depth 1, ``data`` at len(outer) + 1
                raise _Unusual("too deep")
            if record:
                if not mapping:
                    child = (*path, str(len(data)))
                mark = event.start_mark
                values[child] = (mark.line + 1, mark.column + 1)
            value = {} if kind is yaml.MappingStartEvent else []
            if mapping:
                data[key] = value
                key = None
            else:
                data.append(value)
            outer.append((data, mapping, path, first))
            data, mapping, path, first = value, kind is yaml.MappingStartEvent, child, {}
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            if not outer:
                return root
            data, mapping, path, first = outer.pop()
        else:
            raise _Unusual("an alias")


# ----------------------------------------------------------------------------- entry point

def load_yaml(raw: bytes, file: str) -> Loaded:
    """Return the data, positions and problems of one YAML file's bytes.

    ``data`` is ``None`` when the file could not be read at all; the
    diagnostics then say why.
    """
    positions = Positions(file)
    if len(raw) > MAX_BYTES:
        return Loaded(None, positions, [_diag(file, 1, 1, "too-large",
                                              f"文件有 {len(raw) // 1024} KB，超过上限 {MAX_BYTES // 1024} KB；"
                                              "一份项目说明不会这么大")])
    text, problems = decode(raw, file)
    if text is None:
        return Loaded(None, positions, problems)
    if _EventParser is not None and not _blank_or_comments(text):
        try:
            usual = _read_usual(text, file, _CONSTRUCTOR)
        except (_Unusual, yaml.YAMLError, ValueError, ArithmeticError, LookupError, AttributeError, TypeError):
            pass  # the full reading below finds (and explains) the same
        else:
            return Loaded(usual.data, usual.positions, [*problems, *usual.diagnostics])
    return _load_fully(text, file, problems)


def _load_fully(text: str, file: str, problems: list[Diagnostic]) -> Loaded:
    """Return the data, positions and problems of ``text`` (``problems`` holds those of its
    encoding) read in full: checked for bad characters, emptiness, depth and aliases first,
    composed into nodes, walked for positions and duplicate keys, then constructed."""
    positions = Positions(file)
    bad = _check_chars(text, file)
    if bad:
        return Loaded(None, positions, problems + bad)
    if _blank_or_comments(text):
        return Loaded(None, positions, [*problems, _diag(file, 1, 1, "empty-file", "文件是空的，没有任何内容")])
    shape = _check_shape(text, file) if _depth_bound(text) > MAX_DEPTH else None
    if shape:
        return Loaded(None, positions, [*problems, shape])
    loader = SpecLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Loaded(None, positions, [*problems, _diag(file, 1, 1, "empty-file", "文件是空的，没有任何内容")])
        aliased = "*" in text  # without an alias (*name) no node is shared: nothing loops or blows up
        alias = _alias_problem(node) if aliased else None
        if alias:
            kind, at = alias
            line, col = at.start_mark.line + 1, at.start_mark.column + 1
            message = ("锚点（&名称）里引用了它自己（*名称），数据会无限展开；拒绝读取" if kind == "loop" else
                       f"别名（*引用）展开后嵌套超过 {MAX_DEPTH} 层，不像是一份项目说明；拒绝读取")
            return Loaded(None, positions, [*problems, _diag(file, line, col,
                                                             "alias-loop" if kind == "loop" else "too-deep", message)])
        if aliased and _count_nodes(node, {}) > MAX_NODES:
            return Loaded(None, positions, [*problems, _diag(
                file, 1, 1, "alias-bomb", f"展开别名（*引用）后超过 {MAX_NODES} 个节点，疑似“别名炸弹”；拒绝读取")])
        _walk(node, (), positions, problems, set())
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        if _nesting_limit(exc):
            return Loaded(None, positions, [*problems, _too_deep(file, *_position(exc))])
        line, col, code, message = _syntax_message(exc, text)
        return Loaded(None, positions, [*problems, _diag(file, line, col, code, message)])
    except yaml.reader.ReaderError as exc:  # _check_chars leaves none, but say it in Chinese all the same
        from sheetgen.spec import yaml_errors

        return Loaded(None, positions, [*problems, _diag(file, 1, 1, "yaml-syntax",
                                                         f"YAML 无法读取：{yaml_errors.explain_reader(exc)}")])
    except yaml.YAMLError as exc:
        from sheetgen.spec import yaml_errors

        message = yaml_errors.translate(str(exc))
        return Loaded(None, positions, [*problems, _diag(file, 1, 1, "yaml-syntax", f"YAML 无法读取：{message}")])
    except RecursionError:
        return Loaded(None, positions, [*problems, _diag(file, 1, 1, "too-deep", "嵌套太深，拒绝读取")])
    except (ValueError, ArithmeticError, LookupError, AttributeError, TypeError) as exc:  # a constructor's own error
        message = " ".join(str(exc).split()) or type(exc).__name__
        return Loaded(None, positions, [*problems, _diag(file, 1, 1, "yaml-syntax", f"YAML 无法读取：{message}")])
    finally:
        loader.dispose()
    return Loaded(data, positions, problems)
