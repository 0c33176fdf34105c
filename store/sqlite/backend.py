"""The SQLite backend: aiosqlite connections to one WAL-mode database file.

One connection writes, and a small pool of connections reads
(`store.sqlite.readers`). In WAL mode a reader never waits for a writer, so
listings are not queued behind commits, nor one slow read behind another. The
writer lives in a thread of its own; each commit is handed to it whole and
runs there as one `BEGIN IMMEDIATE ... COMMIT` transaction, so a commit costs
one hand-off between the event loop and the thread, not one per statement; a replace or delete is conditioned on the version the
record was read with (`... AND version = ?`), and no matching row means a
conflict, rolled back whole. The audit chain head is read inside that write
transaction, so appending to the chain never conflicts here.

aiosqlite runs each reading connection in its own thread, and the writer has
its own, so the event loop never blocks on the disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import aiosqlite

from store.backend import Condition, Kind, Order, Stored, Write
from store.errors import ConflictError, StoreError, StoreUnavailable
from store.kinds import AUDIT_HEAD
from store.records import AuditEvent
from store.sqlite import sql
from store.sqlite.readers import DEFAULT_READERS, ReaderPool
from store.sqlite.schema import migrate
from store.writes import chain_writes

# How long a connection waits for another process's write lock before giving up.
BUSY_TIMEOUT_MS = 5000

_WRITER_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    # In WAL mode NORMAL keeps the database consistent after a crash; a power
    # loss may forget the last commits, which is the price of not syncing each one.
    "PRAGMA synchronous = NORMAL",
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys = OFF",
)
_READER_PRAGMAS = (f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}", "PRAGMA query_only = ON")


class SqliteBackend:
    def __init__(self, path: Path, *, readers: int = DEFAULT_READERS) -> None:
        self._path = path
        self._writer: sqlite3.Connection | None = None
        self.readers = ReaderPool(path, _READER_PRAGMAS, readers)
        # One thread owns the writing connection; commits queue for it in order.
        self._write_thread: ThreadPoolExecutor | None = None

    async def open(self) -> None:
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            migrator = await _connect(self._path, _WRITER_PRAGMAS)
            try:
                await migrate(migrator)
            finally:
                await migrator.close()
            self._write_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")
            self._writer = await self._in_writer(_connect_writer, self._path)
            await self.readers.open()
        except (sqlite3.Error, OSError) as exc:
            await self.close()
            raise StoreUnavailable("the SQLite database cannot be opened") from exc

    async def close(self) -> None:
        await self.readers.close()
        if self._writer is not None and self._write_thread is not None:
            await self._in_writer(self._writer.close)
        if self._write_thread is not None:
            self._write_thread.shutdown(wait=True)
        self._writer = self._write_thread = None

    async def _in_writer(self, fn: Any, *args: Any) -> Any:
        if self._write_thread is None:
            raise StoreUnavailable("the SQLite store is not open")
        return await asyncio.get_running_loop().run_in_executor(self._write_thread, fn, *args)

    async def ping(self) -> None:
        await self._read("SELECT 1", [])

    async def get(self, kind: Kind[Any], scope: str, record_id: str) -> Stored | None:
        rows = await self._read(f"{sql.select(kind)} WHERE org_id = ? AND id = ?", [scope, record_id])
        return _stored(rows[0]) if rows else None

    async def get_many(self, kind: Kind[Any], scope: str, record_ids: Sequence[str]) -> list[Stored]:
        if not record_ids:
            return []
        marks = ", ".join("?" * len(record_ids))
        rows = await self._read(
            f"{sql.select(kind)} WHERE org_id = ? AND id IN ({marks})",
            [scope, *record_ids],
        )
        return [_stored(row) for row in rows]

    async def query(
        self, kind: Kind[Any], scope: str, where: Sequence[Condition], *, order: Order, limit: int
    ) -> list[Stored]:
        statement, params = sql.query(kind, scope, where, order, limit)
        return [_stored(row) for row in await self._read(statement, params)]

    async def commit(self, scope: str, writes: Sequence[Write], events: Sequence[AuditEvent]) -> list[str]:
        if self._writer is None:
            raise StoreUnavailable("the SQLite store is not open")
        try:
            versions: list[str] = await self._in_writer(_commit, self._writer, scope, writes, events)
        except sqlite3.Error as exc:
            raise _translate(exc) from exc
        return versions

    async def _read(self, statement: str, params: Sequence[Any]) -> list[sqlite3.Row]:
        if not self.readers.is_open:
            raise StoreUnavailable("the SQLite store is not open")
        try:
            return await self.readers.fetch_all(statement, params)
        except sqlite3.Error as exc:
            raise _translate(exc) from exc


async def _connect(path: Path, pragmas: Sequence[str]) -> aiosqlite.Connection:
    # isolation_level=None: no implicit transactions; commits say BEGIN themselves.
    conn = await aiosqlite.connect(path, isolation_level=None)
    for pragma in pragmas:
        await conn.execute(pragma)
    return conn


def _connect_writer(path: Path) -> sqlite3.Connection:
    # isolation_level=None: no implicit transactions; commits say BEGIN themselves.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in _WRITER_PRAGMAS:
        conn.execute(pragma)
    return conn


def _commit(
    conn: sqlite3.Connection, scope: str, writes: Sequence[Write], events: Sequence[AuditEvent]
) -> list[str]:
    """One transaction, run in the writer's thread: every write and the chain's extension, or nothing."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        versions = [_apply(conn, scope, write) for write in writes]
        if events:
            _extend_chain(conn, scope, events)
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    return versions


def _extend_chain(conn: sqlite3.Connection, scope: str, events: Sequence[AuditEvent]) -> None:
    rows = conn.execute(f"{sql.select(AUDIT_HEAD)} WHERE org_id = ? AND id = ?", [scope, "head"]).fetchall()
    head = _stored(rows[0]) if rows else None
    for write in chain_writes(scope, events, head):
        _apply(conn, scope, write)


def _apply(conn: sqlite3.Connection, scope: str, write: Write) -> str:
    """Run one write inside the open transaction; return the record's new version."""
    table, columns = write.kind.table, tuple(write.index)
    values = list(write.index.values())
    body = json.dumps(write.body, separators=(",", ":"), ensure_ascii=False)
    if write.op == "create":
        try:
            conn.execute(
                sql.insert(table, columns), [scope, write.record_id, 1, write.sort_key, body, *values]
            )
        except sqlite3.IntegrityError as exc:
            raise ConflictError(f"a {write.kind.name} with this id already exists") from exc
        _write_members(conn, scope, write, replace=False)
        return "1"
    expected = _version(write)
    if write.op == "replace":
        statement = sql.update(table, columns)
        params = [write.sort_key, body, *values, scope, write.record_id, expected]
    else:
        statement, params = sql.delete(table), [scope, write.record_id, expected]
    cursor = conn.execute(statement, params)
    if cursor.rowcount != 1:
        raise ConflictError(f"the {write.kind.name} changed or was removed since it was read")
    _write_members(conn, scope, write, replace=True)
    return "" if write.op == "delete" else str(expected + 1)


def _write_members(conn: sqlite3.Connection, scope: str, write: Write, *, replace: bool) -> None:
    if write.kind.members_field is None:
        return
    table = sql.members_table(write.kind)
    if replace:
        conn.execute(sql.delete_members(table), [scope, write.record_id])
    if write.op != "delete" and write.members:
        rows = [(scope, value, write.record_id) for value in dict.fromkeys(write.members)]
        conn.executemany(sql.insert_members(table), rows)


def _version(write: Write) -> int:
    try:
        return int(write.version)
    except ValueError as exc:
        raise ConflictError(f"the {write.kind.name}'s version was not issued by this store") from exc


def _stored(row: Any) -> Stored:
    body, version, sort_key = row
    return Stored(body=json.loads(body), version=str(version), sort_key=sort_key)


def _translate(exc: sqlite3.Error) -> StoreError:
    if isinstance(exc, sqlite3.OperationalError):
        return StoreUnavailable("the SQLite database cannot be used right now")
    return StoreError("the SQLite database refused the operation")
