"""State a build keeps that must not grow with the number of specs or units."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from msgspec.structs import asdict

from sheetgen.build.manifest import MANIFEST_NAME, Manifest, Record
from sheetgen.build.tasks import _Recent


def test_recent_keeps_the_most_recently_used() -> None:
    cache = _Recent(2)
    cache["a"], cache["b"] = 1, 2
    assert cache["a"] == 1  # "a" is now the most recent
    cache["c"] = 3
    assert "b" not in cache and list(cache) == ["a", "c"]


def test_manifest_written_in_chunks_holds_every_record(tmp_path: Path) -> None:
    manifest = Manifest()
    for index in range(3000):  # more than one chunk of text
        manifest.specs[f"/规格/{index:04d}.yaml"] = Record(f"{index:064x}", "上海", ["/t"], [f"/输出/{index}.docx"])
    manifest.table("selfeval").units["/u"] = Record("f", outputs=["/输出/汇总-自评.docx"])
    manifest.write(tmp_path)
    text = (tmp_path / MANIFEST_NAME).read_text(encoding="utf-8")
    assert len(text) > 1 << 17
    again, note = Manifest.read(tmp_path)
    assert note is None and again.specs == manifest.specs
    assert again.tables["selfeval"].units == manifest.tables["selfeval"].units
    stored = json.loads(text)
    assert stored["specs"] == {k: asdict(v) for k, v in manifest.specs.items()}
    assert list(stored["specs"]) == sorted(manifest.specs)
    unit = asdict(manifest.tables["selfeval"].units["/u"])
    assert stored["tables"] == {"selfeval": {"specs": {}, "units": {"/u": unit}}}
    assert len(text.splitlines()) > 3000  # a record to a line, readable in a diff


def test_keys_and_texts_that_json_must_escape_read_back_as_written(tmp_path: Path) -> None:
    from sheetgen.build.stored import StoredRecords

    manifest = Manifest()
    awkward = ['/规格/引号"在里面.yaml', "/规格/反斜杠\\在里面.yaml", "/规格/换行\n在里面.yaml",
               "/规格/分隔符\u2028在里面.yaml", "/规格/制表\t与\x01.yaml"]
    for index, key in enumerate(awkward):
        diagnostic = {"path": key, "line": 1, "col": 1, "code": "c", "severity": "warning", "message": f"提示“{key}”"}
        manifest.specs[key] = Record(f"{index:064x}", "上海", [], [key + ".docx"], [diagnostic])
    manifest.write(tmp_path)
    text = (tmp_path / MANIFEST_NAME).read_text(encoding="utf-8")
    assert text.count("\n") == len(awkward) + 6  # still a record to a line (only "\\n" ends one)
    again, note = Manifest.read(tmp_path)
    assert note is None and isinstance(again.specs, StoredRecords) and again.specs == manifest.specs
    assert json.loads(text)["specs"] == {k: asdict(v) for k, v in manifest.specs.items()}
    again.close()


def test_record_key_is_the_real_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sheetgen.build.plan import key

    real = tmp_path / "真实" / "单位"
    real.mkdir(parents=True)
    (real / "01-项目.yaml").write_text("name: x\n", encoding="utf-8")
    (tmp_path / "链接").symlink_to(real)
    (real / "02-链接.yaml").symlink_to(real / "01-项目.yaml")
    monkeypatch.chdir(tmp_path)
    cases = [Path("真实"), Path("./真实/单位/"), Path("链接/01-项目.yaml"), Path("真实/单位/02-链接.yaml"),
             Path("链接/../x.yaml"), Path("."), Path(".."), Path("链接"), tmp_path / "缺少" / "f.yaml",
             Path("真实/单位/../单位/01-项目.yaml")]
    for case in cases:
        assert key(case) == str(case.resolve()), case
    assert key(Path("链接/01-项目.yaml")) == str(real / "01-项目.yaml")


def test_record_log_keeps_the_last_record_of_each_key_sorted(tmp_path: Path) -> None:
    from sheetgen.build.record_log import RecordLog

    log = RecordLog()
    assert not log and list(log.items("specs")) == []
    keys = [f"/规格/{index:04d}.yaml" for index in range(700)]  # more than one batch read back
    for record_key in reversed(keys):
        log.put("specs", record_key, Record("f", "上海", outputs=[record_key + ".docx"]))
    log.put("specs", keys[5], Record("g", pdfs=[keys[5] + ".pdf"]))
    log.put("units", "/规格", Record("u"))
    got = dict(log.items("specs"))
    assert list(got) == keys and got[keys[5]] == Record("g", pdfs=[keys[5] + ".pdf"])
    assert got[keys[6]] == Record("f", "上海", outputs=[keys[6] + ".docx"])
    assert [k for k, _ in log.items("specs", with_pdfs=True)] == [keys[5]]
    assert list(log.items("units")) == [("/规格", Record("u"))]
    seen = []
    for record_key, record in log.items("specs"):  # putting while reading: each seen once
        seen.append(record_key)
        log.put("specs", record_key, Record("h", outputs=record.outputs))
    assert seen == keys and {r.fingerprint for _, r in log.items("specs")} == {"h"}
    log.close()
    assert list(log.items("specs")) == []


def test_a_build_holds_no_record_of_its_specs_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build's records are on disk until it writes the build record (the main process stays
    the same size however many specs it builds); the record written holds every one."""
    import gc

    import bench.synth
    from sheetgen.build import runner

    specs = bench.synth.make_specs(tmp_path / "specs", 60, per_unit=20)
    live: list[int] = []
    write = runner.write_records

    def counting(*args: object, **kwargs: object) -> bool:
        gc.collect()
        live.append(sum(isinstance(o, Record) for o in gc.get_objects()))
        return write(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "write_records", counting)
    summary = runner.run_build(runner.BuildOptions(paths=(specs,), output=tmp_path / "out", jobs=1))
    assert summary.ok and summary.built == 60
    assert live == [0]
    manifest, note = Manifest.read(tmp_path / "out")
    assert note is None and len(manifest.specs) == 60
    assert len(manifest.units) == sum(folder.is_dir() for folder in specs.iterdir()) > 1
    assert sorted(p for r in manifest.specs.values() for p in r.outputs) == sorted(
        str(p) for p in summary.files if "汇总" not in p.name)


def test_a_build_whose_records_cannot_be_kept_says_so(tmp_path: Path) -> None:
    """The temporary folder full: the build stops with a message in Chinese, exit 1, no
    traceback, and the build record stays as it was (the next build redoes what this one made)."""
    import subprocess
    import sys

    import bench.synth

    specs = bench.synth.make_specs(tmp_path / "specs", 6, per_unit=3)
    full = tmp_path / "full.py"
    full.write_text(
        "import sqlite3, sys\n"
        "from sheetgen.build import record_log\n"
        "def refuse(*a, **k):\n"
        "    exc = sqlite3.OperationalError('database or disk is full')\n"
        "    exc.sqlite_errorname = 'SQLITE_FULL'\n"
        "    raise exc\n"
        "record_log.RecordLog._connection = refuse\n"
        "from sheetgen.cli import main\n"
        "sys.exit(main())\n", encoding="utf-8")
    run = subprocess.run([sys.executable, str(full), "build", str(specs), "-o", str(tmp_path / "out"), "--jobs", "1"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr and "database" not in run.stderr
    assert "无法暂存到系统临时文件夹" in run.stderr and "磁盘已满" in run.stderr
    assert not (tmp_path / "out" / MANIFEST_NAME).exists()


def test_a_build_with_nothing_to_do_leaves_the_build_record_alone(tmp_path: Path) -> None:
    """Nothing out of date: the record is not written again (its file is the same file, not a
    copy); something changed: it is."""
    import bench.synth
    from sheetgen.build import runner

    specs = bench.synth.make_specs(tmp_path / "specs", 12, per_unit=6)
    options = runner.BuildOptions(paths=(specs,), output=tmp_path / "out", jobs=1)
    assert runner.run_build(options).ok
    record = tmp_path / "out" / MANIFEST_NAME
    before = record.stat()
    again = runner.run_build(options)
    assert again.ok and again.unchanged == 12 and again.built == 0
    after = record.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    first = sorted(specs.glob("*/[!_]*.yaml"))[0]
    first.write_text(first.read_text(encoding="utf-8").replace("（副本", "（改过的副本", 1), encoding="utf-8")
    changed = runner.run_build(options)
    assert changed.ok and changed.built == 1
    assert record.stat().st_ino != before.st_ino  # written anew (atomically: a new file)
    manifest, note = Manifest.read(tmp_path / "out")
    assert note is None and len(manifest.specs) == 12


def _many_records() -> Manifest:
    manifest = Manifest()
    for index in range(700):
        warning = {"path": "规格.yaml", "line": 3, "col": 5, "code": "w", "severity": "warning",
                   "message": "提示：\n第二行", "label": "项目名称", "yaml_path": "name"}
        stale = [f"/输出/{index}（已过期）.xlsx"] * (index == 5)
        manifest.specs[f"/规格/{index:04d}.yaml"] = Record(f"{index:064x}", "上海", ["/t"], [f"/输出/{index}.docx"],
                                                        [warning] if index % 7 == 0 else [], stale=stale)
    manifest.units["/规格"] = Record("u", outputs=["/输出/汇总-单位.docx"], pdfs=["/输出/汇总-单位.pdf"])
    manifest.table("selfeval").specs["/规格/0001.yaml"] = Record("s", outputs=["/输出/0001-自评.docx"])
    return manifest


def test_a_build_record_is_read_a_record_at_a_time_as_asked_for(tmp_path: Path) -> None:
    from sheetgen.build.stored import StoredRecords

    written = _many_records()
    written.write(tmp_path)
    again, note = Manifest.read(tmp_path)
    assert note is None and again.file is not None and isinstance(again.specs, StoredRecords)
    assert again.specs == written.specs and again.units == written.units
    assert again.tables["selfeval"].specs == written.tables["selfeval"].specs
    assert again.stale_files() == {"/输出/5（已过期）.xlsx"} == written.stale_files()
    assert again.specs["/规格/0007.yaml"].diagnostics[0]["message"] == "提示：\n第二行"
    assert "/规格/9999.yaml" not in again.specs and again.specs.get("/规格/9999.yaml") is None
    with pytest.raises(TypeError):
        again.specs["/规格/0001.yaml"] = Record("x")
    text = (tmp_path / MANIFEST_NAME).read_text(encoding="utf-8")
    (tmp_path / MANIFEST_NAME).write_text(json.dumps(json.loads(text), indent=2, ensure_ascii=False), encoding="utf-8")
    whole, note = Manifest.read(tmp_path)  # another layout of the same JSON: read whole, the same records
    assert note is None and whole.file is None and whole.specs == written.specs
    again.close()


@pytest.mark.parametrize("damage", ["truncated", "shape", "version"])
def test_a_damaged_build_record_is_ignored_with_a_note(tmp_path: Path, damage: str) -> None:
    _many_records().write(tmp_path)
    path = tmp_path / MANIFEST_NAME
    text = path.read_text(encoding="utf-8")
    if damage == "truncated":
        text = text[: len(text) // 2]
    elif damage == "shape":
        text, found = re.subn(r'"fingerprint": ?"', '"fingerprint": 1, "x": "', text, count=1)
        assert found
    else:
        text = text.replace('"version": "', '"version": "0.0.0-', 1)
    path.write_text(text, encoding="utf-8")
    manifest, note = Manifest.read(tmp_path)
    assert manifest == Manifest() and note is not None and "已忽略" in note


def test_a_no_change_build_holds_few_old_records_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    import bench.synth
    from sheetgen.build import runner, stored

    specs = bench.synth.make_specs(tmp_path / "specs", 60, per_unit=20)
    options = runner.BuildOptions(paths=(specs,), output=tmp_path / "out", jobs=1)
    assert runner.run_build(options).ok
    monkeypatch.setattr(stored, "_RECENT", 4)
    live: list[int] = []
    apply = runner._Build._apply

    def counting(self: runner._Build) -> None:
        gc.collect()
        live.append(sum(isinstance(o, Record) for o in gc.get_objects()))
        apply(self)

    monkeypatch.setattr(runner._Build, "_apply", counting)
    again = runner.run_build(options)
    assert again.ok and again.unchanged == 60
    assert live and live[0] <= 8  # the few kept parsed, not the 60 + units of the record


def test_keys_of_one_hash_are_told_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stored record is found by its key's hash and checked against the key on its line: with
    every key of the same hash, each is still found, and a key that is not there is not."""
    from sheetgen.build import stored

    monkeypatch.setattr(stored, "_hash", lambda key: 7)
    written = _many_records()
    written.write(tmp_path)
    again, note = Manifest.read(tmp_path)
    assert note is None and again.file is not None
    assert again.specs == written.specs
    assert again.specs["/规格/0699.yaml"] == written.specs["/规格/0699.yaml"]
    assert "/规格/0700.yaml" not in again.specs
    again.close()


def test_a_key_twice_in_the_record_file_is_read_whole(tmp_path: Path) -> None:
    written = _many_records()
    written.write(tmp_path)
    path = tmp_path / MANIFEST_NAME
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(3, lines[2])  # the first spec record twice (a hand edit)
    path.write_text("".join(lines), encoding="utf-8")
    again, note = Manifest.read(tmp_path)
    assert note is None and again.file is None and again.specs == written.specs  # as json reads it


def test_pdfs_of_records_read_from_the_file_are_settled(tmp_path: Path) -> None:
    """An old record carried over whose Word file is newer than its PDF: the PDF is planned to
    be moved aside and the record no longer names it (found without reading every record)."""
    import os

    from sheetgen.build.ledger import Ledger

    out = tmp_path / "out"
    out.mkdir()
    docx, pdf, other = out / "01.docx", out / "01.pdf", out / "02.docx"
    for path in (pdf, docx, other):
        path.write_bytes(b"x")
    os.utime(pdf, ns=(1, 1))  # older than its source
    written = Manifest()
    written.specs["/规格/01.yaml"] = Record("f", outputs=[str(docx)], pdfs=[str(pdf)])
    written.specs["/规格/02.yaml"] = Record("g", outputs=[str(other)])
    written.write(tmp_path)
    old, note = Manifest.read(tmp_path)
    assert note is None and old.file is not None
    ledger = Ledger(old)
    ledger.keep(["/规格/01.yaml", "/规格/02.yaml"], "/规格")
    assert ledger.unchanged()
    ledger.settle_pdfs()
    assert not ledger.unchanged()
    assert [(a.path, a.target is not None) for a in ledger.retire.actions] == [(pdf, True)]
    records = dict(ledger.records("specs"))
    assert records["/规格/01.yaml"].pdfs == [] and records["/规格/02.yaml"] == written.specs["/规格/02.yaml"]
    ledger.close()
