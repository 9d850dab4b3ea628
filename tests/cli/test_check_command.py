"""`sheetgen check`: one line per problem, exit codes, JSON output."""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sheetgen.cli import main
from tests.conftest import REPO, SHANGHAI_SPEC

LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<sev>错误|警告) \[(?P<code>[a-z0-9-]+)\]"
                  r"(?: (?P<label>[^(:]+?))?(?: \((?P<ypath>[^)]+)\))?: (?P<message>.+)$")


def test_clean_specs_exit_zero(unit_dir: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(unit_dir())]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "0 个错误" in err


def test_errors_exit_one_with_one_line_each(unit_dir: Callable[..., Path],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    spec = SHANGHAI_SPEC.replace("name: 检察业务保障费\n", "").replace("plan: 计划", "plan: 计划\nplan: 再来")
    folder = unit_dir(specs={"01-a.yaml": spec})
    assert main(["check", str(folder)]) == 1
    lines = capsys.readouterr().out.splitlines()
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), lines
    by_code = {m["code"]: m for m in parsed if m}
    assert by_code["missing-field"]["label"] == "项目名称" and by_code["missing-field"]["ypath"] == "name"
    assert by_code["duplicate-key"]["sev"] == "错误" and by_code["duplicate-key"]["path"].endswith("01-a.yaml")


def test_warnings_alone_exit_zero_unless_strict(unit_dir: Callable[..., Path],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    folder = unit_dir(specs={"01-a.yaml": SHANGHAI_SPEC.replace("预算执行率: =100%", "预算执行率:")})
    assert main(["check", str(folder)]) == 0
    assert "警告 [empty-value]" in capsys.readouterr().out
    assert main(["check", "--strict", str(folder)]) == 1


def test_json_format(unit_dir: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    folder = unit_dir(specs={"01-a.yaml": SHANGHAI_SPEC.replace("overview", "overveiw")})
    assert main(["check", "--format", "json", str(folder)]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert payload["errors"] == 2 and payload["files"] == 1
    codes = {d["code"]: d for d in payload["diagnostics"]}
    assert codes["unknown-field"]["line"] == 7 and codes["unknown-field"]["severity"] == "error"


def test_usage_errors_exit_two(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", "--format", "xml", str(tmp_path)])
    assert exc.value.code == 2
    assert main(["check", str(tmp_path / "missing")]) == 2
    assert "找不到" in capsys.readouterr().out


def test_problem_in_defaults_points_at_defaults_file(unit_dir: Callable[..., Path],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    folder = unit_dir(defaults="jurisdiction: shanghai\nyear: 二〇二〇\nunit:\n  name: 单位\n")
    assert main(["check", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "_defaults.yaml:2:7: 错误 [wrong-type] 年度 (year)" in out


def test_help_is_in_chinese_and_fast_to_import() -> None:
    done = subprocess.run([sys.executable, "-m", "sheetgen", "--help"], capture_output=True, text=True,
                          cwd=REPO, check=True)
    assert "检查" in done.stdout and "生成" in done.stdout
    heavy = "('docx', 'openpyxl', 'cerberus', 'jinja2', 'yaml')"
    probe = subprocess.run([sys.executable, "-c", "import sys, sheetgen.cli; "
                            f"print(','.join(m for m in {heavy} if m in sys.modules))"],
                           capture_output=True, text=True, cwd=REPO, check=True)
    assert probe.stdout.strip() == ""


_CHECK_AND_LIST = ("import sys; from sheetgen.cli import main; code = main(['check', sys.argv[1]]); "
                   "print(code, ','.join(m for m in ('cerberus', 'importlib.metadata') if m in sys.modules))")


def test_checking_valid_specs_does_not_import_cerberus(unit_dir: Callable[..., Path]) -> None:
    # the compiled schemas vouch for valid specs: Cerberus (~20 ms of a cold start) is not needed
    folder = unit_dir(specs={"01-a.yaml": SHANGHAI_SPEC})
    probe = subprocess.run([sys.executable, "-c", _CHECK_AND_LIST, str(folder)], capture_output=True, text=True,
                           cwd=REPO, check=True)
    assert probe.stdout.splitlines()[-1].split() == ["0"]


def test_checking_an_invalid_spec_asks_cerberus(unit_dir: Callable[..., Path]) -> None:
    folder = unit_dir(specs={"01-a.yaml": SHANGHAI_SPEC.replace("name: 检察业务保障费\n", "")})
    probe = subprocess.run([sys.executable, "-c", _CHECK_AND_LIST, str(folder)], capture_output=True, text=True,
                           cwd=REPO, check=True)
    assert probe.stdout.splitlines()[-1].split() == ["1", "cerberus,importlib.metadata"]


# ----------------------------------------------------------------------------- check with no path

def test_check_without_a_path_checks_specs_like_build(unit_dir: Callable[..., Path], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    unit_dir(specs={"01-a.yaml": SHANGHAI_SPEC, "02-b.yaml": SHANGHAI_SPEC.replace("overview", "overveiw")})
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 1
    out, err = capsys.readouterr()
    assert "specs/unit/02-b.yaml:7:1: 错误 [unknown-field]" in out.replace("\\", "/")
    assert "检查了 2 个项目说明" in err


def test_check_without_a_path_and_without_specs_says_where_it_looked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    out = capsys.readouterr().out
    assert out.startswith("specs:") and "找不到" in out


# ----------------------------------------------------------------------------- no English in what a clerk reads

#: ASCII words the Chinese output may carry: the program, its commands, formats and products it names.
ALLOWED_WORDS = {
    "sheetgen", "check", "build", "import", "new", "schema", "templates", "list", "copy", "rollover", "serve",
    "YAML", "JSON", "Schema", "Word", "Excel", "WPS", "LibreOffice", "PDF", "VS", "Code", "CI", "CPU", "Ctrl",
    "docx", "xlsx", "pdf", "text", "json", "grid", "pdftext", "docxtext", "shanghai", "tianjin", "hebei",
    "jurisdiction", "true", "false", "Tab", "UTF",
}
_TOKENS_OF_THE_USER = re.compile(
    r"(?<![\w-])--?[A-Za-z][\w-]*"  # an option name
    r"|\[[a-z0-9-]+\]"  # a diagnostic code
    r"|[\w.\-]*[/\\][\w./\\-]*|[\w\-]+\.(?:yaml|md|docx|xlsx|json|txt|pdf)\b"  # a path or file name
    r"|'[^']*'"  # a value the user typed, quoted back
)


def english_words(text: str, *typed: str) -> set[str]:
    """Return the ASCII words of 3+ letters in ``text`` that are no option, path, code, typed value or
    allowed name."""
    known = ALLOWED_WORDS | {w for t in typed for w in re.findall(r"[A-Za-z]{3,}", t)}
    rest = _TOKENS_OF_THE_USER.sub(" ", text)
    return {word for word in re.findall(r"[A-Za-z]{3,}", rest) if word not in known}


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with contextlib.suppress(SystemExit):
        main(argv)
    out, err = capsys.readouterr()
    return out + err


HELP = [[], ["--help"], ["check", "-h"], ["build", "-h"], ["import", "-h"], ["schema", "-h"], ["templates", "-h"],
        ["templates", "list", "-h"], ["templates", "copy", "-h"], ["new", "-h"], ["rollover", "-h"]]
USAGE_ERRORS = [
    ["bild"], ["check", "--format", "xml"], ["build", "--jobs", "x"], ["build", "--zz"], ["build", "-o"],
    ["build", "--quiet", "--verbose"], ["build", "--f"], ["import", "a.docx"], ["import", "a.docx", "--layout", "x"],
    ["rollover", "specs/u"], ["rollover", "specs/u", "--to", "abc"], ["templates"], ["templates", "remove"],
    ["new"], ["check", "--strict=yes"],
]


@pytest.mark.parametrize("argv", HELP, ids=lambda argv: " ".join(argv) or "(none)")
def test_help_is_all_chinese(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    shown = _run(argv, capsys)
    assert "用法：" in shown and english_words(shown) == set(), shown


@pytest.mark.parametrize("argv", USAGE_ERRORS, ids=" ".join)
def test_usage_errors_are_all_chinese(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    shown = "".join(capsys.readouterr())
    assert "用法错误" in shown and english_words(shown, *argv) == set(), shown


def test_usage_errors_keep_their_detail(capsys: pytest.CaptureFixture[str]) -> None:
    assert "'bild'" in _run(["bild"], capsys)
    shown = _run(["build", "--jobs", "x"], capsys)
    assert "--jobs" in shown and "“x”不是整数" in shown
    assert "--to" in _run(["rollover", "specs/u"], capsys)
    shown = _run(["build", "--quiet", "--verbose"], capsys)
    assert "--verbose" in shown and "--quiet" in shown


def test_broken_specs_are_reported_all_in_chinese(unit_dir: Callable[..., Path],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    broken = {
        "01-colon.yaml": SHANGHAI_SPEC.replace("category: ", "category："),
        "02-quote.yaml": SHANGHAI_SPEC.replace("overview: 概况", 'overview: "概况'),
        "03-end.yaml": SHANGHAI_SPEC.replace("overview: 概况", "overview: '概况").replace('">=85%"', "≥85%"),
        "04-doc.yaml": SHANGHAI_SPEC + "---\nname: 第二个\n",
        "05-escape.yaml": SHANGHAI_SPEC.replace("plan: 计划", 'plan: "C:\\计划"'),
    }
    folder = unit_dir(specs=broken)
    assert main(["check", str(folder)]) == 1
    shown = "".join(capsys.readouterr())
    assert shown.count("错误 [") == len(broken)
    assert english_words(shown, *broken.values()) == set(), shown


def test_every_text_argparse_can_print_has_a_chinese_form() -> None:
    import argparse
    import ast

    from sheetgen.cli_text import CATALOGUE

    tree = ast.parse(Path(argparse.__file__).read_text(encoding="utf-8"))
    msgids = {arg.value for node in ast.walk(tree)
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext")
              for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)}
    assert "usage: " in msgids and len(msgids) > 30
    assert sorted(msgids - CATALOGUE.keys()) == []
    for msgid in msgids:
        shown = re.sub(r"%\(\w+\)[rsd]|%[rsd]", " ", CATALOGUE[msgid])
        assert english_words(shown) <= {"required", "dest", "conflict", "resolution", "call"}, msgid


def test_new_with_a_broken_defaults_file_names_the_slip_in_chinese(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "specs" / "unit"
    folder.mkdir(parents=True)
    defaults = "jurisdiction: shanghai\nyear： 2020\nunit:\n  name: 单位\n"
    (folder / "_defaults.yaml").write_text(defaults, encoding="utf-8")
    assert main(["new", "测试项目", "-o", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "_defaults.yaml:2:5:" in err and "中文冒号" in err and english_words(err, "year") == set(), err
