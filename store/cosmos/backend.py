"""The Cosmos DB backend, on the async `azure.cosmos.aio` client.

One container, `records`, partitioned by `/pk` = the organisation id (the
directory of organisations lives in the partition "directory"). Everything a
unit of work writes is in one logical partition, so a commit is one
transactional batch: all of its operations or none. Replaces and deletes are
conditioned on the document's ETag (the record's `version`); a batch that
fails on one of them, or on a create whose id is taken, is a conflict.

The audit chain head is a document too. A commit reads it, links the staged
events after it and writes entries and the moved head in the same batch, the
head conditioned on its ETag. If the batch fails on those audit operations
only, another commit extended the chain first: the commit re-reads the head
and tries again, a bounded number of times, after a short random pause.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from azure.cosmos import PartitionKey
from azure.cosmos.aio import ContainerProxy, CosmosClient, DatabaseProxy
from azure.cosmos.exceptions import (
    CosmosBatchOperationError,
    CosmosHttpResponseError,
    CosmosResourceNotFoundError,
)

from store.backend import Condition, Kind, Order, Stored, Write
from store.cosmos import queries
from store.cosmos.errors import CONFLICT_STATUSES, translate, translated
from store.cosmos.indexing import indexing_policy, is_current
from store.errors import ConflictError, StoreUnavailable, TooManyWrites
from store.kinds import AUDIT_HEAD
from store.records import AuditEvent
from store.writes import chain_writes

CONTAINER = "records"
# Cosmos DB's limit on the operations of one transactional batch.
MAX_BATCH = 100
# Tries of a commit whose audit entries keep losing the race for the chain head.
AUDIT_ATTEMPTS = 40
# The random pause before a retry grows from this, doubling, up to the cap (seconds).
RETRY_PAUSE = 0.002
RETRY_PAUSE_CAP = 0.25

type Operation = tuple[str, tuple[Any, ...], dict[str, Any]]


class CosmosBackend:
    def __init__(
        self,
        endpoint: str,
        credential: Any,
        database: str,
        *,
        verify_tls: bool = True,
        audit_attempts: int = AUDIT_ATTEMPTS,
        rng: random.Random | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._endpoint = endpoint
        self._credential = credential
        self._database_name = database
        self._verify_tls = verify_tls
        self._audit_attempts = audit_attempts
        self._rng = rng or random.Random()  # noqa: S311 - spreads retries, not a secret
        self._sleep = sleep
        self._client: CosmosClient | None = None
        self._database: DatabaseProxy | None = None
        self._container: ContainerProxy | None = None

    async def open(self) -> None:
        client = CosmosClient(self._endpoint, credential=self._credential, connection_verify=self._verify_tls)
        try:
            with translated():
                self._database = await client.create_database_if_not_exists(self._database_name)
                self._container = await self._database.create_container_if_not_exists(
                    id=CONTAINER,
                    partition_key=PartitionKey(path="/pk"),
                    indexing_policy=indexing_policy(),
                )
                self._container = await self._bring_indexing_up_to_date(self._database, self._container)
        except BaseException:
            await client.close()
            raise
        self._client = client

    @staticmethod
    async def _bring_indexing_up_to_date(
        database: DatabaseProxy, container: ContainerProxy
    ) -> ContainerProxy:
        """Give a container made by an older release the indexes today's queries need.

        Cosmos DB rebuilds the index online; until it is done, queries still answer.
        """
        properties = await container.read()
        if is_current(properties.get("indexingPolicy") or {}):
            return container
        return await database.replace_container(
            container, partition_key=PartitionKey(path="/pk"), indexing_policy=indexing_policy()
        )

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
        self._client = self._database = self._container = None

    async def ping(self) -> None:
        if self._database is None:
            raise StoreUnavailable("the Cosmos DB store is not open")
        with translated():
            await self._database.read()

    async def get(self, kind: Kind[Any], scope: str, record_id: str) -> Stored | None:
        container = self._open_container()
        try:
            with translated(keep=(CosmosResourceNotFoundError,)):
                doc = await container.read_item(queries.document_id(kind, record_id), partition_key=scope)
        except CosmosResourceNotFoundError:
            return None
        return _stored(doc)

    async def get_many(self, kind: Kind[Any], scope: str, record_ids: Sequence[str]) -> list[Stored]:
        if not record_ids:
            return []
        sql, parameters = queries.select_ids(kind, scope, record_ids)
        return await self._run(sql, parameters, scope, len(record_ids))

    async def query(
        self, kind: Kind[Any], scope: str, where: Sequence[Condition], *, order: Order, limit: int
    ) -> list[Stored]:
        sql, parameters = queries.select(kind, scope, where, order, limit)
        return await self._run(sql, parameters, scope, limit)

    async def _run(self, sql: str, parameters: queries.Parameters, scope: str, limit: int) -> list[Stored]:
        container = self._open_container()
        with translated():
            pages = container.query_items(
                sql, parameters=parameters, partition_key=scope, max_item_count=limit
            )
            return [_stored(doc) async for doc in pages]

    async def commit(self, scope: str, writes: Sequence[Write], events: Sequence[AuditEvent]) -> list[str]:
        operations = [_operation(scope, write) for write in writes]
        for attempt in range(self._audit_attempts):
            audit = await self._audit_operations(scope, events)
            batch = [*operations, *audit]
            if len(batch) > MAX_BATCH:
                raise TooManyWrites(
                    f"a Cosmos DB batch holds at most {MAX_BATCH} operations, not {len(batch)}"
                )
            try:
                results = await self._execute(batch, scope, domain_count=len(operations))
            except _AuditRace:
                await self._pause(attempt)
                continue
            return [_version(write, result) for write, result in zip(writes, results, strict=False)]
        raise ConflictError("the audit trail stayed contended; the commit wrote nothing")

    async def _audit_operations(self, scope: str, events: Sequence[AuditEvent]) -> list[Operation]:
        if not events:
            return []
        head = await self.get(AUDIT_HEAD, scope, "head")
        return [_operation(scope, write) for write in chain_writes(scope, events, head)]

    async def _execute(
        self, batch: list[Operation], scope: str, *, domain_count: int
    ) -> list[dict[str, Any]]:
        """Run one transactional batch; a lost race on the audit chain raises _AuditRace.

        The batch holds the domain writes first and the audit writes after them,
        so the index of the failing operation says which part lost.
        """
        container = self._open_container()
        try:
            with translated(keep=(CosmosBatchOperationError, CosmosHttpResponseError)):
                return list(await container.execute_item_batch(batch, partition_key=scope))
        except CosmosBatchOperationError as exc:
            if exc.status_code not in CONFLICT_STATUSES:
                raise translate(exc) from exc
            if exc.error_index is not None and exc.error_index >= domain_count:
                raise _AuditRace from exc
            raise ConflictError(
                "a record changed, was removed or already exists; the commit wrote nothing"
            ) from exc
        except CosmosHttpResponseError as exc:
            if exc.status_code in CONFLICT_STATUSES and len(batch) > domain_count:
                # The service named no operation: retrying re-reads the head and
                # fails again at once if a domain record is the stale one.
                raise _AuditRace from exc
            if exc.status_code in CONFLICT_STATUSES:
                raise ConflictError("a record changed, was removed or already exists") from exc
            raise translate(exc) from exc

    async def _pause(self, attempt: int) -> None:
        ceiling = min(RETRY_PAUSE_CAP, RETRY_PAUSE * 2**attempt)
        await self._sleep(self._rng.uniform(0, ceiling))

    def _open_container(self) -> ContainerProxy:
        if self._container is None:
            raise StoreUnavailable("the Cosmos DB store is not open")
        return self._container


class _AuditRace(Exception):
    """Another commit extended the audit chain between our read of its head and our batch."""


def _operation(scope: str, write: Write) -> Operation:
    doc_id = queries.document_id(write.kind, write.record_id)
    if write.op == "create":
        return ("create", (queries.document(scope, write),), {})
    condition = {"if_match_etag": write.version}
    if write.op == "replace":
        return ("replace", (doc_id, queries.document(scope, write)), condition)
    return ("delete", (doc_id,), condition)


def _version(write: Write, result: dict[str, Any]) -> str:
    if write.op == "delete":
        return ""
    etag = result.get("eTag") or (result.get("resourceBody") or {}).get("_etag")
    return str(etag)


def _stored(doc: dict[str, Any]) -> Stored:
    return Stored(body=doc["body"], version=str(doc["_etag"]), sort_key=str(doc["sort_key"]))
