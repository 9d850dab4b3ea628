"""The records of a build record file, read from the file as they are asked for.

A build that finds everything current still needs the old record of every spec, one at a
time.  Read whole, 5,000 of them were 13 MB of Python objects in the main process (and the
file's text on top); :func:`read_stored` instead goes through the file once, line by line,
checking every record as :meth:`~sheetgen.build.manifest.Manifest.read` always did, and keeps
only where each record is (its place in the file) and the hash of its key.  A record is read again from the
file (``os.pread``, the file kept open, so a new record written in its place later does not
change what this one reads) when it is asked for.

Only the layout :func:`sheetgen.build.manifest.write_records` writes is read this way (one
record to a line); anything else returns None and is read whole, as before.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from array import array
from bisect import bisect_left
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

from sheetgen.build.manifest import Record, record_line

_TABLE = re.compile(rb' "([^"\\]+)": \{')  # a table of the "tables" part: ` "selfeval": {`
_KINDS = {b'"specs": {': "specs", b'"units": {': "units"}
_LENGTH_BITS = 24  # a place is offset << 24 | length: no record line is 16 MB long
_RECENT = 64  # records kept parsed (a build asks for each a few times in a row)


class _File:
    """An open build record file, read at given places."""

    def __init__(self, path: Path):
        self._fd: int | None = None  # (set first: __del__ runs even when the open fails)
        self._fd = os.open(path, os.O_RDONLY)

    def read(self, place: int) -> bytes:
        if self._fd is None:
            raise ValueError("the build record file was closed")
        return os.pread(self._fd, place & ((1 << _LENGTH_BITS) - 1), place >> _LENGTH_BITS)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __del__(self) -> None:
        self.close()


_hash = hash  # how a key is found (tests make every key collide)


class StoredRecords(MutableMapping[str, Record]):
    """Records by key of one kind (spec, unit) of one table, read from the file when asked for.

    Held: the place of each record in the file, by position (the order of the file, sorted by
    key), and the hashes of the keys, sorted, with the position of each: 20 bytes a record and
    no key -- a key is found by its hash and checked against the key on the record's line.
    Read-only: a build makes its new records elsewhere (:mod:`sheetgen.build.record_log`)."""

    def __init__(self, file: _File, places: array[int], hashes: array[int], stale: set[str], with_pdfs: array[int]):
        self._file = file
        self._places = places
        order = sorted(range(len(hashes)), key=hashes.__getitem__)
        self._hashes = array("q", (hashes[i] for i in order))
        self._positions = array("L", order)
        self._recent: dict[int, tuple[str, Record]] = {}
        self.stale = stale  # every stale copy its records name
        self.with_pdfs = with_pdfs  # the positions of the records that name PDFs

    def _at(self, position: int) -> tuple[str, Record]:
        """Return the key and record at ``position``, read from the file (the last few kept)."""
        found = self._recent.get(position)
        if found is None:
            found = record_line(self._file.read(self._places[position]))
            if found is None:  # (checked as the file was first read: it was changed in place since)
                raise ValueError("a record of the build record file changed while it was open")
            if len(self._recent) >= _RECENT:
                self._recent.clear()
            self._recent[position] = found
        return found

    def position(self, key: str) -> int | None:
        """Return the position of ``key`` among the keys (in their order), or None."""
        wanted = _hash(key)
        index = bisect_left(self._hashes, wanted)
        while index < len(self._hashes) and self._hashes[index] == wanted:
            if self._at(self._positions[index])[0] == key:
                return self._positions[index]
            index += 1
        return None

    def item_at(self, position: int) -> tuple[str, Record]:
        """Return the key and the record at ``position``."""
        return self._at(position)

    def unique(self) -> bool:
        """Return whether no key comes twice (the keys of each hash that comes more than once are
        read and compared)."""
        hashes, start = self._hashes, 0
        while start < len(hashes):
            end = start + 1
            while end < len(hashes) and hashes[end] == hashes[start]:
                end += 1
            if end - start > 1:
                keys = [self._at(self._positions[i])[0] for i in range(start, end)]
                if len(set(keys)) != len(keys):
                    return False
            start = end
        return True

    def __getitem__(self, key: str) -> Record:
        position = self.position(key) if isinstance(key, str) else None
        if position is None:
            raise KeyError(key)
        return self._at(position)[1]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.position(key) is not None

    def __iter__(self) -> Iterator[str]:
        return (self._at(position)[0] for position in range(len(self._places)))

    def __len__(self) -> int:
        return len(self._places)

    def __setitem__(self, key: str, value: Record) -> None:
        raise TypeError("a build record read from its file is not changed in place")

    def __delitem__(self, key: str) -> None:
        raise TypeError("a build record read from its file is not changed in place")


class Stored:
    """What :func:`read_stored` found: the records of each table (``""``: the 目标表) by kind,
    the SHA-256 of the file, and its header (format and version)."""

    def __init__(self, file: _File, header: dict[str, Any]):
        self.file = file
        self.header = header
        self.tables: dict[str, dict[str, StoredRecords]] = {}
        self.digest = ""


def read_stored(path: Path) -> Stored | None:
    """Return the records of the build record file ``path`` read line by line (see the module),
    or None when it is not laid out one record to a line, or a line is not a record of
    sheetgen's shape: the caller reads it whole and says what is wrong.  Raises OSError."""
    file = _File(path)
    try:
        found = _read(path, file)
    except (ValueError, UnicodeDecodeError):  # (json's errors are ValueErrors)
        found = None
    if found is None:
        file.close()
    return found


def _read(path: Path, file: _File) -> Stored | None:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        lines = iter(handle)
        first = next(lines, b"")
        digest.update(first)
        if not first.startswith(b'{"format": ') or not first.endswith(b",\n"):
            return None
        stored = Stored(file, json.loads(first[:-2] + b"}"))
        table, kind, level, offset, ended = "", "", "top", len(first), False
        places, hashes = array("Q"), array("q")
        stale: set[str] = set()
        pdfs = array("L")
        for line in lines:
            digest.update(line)
            start, offset = offset, offset + len(line)
            text = line.rstrip(b"\n").rstrip(b",")
            if ended:
                return None
            if kind:  # a record, or the end of the records of this kind
                if text.strip() == b"}":
                    records = StoredRecords(file, places, hashes, stale, pdfs)
                    if not records.unique():
                        return None
                    stored.tables.setdefault(table, {})[kind] = records
                    kind, places, hashes, stale, pdfs = "", array("Q"), array("q"), set(), array("L")
                    continue
                found = record_line(text)
                if found is None or len(text) >> _LENGTH_BITS:
                    return None
                key, record = found
                if record.pdfs:
                    pdfs.append(len(places))
                places.append(start << _LENGTH_BITS | len(text))
                hashes.append(_hash(key))
                stale.update(record.stale)
            elif text.strip() in _KINDS and level in ("top", "table"):
                kind = _KINDS[text.strip()]
            elif level == "top" and text in (b'"tables": {', b"}"):
                level, ended = ("tables", False) if text != b"}" else ("top", True)
            elif level == "tables" and (match := _TABLE.fullmatch(text)):
                table, level = match.group(1).decode("utf-8"), "table"
            elif level == "tables" and text == b"}":
                level = "top"
            elif level == "table" and text == b" }":
                table, level = "", "tables"
            else:
                return None
        if not ended or "" not in stored.tables:
            return None
        stored.digest = digest.hexdigest()
        return stored
