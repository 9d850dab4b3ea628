"""The Chinese of the texts argparse prints: help headings, usage lines, usage errors.

argparse sends every text it prints through ``gettext`` (its module-level ``_`` and
``ngettext``) so that a program can translate it.  :func:`chinese` returns a context in which
those calls answer from :data:`CATALOGUE`; the command line is built, parsed and its help
printed inside it.  Keys are argparse's message templates (its msgids, with their
``%(name)s`` placeholders), so the values argparse fills in (an option, a choice) are kept.
"""

from __future__ import annotations

import argparse
import contextlib
import gettext
from collections.abc import Iterator

#: argparse's msgids (Python 3.10–3.13) → Chinese.
CATALOGUE: dict[str, str] = {
    # help
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "optional arguments": "选项",
    "subcommands": "子命令",
    "show this help message and exit": "显示这段帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "%(heading)s:": "%(heading)s：",
    " (default: %(default)s)": "（默认：%(default)s）",
    # usage errors
    "%(prog)s: error: %(message)s\n": "%(prog)s：用法错误：%(message)s\n",
    "%(prog)s: warning: %(message)s\n": "%(prog)s：警告：%(message)s\n",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少必须给出的参数：%s",
    "one of the arguments %s is required": "%s 必须给出其中一个",
    "unrecognized arguments: %s": "不认识的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "没有 %(value)r 这一项（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "%(value)r 不是有效的值",
    "expected one argument": "后面要跟一个值",
    "expected at most one argument": "后面最多跟一个值",
    "expected at least one argument": "后面至少要跟一个值",
    "expected %s argument": "后面要跟 %s 个值",
    "expected %s arguments": "后面要跟 %s 个值",
    "not allowed with argument %s": "不能和 %s 同时使用",
    "ambiguous option: %(option)s could match %(matches)s": "%(option)s 不明确，可能是 %(matches)s；请写完整",
    "ignored explicit argument %r": "这个选项后面不能跟值（%r）",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有 %(parser_name)r 这个命令（可选：%(choices)s）",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
    "argument '%(argument_name)s' is deprecated": "参数“%(argument_name)s”已不再建议使用",
    "option '%(option)s' is deprecated": "选项“%(option)s”已不再建议使用",
    "command '%(parser_name)s' is deprecated": "命令“%(parser_name)s”已不再建议使用",
    "unexpected option string: %s": "意外的选项：%s",
    # mistakes in the definition of the command line itself (never a user's)
    "%r is not callable": "%r 不能调用",
    "'required' is an invalid argument for positionals": "位置参数不能设 required",
    ".__call__() not defined": "没有定义 .__call__()",
    "argument \"-\" with mode %r": "参数“-”的模式 %r",
    "cannot have multiple subparser arguments": "不能有多组子命令",
    "cannot merge actions - two groups are named %r": "无法合并：两组都叫 %r",
    "conflicting option string: %s": "选项冲突：%s",
    "conflicting option strings: %s": "选项冲突：%s",
    "conflicting subparser alias: %s": "子命令别名冲突：%s",
    "conflicting subparser: %s": "子命令冲突：%s",
    "dest= is required for options like %r": "%r 这样的选项需要 dest=",
    "invalid conflict_resolution value: %r": "无效的 conflict_resolution：%r",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r":
        "无效的选项 %(option)r：必须以 %(prefix_chars)r 开头",
    "mutually exclusive arguments must be optional": "互斥的参数必须是可选的",
}


class _Catalogue(gettext.NullTranslations):
    """A gettext translation answering from :data:`CATALOGUE` (untranslated texts pass through)."""

    def gettext(self, message: str) -> str:
        return CATALOGUE.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self.gettext(msgid1 if n == 1 else msgid2)


@contextlib.contextmanager
def chinese() -> Iterator[None]:
    """Return a context in which argparse prints its own texts in Chinese."""
    catalogue = _Catalogue()
    saved = getattr(argparse, "_", None), getattr(argparse, "ngettext", None)
    setattr(argparse, "_", catalogue.gettext)  # noqa: B010 - argparse's own gettext hooks
    setattr(argparse, "ngettext", catalogue.ngettext)  # noqa: B010
    try:
        yield
    finally:
        for name, value in zip(("_", "ngettext"), saved, strict=True):
            if value is not None:
                setattr(argparse, name, value)
