"""The build's record of what is current never lies (issue 11, section 2).

A unit's 汇总 always holds every current project of the unit, whatever paths the
build was given; outputs of deleted specs go; an edit made while a build runs is
never recorded as built; unit folders whose output folders clash are refused; a
build record of the wrong shape is ignored with a note; a 汇总 that cannot hold
every project is not written and the old one does not stay looking current.

Each expectation is checked against an independent fact: a fresh build of the same
tree into an empty folder (byte-identical output is a guarantee of the build), or
what python-docx/openpyxl read back from the files.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import docx
import openpyxl
import pytest

from sheetgen.build import atomic
from sheetgen.build.manifest import MANIFEST_NAME
from sheetgen.build.runner import BuildOptions, Summary, run_build
from sheetgen.cli import main
from tests.conftest import REPO, SHANGHAI_SPEC

TJ = "tj-xiqing-2025"
TJ_COMBINED = "汇总-天津市西青区人民检察院"
SH_COMBINED = "汇总-上海市人民检察院第一分院"


@pytest.fixture
def seed_specs(tmp_path: Path) -> Path:
    target = tmp_path / "specs"
    shutil.copytree(REPO / "specs", target)
    return target


def build(*paths: Path, out: Path, **kwargs: object) -> Summary:
    return run_build(BuildOptions(paths=paths, output=out, **kwargs))  # type: ignore[arg-type]


def made(folder: Path) -> dict[str, bytes]:
    """Return the tables in ``folder`` (relative path -> bytes), without the build record."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def fresh(specs: Path, tmp_path: Path) -> dict[str, bytes]:
    """Return what a whole-tree build of ``specs`` into an empty folder writes."""
    out = tmp_path / "fresh"
    shutil.rmtree(out, ignore_errors=True)
    assert build(specs, out=out, jobs=1).failed == 0
    return made(out)


def doc_text(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def book_text(path: Path) -> dict[str, str]:
    book = openpyxl.load_workbook(path)
    return {sheet.title: "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
            for sheet in book.worksheets}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def tj_spec(specs: Path, number: str) -> Path:
    return next((specs / TJ).glob(f"{number}-*.yaml"))


# ----------------------------------------------------------------------------- 1. the 汇总 is always complete


@pytest.mark.parametrize("which", ["one-file", "two-files", "unit-folder", "file-and-other-unit"])
def test_a_partial_build_keeps_every_project_in_the_combined_files(seed_specs: Path, tmp_path: Path,
                                                                   which: str) -> None:
    out = tmp_path / "out"
    assert build(seed_specs, out=out, jobs=1).failed == 0
    spec = tj_spec(seed_specs, "05")
    edit(spec, "name: ", "name: 改过的")
    paths = {
        "one-file": (spec,),
        "two-files": (spec, tj_spec(seed_specs, "01")),
        "unit-folder": (spec.parent,),
        "file-and-other-unit": (spec, seed_specs / "sh-yifenyuan-2020"),
    }[which]
    summary = build(*paths, out=out, jobs=1)
    assert (summary.built, summary.failed) == (1, 0)
    sheets = book_text(out / TJ / f"{TJ_COMBINED}.xlsx")
    expected = fresh(seed_specs, tmp_path)
    assert sheets == book_text(tmp_path / "fresh" / TJ / f"{TJ_COMBINED}.xlsx")
    assert len(sheets) >= 7 and any("改过的" in text for text in sheets.values())
    assert "改过的" in doc_text(out / TJ / f"{TJ_COMBINED}.docx")
    assert made(out) == expected


def test_building_one_spec_first_still_writes_a_complete_combined_file(seed_specs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = build(tj_spec(seed_specs, "03"), out=out, jobs=1)
    assert summary.failed == 0 and summary.built == 7  # its siblings are the 汇总's projects: built too
    assert made(out) == {k: v for k, v in fresh(seed_specs, tmp_path).items() if k.startswith(f"{TJ}/")}


# ----------------------------------------------------------------------------- 2. deleted specs


def test_a_deleted_spec_loses_its_files_and_leaves_the_combined_files(seed_specs: Path, tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert build(seed_specs, out=out, jobs=1).failed == 0
    last = tj_spec(seed_specs, "07")  # sorts last: its sheet is the 汇总's last one
    last.unlink()
    code = main(["build", str(seed_specs), "-o", str(out), "-j", "1"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert not list((out / TJ).glob(f"{last.stem}.*"))
    assert "删除" in err and f"{last.stem}.docx" in err and "已不存在" in err
    assert not any("司法救助" in text for text in book_text(out / TJ / f"{TJ_COMBINED}.xlsx").values())
    assert made(out) == fresh(seed_specs, tmp_path)


def test_a_deleted_unit_folder_loses_its_files(seed_specs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(seed_specs, out=out, jobs=1).failed == 0
    shutil.rmtree(seed_specs / TJ)
    summary = build(seed_specs, out=out, jobs=1)
    assert summary.failed == 0 and len(summary.removed) == 7 * 2 + 2
    assert not (out / TJ).exists() or not list((out / TJ).iterdir())
    assert made(out) == fresh(seed_specs, tmp_path)


def test_deleted_specs_outside_the_paths_built_wait_for_a_build_that_covers_them(seed_specs: Path,
                                                                                tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(seed_specs, out=out, jobs=1).failed == 0
    gone = tj_spec(seed_specs, "02")
    gone.unlink()
    build(seed_specs / "sh-yifenyuan-2020", out=out, jobs=1)
    assert (out / TJ / f"{gone.stem}.docx").is_file()  # not this build's business: its unit was not named
    summary = build(seed_specs, out=out, jobs=1)
    assert {p.name for p in summary.removed} == {f"{gone.stem}.docx", f"{gone.stem}.xlsx"}
    assert made(out) == fresh(seed_specs, tmp_path)


def test_files_sheetgen_did_not_write_are_never_removed(unit_dir: Callable[..., Path], tmp_path: Path) -> None:
    folder = unit_dir(specs={"01-a.yaml": SHANGHAI_SPEC, "02-b.yaml": SHANGHAI_SPEC.replace("检察业务保障费", "乙")})
    out = tmp_path / "out"
    assert build(folder.parent, out=out, jobs=1).failed == 0
    mine = out / "unit" / "02-b的说明.docx"
    mine.write_bytes(b"mine")
    (folder / "02-b.yaml").unlink()
    summary = build(folder.parent, out=out, jobs=1)
    assert {p.name for p in summary.removed} == {"02-b.docx", "02-b.xlsx"}
    assert mine.read_bytes() == b"mine"


# ----------------------------------------------------------------------------- 3. edits while a build runs


@pytest.mark.parametrize("what", ["spec", "defaults", "block"])
def test_an_edit_made_while_the_build_runs_is_built_next_time(unit_dir: Callable[..., Path], tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch, what: str) -> None:
    head = SHANGHAI_SPEC[: SHANGHAI_SPEC.index("indicators:")]
    with_block = head + "indicators:\n  投入与管理:\n    include: ../_blocks/投入.yaml\n" + \
        SHANGHAI_SPEC[SHANGHAI_SPEC.index("  产出目标:"):]
    folder = unit_dir(specs={"01-a.yaml": with_block})
    block = folder.parent / "_blocks" / "投入.yaml"
    block.parent.mkdir()
    block.write_text("投入管理:\n  预算编制合理性: 合理\n  预算执行率: =100%\n", encoding="utf-8")
    target, old, new = {
        "spec": (folder / "01-a.yaml", "概况", "编辑中改过的概况"),
        "defaults": (folder / "_defaults.yaml", "第一分院", "第一分院编辑中"),
        "block": (block, "合理", "编辑中改过"),
    }[what]
    out = tmp_path / "out"
    real_write = atomic._write_all
    edited: list[bool] = []

    def write_then_edit(handle: BinaryIO, data: bytes) -> None:
        if not edited:  # the first file written: the spec has been read and rendered already
            edited.append(True)
            edit(target, old, new)
        real_write(handle, data)

    monkeypatch.setattr(atomic, "_write_all", write_then_edit)
    assert build(folder.parent, out=out, jobs=1).failed == 0
    monkeypatch.setattr(atomic, "_write_all", real_write)
    assert edited
    assert new not in doc_text(out / "unit" / "01-a.docx")  # this build rendered what it had read
    again = build(folder.parent, out=out, jobs=1)
    assert again.built == 1, "the edit made during the first build was recorded as built"
    assert new in doc_text(out / "unit" / "01-a.docx") or new in doc_text(
        next((out / "unit").glob("汇总-*.docx")))


# ----------------------------------------------------------------------------- 5. unit folders that clash


def test_unit_folders_with_the_same_output_folder_are_refused(unit_dir: Callable[..., Path], tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    unit_dir(specs={"01-a.yaml": SHANGHAI_SPEC}, name="u:1")
    unit_dir(specs={"02-b.yaml": SHANGHAI_SPEC.replace("检察业务保障费", "乙")}, name="u_1")
    out = tmp_path / "out"
    code = main(["build", str(tmp_path / "specs"), "-o", str(out), "-j", "1"])
    err = capsys.readouterr().err
    assert code == 1
    line = next(line for line in err.splitlines() if "u:1" in line and "u_1" in line)
    assert "错误" in line and "改名" in line
    assert not list(out.rglob("汇总-*"))


# ----------------------------------------------------------------------------- 6. a build record of the wrong shape


def _spoil(record: object, how: str) -> object:
    """Return the build record ``record`` (as JSON data) spoiled in the way ``how`` names."""
    assert isinstance(record, dict) and record["specs"] and record["units"]
    spec = next(iter(record["specs"]))
    unit = next(iter(record["units"]))
    if how in ("list", "number", "string", "null"):
        return {"list": [], "number": 5, "string": "text", "null": None}[how]
    if how == "specs-list":
        return {**record, "specs": []}
    if how == "missing-keys":
        return {**record, "specs": {spec: {"fingerprint": "a"}}}
    if how == "wrong-types":
        return {**record, "specs": {spec: {"fingerprint": 5, "jurisdiction": [], "template_dirs": 3,
                                           "outputs": "abc", "diagnostics": 7}}}
    if how == "bad-diagnostic":
        entry = dict(record["specs"][spec])
        entry["diagnostics"] = [{"path": "x", "severity": "fatal"}]
        return {**record, "specs": {spec: entry}}
    if how == "units-list":
        return {**record, "units": []}
    if how == "unit-number":
        return {**record, "units": {unit: 5}}
    if how == "unit-outputs-number":
        return {**record, "units": {unit: {**record["units"][unit], "outputs": 5}}}
    raise AssertionError(how)


@pytest.mark.parametrize("how", ["list", "number", "string", "null", "specs-list", "missing-keys", "wrong-types",
                                 "bad-diagnostic", "units-list", "unit-number", "unit-outputs-number"])
def test_a_build_record_of_the_wrong_shape_is_ignored_with_a_note(unit_dir: Callable[..., Path], tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str],
                                                                  how: str) -> None:
    folder = unit_dir(specs={"01-a.yaml": SHANGHAI_SPEC.replace("预算执行率: =100%", "预算执行率:")})
    out = tmp_path / "out"
    assert main(["build", str(folder.parent), "-o", str(out), "-j", "1"]) == 0
    capsys.readouterr()
    record = out / MANIFEST_NAME
    record.write_text(json.dumps(_spoil(json.loads(record.read_text(encoding="utf-8")), how)), encoding="utf-8")
    code = main(["build", str(folder.parent), "-o", str(out), "-j", "1"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "Traceback" not in err and "生成记录" in err and "已忽略" in err, err
    assert "生成 1 个" in err  # treated as absent: built again
    assert {p.name for p in (out / "unit").iterdir()} >= {"01-a.docx", "01-a.xlsx"}
    assert main(["build", str(folder.parent), "-o", str(out), "-j", "1"]) == 0
    err = capsys.readouterr().err
    assert "已忽略" not in err and "未变 1 个" in err  # the record written is read back


def test_an_unreadable_build_record_is_ignored_with_a_note(unit_dir: Callable[..., Path], tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    folder = unit_dir()
    out = tmp_path / "out"
    out.mkdir()
    (out / MANIFEST_NAME).write_bytes(b"{not json")
    assert main(["build", str(folder.parent), "-o", str(out), "-j", "1"]) == 0
    assert "已忽略" in capsys.readouterr().err


# ----------------------------------------------------------------------------- 7. a 汇总 that cannot be complete


THREE = {
    "01-a.yaml": SHANGHAI_SPEC,
    "02-b.yaml": SHANGHAI_SPEC.replace("检察业务保障费", "乙项目"),
    "03-c.yaml": SHANGHAI_SPEC.replace("检察业务保障费", "丙项目"),
}
BROKEN = SHANGHAI_SPEC.replace("检察业务保障费", "乙项目").replace("start_date: 2020-01-01", "start_date: 2020-13-01")


def test_a_project_with_errors_blocks_the_combined_files_and_the_old_ones_are_marked_stale(
        unit_dir: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = unit_dir(specs=THREE)
    out = tmp_path / "out"
    assert main(["build", str(folder.parent), "-o", str(out), "-j", "1"]) == 0
    capsys.readouterr()
    unit = out / "unit"
    old = {p.name: p.read_bytes() for p in unit.iterdir()}
    (folder / "02-b.yaml").write_text(BROKEN, encoding="utf-8")
    code = main(["build", str(folder.parent), "-o", str(out), "-j", "1"])
    err = capsys.readouterr().err
    assert code == 1
    names = {p.name for p in unit.iterdir()}
    # no file that looks current holds stale content: the 汇总 and 02-b's own files are moved aside
    assert f"{SH_COMBINED}.docx" not in names and f"{SH_COMBINED}.xlsx" not in names
    assert "02-b.docx" not in names and "02-b.xlsx" not in names
    for name in (f"{SH_COMBINED}.docx", f"{SH_COMBINED}.xlsx", "02-b.docx", "02-b.xlsx"):
        stale = name.replace(".", "（已过期）.", 1)
        assert (unit / stale).read_bytes() == old[name], stale
    assert (unit / "01-a.docx").read_bytes() == old["01-a.docx"]
    # the message names the folder, the blocking project and the line of its first error
    blocked = next(line for line in err.splitlines() if "汇总" in line and "02-b.yaml" in line)
    assert blocked.startswith(f"{folder}: 错误"), blocked
    line = BROKEN.splitlines().index("start_date: 2020-13-01") + 1
    assert f"02-b.yaml:{line}" in blocked, blocked
    assert "（已过期）" in err
    # fixed: everything current again, and the stale copies are gone
    (folder / "02-b.yaml").write_text(THREE["02-b.yaml"].replace("乙项目", "乙项目新"), encoding="utf-8")
    assert main(["build", str(folder.parent), "-o", str(out), "-j", "1"]) == 0
    assert not [p for p in unit.iterdir() if "已过期" in p.name]
    assert made(out) == fresh(folder.parent, tmp_path)


def test_no_combined_file_when_a_project_fails_on_the_first_build(unit_dir: Callable[..., Path],
                                                                  tmp_path: Path) -> None:
    folder = unit_dir(specs={**THREE, "02-b.yaml": BROKEN})
    out = tmp_path / "out"
    summary = build(folder.parent, out=out, jobs=1)
    assert summary.failed == 1 and not summary.ok
    assert {p.name for p in (out / "unit").iterdir()} == {"01-a.docx", "01-a.xlsx", "03-c.docx", "03-c.xlsx"}


def test_a_spec_that_keeps_failing_does_not_stack_stale_copies(unit_dir: Callable[..., Path],
                                                               tmp_path: Path) -> None:
    folder = unit_dir(specs=THREE)
    out = tmp_path / "out"
    build(folder.parent, out=out, jobs=1)
    (folder / "02-b.yaml").write_text(BROKEN, encoding="utf-8")
    build(folder.parent, out=out, jobs=1)
    first = {p.name: p.read_bytes() for p in (out / "unit").iterdir()}
    (folder / "02-b.yaml").write_text(BROKEN + "\n# still broken\n", encoding="utf-8")
    summary = build(folder.parent, out=out, jobs=1)
    assert summary.failed == 1
    assert {p.name: p.read_bytes() for p in (out / "unit").iterdir()} == first
    (folder / "02-b.yaml").unlink()  # a deleted spec takes its stale copies with it
    summary = build(folder.parent, out=out, jobs=1)
    assert summary.ok
    assert {p.name for p in (out / "unit").iterdir()} == {
        "01-a.docx", "01-a.xlsx", "03-c.docx", "03-c.xlsx", f"{SH_COMBINED}.docx", f"{SH_COMBINED}.xlsx"}


def test_a_kind_left_out_of_a_rebuild_does_not_stay_looking_current(unit_dir: Callable[..., Path],
                                                                     tmp_path: Path) -> None:
    folder = unit_dir()
    out = tmp_path / "out"
    build(folder.parent, out=out, jobs=1)
    edit(folder / "01-a.yaml", "概况", "新的概况")
    build(folder.parent, out=out, jobs=1, formats=("xlsx",))
    names = {p.name for p in (out / "unit").iterdir()}
    assert "01-a.docx" not in names and "01-a（已过期）.docx" in names and "01-a.xlsx" in names
    summary = build(folder.parent, out=out, jobs=1)
    assert summary.built == 1
    assert made(out) == fresh(folder.parent, tmp_path)


@pytest.mark.parametrize("force", [False, True])
def test_the_same_output_folder_named_another_way_keeps_every_file(seed_specs: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    force: bool) -> None:
    """`-o out`, then `-o /abs/out` (or through a symlink, or from another folder): the same files.
    Records of paths written one way must never make the next build delete what it just wrote."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "via").symlink_to(tmp_path, target_is_directory=True)
    first = build(seed_specs, out=Path("out"))
    made = sorted(p.relative_to(tmp_path / "out") for p in (tmp_path / "out").rglob("*.*x"))
    assert first.ok and len(made) == 54
    for named in (tmp_path / "out", tmp_path / "via" / "out", Path("./via/out/")):
        again = build(seed_specs, out=named, force=force)
        assert again.ok and not again.removed and not again.moved, (named, again.removed[:3])
        assert sorted(p.relative_to(tmp_path / "out") for p in (tmp_path / "out").rglob("*.*x")) == made
        assert (again.built, again.unchanged) == ((24, 0) if force else (0, 24))


def test_a_planned_removal_never_touches_a_current_file_named_another_way(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from sheetgen.build.manifest import Record
    from sheetgen.build.stale import Retirements

    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "via").symlink_to(tmp_path, target_is_directory=True)
    current = tmp_path / "out" / "01-项目.docx"
    current.write_bytes(b"current")
    retire = Retirements()
    for other_name in ("out/01-项目.docx", "via/out/01-项目.docx", "./out/../out/01-项目.docx"):
        retire.remove_file(other_name, Record(""), "已改为 01-项目.docx")
    retire.apply({str(current)})
    assert current.read_bytes() == b"current" and not retire.done


# ----------------------------------------------------------------------------- 6b. one record's line, read by itself

_GOOD = {"diagnostics": [{"code": "empty-value", "col": 15, "label": "三级目标", "line": 43, "message": "没有指标值",
                          "path": "a.yaml", "severity": "warning", "yaml_path": "indicators.效果目标"}],
         "fingerprint": "ab", "jurisdiction": "shanghai", "outputs": ["/o/a.docx"], "pdfs": [], "stale": [],
         "template_dirs": []}
_DIAGNOSTIC = _GOOD["diagnostics"][0]


def _changed(**fields: object) -> dict[str, object]:
    return {k: v for k, v in {**_GOOD, **fields}.items() if v is not _GONE}


def _diagnostic(**fields: object) -> dict[str, object]:
    return _changed(diagnostics=[{k: v for k, v in {**_DIAGNOSTIC, **fields}.items() if v is not _GONE}])


_GONE = object()
_LINES = {
    "as written": _GOOD,
    "no diagnostics": _changed(diagnostics=[]),
    "a diagnostic without its optional fields": _diagnostic(label=_GONE, yaml_path=_GONE),
    "a field missing": _changed(stale=_GONE),
    "a field more": _changed(extra=[]),
    "a number for a text": _changed(fingerprint=5),
    "null for a text": _changed(jurisdiction=None),
    "a text for a list": _changed(outputs="/o/a.docx"),
    "a number in a list": _changed(pdfs=[1]),
    "a diagnostic that is a text": _changed(diagnostics=["x"]),
    "a diagnostic line that is true": _diagnostic(line=True),
    "a diagnostic line that is a fraction": _diagnostic(line=4.5),
    "a diagnostic of another severity": _diagnostic(severity="fatal"),
    "a diagnostic field more": _diagnostic(extra="x"),
    "a diagnostic field missing": _diagnostic(message=_GONE),
    "a diagnostic label that is a number": _diagnostic(label=3),
}


@pytest.mark.parametrize("case", list(_LINES))
def test_a_record_line_is_taken_exactly_when_the_whole_file_reader_takes_it(case: str) -> None:
    """The build record is read line by line (record_line, msgspec) and, when a line is not
    right, whole (record_of, the json module): both must take and refuse the same records."""
    from sheetgen.build.manifest import record_line, record_of

    raw = _LINES[case]
    line = f' "/s/a.yaml": {json.dumps(raw, ensure_ascii=False, sort_keys=True)}'.encode()
    whole, alone = record_of(json.loads(json.dumps(raw))), record_line(line)
    assert (alone is None) == (whole is None) == (case not in ("as written", "no diagnostics",
                                                                "a diagnostic without its optional fields"))
    if alone is not None:
        assert alone == ("/s/a.yaml", whole)


def test_a_record_line_of_two_records_or_broken_json_is_refused() -> None:
    from sheetgen.build.manifest import record_line

    one = json.dumps(_GOOD)
    assert record_line(f'"/a": {one}'.encode()) is not None
    assert record_line(f'"/a": {one}, "/b": {one}'.encode()) is None
    assert record_line(f'"/a": {one[:-1]}'.encode()) is None
    assert record_line(f'"/a": {one}'.encode("utf-16")) is None
