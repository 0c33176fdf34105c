"""Building a records `Store` for a backend; the composition root picks one from configuration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from store.cosmos import CosmosBackend
from store.ports import Store
from store.record_store import RecordStore
from store.sqlite import SqliteBackend


def sqlite_store(path: Path) -> Store:
    """The embedded store: one SQLite file at `path` (created, and migrated, at open())."""
    return RecordStore(SqliteBackend(path))


def cosmos_store(endpoint: str, credential: Any, database: str, *, verify_tls: bool = True) -> Store:
    """The scale-out store: database `database` of the Cosmos DB account at `endpoint`.

    `credential` is the account key or an azure-identity token credential. The
    database and its `records` container are created at open() when missing.
    `verify_tls=False` is for the local test server's self-signed certificate only.
    """
    return RecordStore(CosmosBackend(endpoint, credential, database, verify_tls=verify_tls))
