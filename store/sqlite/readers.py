"""A small pool of read-only SQLite connections, so one slow read does not queue every other.

Each aiosqlite connection runs its statements one after another in a thread of its own. With a
single reading connection, a listing that takes a second holds up every look-up behind it. In
WAL mode any number of connections read at once (each sees the last commit as it starts), and
the sqlite3 module lets go of the GIL while SQLite works, so a few connections give a few
reads in parallel. A read waits only when every connection is busy.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any, Final

import aiosqlite

# Enough for the embedded default on a small machine: reads are short, and each costs a thread.
DEFAULT_READERS: Final = 4


class ReaderPool:
    def __init__(self, path: Path, pragmas: Sequence[str], size: int = DEFAULT_READERS) -> None:
        if size < 1:
            raise ValueError("a reader pool needs at least one connection")
        self._path = path
        self._pragmas = tuple(pragmas)
        self._size = size
        self._connections: list[aiosqlite.Connection] = []
        self._idle: asyncio.Queue[aiosqlite.Connection] | None = None

    @property
    def size(self) -> int:
        return self._size

    async def open(self) -> None:
        idle: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        try:
            for _ in range(self._size):
                conn = await _connect(self._path, self._pragmas)
                self._connections.append(conn)
                idle.put_nowait(conn)
        except BaseException:
            await self.close()
            raise
        self._idle = idle

    async def close(self) -> None:
        self._idle = None
        connections, self._connections = self._connections, []
        for conn in connections:
            with contextlib.suppress(sqlite3.Error, ValueError):
                await conn.close()

    @property
    def is_open(self) -> bool:
        return self._idle is not None

    async def fetch_all(self, statement: str, params: Sequence[Any]) -> list[sqlite3.Row]:
        """Every row of one statement, on whichever connection is free first."""
        async with self._connection() as conn:
            return list(await conn.execute_fetchall(statement, params))

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[aiosqlite.Connection]:
        idle = self._idle
        if idle is None:
            raise sqlite3.OperationalError("the reader pool is closed")
        conn = await idle.get()
        try:
            yield conn
        finally:
            # Back in the pool even when the caller was cancelled: aiosqlite finishes the
            # statement in the connection's thread, and the next one simply queues behind it.
            idle.put_nowait(conn)


async def _connect(path: Path, pragmas: Sequence[str]) -> aiosqlite.Connection:
    # isolation_level=None: no implicit transactions; a read is a statement of its own.
    conn = await aiosqlite.connect(path, isolation_level=None)
    for pragma in pragmas:
        await conn.execute(pragma)
    return conn
