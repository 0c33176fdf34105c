"""Rewriting an organisation's audit trail in the database, as an intruder with write access to it would.

Unlike tampering.tamper_one_audit_entry, these leave a chain that links: hashes are recomputed
from the changed entry on (the algorithm is no secret), and the stored head is moved along.
Each works on SQLite (the file) and on Cosmos DB (the documents).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from azure.cosmos.aio import ContainerProxy, CosmosClient

from store.audit_chain import GENESIS, link
from store.backend import DIRECTORY
from store.codec import decode, encode
from store.cosmos.queries import document_id
from store.kinds import ORGANISATION
from store.records import AuditEvent
from tests.integration.harness import Server


async def org_id_of(server: Server, domain: str = "vasteras.example") -> str:
    org = await server.components.store.organisation_by_domain(domain)
    assert org is not None
    return org.org_id


def _db(server: Server) -> sqlite3.Connection:
    return sqlite3.connect(server.settings.data_dir / "sigill.db")


def _records(client: CosmosClient, server: Server) -> ContainerProxy:
    return client.get_database_client(server.settings.store.cosmos_database).get_container_client("records")


def _cosmos(server: Server) -> CosmosClient:
    store = server.settings.store
    return CosmosClient(store.cosmos_endpoint, store.cosmos_key, connection_verify=False)


async def _event_docs(records: ContainerProxy, org_id: str) -> list[dict[str, Any]]:
    query = "SELECT * FROM c WHERE c.pk = @pk AND c.type = 'audit_event' ORDER BY c.sort_key"
    parameters: list[dict[str, Any]] = [{"name": "@pk", "value": org_id}]
    return [doc async for doc in records.query_items(query, parameters=parameters, partition_key=org_id)]


async def _set_head(records: ContainerProxy, org_id: str, seq: int, head_hash: str) -> None:
    head = await records.read_item("audit_head|head", partition_key=org_id)
    head["body"]["seq"], head["body"]["hash"] = seq, head_hash
    await records.upsert_item(head)


async def rewrite_relinked(server: Server, org_id: str) -> int:
    """Change the action of an early entry, recompute every hash after it and move the head; return its seq."""
    if server.settings.store.backend == "sqlite":
        with _db(server) as db:
            rows = db.execute(
                "SELECT id, body FROM audit_events WHERE org_id = ? ORDER BY sort_key", (org_id,)
            ).fetchall()
            events = _relink([decode(AuditEvent, json.loads(body)) for _, body in rows])
            for (record_id, _), event in zip(rows, events, strict=True):
                db.execute(
                    "UPDATE audit_events SET body = ? WHERE org_id = ? AND id = ?",
                    (json.dumps(encode(event)), org_id, record_id),
                )
            _sqlite_head(db, org_id, events[-1].seq, events[-1].hash)
        return events[1].seq
    async with _cosmos(server) as client:
        records = _records(client, server)
        docs = await _event_docs(records, org_id)
        events = _relink([decode(AuditEvent, doc["body"]) for doc in docs])
        for doc, event in zip(docs, events, strict=True):
            doc["body"] = encode(event)
            await records.upsert_item(doc)
        await _set_head(records, org_id, events[-1].seq, events[-1].hash)
    return events[1].seq


def _relink(events: list[AuditEvent]) -> list[AuditEvent]:
    assert len(events) >= 3
    events[1].action = "nothing.happened"
    prev_seq, prev_hash = 0, GENESIS
    for event in events:
        link(event, prev_seq, prev_hash)
        prev_seq, prev_hash = event.seq, event.hash
    return events


async def truncate(server: Server, org_id: str, keep: int) -> None:
    """Delete every entry after entry `keep` and move the head back to it: the chain links as before."""
    if server.settings.store.backend == "sqlite":
        with _db(server) as db:
            kept = db.execute(
                "SELECT body FROM audit_events WHERE org_id = ? ORDER BY sort_key LIMIT 1 OFFSET ?",
                (org_id, keep - 1),
            ).fetchone()
            db.execute(
                "DELETE FROM audit_events WHERE org_id = ? AND CAST(id AS INTEGER) > ?", (org_id, keep)
            )
            _sqlite_head(db, org_id, keep, json.loads(kept[0])["hash"])
        return
    async with _cosmos(server) as client:
        records = _records(client, server)
        docs = await _event_docs(records, org_id)
        for doc in docs[keep:]:
            await records.delete_item(doc["id"], partition_key=org_id)
        await _set_head(records, org_id, keep, docs[keep - 1]["body"]["hash"])


async def wipe(server: Server, org_id: str) -> None:
    """Delete every audit entry of the organisation and its chain head."""
    if server.settings.store.backend == "sqlite":
        with _db(server) as db:
            db.execute("DELETE FROM audit_events WHERE org_id = ?", (org_id,))
            db.execute("DELETE FROM audit_heads WHERE org_id = ?", (org_id,))
        return
    async with _cosmos(server) as client:
        records = _records(client, server)
        for doc in await _event_docs(records, org_id):
            await records.delete_item(doc["id"], partition_key=org_id)
        await records.delete_item("audit_head|head", partition_key=org_id)


async def delete_organisation(server: Server, org_id: str) -> None:
    """Remove the organisation from the directory, and its audit trail with it."""
    await wipe(server, org_id)
    if server.settings.store.backend == "sqlite":
        with _db(server) as db:
            db.execute("DELETE FROM organisations WHERE id = ?", (org_id,))
            db.execute("DELETE FROM organisations_entra_tenant_ids WHERE id = ?", (org_id,))
        return
    async with _cosmos(server) as client:
        doc_id = document_id(ORGANISATION, org_id)
        await _records(client, server).delete_item(doc_id, partition_key=DIRECTORY)


def _sqlite_head(db: sqlite3.Connection, org_id: str, seq: int, head_hash: str) -> None:
    changed = db.execute(
        "UPDATE audit_heads SET body = json_set(body, '$.seq', ?, '$.hash', ?) WHERE org_id = ?",
        (seq, head_hash, org_id),
    ).rowcount
    assert changed == 1
