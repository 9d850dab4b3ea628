"""Finding specs folder by folder (:func:`sheetgen.spec.files.find_folders`, what ``build``
and ``check`` take specs from) gives exactly the specs the rules in docs/guide.md name, checked
against a plain reading of those rules over ``os.walk``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sheetgen.spec.files import SpecFile, Taken, defaults_chain, discover, find_folders

SKIPPED = ("templates", "output")


def _is_spec(name: str) -> bool:
    return name.lower().endswith((".yaml", ".yml")) and not name.startswith(("_", "."))


def _oracle(paths: list[Path]) -> list[tuple[str, str, int, tuple[Path, ...], str]]:
    """Return (path, root, number, defaults) of every spec ``paths`` name, by the rules: under a
    folder named, every spec file (a symlink to a file counts) in folders none of whose names below
    it starts with ``.``/``_`` or is templates/output, no symlinked folder followed; a file named is
    a spec whatever its name and brings no sibling; a folder named wins over a file named in it
    (its defaults go up to that folder); one real file is one spec, the first in build order
    (folders by their path as text, then file names); its record key is its real path."""
    found: dict[Path, tuple[Path, Path]] = {}  # path -> (root, path)
    for given in sorted(paths, key=lambda p: not p.is_dir()):
        if given.is_dir():
            for folder, dirs, files in os.walk(given):
                dirs[:] = [d for d in dirs if not d.startswith((".", "_")) and d not in SKIPPED
                           and not os.path.islink(os.path.join(folder, d))]
                for name in files:
                    path = Path(folder) / name
                    if _is_spec(name) and path.is_file():
                        found.setdefault(path, (given, path))
        elif given.is_file():
            found.setdefault(given, (given.parent, given))
    out, seen = [], set()
    for root, path in sorted(found.values(), key=lambda item: (str(item[1].parent), item[1].name)):
        real = os.path.realpath(path)
        if real in seen:
            continue
        seen.add(real)
        names = sorted(n for n in os.listdir(path.parent) if _is_spec(n) and (path.parent / n).is_file())
        number = names.index(path.name) + 1 if path.name in names else 1
        out.append((str(path), str(root), number, defaults_chain(path.parent, root), real))
    return out


def _seen(specs: list[SpecFile]) -> list[tuple[str, str, int, tuple[Path, ...], str]]:
    return [(str(s.path), str(s.root), s.number, s.defaults, s.real) for s in specs]


@pytest.fixture()
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    files = ["specs/_defaults.yaml", "specs/u1/_defaults.yaml", "specs/u1/01-a.yaml", "specs/u1/02-b.yml",
             "specs/u1/03-C.YAML", "specs/u1/_x.yaml", "specs/u1/.h.yaml", "specs/u1/notes.txt",
             "specs/u1/sub/01.yaml", "specs/u-1/a.yaml", "specs/templates/t/x.yaml", "specs/output/o/x.yaml",
             "specs/_private/a.yaml", "specs/.hidden/a.yaml", "specs/u2/01.yaml", "outside/ext.yaml",
             "specs/项目/01-项目.yaml", "specs/top.yaml"]
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("name: x\n", encoding="utf-8")
    (tmp_path / "specs/u2/02-link.yaml").symlink_to(tmp_path / "specs/u1/01-a.yaml")
    (tmp_path / "specs/u1/00-link.yaml").symlink_to(tmp_path / "specs/u1/02-b.yml")  # before its target
    (tmp_path / "specs/u2/03-out.yaml").symlink_to(tmp_path / "outside/ext.yaml")
    (tmp_path / "specs/u3").symlink_to(tmp_path / "specs/u1", target_is_directory=True)
    (tmp_path / "specs/u2/04-dangling.yaml").symlink_to(tmp_path / "nowhere.yaml")
    return tmp_path


CASES = [
    ["specs"],
    ["specs", "specs/u1/01-a.yaml"],
    ["specs/u1/01-a.yaml", "specs"],
    ["specs/u1/_x.yaml"],
    ["specs/u1/_x.yaml", "specs/u1"],
    ["specs/u2", "specs"],
    ["specs/u3"],
    ["specs/u3", "specs/u1"],
    ["specs/u2/02-link.yaml", "specs/u1/01-a.yaml"],
    ["outside", "specs/u2"],
    ["specs/项目", "specs/top.yaml"],
    ["specs/u1/../u2", "specs/u3/01-a.yaml"],
]


@pytest.mark.parametrize("given", CASES, ids=["+".join(c) for c in CASES])
def test_the_specs_found_are_those_the_rules_name(tree: Path, given: list[str]) -> None:
    paths = [Path(p) for p in given]
    specs, problems = discover(paths)
    assert problems == []
    assert _seen(specs) == _oracle(paths)
    assert len(specs) == len({os.path.realpath(s.path) for s in specs})  # one file, one project


def test_paths_not_found_are_reported_and_the_rest_found(tree: Path) -> None:
    specs, problems = discover([Path("missing"), Path("specs/u2")])
    assert [(p.path, p.code) for p in problems] == [("missing", "not-found")]
    assert _seen(specs) == _oracle([Path("specs/u2")])


def test_a_build_takes_the_whole_folder_of_a_file_named(tree: Path) -> None:
    folders, _ = find_folders([Path("specs/u1/01-a.yaml")])
    assert [f.path for f in folders] == [Path("specs/u1")]
    whole = folders[0].specs(Taken(), whole=True)
    assert [s.path.name for s in whole] == ["00-link.yaml", "01-a.yaml", "03-C.YAML"]  # 02-b.yml: 00-link's file
    assert folders[0].count(whole=True) == 4 and folders[0].count() == 1  # as found, before duplicates go
    named = folders[0].specs(Taken())
    assert [s.path.name for s in named] == ["01-a.yaml"]


def test_what_is_taken_grows_with_folders_not_specs(tree: Path) -> None:
    for index in range(200):
        (tree / "specs" / "u2" / f"{index + 10:03d}.yaml").write_text("name: x\n", encoding="utf-8")
    taken = Taken()
    folders, _ = find_folders([Path("specs")])
    total = sum(len(folder.specs(taken)) for folder in folders)
    assert total > 200
    assert len(taken.files) == 2  # the symlinks to files in folders not yet taken (00-link, 03-out)
    assert len(taken.folders) == len(folders)
