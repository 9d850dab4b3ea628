"""OS errors read in Chinese: what went wrong with a file, in words a clerk can act on."""

from __future__ import annotations

import errno
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from sheetgen import os_errors
from sheetgen.cli import main


def _raised(action: Callable[[], object]) -> OSError:
    with pytest.raises(OSError) as caught:
        action()
    return caught.value


def english(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]{3,}", text)) - {"Word", "Excel", "WPS"}


def test_real_errors_of_the_file_system(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("x")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    cases = {
        "不存在": _raised(lambda: (tmp_path / "missing.yaml").read_bytes()),
        "是一个文件夹": _raised(lambda: tmp_path.read_bytes()),
        "不是文件夹": _raised(lambda: (tmp_path / "a.yaml" / "b.yaml").read_bytes()),
        "已经存在": _raised(lambda: (tmp_path / "a.yaml").open("x")),
        "太长": _raised(lambda: (tmp_path / ("长" * 200)).read_bytes()),
        "绕成了圈": _raised(lambda: (tmp_path / "loop").read_bytes()),
        "不是空的": _raised(lambda: os.rmdir(tmp_path)),
    }
    if Path("/dev/full").exists():
        cases["磁盘已满"] = _raised(lambda: Path("/dev/full").write_bytes(b"x" * 65536))
    for words, exc in cases.items():
        shown = os_errors.explain(exc)
        assert words in shown, (exc, shown)
        assert not english(shown), shown


@pytest.mark.parametrize(("code", "words"), [
    (errno.EACCES, "没有权限"), (errno.EPERM, "没有权限"), (errno.EROFS, "只读"), (errno.EBUSY, "正被"),
    (errno.EDQUOT, "配额"), (errno.EMFILE, "太多"), (errno.EIO, "读写磁盘"), (errno.EXDEV, "磁盘"),
    (errno.EINVAL, "无效"), (errno.ETIMEDOUT, "超时"), (errno.ESTALE, "网络"), (errno.ENOMEM, "内存"),
])
def test_errors_this_machine_cannot_provoke(code: int, words: str) -> None:
    shown = os_errors.explain(OSError(code, os.strerror(code), "x.docx"))
    assert words in shown and not english(shown), shown


def test_a_file_open_in_excel_on_windows() -> None:
    exc = PermissionError(errno.EACCES, "The process cannot access the file", "a.xlsx")
    exc.winerror = 32  # type: ignore[attr-defined]  # what Windows adds for a sharing violation
    shown = os_errors.explain(exc)
    assert "Excel" in shown and "关闭" in shown and not english(shown)


def test_an_unknown_error_gives_its_code_not_its_english() -> None:
    shown = os_errors.explain(OSError(errno.EPROTO, "Protocol error"))
    assert "EPROTO" in shown and "Protocol" not in shown
    assert not english(os_errors.explain(OSError("something odd happened")))


def test_a_failed_copy_counts_the_files(tmp_path: Path) -> None:
    error = shutil.Error([(str(tmp_path / "a"), str(tmp_path / "b"), "[Errno 13] Permission denied")])
    shown = os_errors.explain(error)
    assert "1 个文件" in shown and str(tmp_path / "a") in shown and "Permission" not in shown


# ----------------------------------------------------------------------------- through the command line

def test_import_of_a_missing_file_says_so_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(tmp_path / "去年.docx"), "-o", str(tmp_path / "specs")]) == 1
    shown = "".join(capsys.readouterr())
    assert "去年.docx" in shown and "不存在" in shown, shown
    assert not english(shown.split("]: ", 1)[1]), shown


def test_build_into_a_folder_under_a_file_says_so_in_chinese(
        unit_dir: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = unit_dir()
    blocker = tmp_path / "output"
    blocker.write_text("not a folder")
    assert main(["build", str(folder), "-o", str(blocker / "out"), "-j", "1"]) == 1
    err = capsys.readouterr().err
    assert "不是文件夹" in err, err
    assert "Not a directory" not in err
