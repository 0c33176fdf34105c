"""A records store whose commits pass through a test's hook, over a real store.

The hook receives the real commit and decides what happens around it: run it and then fail as a
store that timed out after applying the batch would, run it and linger so the caller can be
cancelled once it has applied, or refuse without running it. Reads go straight to the real store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from types import TracebackType
from typing import Self

from store.ports import Store, UnitOfWork
from store.records import AccountIndexEntry, AuditEvent, Organisation, Throttle

type Commit = Callable[[], Awaitable[None]]
type CommitHook = Callable[[Commit], Awaitable[None]]


class HookedUnitOfWork(UnitOfWork):
    def __init__(self, inner: UnitOfWork, hook: CommitHook) -> None:
        self._inner = inner
        self._hook = hook
        self.org_id = inner.org_id
        self.staff = inner.staff
        self.recipients = inner.recipients
        self.mailboxes = inner.mailboxes
        self.messages = inner.messages
        self.deliveries = inner.deliveries
        self.cases = inner.cases
        self.audit = inner.audit
        self.outbox = inner.outbox
        self.challenges = inner.challenges
        self.references = inner.references

    async def commit(self) -> None:
        await self._hook(self._inner.commit)

    async def __aenter__(self) -> Self:
        await self._inner.__aenter__()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._inner.__aexit__(exc_type, exc, tb)


class CommitHookStore(Store):
    """`inner` with every unit of work's commit handed to `hook`."""

    def __init__(self, inner: Store, hook: CommitHook) -> None:
        self._inner = inner
        self._hook = hook

    def unit_of_work(self, org_id: str) -> UnitOfWork:
        return HookedUnitOfWork(self._inner.unit_of_work(org_id), self._hook)

    async def open(self) -> None:
        await self._inner.open()

    async def close(self) -> None:
        await self._inner.close()

    async def ping(self) -> None:
        await self._inner.ping()

    async def add_organisation(self, org: Organisation) -> None:
        await self._inner.add_organisation(org)

    async def update_organisation(self, org: Organisation) -> None:
        await self._inner.update_organisation(org)

    async def organisation(self, org_id: str) -> Organisation | None:
        return await self._inner.organisation(org_id)

    async def organisation_by_tenant(self, tenant_id: str) -> Organisation | None:
        return await self._inner.organisation_by_tenant(tenant_id)

    async def organisation_by_domain(self, domain: str) -> Organisation | None:
        return await self._inner.organisation_by_domain(domain)

    async def organisations(self) -> list[Organisation]:
        return await self._inner.organisations()

    async def account_index(self, key_hash: str) -> AccountIndexEntry | None:
        return await self._inner.account_index(key_hash)

    async def index_account(self, key_hash: str, account: str) -> None:
        await self._inner.index_account(key_hash, account)

    async def throttle(self, throttle_id: str) -> Throttle | None:
        return await self._inner.throttle(throttle_id)

    async def save_throttle(self, throttle: Throttle) -> None:
        await self._inner.save_throttle(throttle)

    def audit_events(self, org_id: str, *, after_seq: int = 0) -> AsyncIterator[AuditEvent]:
        return self._inner.audit_events(org_id, after_seq=after_seq)

    async def audit_head(self, org_id: str) -> tuple[int, str]:
        return await self._inner.audit_head(org_id)
