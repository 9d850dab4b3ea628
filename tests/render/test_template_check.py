"""``sheetgen templates check`` and the check ``check``/``build`` run once per template: every
name a Word or Excel template uses, checked against the data without rendering (so a branch
no spec reaches is checked too), and the page headers and footers it prints."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from sheetgen import jurisdiction as jurisdictions
from sheetgen.build.runner import BuildOptions, run_build
from sheetgen.checking import check
from sheetgen.cli import main
from sheetgen.errors import TemplateError
from sheetgen.jurisdiction import Jurisdiction
from sheetgen.render.docx import compile_docx
from sheetgen.render.template_check import reports
from sheetgen.render.templates import compiled
from sheetgen.render.variables import check as check_names
from sheetgen.render.xlsx import compile_xlsx
from tests.conftest import TIANJIN_SPEC
from tests.render.conftest import DOCX_TIANJIN, _project_from


@pytest.fixture
def copied(tmp_path: Path) -> Path:
    """Return specs/ with a copy of tianjin as specs/templates/hebei and a unit using it."""
    specs = tmp_path / "specs"
    shutil.copytree(jurisdictions.builtin_dir() / "tianjin", specs / "templates" / "hebei")
    unit = specs / "hb"
    unit.mkdir()
    (unit / "_defaults.yaml").write_text("jurisdiction: hebei\nyear: 2025\nunit:\n  name: 某院\n", encoding="utf-8")
    for name in ("01-a.yaml", "02-b.yaml"):
        (unit / name).write_text(TIANJIN_SPEC, encoding="utf-8")
    return specs


def load(specs: Path) -> Jurisdiction:
    return jurisdictions.load("hebei", jurisdictions.search_path([specs / "templates"]))


MISSPELT = "{% if combined %}{{ project.fundng_source }}{% endif %}"


def misspell_excel(specs: Path, ref: str = "A13", text: str = MISSPELT, name: str = "hebei") -> None:
    path = specs / "templates" / name / "table.xlsx"
    book = openpyxl.load_workbook(path)
    book.active[ref] = text
    book.save(path)


def misspell_word(specs: Path, text: str = "{{ project.purpse }}") -> None:
    path = specs / "templates" / "hebei" / "table.docx"
    document = Document(str(path))
    document.add_paragraph("{%p if not project.name %}")  # (a branch no spec with a name reaches)
    document.add_paragraph(f"资金用途：{text}")
    document.add_paragraph("{%p endif %}")
    document.save(str(path))


def test_a_misspelt_field_no_spec_reaches_is_still_an_error_in_both(copied: Path) -> None:
    misspell_excel(copied)
    misspell_word(copied)
    jurisdiction = load(copied)
    project = _project_from({**DOCX_TIANJIN, "jurisdiction": "hebei"})
    for kind, where in (("xlsx", "单元格 A13"), ("docx", "附近文字“资金用途：")):
        # rendering alone would not notice: the branch is not taken for one project
        assert (compile_xlsx if kind == "xlsx" else compile_docx)(jurisdiction).render([project], jurisdiction)
        with pytest.raises(TemplateError) as error:
            compiled(kind, jurisdiction)
        message = str(error.value)
        assert str(jurisdiction.template_path(kind)) in message and where in message
        field = "project.fundng_source" if kind == "xlsx" else "project.purpse"
        assert f"没有字段 {field}" in message and "purpose" in message


def test_templates_check_lists_names_and_headers_footers(copied: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = copied / "templates" / "hebei"
    assert main(["templates", "check", str(folder), "--specs", str(copied)]) == 0
    out = capsys.readouterr().out
    word = next(line for line in out.splitlines() if "Word 模板" in line)
    excel = next(line for line in out.splitlines() if "Excel 模板" in line)
    for name in ("project.name", "project.budget.fiscal", "project.purpose", "row.level1", "row.description",
                 "number", "rows"):
        assert name in word and name in excel
    assert "页脚：第 {页码} 页，共 {总页数} 页" in out  # the Excel footer a copy carries into every workbook
    assert "页脚（word/" not in out  # the Tianjin Word template has none
    assert main(["templates", "check", str(jurisdictions.builtin_dir() / "shanghai")]) == 0
    assert "页脚（word/footer1.xml）：- {页码} -" in capsys.readouterr().out


def test_templates_check_flags_the_misspelt_field_at_its_cell(copied: Path, capsys: pytest.CaptureFixture[str]) -> None:
    misspell_excel(copied)
    assert main(["templates", "check", str(copied / "templates"), "--specs", str(copied)]) == 1
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if "错误 [template]" in line)
    assert line.startswith(str(copied / "templates" / "hebei" / "table.xlsx"))
    assert "单元格 A13" in line and "没有字段 project.fundng_source" in line


def test_check_reports_a_template_problem_once_and_build_makes_no_file(copied: Path, tmp_path: Path) -> None:
    misspell_excel(copied)
    report = check([copied])
    problems = [d for d in report.diagnostics if d.code == "template"]
    assert len(problems) == 1 and problems[0].is_error and "project.fundng_source" in problems[0].message
    assert report.errors == 1

    out = tmp_path / "out"
    summary = run_build(BuildOptions(paths=(copied,), output=out, jobs=1))
    assert not summary.ok and summary.failed == 2
    assert not list(out.rglob("*.xlsx"))
    assert any("project.fundng_source" in failure for failure in summary.failures)


def test_built_in_templates_use_only_names_their_data_has() -> None:
    for name in ("shanghai", "tianjin"):
        jurisdiction = jurisdictions.load(name)
        for kind in ("docx", "xlsx"):
            template = compiled(kind, jurisdiction)
            names = check_names(template.sources(), jurisdiction)
            assert not names.problems and "rows" in names.used and "row.level1" in names.used
        # check trusts the shipped templates (it does not compile them again): this is their check,
        # every table's
        found = reports(jurisdiction)
        assert len(found) == 4 and all(r.ok for r in found), [(r.path, r.error, r.problems) for r in found]


def test_a_built_in_format_overridden_by_a_folder_of_the_user_is_checked(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(jurisdictions.builtin_dir() / "tianjin", specs / "templates" / "tianjin")
    (specs / "u").mkdir()
    (specs / "u" / "_defaults.yaml").write_text("jurisdiction: tianjin\nyear: 2025\nunit:\n  name: 某院\n",
                                                encoding="utf-8")
    (specs / "u" / "01-x.yaml").write_text(TIANJIN_SPEC, encoding="utf-8")
    assert not check([specs]).diagnostics
    misspell_excel(specs, name="tianjin")
    problems = [d for d in check([specs]).diagnostics if d.code == "template"]
    assert len(problems) == 1 and "project.fundng_source" in problems[0].message


OK = [
    "{{ project.name }}{{ unit.name }}{{ year }}{{ number }}{{ combined }}{{ jurisdiction.title }}",
    "{% for r in rows if r.value %}{{ r.level1.text }}{{ r.level2.span }}{{ loop.revindex }}{% endfor %}",
    "{% set first = rows|first %}{{ first.name }}{{ (rows|list)[0].description }}{{ rows[0].level2.start }}",
    "{% set ns = namespace(n=0) %}{% for t in project.targets %}{% set ns.n = ns.n + 1 %}{{ t }}{% endfor %}",
    "{% macro line(a, b=1) %}{{ a }}{{ b }}{{ caller() }}{% endmacro %}{% call line(project.name) %}x{% endcall %}",
    "{% with total = project.budget.total %}{{ total }}{% endwith %}{{ range(3)|join }}",
    "{% if project.nothing is defined %}有{% endif %}{{ project.other|default('无') }}",
    "{% for t in project.targets %}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{% endfor %}",
    "{{ rows|selectattr('level1.text', 'equalto', '产出指标')|map(attribute='name')|join('、') }}",
    "{% filter upper %}{{ project.name }}{% endfilter %}{{ project.budget.unit }}",
]
BAD = [
    ("{{ project.nmae }}", "project.nmae"),
    ("{{ unit.nmae }}", "unit.nmae"),
    ("{% for r in rows %}{{ r.valeu }}{% endfor %}", "r.valeu"),
    ("{% for r in rows %}{{ r.level1.txt }}{% endfor %}", "r.level1.txt"),
    ("{% for r in rows %}{{ loop.idx }}{% endfor %}", "loop.idx"),
    ("{{ rows[0].standard }}", "rows[0].standard"),
    ("{{ row.name }}", "row"),
    ("{{ loop.index }}", "loop"),
    ("{% set first = rows|first %}{{ first.nmae }}", "first.nmae"),
]


@pytest.mark.parametrize("text", OK)
def test_what_the_renderers_accept_the_check_accepts(text: str) -> None:
    jurisdiction = jurisdictions.load("tianjin")
    from sheetgen.render.variables import Source

    assert check_names([Source("x", text)], jurisdiction).problems == []


@pytest.mark.parametrize(("text", "name"), BAD)
def test_what_the_check_refuses_the_renderers_refuse(tmp_path: Path, text: str, name: str) -> None:
    from sheetgen.render.variables import Source

    jurisdiction = jurisdictions.load("tianjin")
    problems = check_names([Source("x", text)], jurisdiction).problems
    assert [p.name for p in problems] == [name]
    folder = tmp_path / "templates" / "custom"
    folder.mkdir(parents=True)
    (folder / "jurisdiction.yaml").write_text("extends: tianjin\n", encoding="utf-8")
    book = openpyxl.Workbook()
    book.active["A1"] = text
    book.save(folder / "table.xlsx")
    document = Document()
    document.add_paragraph(text)
    document.save(str(folder / "table.docx"))
    custom = jurisdictions.load("custom", jurisdictions.search_path([tmp_path / "templates"]))
    project = _project_from(DOCX_TIANJIN)
    for compile_ in (compile_docx, compile_xlsx):
        with pytest.raises(TemplateError):
            compile_(custom).render([project], custom)
