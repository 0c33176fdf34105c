"""SQLite reads run side by side on a pool of connections: a slow read holds up nobody else.

Not a backend contract (Cosmos DB serves reads concurrently by nature): this guards the
SQLite backend's reader pool, with a deliberately slow statement on one connection.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from store.errors import StoreUnavailable
from store.record_store import RecordStore
from store.sqlite.backend import SqliteBackend
from tests.contract import builders as b

# About a second of work for SQLite, wherever it runs.
SLOW_READ = (
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 2000000) SELECT count(*) FROM n"
)


@pytest.fixture
async def backend(tmp_path: Path) -> AsyncIterator[SqliteBackend]:
    backend = SqliteBackend(tmp_path / "records.db")
    await backend.open()
    try:
        yield backend
    finally:
        await backend.close()


async def test_a_look_up_is_answered_while_a_slow_read_runs(backend: SqliteBackend) -> None:
    store = RecordStore(backend)
    user = b.staff("org-a")
    async with store.unit_of_work("org-a") as uow:
        uow.staff.add(user)
        await uow.commit()

    slow = asyncio.create_task(backend.readers.fetch_all(SLOW_READ, []))
    await asyncio.sleep(0.05)  # the slow statement is running on one connection
    started = time.perf_counter()
    async with store.unit_of_work("org-a") as uow:
        found = await uow.staff.get(user.user_id)
    waited = time.perf_counter() - started

    assert found == user
    assert not slow.done(), f"the look-up waited for the slow read ({waited:.2f} s)"
    assert (await slow)[0][0] == 2_000_000


async def test_a_closed_store_refuses_reads_as_unavailable(tmp_path: Path) -> None:
    backend = SqliteBackend(tmp_path / "records.db")
    await backend.open()
    await backend.close()
    with pytest.raises(StoreUnavailable):
        await RecordStore(backend).ping()
