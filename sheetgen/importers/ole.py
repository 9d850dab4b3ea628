"""What an OLE compound file handed to the importer is, and what the clerk should do with it.

A .docx/.xlsx is a zip package; an OLE compound file (it starts with ``D0 CF 11 E0``) is either
a password-protected .docx/.xlsx (ECMA-376 encryption: the package sits encrypted in the
streams ``EncryptionInfo`` and ``EncryptedPackage``; Excel, Word and WPS all write it so) or an
old binary .doc/.xls.  :func:`problem` returns the Chinese message for each; the directory is
read with :mod:`olefile`, whatever the file is named.
"""

from __future__ import annotations

import io
from pathlib import PurePath

import olefile  # type: ignore[import-untyped]

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_REMOVE_PASSWORD = {
    "Excel": "在 Excel 里用密码打开它，点“文件 → 信息 → 保护工作簿 → 用密码进行加密”，清空密码后保存"
             "（WPS：“文件 → 文档加密 → 密码加密”，清除打开密码后保存）",
    "Word": "在 Word 里用密码打开它，点“文件 → 信息 → 保护文档 → 用密码进行加密”，清空密码后保存"
            "（WPS：“文件 → 文档加密 → 密码加密”，清除打开密码后保存）",
}


def _streams(blob: bytes) -> set[str] | None:
    """Return the names of the streams in the compound file ``blob`` (None when it cannot be read)."""
    try:
        with olefile.OleFileIO(io.BytesIO(blob)) as ole:
            return {"/".join(entry) for entry in ole.listdir(streams=True, storages=False)}
    except Exception:  # olefile raises many kinds on a damaged file; each means "unreadable"
        return None


def _program(name: str) -> str | None:
    suffix = PurePath(name).suffix.lower()
    if suffix.startswith(".xl"):
        return "Excel"
    if suffix.startswith(".do"):
        return "Word"
    return None


def problem(blob: bytes, name: str) -> str:
    """Return why the compound file ``blob`` (named ``name``) cannot be imported and what to do."""
    streams = _streams(blob)
    if streams is None:
        return ("这是旧版 Office 格式（OLE 复合文件），但已损坏，无法读取；"
                "请用 Word 或 Excel 打开后另存为 .docx/.xlsx 再导入")
    if {"EncryptionInfo", "EncryptedPackage"} <= streams:
        program = _program(name)
        how = _REMOVE_PASSWORD[program] if program else (
            f"{_REMOVE_PASSWORD['Excel']}；Word 文件同样在“文件 → 信息 → 保护文档”里清空密码")
        return f"文件设置了打开密码（已加密），sheetgen 无法读取。请{how}，再导入"
    if "WordDocument" in streams:
        return "这是旧版 .doc 文件，请先用 Word 或 WPS 另存为 .docx 再导入"
    if streams & {"Workbook", "Book"}:
        return "这是旧版 .xls 文件，请先用 Excel 或 WPS 另存为 .xlsx 再导入"
    return "这是旧版 Office 格式（OLE 复合文件），不是 .docx/.xlsx；请用 Word 或 Excel 打开后另存为 .docx/.xlsx 再导入"
