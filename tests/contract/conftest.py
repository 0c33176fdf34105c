"""The `store` every contract test runs against: once on SQLite, once on the Cosmos DB test server.

`backend` is parametrized with the ids `sqlite` and `cosmos`, so every test id
names the backend it ran on. Besides the opened store it gives the raw access a
test needs to damage stored data behind the store's back (the audit tests).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from azure.cosmos.aio import CosmosClient

from store.factory import cosmos_store, sqlite_store
from store.ports import Store
from tests.fixtures.cosmos import CosmosServer


@dataclass
class SqliteRaw:
    path: Path

    async def change_audit_entry(self, org_id: str, seq: int, action: str) -> None:
        async with aiosqlite.connect(self.path) as db:
            await db.execute(
                "UPDATE audit_events SET body = json_set(body, '$.action', ?) WHERE org_id = ? AND id = ?",
                (action, org_id, f"{seq:016d}"),
            )
            await db.commit()

    async def delete_audit_entry(self, org_id: str, seq: int) -> None:
        async with aiosqlite.connect(self.path) as db:
            await db.execute("DELETE FROM audit_events WHERE org_id = ? AND id = ?", (org_id, f"{seq:016d}"))
            await db.commit()


@dataclass
class CosmosRaw:
    server: CosmosServer
    database: str

    async def change_audit_entry(self, org_id: str, seq: int, action: str) -> None:
        async with self._client() as client:
            container = client.get_database_client(self.database).get_container_client("records")
            doc: dict[str, Any] = await container.read_item(f"audit_event|{seq:016d}", partition_key=org_id)
            doc["body"]["action"] = action
            await container.upsert_item(doc)

    async def delete_audit_entry(self, org_id: str, seq: int) -> None:
        async with self._client() as client:
            container = client.get_database_client(self.database).get_container_client("records")
            await container.delete_item(f"audit_event|{seq:016d}", partition_key=org_id)

    async def drop(self) -> None:
        async with self._client() as client:
            await client.delete_database(self.database)

    def _client(self) -> CosmosClient:
        return CosmosClient(self.server.endpoint, credential=self.server.key, connection_verify=False)


@dataclass
class Backend:
    name: str
    store: Store
    raw: SqliteRaw | CosmosRaw


@pytest.fixture(params=["sqlite", "cosmos"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    if request.param == "sqlite":
        path = tmp_path / "records.db"
        under_test = Backend("sqlite", sqlite_store(path), SqliteRaw(path))
    else:
        server: CosmosServer = request.getfixturevalue("cosmos_server")
        database = server.new_database()
        store = cosmos_store(server.endpoint, server.key, database, verify_tls=False)
        under_test = Backend("cosmos", store, CosmosRaw(server, database))
    await under_test.store.open()
    try:
        yield under_test
    finally:
        await under_test.store.close()
        if isinstance(under_test.raw, CosmosRaw):
            await under_test.raw.drop()


@pytest.fixture
def store(backend: Backend) -> Store:
    return backend.store
