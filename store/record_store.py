"""The `Store` of `store.ports` over any `Backend`: units of work, the directory, the audit trail."""

from __future__ import annotations

from collections.abc import AsyncIterator

from store.backend import DIRECTORY, Backend, Contains, Eq
from store.codec import decode
from store.kinds import AUDIT_EVENT, AUDIT_HEAD, ORGANISATION
from store.records import AuditEvent, Organisation
from store.repositories import scan
from store.unit_of_work import RecordUnitOfWork
from store.writes import head_of, write_of


class RecordStore:
    def __init__(self, backend: Backend) -> None:
        self._backend = backend

    async def open(self) -> None:
        await self._backend.open()

    async def close(self) -> None:
        await self._backend.close()

    async def ping(self) -> None:
        await self._backend.ping()

    def unit_of_work(self, org_id: str) -> RecordUnitOfWork:
        _check_org_id(org_id)
        return RecordUnitOfWork(self._backend, org_id)

    async def add_organisation(self, org: Organisation) -> None:
        _check_org_id(org.org_id)
        write = write_of("create", ORGANISATION, org, "")
        [org.version] = await self._backend.commit(DIRECTORY, [write], [])

    async def update_organisation(self, org: Organisation) -> None:
        if not org.version:
            raise ValueError("update needs an organisation read from the store (its version is empty)")
        write = write_of("replace", ORGANISATION, org, org.version)
        [org.version] = await self._backend.commit(DIRECTORY, [write], [])

    async def organisation(self, org_id: str) -> Organisation | None:
        stored = await self._backend.get(ORGANISATION, DIRECTORY, org_id)
        return None if stored is None else decode(Organisation, stored.body, version=stored.version)

    async def organisation_by_tenant(self, tenant_id: str) -> Organisation | None:
        return await self._directory_first(Contains(tenant_id))

    async def organisation_by_domain(self, domain: str) -> Organisation | None:
        return await self._directory_first(Eq("domain", domain.lower()))

    async def organisations(self) -> list[Organisation]:
        rows = scan(self._backend, ORGANISATION, DIRECTORY, [], "asc")
        return [decode(Organisation, row.body, version=row.version) async for row in rows]

    async def _directory_first(self, condition: Contains | Eq) -> Organisation | None:
        rows = await self._backend.query(ORGANISATION, DIRECTORY, [condition], order="asc", limit=1)
        return decode(Organisation, rows[0].body, version=rows[0].version) if rows else None

    async def audit_events(self, org_id: str) -> AsyncIterator[AuditEvent]:
        async for row in scan(self._backend, AUDIT_EVENT, org_id, [], "asc"):
            yield decode(AuditEvent, row.body)

    async def audit_head(self, org_id: str) -> tuple[int, str]:
        return head_of(await self._backend.get(AUDIT_HEAD, org_id, "head"))


def _check_org_id(org_id: str) -> None:
    if not org_id or org_id == DIRECTORY:
        raise ValueError(f"{org_id!r} cannot be an organisation id")
