"""The `Store` of `store.ports` over any `Backend`: units of work, the directory, the audit trail."""

from __future__ import annotations

from collections.abc import AsyncIterator

from store.backend import DIRECTORY, Backend, Condition, Contains, Eq, KeyAbove
from store.codec import decode
from store.errors import ConflictError
from store.kinds import ACCOUNT_INDEX, AUDIT_EVENT, AUDIT_HEAD, ORGANISATION, THROTTLE, seq_id
from store.records import AccountIndexEntry, AuditEvent, Organisation, Throttle
from store.repositories import scan
from store.unit_of_work import RecordUnitOfWork
from store.writes import head_of, write_of

# Tries at adding an organisation to an account index entry that others are adding to at the same time.
INDEX_ATTEMPTS = 10


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

    async def account_index(self, key_hash: str) -> AccountIndexEntry | None:
        stored = await self._backend.get(ACCOUNT_INDEX, DIRECTORY, key_hash)
        return None if stored is None else decode(AccountIndexEntry, stored.body, version=stored.version)

    async def index_account(self, key_hash: str, account: str) -> None:
        org_id, _, account_id = account.partition("/")
        _check_org_id(org_id)
        if not account_id:
            raise ValueError("an indexed account is named '<org id>/<account id>'")
        for _ in range(INDEX_ATTEMPTS):
            entry = await self.account_index(key_hash)
            if entry is not None and account in entry.accounts:
                return
            if entry is None:
                write = write_of("create", ACCOUNT_INDEX, AccountIndexEntry(key_hash, [account]), "")
            else:
                entry.accounts.append(account)
                write = write_of("replace", ACCOUNT_INDEX, entry, entry.version)
            try:
                await self._backend.commit(DIRECTORY, [write], [])
                return
            except ConflictError:
                continue  # another account was filed under the same digest at the same time
        raise ConflictError("the account index entry kept changing")

    async def throttle(self, throttle_id: str) -> Throttle | None:
        stored = await self._backend.get(THROTTLE, DIRECTORY, throttle_id)
        return None if stored is None else decode(Throttle, stored.body, version=stored.version)

    async def save_throttle(self, throttle: Throttle) -> None:
        write = (
            write_of("replace", THROTTLE, throttle, throttle.version)
            if throttle.version
            else write_of("create", THROTTLE, throttle, "")
        )
        [throttle.version] = await self._backend.commit(DIRECTORY, [write], [])

    async def audit_events(self, org_id: str, *, after_seq: int = 0) -> AsyncIterator[AuditEvent]:
        after: list[Condition] = [KeyAbove(seq_id(after_seq))] if after_seq > 0 else []
        async for row in scan(self._backend, AUDIT_EVENT, org_id, after, "asc"):
            yield decode(AuditEvent, row.body)

    async def audit_head(self, org_id: str) -> tuple[int, str]:
        return head_of(await self._backend.get(AUDIT_HEAD, org_id, "head"))


def _check_org_id(org_id: str) -> None:
    if not org_id or org_id == DIRECTORY:
        raise ValueError(f"{org_id!r} cannot be an organisation id")
