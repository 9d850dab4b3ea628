"""PDF export through LibreOffice (``soffice --headless --convert-to pdf``).

The Word file ``X.docx`` becomes ``X.pdf``; the workbook ``X.xlsx`` becomes
``X.xlsx.pdf`` (both would otherwise claim ``X.pdf``).  LibreOffice writes into a
private temporary folder with a private profile; each PDF is then moved into
place atomically, so a crash or a timeout never leaves a half-written PDF.

Fonts: Chinese templates name Windows faces (宋体, 黑体, 仿宋, Times New Roman)
that a Linux machine rarely has.  LibreOffice runs with a fontconfig file of
its own (:func:`fontconfig_file`) that maps each of them to an installed face
of the same kind -- Song/Fangsong/Kai to Noto Serif CJK SC, Hei to Noto Sans
CJK SC, Times New Roman to Liberation Serif -- so that a PDF never shows a
Japanese face or a sans-serif body.  A real font, where installed, wins over
the mapping.  :func:`convert` returns a note for every font a file asks for
that is not installed, naming the face used instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from xml.sax.saxutils import escape

from lxml import etree
from msgspec import Struct, field

from sheetgen import office, os_errors
from sheetgen.build.atomic import WriteError, write_atomic
from sheetgen.build.plan import pdf_path
from sheetgen.spec.files import display

INSTALL_HINT = "请先安装 LibreOffice：sudo apt-get install libreoffice-writer-nogui libreoffice-calc-nogui"
SECONDS_PER_FILE = 20
MIN_SECONDS = 120

SERIF_CJK = "Noto Serif CJK SC"
SANS_CJK = "Noto Sans CJK SC"
# Faces Chinese templates ask for -> installed faces of the same kind, in order of preference.
SUBSTITUTES: Mapping[str, tuple[str, ...]] = {
    **{name: (SERIF_CJK,) for name in (
        "宋体", "SimSun", "新宋体", "NSimSun", "宋体-简", "华文宋体", "STSong", "Songti SC",
        "仿宋", "FangSong", "仿宋_GB2312", "FangSong_GB2312", "华文仿宋", "STFangsong",
        "楷体", "KaiTi", "楷体_GB2312", "KaiTi_GB2312", "华文楷体", "STKaiti",
        "方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05S", "方正书宋简体", "方正仿宋简体",
    )},
    **{name: (SANS_CJK,) for name in (
        "黑体", "SimHei", "微软雅黑", "Microsoft YaHei", "等线", "DengXian", "华文黑体", "STHeiti",
        "方正黑体简体", "方正黑体_GBK",
    )},
    "Times New Roman": ("Liberation Serif", "DejaVu Serif"),
    "Arial": ("Liberation Sans", "DejaVu Sans"),
    "Calibri": ("Carlito", "Liberation Sans", "DejaVu Sans"),
    "Cambria": ("Caladea", "Liberation Serif", "DejaVu Serif"),
}
# Generic names and LibreOffice's own symbol faces are never "missing".
_GENERIC = {"serif", "sans-serif", "sans", "monospace", "symbol", "opensymbol", ""}


class Conversion(Struct):
    """What one :func:`convert` did: PDFs written, failures, and notes (source, message)
    about fonts that are not installed and the faces used instead."""

    written: list[Path] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    notes: list[tuple[Path, str]] = field(default_factory=list)


def soffice() -> str | None:
    """Return the path of LibreOffice's ``soffice`` program, or None if it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def stale(sources: Iterable[Path]) -> list[Path]:
    """Return the sources whose PDF is missing or older than the source."""
    out = []
    for source in sources:
        target = pdf_path(source)
        if source.is_file() and (not target.is_file() or target.stat().st_mtime_ns < source.stat().st_mtime_ns):
            out.append(source)
    return out


# ----------------------------------------------------------------------------- fonts


def fontconfig_text(substitutes: Mapping[str, tuple[str, ...]] = SUBSTITUTES) -> str:
    """Return a fontconfig file: the system configuration plus our substitutes
    (``accept``: a real font of the asked name, where installed, still wins)."""
    aliases = "".join(
        f"<alias binding=\"same\"><family>{escape(name)}</family><accept>"
        + "".join(f"<family>{escape(face)}</family>" for face in faces)
        + "</accept></alias>"
        for name, faces in substitutes.items()
    )
    # Text tagged zh-CN (or untagged CJK) prefers the Simplified Chinese faces over JP/KR/TC ones.
    prefer = (
        f"<alias><family>serif</family><prefer><family>{SERIF_CJK}</family></prefer></alias>"
        f"<alias><family>sans-serif</family><prefer><family>{SANS_CJK}</family></prefer></alias>"
    )
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"{aliases}{prefer}</fontconfig>\n"
    )


def fontconfig_file(folder: Path) -> Path:
    """Return the path of our fontconfig file, written into ``folder``."""
    path = folder / "fonts.conf"
    path.write_text(fontconfig_text(), encoding="utf-8")
    return path


def soffice_environment(folder: Path) -> dict[str, str]:
    """Return the environment LibreOffice runs in: ours fontconfig file written into ``folder``."""
    env = dict(os.environ)
    env["FONTCONFIG_FILE"] = str(fontconfig_file(folder))
    return env


_W = office.qn(office.W, "")
_FONT_KEYS = tuple(f"{_W}{key}" for key in ("ascii", "hAnsi", "eastAsia", "cs"))
_XLSX_NAME = re.compile(rb'<(?:\w+:)?(?:name|rFont) val="([^"]+)"')
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def _run_fonts(root: etree._Element) -> set[str]:
    """Return the faces every ``w:rFonts`` below ``root`` names (theme references aside)."""
    return {str(node.get(key)) for node in root.iter(f"{_W}rFonts") for key in _FONT_KEYS if node.get(key)}


def _docx_fonts(archive: zipfile.ZipFile) -> set[str]:
    """Return the faces a Word file uses: in its text runs, its default run properties and
    the styles its text refers to (with the styles those are based on)."""
    names = archive.namelist()
    found: set[str] = set()
    used: set[str] = set()
    for name in names:
        if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", name):
            root = etree.fromstring(archive.read(name), _PARSER)
            found |= _run_fonts(root)
            for tag in ("pStyle", "rStyle", "tblStyle"):
                used.update(node.get(f"{_W}val", "") for node in root.iter(f"{_W}{tag}"))
    if "word/styles.xml" in names:
        styles = etree.fromstring(archive.read("word/styles.xml"), _PARSER)
        defaults = styles.find(f"{_W}docDefaults")
        if defaults is not None:
            found |= _run_fonts(defaults)
        by_id = {str(style.get(f"{_W}styleId", "")): style for style in styles.iter(f"{_W}style")}
        used |= {sid for sid, style in by_id.items() if style.get(f"{_W}default") in ("1", "true")}
        seen: set[str] = set()
        while used:
            style_id = used.pop()
            style = by_id.get(style_id)
            if style is None or style_id in seen:
                continue
            seen.add(style_id)
            found |= _run_fonts(style)
            based = style.find(f"{_W}basedOn")
            if based is not None:
                used.add(based.get(f"{_W}val", ""))
    return found


def asked_fonts(source: Path) -> set[str]:
    """Return the font families a .docx or .xlsx asks for (what its text and styles use)."""
    try:
        with zipfile.ZipFile(source) as archive:
            if source.suffix == ".docx":
                found = _docx_fonts(archive)
            else:
                found = set()
                for name in archive.namelist():
                    if name.endswith("styles.xml"):
                        found.update(m.decode("utf-8", "replace") for m in _XLSX_NAME.findall(archive.read(name)))
    except (OSError, zipfile.BadZipFile, KeyError, etree.XMLSyntaxError):
        return set()
    return {f for f in found if f.casefold() not in _GENERIC}


def installed_families(env: Mapping[str, str] | None = None) -> set[str] | None:
    """Return the font families installed (every name fontconfig knows them by), or None without fontconfig."""
    program = shutil.which("fc-list")
    if program is None:
        return None
    try:
        done = subprocess.run([program, ":", "family"], capture_output=True, timeout=60, check=False,
                              env=dict(env) if env is not None else None)
    except (OSError, subprocess.TimeoutExpired):
        return None
    families: set[str] = set()
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        families.update(name.strip().replace("\\-", "-") for name in line.split(","))
    return families


def used_instead(family: str, env: Mapping[str, str]) -> str:
    """Return the family fontconfig (with our file in ``env``) gives for ``family``."""
    program = shutil.which("fc-match")
    if program is None:
        return "?"
    try:
        done = subprocess.run([program, "-f", "%{family[0]}", family], capture_output=True, timeout=60,
                              check=False, env=dict(env))
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return done.stdout.decode("utf-8", "replace").strip() or "?"


def font_notes(sources: Iterable[Path], env: Mapping[str, str]) -> list[tuple[Path, str]]:
    """Return one note (first file asking, message) per font the files ask for
    that is not installed, naming the face the PDF uses instead."""
    installed = installed_families(env)
    if installed is None:
        return []
    known = {name.casefold() for name in installed}
    first: dict[str, Path] = {}
    count: dict[str, int] = {}
    for source in sources:
        for family in sorted(asked_fonts(source)):
            if family.casefold() in known:
                continue
            first.setdefault(family, source)
            count[family] = count.get(family, 0) + 1
    notes = []
    for family, source in sorted(first.items(), key=lambda item: str(item[1])):
        others = f"（共 {count[family]} 个文件）" if count[family] > 1 else ""
        instead = used_instead(family, env)
        notes.append((source, f"PDF：文件要求的字体“{family}”没有安装，PDF 中用“{instead}”代替{others}"))
    return notes


# ----------------------------------------------------------------------------- conversion


def convert(sources: list[Path], program: str) -> Conversion:
    """Return what converting ``sources`` with LibreOffice did (PDFs, failures, font notes)."""
    done = Conversion()
    batches: dict[tuple[Path, str], list[Path]] = {}
    for source in sources:
        batches.setdefault((source.parent, source.suffix), []).append(source)
    with tempfile.TemporaryDirectory(prefix="sheetgen-pdf-") as tmp:
        profile = Path(tmp) / "profile"
        env = soffice_environment(Path(tmp))
        if sources:
            done.notes = font_notes(sources, env)
        for index, ((_folder, _suffix), files) in enumerate(sorted(batches.items())):
            outdir = Path(tmp) / f"out{index}"
            outdir.mkdir()
            command = [program, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                       "--convert-to", "pdf", "--outdir", str(outdir), *map(str, files)]
            try:
                subprocess.run(command, capture_output=True, timeout=max(MIN_SECONDS, SECONDS_PER_FILE * len(files)),
                               check=False, env=env)
            except subprocess.TimeoutExpired:
                done.failures.append(
                    f"{files[0].parent}: LibreOffice 转换 PDF 超时，这一批 {len(files)} 个文件没有生成 PDF")
                continue
            except OSError as exc:
                done.failures.append(f"无法运行 LibreOffice（{program}）：{os_errors.explain(exc)}")
                break
            for source in files:
                produced = outdir / f"{source.stem}.pdf"
                if not produced.is_file() or produced.stat().st_size == 0:
                    done.failures.append(f"{display(source)}: LibreOffice 没能把它转换成 PDF")
                    continue
                target = pdf_path(source)
                try:
                    write_atomic(target, produced.read_bytes())
                except WriteError as exc:
                    done.failures.append(str(exc))
                    continue
                done.written.append(target)
    return done
