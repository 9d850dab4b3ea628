"""What the preview shows: every unit and project under the specs folder, validated and rendered.

:class:`Preview` reads the specs the way ``build`` does (discovery order,
folder defaults, shared blocks, the jurisdiction found for each), validates
them and renders each good one to Word in memory, read back as a
:class:`~sheetgen.serve.document.Document`.  :meth:`Preview.refresh` makes a
new :class:`Snapshot` after a batch of changed files, validating again only
the specs those files feed (all of them when a jurisdiction or an unknown
file changed) and rendering again only the projects whose model changed.
Snapshots are never changed once made, so a request can read one while the
next is being made.  Nothing here writes a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from pathlib import Path, PurePosixPath

from msgspec import Struct, field

from sheetgen.build.names import safe_name
from sheetgen.build.plan import COMBINED_PREFIX, combined_outputs, spec_outputs
from sheetgen.errors import Diagnostic, Severity
from sheetgen.jurisdiction import Jurisdiction
from sheetgen.jurisdiction.folders import TEMPLATES
from sheetgen.model import Project
from sheetgen.serve.document import Document, read_document
from sheetgen.serve.marks import Place, find_marks
from sheetgen.spec.blocks import BLOCK_SUFFIXES, include_area
from sheetgen.spec.files import SpecFile, holds_specs, read_spec
from sheetgen.validation import Checker

KINDS = ("docx", "xlsx")
CONTEXT_LINES = 2  # source lines shown around a diagnostic's line


class Status(Struct, frozen=True):
    """Counts of a project's (or unit's) problems."""

    errors: int = 0
    warnings: int = 0

    @property
    def kind(self) -> str:
        """Return ``errors``, ``warnings`` or ``ready``."""
        return "errors" if self.errors else "warnings" if self.warnings else "ready"

    @property
    def text(self) -> str:
        """Return the status as the page says it."""
        if self.errors:
            return f"{self.errors} 个错误" + (f"，{self.warnings} 条警告" if self.warnings else "")
        return f"{self.warnings} 条警告" if self.warnings else "可以生成"

    def __add__(self, other: Status) -> Status:
        return Status(self.errors + other.errors, self.warnings + other.warnings)


class Excerpt(Struct, frozen=True):
    """Source lines around a diagnostic: (number, text) pairs and the line it points at."""

    lines: tuple[tuple[int, str], ...]
    line: int
    col: int


class ProjectPage(Struct, frozen=True):
    """One spec as the preview shows it."""

    spec: SpecFile
    key: str  # the spec's path under the specs folder, with /
    title: str
    diagnostics: tuple[Diagnostic, ...]
    excerpts: tuple[Excerpt | None, ...]
    inputs: frozenset[Path]  # files it was read from (resolved): spec, defaults, blocks
    project: Project | None = None
    jurisdiction: Jurisdiction | None = None
    document: Document | None = None  # the table now; None while the spec has errors
    last_good: Document | None = None  # the table before the spec got its errors (this session)
    marks: dict[Place, list[int]] = field(default_factory=dict)

    @property
    def status(self) -> Status:
        return Status(sum(d.is_error for d in self.diagnostics), sum(not d.is_error for d in self.diagnostics))

    @property
    def ok(self) -> bool:
        return self.project is not None and not self.status.errors

    @property
    def unit_key(self) -> str:
        return str(PurePosixPath(self.key).parent)

    def outputs(self, output: Path) -> dict[str, Path]:
        """Return where the build writes this spec's files, by kind."""
        return spec_outputs(self.spec, output, KINDS)


class UnitPage(Struct, frozen=True, dict=True):  # (a __dict__ for its cached properties)
    """One unit (spec folder): its projects in build order and its combined 汇总."""

    folder: Path
    key: str
    name: str  # the unit's name as its projects give it, else the folder's
    projects: tuple[ProjectPage, ...]

    @property
    def status(self) -> Status:
        total = Status()
        for page in self.projects:
            total += page.status
        return total

    @property
    def blockers(self) -> tuple[ProjectPage, ...]:
        """Return the projects whose errors keep the 汇总 from being complete."""
        return tuple(p for p in self.projects if not p.ok)

    @property
    def combined_title(self) -> str:
        return safe_name(f"{COMBINED_PREFIX}{self.name}")

    def outputs(self, output: Path) -> dict[str, Path]:
        """Return where the build writes this unit's 汇总, by kind."""
        return combined_outputs(self.projects[0].spec, self.name, output, KINDS) if self.projects else {}

    @cached_property
    def document(self) -> Document | None:
        """Return the 汇总 as Word holds it (rendered on first use), None while a project has errors."""
        if self.blockers or not self.projects:
            return None
        first = self.projects[0]
        assert first.jurisdiction is not None
        if any(p.jurisdiction is None or p.jurisdiction.name != first.jurisdiction.name for p in self.projects):
            return None
        projects = sorted((p.project for p in self.projects if p.project is not None), key=lambda p: (p.number, p.key))
        return _render(projects, first.jurisdiction)[0]


class Snapshot(Struct, frozen=True, dict=True):  # (a __dict__ for its cached properties)
    """Everything the preview shows at one moment; ``version`` counts the refreshes."""

    version: int
    root: Path
    units: tuple[UnitPage, ...] = ()
    problems: tuple[Diagnostic, ...] = ()

    @cached_property
    def projects(self) -> dict[str, ProjectPage]:
        return {page.key: page for unit in self.units for page in unit.projects}

    @cached_property
    def by_unit(self) -> dict[str, UnitPage]:
        return {unit.key: unit for unit in self.units}


def _render(projects: list[Project], jurisdiction: Jurisdiction) -> tuple[Document | None, str]:
    """Return the Word rendering of ``projects`` read back, or None and why it failed."""
    from sheetgen.render.templates import compiled

    try:
        # one long screen page: no print page breaks, no contents page
        return read_document(compiled("docx", jurisdiction).render(projects, jurisdiction, paged=False)), ""
    except Exception as exc:  # a template that fails must not take the preview down
        return None, f"Word 模板无法生成这个项目的表格：{exc}"


class Preview:
    """The specs under ``root`` as the preview shows them; :meth:`refresh` after each change."""

    def __init__(self, root: Path):
        self.root = root
        #: the folder page addresses are relative to, and shared blocks may come from
        self.area = include_area(root, root) if holds_specs(root) else root.resolve()
        self._base = (root.parent if holds_specs(root) else root).absolute()  # page keys are relative to it
        self.snapshot = Snapshot(0, root)
        self._checker: Checker | None = None
        self._pages: dict[Path, ProjectPage] = {}
        self._documents: dict[tuple[Project, str, str], Document] = {}

    def refresh(self, changed: Iterable[Path] | None = None) -> Snapshot:
        """Return (and keep) a new snapshot after ``changed`` files (None: read everything again;
        a changed format file starts a new workspace, so the jurisdictions are loaded anew)."""

        changed_set = None if changed is None else {Path(p).resolve() for p in changed}
        known = {p for page in self._pages.values() for p in page.inputs}
        everything = changed_set is None or any(p not in known for p in changed_set)
        if self._checker is None or (changed_set is None or any(_is_template(p) for p in changed_set)):
            self._checker = Checker()
        checker = self._checker
        specs, problems = checker.workspace.discover([self.root])
        pages: dict[Path, ProjectPage] = {}
        for spec in specs:
            old = self._pages.get(spec.path)
            if old is not None and old.spec == spec and not everything and not (old.inputs & (changed_set or set())):
                pages[spec.path] = old
            else:
                pages[spec.path] = self._page(spec, old)
        self._pages = pages
        live = {(p.project, p.jurisdiction.name, p.jurisdiction.fingerprint)
                for p in pages.values() if p.project is not None and p.jurisdiction is not None}
        self._documents = {k: v for k, v in self._documents.items() if k in live}
        units: dict[Path, list[ProjectPage]] = {}
        for spec in specs:
            units.setdefault(spec.unit_dir, []).append(pages[spec.path])
        self.snapshot = Snapshot(self.snapshot.version + 1, self.root,
                                 tuple(self._unit(folder, members) for folder, members in units.items()),
                                 tuple(problems))
        return self.snapshot

    def _unit(self, folder: Path, members: list[ProjectPage]) -> UnitPage:
        names = [str((p.project.header.get("unit") or {}).get("name") or "") for p in members if p.project]
        name = next((n for n in names if n), folder.name)
        key = members[0].unit_key if members else folder.name
        return UnitPage(folder, key, name, tuple(members))

    def _page(self, spec: SpecFile, old: ProjectPage | None) -> ProjectPage:
        from sheetgen.projects import to_project
        assert self._checker is not None
        loaded = read_spec(spec)
        validated = self._checker.validate(loaded)
        diagnostics = sorted(validated.diagnostics, key=lambda d: (not d.is_error, d.path, d.line, d.col))
        inputs = frozenset(p.resolve() for p in (spec.path, *spec.defaults, *loaded.blocks))
        key = spec.path.absolute().relative_to(self._base).as_posix()  # as found, so a symlink stays inside
        named = loaded.data.get("name") if isinstance(loaded.data, dict) else None
        title = str(named) if isinstance(named, str) and named.strip() else spec.path.stem
        project = to_project(validated) if validated.ok else None
        document = None
        jurisdiction = validated.jurisdiction
        if project is not None and jurisdiction is not None:
            cache_key = (project, jurisdiction.name, jurisdiction.fingerprint)
            document = self._documents.get(cache_key)
            if document is None:
                document, failure = _render([project], jurisdiction)
                if document is None:
                    diagnostics.insert(0, Diagnostic(spec.display, 1, 1, "render-failed", Severity.ERROR, failure))
                    project = None
                else:
                    self._documents[cache_key] = document
        last_good = None if document is not None else (old.document or old.last_good) if old else None
        shown = document or last_good
        return ProjectPage(
            spec, key, title, tuple(diagnostics), tuple(self._excerpt(d) for d in diagnostics), inputs,
            project, jurisdiction, document, last_good, find_marks(shown, diagnostics) if shown else {},
        )

    def _excerpt(self, diagnostic: Diagnostic) -> Excerpt | None:
        """Return the source lines around a diagnostic, for files inside the specs folder only."""
        path = Path(diagnostic.path)
        try:
            path = path.resolve()
            if not path.is_relative_to(self.area) or path.suffix.lower() not in BLOCK_SUFFIXES:
                return None
            text = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
        except (OSError, ValueError):
            return None
        if not text or diagnostic.line < 1:
            return None
        first = max(1, diagnostic.line - CONTEXT_LINES)
        last = min(len(text), diagnostic.line + CONTEXT_LINES)
        return Excerpt(tuple((n, text[n - 1]) for n in range(first, last + 1)), diagnostic.line, diagnostic.col)


def _is_template(path: Path) -> bool:
    """Return whether ``path`` belongs to a jurisdiction folder rather than to the specs."""
    return TEMPLATES in path.parts or path.suffix.lower() not in BLOCK_SUFFIXES
