"""The files the preview offers for download: each project's and each 汇总's Word, Excel (and PDF).

Only the files listed here can be downloaded: a request names one by its
place under the output folder, and anything not in :class:`Downloads` --
another file, a path that climbs out, encoded or not -- is simply not found.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from msgspec import Struct

from sheetgen import office
from sheetgen.build.pdf import pdf_path
from sheetgen.serve.site import ProjectPage, Snapshot, UnitPage

LABELS = {"docx": "Word", "xlsx": "Excel", "pdf": "PDF"}
MEDIA = {
    "docx": office.DOCX_TYPE,
    "xlsx": office.XLSX_TYPE,
    "pdf": "application/pdf",
}


class Download(Struct, frozen=True):
    """One file offered: where it is, its kind, the Word/Excel file a PDF is made from, whose it is."""

    key: str  # its place under the output folder, with /
    path: Path
    kind: str
    unit: UnitPage
    project: ProjectPage | None = None  # None: the unit's 汇总
    source: Path | None = None  # for a PDF: the file it is made from

    @property
    def url(self) -> str:
        return "/d/" + quote(self.key)

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    @property
    def media_type(self) -> str:
        return MEDIA[self.kind]

    @property
    def blocked(self) -> str:
        """Return why this file cannot be handed out now (Chinese), or ''."""
        if self.project is not None:
            return "" if self.project.ok else f"{self.project.title} 有错误，修正后才能下载"
        if self.unit.blockers:
            names = "、".join(p.title for p in self.unit.blockers)
            return f"汇总要包含本单位的每个项目，{names} 有错误，修正后才能下载"
        return ""


class Downloads:
    """Every file a snapshot offers, by key, and by project and unit."""

    def __init__(self, snapshot: Snapshot, output: Path, pdf: bool):
        self.entries: dict[str, Download] = {}
        self._by_page: dict[tuple[str, str], list[Download]] = {}
        for unit in snapshot.units:
            for page in unit.projects:
                self._add(("p", page.key), page.outputs(output), output, unit, page, pdf)
            self._add(("u", unit.key), unit.outputs(output), output, unit, None, pdf)

    def _add(self, owner: tuple[str, str], outputs: dict[str, Path], output: Path, unit: UnitPage,
             page: ProjectPage | None, pdf: bool) -> None:
        found = []
        for kind, path in outputs.items():
            found.append(Download(path.relative_to(output).as_posix(), path, kind, unit, page))
        if pdf and "docx" in outputs:
            target = pdf_path(outputs["docx"])
            found.append(Download(target.relative_to(output).as_posix(), target, "pdf", unit, page, outputs["docx"]))
        for item in found:
            self.entries.setdefault(item.key, item)
        self._by_page[owner] = found

    def of_project(self, key: str) -> list[Download]:
        return self._by_page.get(("p", key), [])

    def of_unit(self, key: str) -> list[Download]:
        return self._by_page.get(("u", key), [])
