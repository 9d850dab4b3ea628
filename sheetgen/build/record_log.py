"""The records one build makes, kept on disk as they come instead of in memory.

A build of thousands of specs makes a record for each (its outputs, fingerprint, warnings)
and writes them all into the build record at its end.  Held as Python objects they were
about 2 KB a spec in the main process, the only part of its memory that grew with the
number of specs.  :class:`RecordLog` keeps them in a private temporary SQLite database
(stdlib ``sqlite3``; the database is a file of the system's temporary folder that SQLite
deletes when it is closed, with a small page cache), so the main process stays the same
size whatever the size of the build; reading them back, sorted by key, is what writing the
build record needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sheetgen.build.manifest import Record, json_record, record_json
from sheetgen.errors import SheetgenError

if TYPE_CHECKING:
    import sqlite3

#: The kinds of record: a spec's, and a unit's combined files'.
KINDS = ("specs", "units")
_BATCH = 256  # records read back, or put, at a time
_CACHE_KB = 256  # SQLite's page cache; pages beyond it go to the temporary file


class RecordLogError(SheetgenError):
    """The records of a build could not be kept in the temporary folder; the message says why."""


_REASONS = {"SQLITE_FULL": "磁盘已满", "SQLITE_CANTOPEN": "无法在那里创建临时文件",
            "SQLITE_READONLY": "那里只读", "SQLITE_NOMEM": "内存不足", "SQLITE_IOERR": "读写临时文件出错"}


def _failed(exc: Exception) -> RecordLogError:
    """Return the error of a build whose records could not be kept, in Chinese."""
    name = str(getattr(exc, "sqlite_errorname", ""))  # SQLITE_FULL, SQLITE_IOERR_WRITE, …
    reason = next((text for code, text in _REASONS.items() if name.startswith(code)), "临时文件出错")
    return RecordLogError(f"这次生成的记录无法暂存到系统临时文件夹（可用环境变量 SQLITE_TMPDIR 换一个）：{reason}。"
                          "已写好的文件完整保留；生成记录没有更新，下次生成会重做这次的项目")


class RecordLog:
    """Records by kind (:data:`KINDS`) and key; a record put again replaces the earlier one."""

    def __init__(self) -> None:
        self._db: sqlite3.Connection | None = None
        self._count = 0
        self._pending: list[tuple[str, str, int, str]] = []  # put, not yet in the database

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            import sqlite3  # (imported with the first record: a build with nothing to do needs none)

            db = sqlite3.connect("", isolation_level=None)  # "": private, on disk, deleted when closed
            db.execute(f"PRAGMA cache_size = -{_CACHE_KB}")
            db.execute("CREATE TABLE record (kind TEXT, key TEXT, pdfs INTEGER, value TEXT,"
                       " PRIMARY KEY (kind, key)) WITHOUT ROWID")
            db.execute("BEGIN")  # one transaction for the whole build: nothing here needs to survive it
            self._db = db
        return self._db

    def put(self, kind: str, key: str, record: Record) -> None:
        """Keep ``record`` as the record of ``key`` (replacing one kept before); raise
        :class:`RecordLogError` when it cannot be kept (the temporary folder is full)."""
        self._pending.append((kind, key, len(record.pdfs), record_json(record)))
        self._count += 1
        if len(self._pending) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        """Put the records put since the last time into the database, in one statement."""
        if not self._pending:
            return
        import sqlite3

        try:
            self._connection().executemany("INSERT OR REPLACE INTO record VALUES (?, ?, ?, ?)", self._pending)
        except sqlite3.Error as exc:
            raise _failed(exc) from None
        self._pending.clear()

    def __bool__(self) -> bool:
        return self._count > 0

    def items(self, kind: str, *, with_pdfs: bool = False) -> Iterator[tuple[str, Record]]:
        """Return the records of ``kind`` with their keys, sorted by key (``with_pdfs``: only
        those naming PDFs).  Read a batch at a time: putting records while going through them
        is safe (a record put again is not seen again)."""
        self._flush()
        if self._db is None:
            return
        after = ""
        query = ("SELECT key, value FROM record WHERE kind = ? AND key > ?"
                 f"{' AND pdfs > 0' if with_pdfs else ''} ORDER BY key LIMIT {_BATCH}")
        import sqlite3

        while True:
            self._flush()  # (records put while going through them)
            try:
                rows = self._db.execute(query, (kind, after)).fetchall()
            except sqlite3.Error as exc:
                raise _failed(exc) from None
            for key, value in rows:
                yield key, json_record(value)
            if len(rows) < _BATCH:
                return
            after = rows[-1][0]

    def close(self) -> None:
        """Close the log; its temporary database is deleted."""
        self._pending.clear()
        if self._db is not None:
            self._db.close()
            self._db = None
