"""Chinese for the operating system's errors (``OSError``), instead of its English ``strerror``.

:func:`explain` returns what went wrong with a file in words a clerk can act on; the caller
names the file.  Windows' sharing violation (a file open in Word/Excel/WPS) is told apart from
other permission errors.
"""

from __future__ import annotations

import errno
import shutil

_OPEN_ELSEWHERE = "文件正被其他程序使用（可能在 Word/Excel/WPS 中打开），请先关闭它再试"
_NETWORK = "网络连接出错（网络盘或共享文件夹可能断开了），请检查连接后再试"

#: errno name → Chinese.  Names, not numbers: a platform lacking one simply skips it.
_BY_NAME = {
    "ENOENT": "文件或文件夹不存在",
    "EACCES": "没有权限（文件或文件夹可能是只读的、属于别的用户，或正被其他程序打开）",
    "EPERM": "没有权限（文件或文件夹可能是只读的、属于别的用户，或正被其他程序打开）",
    "ENOSPC": "磁盘已满",
    "EDQUOT": "磁盘配额已用完",
    "EROFS": "所在的磁盘或文件夹是只读的",
    "ENAMETOOLONG": "文件名或路径太长，请缩短文件夹或文件的名字",
    "EISDIR": "这是一个文件夹，不是文件",
    "ENOTDIR": "路径中的某一段是文件，不是文件夹",
    "EEXIST": "已经存在同名的文件或文件夹",
    "ENOTEMPTY": "文件夹不是空的",
    "EBUSY": "文件或文件夹正被其他程序使用，请关闭它后再试",
    "ETXTBSY": "文件正被其他程序使用，请关闭它后再试",
    "ELOOP": "路径里的快捷方式（符号链接）绕成了圈",
    "EMFILE": "同时打开的文件太多",
    "ENFILE": "系统同时打开的文件太多",
    "EIO": "读写磁盘时出错（磁盘、U 盘或网络盘可能有问题）",
    "EXDEV": "不能在两个磁盘之间直接移动文件",
    "EINVAL": "文件名或参数无效（文件名里可能有系统不允许的字符）",
    "EFBIG": "文件太大",
    "EMLINK": "链接太多",
    "ENXIO": "设备不存在或没有连接",
    "ENODEV": "设备不存在或没有连接",
    "EAGAIN": "资源暂时不可用，请稍后再试",
    "EINTR": "操作被中断",
    "ETIMEDOUT": "操作超时（网络盘或共享文件夹可能连接不上）",
    "ESTALE": "网络盘上的文件已失效，请重新打开文件夹后再试",
    "ENOMEM": "内存不足",
    "EBADF": "文件已关闭或无效",
    "ENOTSUP": "这个磁盘或文件系统不支持这个操作",
    "EOPNOTSUPP": "这个磁盘或文件系统不支持这个操作",
    "ENOEXEC": "无法运行这个程序（不是可执行的程序）",
    "E2BIG": "命令行太长",
    "ECONNREFUSED": _NETWORK, "ECONNRESET": _NETWORK, "ECONNABORTED": _NETWORK, "EHOSTDOWN": _NETWORK,
    "EHOSTUNREACH": _NETWORK, "ENETDOWN": _NETWORK, "ENETUNREACH": _NETWORK, "ENETRESET": _NETWORK,
}
_BY_CODE = {getattr(errno, name): text for name, text in _BY_NAME.items() if hasattr(errno, name)}
#: Windows error codes that mean "another program has the file open".
_SHARING_VIOLATIONS = {32, 33}  # ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION


def explain(exc: OSError) -> str:
    """Return what went wrong in ``exc``, in Chinese and without the system's English."""
    if getattr(exc, "winerror", None) in _SHARING_VIOLATIONS:
        return _OPEN_ELSEWHERE
    if isinstance(exc, shutil.Error):
        return _copy_failures(exc)
    code = exc.errno
    if code in _BY_CODE:
        return _BY_CODE[code]
    if isinstance(exc, TimeoutError):
        return _BY_NAME["ETIMEDOUT"]
    if isinstance(code, int):
        name = errno.errorcode.get(code)
        return f"操作系统报告了错误（{name}，错误号 {code}）" if name else f"操作系统报告了错误（错误号 {code}）"
    return "操作系统报告了错误"


def _copy_failures(exc: shutil.Error) -> str:
    """Return how many files ``shutil.copytree`` could not copy, naming the first."""
    failures = exc.args[0] if exc.args and isinstance(exc.args[0], list) else []
    if not failures:
        return "有文件无法复制"
    first = failures[0][0] if isinstance(failures[0], tuple) and failures[0] else ""
    return f"有 {len(failures)} 个文件无法复制（如 {first}）"
