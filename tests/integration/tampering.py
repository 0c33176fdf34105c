"""Reaching past Sigill into what it stored: as an attacker with database access, or an auditor, would."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from azure.cosmos.aio import CosmosClient

from tests.integration.harness import Server


async def _org_id(server: Server) -> str:
    org = await server.components.store.organisation_by_domain("vasteras.example")
    assert org is not None
    return org.org_id


def _cosmos(server: Server) -> CosmosClient:
    store = server.settings.store
    return CosmosClient(store.cosmos_endpoint, store.cosmos_key, connection_verify=False)


async def tamper_one_audit_entry(server: Server) -> int:
    """Change the action of an entry in the middle of the chain; return its sequence number."""
    org_id = await _org_id(server)
    if server.settings.store.backend == "sqlite":
        with sqlite3.connect(server.settings.data_dir / "sigill.db") as db:
            rows = db.execute(
                "SELECT id, body FROM audit_events WHERE org_id = ? ORDER BY sort_key", (org_id,)
            ).fetchall()
            assert len(rows) >= 3
            record_id, body = rows[len(rows) // 2]
            db.execute(
                "UPDATE audit_events SET body = json_set(body, '$.action', 'message.deleted') "
                "WHERE org_id = ? AND id = ?",
                (org_id, record_id),
            )
            return int(json.loads(body)["seq"])
    async with _cosmos(server) as client:
        container = client.get_database_client(server.settings.store.cosmos_database).get_container_client(
            "records"
        )
        docs = [
            doc
            async for doc in container.query_items(
                "SELECT * FROM c WHERE c.type = 'audit_event' ORDER BY c.sort_key", partition_key=org_id
            )
        ]
        assert len(docs) >= 3
        doc = docs[len(docs) // 2]
        doc["body"]["action"] = "message.deleted"
        await container.upsert_item(doc)
        return int(doc["body"]["seq"])


REMOVE = object()
"""As a value of `edit_message`: take the field out of the stored record, as an older version wrote it."""


async def edit_message(server: Server, message_id: str, field: str, value: Any) -> None:
    """Change (or, with REMOVE, drop) one field of a message as stored, behind Sigill's back."""
    org_id = await _org_id(server)
    if server.settings.store.backend == "sqlite":
        with sqlite3.connect(server.settings.data_dir / "sigill.db") as db:
            params: tuple[str, ...] = ()
            if value is REMOVE:
                statement = f"json_remove(body, '$.{field}')"
            else:
                statement, params = f"json_set(body, '$.{field}', json(?))", (json.dumps(value),)
            changed = db.execute(
                f"UPDATE messages SET body = {statement} WHERE org_id = ? AND id = ?",
                (*params, org_id, message_id),
            ).rowcount
            assert changed == 1
        return
    async with _cosmos(server) as client:
        container = client.get_database_client(server.settings.store.cosmos_database).get_container_client(
            "records"
        )
        doc = await container.read_item(f"message|{message_id}", partition_key=org_id)
        if value is REMOVE:
            del doc["body"][field]
        else:
            doc["body"][field] = value
        await container.upsert_item(doc)


async def all_stored_bytes(server: Server) -> bytes:
    """Every byte Sigill keeps: the database (file or documents) and the attachment blobs."""
    parts: list[bytes] = []
    data_dir = server.settings.data_dir
    if server.settings.store.backend == "sqlite":
        for name in ("sigill.db", "sigill.db-wal"):
            path = data_dir / name
            if path.exists():
                parts.append(path.read_bytes())
    else:
        async with _cosmos(server) as client:
            container = client.get_database_client(
                server.settings.store.cosmos_database
            ).get_container_client("records")
            docs: list[dict[str, Any]] = [doc async for doc in container.query_items("SELECT * FROM c")]
            parts.append(json.dumps(docs, ensure_ascii=False).encode())
    parts += [p.read_bytes() for p in sorted((data_dir / "blobs").rglob("*")) if p.is_file()]
    return b"".join(parts)


def tamper_attachment_blob(server: Server, message_id: str) -> int:
    """Flip one byte in the middle of the message's attachment ciphertext on disk; return the file's size."""
    blobs = [p for p in (server.settings.data_dir / "blobs").rglob(f"*_{message_id}_*") if p.is_file()]
    assert len(blobs) == 1, blobs
    data = bytearray(blobs[0].read_bytes())
    data[len(data) // 2] ^= 0x01
    blobs[0].chmod(0o600)
    blobs[0].write_bytes(bytes(data))
    return len(data)
