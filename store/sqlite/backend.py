"""The SQLite backend: aiosqlite connections to one WAL-mode database file.

Two connections: one that writes and one that reads. In WAL mode a reader
never waits for a writer, so listings are not queued behind commits. Writes
are serialised by an asyncio.Lock and run as one `BEGIN IMMEDIATE ... COMMIT`
transaction per commit; a replace or delete is conditioned on the version the
record was read with (`... AND version = ?`), and no matching row means a
conflict, rolled back whole. The audit chain head is read inside that write
transaction, so appending to the chain never conflicts here.

aiosqlite runs each connection in its own thread, so the event loop never
blocks on the disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiosqlite

from store.backend import Condition, Kind, Order, Stored, Write
from store.errors import ConflictError, StoreError, StoreUnavailable
from store.kinds import AUDIT_HEAD
from store.records import AuditEvent
from store.sqlite import sql
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
    def __init__(self, path: Path) -> None:
        self._path = path
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()

    async def open(self) -> None:
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = await _connect(self._path, _WRITER_PRAGMAS)
            await migrate(self._writer)
            self._reader = await _connect(self._path, _READER_PRAGMAS)
        except (sqlite3.Error, OSError) as exc:
            await self.close()
            raise StoreUnavailable("the SQLite database cannot be opened") from exc

    async def close(self) -> None:
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = self._writer = None

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
        async with self._write_lock:
            conn = self._connection(self._writer)
            try:
                await conn.execute("BEGIN IMMEDIATE")
                try:
                    versions = [await _apply(conn, scope, write) for write in writes]
                    if events:
                        await self._extend_chain(conn, scope, events)
                    await conn.execute("COMMIT")
                except BaseException:
                    await _rollback(conn)
                    raise
            except sqlite3.Error as exc:
                raise _translate(exc) from exc
            return versions

    async def _extend_chain(
        self, conn: aiosqlite.Connection, scope: str, events: Sequence[AuditEvent]
    ) -> None:
        rows = list(
            await conn.execute_fetchall(
                f"{sql.select(AUDIT_HEAD)} WHERE org_id = ? AND id = ?", [scope, "head"]
            )
        )
        head = _stored(rows[0]) if rows else None
        for write in chain_writes(scope, events, head):
            await _apply(conn, scope, write)

    async def _read(self, statement: str, params: Sequence[Any]) -> list[sqlite3.Row]:
        conn = self._connection(self._reader)
        try:
            return list(await conn.execute_fetchall(statement, params))
        except sqlite3.Error as exc:
            raise _translate(exc) from exc

    @staticmethod
    def _connection(conn: aiosqlite.Connection | None) -> aiosqlite.Connection:
        if conn is None:
            raise StoreUnavailable("the SQLite store is not open")
        return conn


async def _connect(path: Path, pragmas: Sequence[str]) -> aiosqlite.Connection:
    # isolation_level=None: no implicit transactions; commits say BEGIN themselves.
    conn = await aiosqlite.connect(path, isolation_level=None)
    for pragma in pragmas:
        await conn.execute(pragma)
    return conn


async def _apply(conn: aiosqlite.Connection, scope: str, write: Write) -> str:
    """Run one write inside the open transaction; return the record's new version."""
    table, columns = write.kind.table, tuple(write.index)
    values = list(write.index.values())
    body = json.dumps(write.body, separators=(",", ":"), ensure_ascii=False)
    if write.op == "create":
        try:
            await conn.execute(
                sql.insert(table, columns), [scope, write.record_id, 1, write.sort_key, body, *values]
            )
        except sqlite3.IntegrityError as exc:
            raise ConflictError(f"a {write.kind.name} with this id already exists") from exc
        await _write_members(conn, scope, write, replace=False)
        return "1"
    expected = _version(write)
    if write.op == "replace":
        statement = sql.update(table, columns)
        params = [write.sort_key, body, *values, scope, write.record_id, expected]
    else:
        statement, params = sql.delete(table), [scope, write.record_id, expected]
    cursor = await conn.execute(statement, params)
    if cursor.rowcount != 1:
        raise ConflictError(f"the {write.kind.name} changed or was removed since it was read")
    await _write_members(conn, scope, write, replace=True)
    return "" if write.op == "delete" else str(expected + 1)


async def _write_members(conn: aiosqlite.Connection, scope: str, write: Write, *, replace: bool) -> None:
    if write.kind.members_field is None:
        return
    table = sql.members_table(write.kind)
    if replace:
        await conn.execute(sql.delete_members(table), [scope, write.record_id])
    if write.op != "delete" and write.members:
        rows = [(scope, value, write.record_id) for value in dict.fromkeys(write.members)]
        await conn.executemany(sql.insert_members(table), rows)


def _version(write: Write) -> int:
    try:
        return int(write.version)
    except ValueError as exc:
        raise ConflictError(f"the {write.kind.name}'s version was not issued by this store") from exc


async def _rollback(conn: aiosqlite.Connection) -> None:
    # The transaction may already be gone (COMMIT ran before a cancellation arrived).
    with contextlib.suppress(sqlite3.Error):
        await conn.execute("ROLLBACK")


def _stored(row: Any) -> Stored:
    body, version, sort_key = row
    return Stored(body=json.loads(body), version=str(version), sort_key=sort_key)


def _translate(exc: sqlite3.Error) -> StoreError:
    if isinstance(exc, sqlite3.OperationalError):
        return StoreUnavailable("the SQLite database cannot be used right now")
    return StoreError("the SQLite database refused the operation")
