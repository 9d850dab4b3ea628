"""The build record (manifest): what each output was built from, for incremental
builds, and which files in the output folder sheetgen wrote.

Only the files the record names are ever removed or renamed by a build; a
record that cannot be read, or is not of the shape written here, is treated
as absent (everything is built again) and the build says so.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from pathlib import Path
from typing import Any, Protocol

from msgspec import MsgspecError, Struct, convert, field
from msgspec.json import Decoder, Encoder
from msgspec.structs import replace

from sheetgen import __version__
from sheetgen.build.atomic import write_atomic_chunks
from sheetgen.spec.files import display

MANIFEST_NAME = ".sheetgen-manifest.json"
FORMAT = 3  # 3: every path is under the output folder's real absolute path


def digest(*parts: bytes | str) -> str:
    """Return a SHA-256 hex digest of ``parts`` (each length-prefixed)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


class Record(Struct):
    """What one spec (or one unit's combined files) was last built from and what came of it.

    ``fingerprint`` is empty when the last build did not finish it (it failed),
    so the next build tries again.  ``outputs`` are its current files,
    ``pdfs`` the PDFs made of them, ``stale`` the copies moved aside as
    out of date (``…（已过期）.docx``); all three are files sheetgen wrote.
    """

    fingerprint: str
    jurisdiction: str = ""
    template_dirs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    pdfs: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)

    def files(self) -> list[str]:
        """Return every file of this record: outputs, PDFs and stale copies."""
        return [*self.outputs, *self.pdfs, *self.stale]


_DIAGNOSTIC_FIELDS = {"path": str, "line": int, "col": int, "code": str, "severity": str, "message": str}


class _Stored(Struct, forbid_unknown_fields=True):
    """A record as :meth:`Manifest.write` writes it: every field there, none other (msgspec
    checks the types as it decodes or converts, in C; the diagnostics by :func:`_is_diagnostic`)."""

    diagnostics: list[dict[str, Any]]
    fingerprint: str
    jurisdiction: str
    outputs: list[str]
    pdfs: list[str]
    stale: list[str]
    template_dirs: list[str]


_LINE = Decoder(dict[str, _Stored])


def record_of(raw: object) -> Record | None:
    """Return ``raw`` (JSON data) as a Record, or None when it is not of the shape :meth:`Manifest.write` writes."""
    try:
        return _record(convert(raw, _Stored))
    except MsgspecError:
        return None


def record_line(line: bytes) -> tuple[str, Record] | None:
    """Return the key and record of one line of a build record file's records
    (``"key": {…}``, without the comma), or None when it is not one record of the shape
    :meth:`Manifest.write` writes (:func:`record_of`, decoded with no Python objects between)."""
    try:
        found = _LINE.decode(b"{" + line + b"}")
    except MsgspecError:
        return None
    if len(found) != 1:
        return None
    ((key, stored),) = found.items()
    record = _record(stored)
    return (key, record) if record is not None else None


def _record(stored: _Stored) -> Record | None:
    """Return the Record of a stored one, or None when a diagnostic of it is not of the shape written."""
    if stored.diagnostics and not all(_is_diagnostic(d) for d in stored.diagnostics):
        return None
    return Record(stored.fingerprint, stored.jurisdiction, stored.template_dirs, stored.outputs,
                  stored.diagnostics, stored.pdfs, stored.stale)


def _is_diagnostic(raw: object) -> bool:
    return (isinstance(raw, dict)
            and all(type(raw.get(k)) is t for k, t in _DIAGNOSTIC_FIELDS.items())
            and raw["severity"] in ("error", "warning")
            and all(isinstance(raw.get(k, ""), str) for k in ("label", "yaml_path"))
            and set(raw) <= {*_DIAGNOSTIC_FIELDS, "label", "yaml_path"})


def _records(raw: object) -> dict[str, Record] | None:
    if not isinstance(raw, dict):
        return None
    out = {}
    for key, value in raw.items():
        record = record_of(value)
        if record is None:
            return None
        out[key] = record
    return out


def _records_of(raw: object) -> tuple[dict[str, Record], dict[str, Record]] | None:
    """Return the spec and unit records of a stored table (None: not of sheetgen's shape)."""
    specs = _records(raw.get("specs", {})) if isinstance(raw, dict) else None
    units = _records(raw.get("units", {})) if isinstance(raw, dict) else None
    return (specs, units) if specs is not None and units is not None else None


def _tables(raw: object) -> dict[str, Manifest] | None:
    if not isinstance(raw, dict):
        return None
    out = {}
    for kind, value in raw.items():
        found = _records_of(value)
        if found is None:
            return None
        out[str(kind)] = Manifest(*found)
    return out


class RecordSource(Protocol):
    """Records of one table to store: a :class:`Manifest`, or the records a build made."""

    def has_records(self) -> bool:
        """Return whether there is any record at all."""

    def records(self, kind: str) -> Iterator[tuple[str, Record]]:
        """Return the records of ``kind`` (``specs``, ``units``) with their keys, sorted by key."""


def _encoded(source: RecordSource, indent: str) -> Iterator[str]:
    """Return the JSON text of ``source``'s records (its spec and unit records) in pieces:
    one record to a line, each encoded by the json module's C encoder."""
    for name in ("specs", "units"):
        yield f'{indent}"{name}": {{'
        for index, (record_key, record) in enumerate(source.records(name)):
            yield f'{"," if index else ""}\n{indent} {_string(record_key)}: {record_json(record)}'
        yield f'\n{indent}}}' + (",\n" if name == "specs" else "")


_ENCODER = Encoder(order="sorted")  # (msgspec, in C: 0.9 us a record where json.dumps took 10)
_RECORD = Decoder(Record)


def record_json(record: Record) -> str:
    """Return ``record`` as the build record stores it (compact JSON, keys sorted, Chinese as it is)."""
    return _ENCODER.encode(record).decode("utf-8")


def json_record(text: str) -> Record:
    """Return the record :func:`record_json` made ``text`` of."""
    return _RECORD.decode(text)


def _text(target: RecordSource, others: Mapping[str, RecordSource]) -> Iterator[str]:
    """Return the JSON text of a whole build record, in pieces: the 目标表's records and those
    of each other table that has any."""
    yield f'{{"format": {FORMAT}, "version": {_string(__version__)},\n'
    yield from _encoded(target, "")
    tables = [(kind, source) for kind, source in sorted(others.items()) if source.has_records()]
    if tables:
        yield ',\n"tables": {'
        for index, (kind, table) in enumerate(tables):
            yield f'{"," if index else ""}\n {_string(kind)}: {{\n'
            yield from _encoded(table, "  ")
            yield "\n }"
        yield "\n}"
    yield "\n}\n"


def write_records(folder: Path, target: RecordSource, others: Mapping[str, RecordSource], *,
                  same_as: str = "") -> bool:
    """Store the build record of ``target``'s records and ``others``' (by kind of table) in
    ``folder`` atomically, encoded as it is written: the JSON text of thousands of records is
    never held whole.  Return whether the file was replaced: not when its SHA-256 would be
    ``same_as`` (the record is exactly as it was)."""
    return write_atomic_chunks(folder / MANIFEST_NAME, _utf8(_text(target, others)), same_as=same_as)


def _string(text: str) -> str:
    """Return ``text`` as a JSON string (Chinese as it is)."""
    return _ENCODER.encode(text).decode("utf-8")


def _utf8(texts: Iterable[str], size: int = 1 << 16) -> Iterator[bytes]:
    """Return ``texts`` (many small pieces) as UTF-8 chunks of about ``size`` characters."""
    pending: list[str] = []
    held = 0
    for text in texts:
        pending.append(text)
        held += len(text)
        if held >= size:
            yield "".join(pending).encode("utf-8")
            pending, held = [], 0
    if pending:
        yield "".join(pending).encode("utf-8")


def _ignored(path: Path, why: str) -> str:
    """Return the note of a build record that cannot be used (``why``: 已损坏, …)."""
    return f"{display(path)}: 生成记录{why}，已忽略（这次全部重新生成）"


class Manifest(Struct, eq=False):
    """Records by spec path, and records of each unit's combined files by unit folder, of the
    绩效目标表; ``tables`` holds the same of each other kind of table (``selfeval``: the
    绩效自评表), one :class:`Manifest` each.  Two are equal when they hold the same records,
    wherever they were read from (``digest``, ``file``)."""

    specs: MutableMapping[str, Record] = field(default_factory=dict)
    units: MutableMapping[str, Record] = field(default_factory=dict)
    tables: dict[str, Manifest] = field(default_factory=dict)
    digest: str = ""  # SHA-256 of the file it was read from
    # The file it was read from, kept open: its records are read from it when asked for
    # (:mod:`sheetgen.build.stored`); closed by :meth:`close`.
    file: Any = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Manifest):
            return NotImplemented
        return (self.specs, self.units, self.tables) == (other.specs, other.units, other.tables)

    def stale_files(self) -> set[str]:
        """Return the stale copies (``…（已过期）.docx``) this table's records name."""
        found: set[str] = set()
        for table in (self.specs, self.units):
            stale = getattr(table, "stale", None)  # (read from a file: known without reading each)
            found.update(stale if stale is not None else (p for r in table.values() for p in r.stale))
        return found

    def close(self) -> None:
        """Close the file the records are read from (none can be read afterwards)."""
        if self.file is not None:
            self.file.close()

    def has_records(self) -> bool:
        """Return whether this table has any record."""
        return bool(self.specs or self.units)

    def records(self, kind: str) -> Iterator[tuple[str, Record]]:
        """Return the records of ``kind`` (``specs``, ``units``) with their keys, sorted by key."""
        table = self.specs if kind == "specs" else self.units
        return iter(sorted(table.items()))

    def table(self, kind: str) -> Manifest:
        """Return the records of the table ``kind`` (made empty when there are none)."""
        return self.tables.setdefault(kind, Manifest())

    @classmethod
    def read(cls, folder: Path) -> tuple[Manifest, str | None]:
        """Return the manifest stored in ``folder`` (empty if there is none) and,
        when one is there but cannot be used, a note saying why (in Chinese)."""
        from sheetgen.build.stored import read_stored

        path = folder / MANIFEST_NAME
        try:
            stored = read_stored(path)
        except FileNotFoundError:
            return cls(), None
        except OSError:
            return cls(), _ignored(path, "无法读取")
        if stored is not None:
            if (stored.header.get("format"), stored.header.get("version")) != (FORMAT, __version__):
                stored.file.close()
                return cls(), _ignored(path, "来自另一版本的 sheetgen")

            def of(kinds: dict[str, Any]) -> Manifest:
                return cls(kinds.get("specs", {}), kinds.get("units", {}), digest=stored.digest, file=stored.file)

            others = {name: of(kinds) for name, kinds in stored.tables.items() if name}
            return replace(of(stored.tables[""]), tables=others), None
        try:  # not one record to a line, or something in it is wrong: read whole, to say what
            data = path.read_bytes()
            text = data.decode("utf-8")
        except FileNotFoundError:
            return cls(), None
        except (OSError, UnicodeDecodeError):
            return cls(), _ignored(path, "无法读取")
        try:
            raw = json.loads(text)
        except ValueError:
            return cls(), _ignored(path, "已损坏")
        if isinstance(raw, dict) and (raw.get("format") != FORMAT or raw.get("version") != __version__):
            return cls(), _ignored(path, "来自另一版本的 sheetgen")
        found = _records_of(raw)
        tables = _tables(raw.get("tables", {})) if isinstance(raw, dict) else None
        if found is None or tables is None:
            return cls(), _ignored(path, "的内容不是 sheetgen 写的格式")
        return cls(*found, tables, hashlib.sha256(data).hexdigest()), None

    def write(self, folder: Path) -> None:
        """Store the manifest in ``folder`` atomically (see :func:`write_records`)."""
        write_records(folder, self, self.tables)
