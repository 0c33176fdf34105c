"""A records backend that counts what is asked of it, over a real one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from store.backend import Backend, Condition, Kind, Order, Stored, Write
from store.records import AuditEvent


class CountingBackend(Backend):
    """Every call goes to `inner`; `calls[(operation, kind name)]` says how often each was made."""

    def __init__(self, inner: Backend) -> None:
        self._inner = inner
        self.calls: Counter[tuple[str, str]] = Counter()

    async def open(self) -> None:
        await self._inner.open()

    async def close(self) -> None:
        await self._inner.close()

    async def ping(self) -> None:
        await self._inner.ping()

    async def get(self, kind: Kind[Any], scope: str, record_id: str) -> Stored | None:
        self.calls["get", kind.name] += 1
        return await self._inner.get(kind, scope, record_id)

    async def get_many(self, kind: Kind[Any], scope: str, record_ids: Sequence[str]) -> list[Stored]:
        self.calls["get_many", kind.name] += 1
        return await self._inner.get_many(kind, scope, record_ids)

    async def query(
        self, kind: Kind[Any], scope: str, where: Sequence[Condition], *, order: Order, limit: int
    ) -> list[Stored]:
        self.calls["query", kind.name] += 1
        return await self._inner.query(kind, scope, where, order=order, limit=limit)

    async def commit(self, scope: str, writes: Sequence[Write], events: Sequence[AuditEvent]) -> list[str]:
        self.calls["commit", scope] += 1
        return await self._inner.commit(scope, writes, events)
