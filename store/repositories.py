"""The typed repositories of `store.ports`, written once over any `Backend`.

Reads go straight to the backend, scoped to the unit of work's organisation,
and see what is committed (not what this unit of work has staged). Writes are
staged and reach the backend at commit.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from store.backend import (
    Backend,
    Condition,
    Contains,
    Eq,
    In,
    KeyAbove,
    KeyBelow,
    Kind,
    NotEq,
    Order,
    Stored,
    Without,
)
from store.codec import decode, utc_iso
from store.kinds import (
    CASE,
    CHALLENGE,
    CONVERSATION_REFERENCE,
    DELIVERY,
    MAILBOX,
    MESSAGE,
    OUTBOX,
    RECIPIENT,
    STAFF,
)
from store.paging import decode_cursor, encode_cursor
from store.ports import AssignedFilter, Page
from store.records import (
    AuditEvent,
    Case,
    CaseStatus,
    Challenge,
    ConversationReference,
    Delivery,
    Mailbox,
    Message,
    OutboxItem,
    RecipientAccount,
    StaffUser,
)
from store.staging import Staging

MAX_PAGE = 1000
# How many records one backend query fetches when a read wants them all.
SCAN_PAGE = 500
# How many ids one `In` condition carries.
IN_CHUNK = 100


async def scan(
    backend: Backend, kind: Kind[Any], scope: str, where: Sequence[Condition], order: Order
) -> AsyncIterator[Stored]:
    """Every matching record, fetched page by page along the sort key."""
    last: str | None = None
    while True:
        step: list[Condition] = []
        if last is not None:
            step.append(KeyBelow(last) if order == "desc" else KeyAbove(last))
        rows = await backend.query(kind, scope, [*where, *step], order=order, limit=SCAN_PAGE)
        for row in rows:
            yield row
        if len(rows) < SCAN_PAGE:
            return
        last = rows[-1].sort_key


class _Repository[R]:
    kind: Kind[R]

    def __init__(self, backend: Backend, staging: Staging) -> None:
        self._backend = backend
        self._staging = staging
        self._scope = staging.org_id

    def _record(self, stored: Stored) -> R:
        return decode(self.kind.record_type, stored.body, version=stored.version)

    async def _get(self, record_id: str) -> R | None:
        stored = await self._backend.get(self.kind, self._scope, record_id)
        return None if stored is None else self._record(stored)

    async def _first(self, where: Sequence[Condition]) -> R | None:
        rows = await self._backend.query(self.kind, self._scope, where, order="desc", limit=1)
        return self._record(rows[0]) if rows else None

    async def _all(self, where: Sequence[Condition], order: Order = "asc") -> builtins.list[R]:
        return [self._record(row) async for row in scan(self._backend, self.kind, self._scope, where, order)]

    async def _get_many(self, record_ids: list[str], id_of: Callable[[R], str]) -> list[R]:
        wanted = list(dict.fromkeys(record_ids))
        found: dict[str, R] = {}
        for start in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[start : start + IN_CHUNK]
            for row in await self._backend.get_many(self.kind, self._scope, chunk):
                record = self._record(row)
                found[id_of(record)] = record
        return [found[i] for i in wanted if i in found]

    async def _page(self, where: Sequence[Condition], limit: int, cursor: str | None) -> Page[R]:
        """One page of a newest-first listing; fetches one extra row to know if more follow."""
        if not 1 <= limit <= MAX_PAGE:
            raise ValueError(f"a page holds 1 to {MAX_PAGE} items, not {limit}")
        conditions = [*where]
        if cursor is not None:
            conditions.append(KeyBelow(decode_cursor(cursor)))
        rows = await self._backend.query(self.kind, self._scope, conditions, order="desc", limit=limit + 1)
        page = rows[:limit]
        next_cursor = encode_cursor(page[-1].sort_key) if len(rows) > limit else None
        return Page([self._record(row) for row in page], next_cursor)

    def add(self, record: R) -> None:
        self._staging.stage("create", self.kind, record)

    def update(self, record: R) -> None:
        self._staging.stage("replace", self.kind, record)


class StaffRepository(_Repository[StaffUser]):
    kind = STAFF

    async def get(self, user_id: str) -> StaffUser | None:
        return await self._get(user_id)

    async def get_many(self, user_ids: list[str]) -> builtins.list[StaffUser]:
        return await self._get_many(user_ids, lambda user: user.user_id)

    async def by_email(self, email: str) -> StaffUser | None:
        return await self._first([Eq("email", email.lower())])

    async def by_entra(self, tenant_id: str, object_id: str) -> StaffUser | None:
        if not tenant_id or not object_id:
            return None
        return await self._first([Eq("entra_tenant_id", tenant_id), Eq("entra_object_id", object_id)])

    async def list(self, *, limit: int, cursor: str | None = None) -> Page[StaffUser]:
        return await self._page([], limit, cursor)


class RecipientRepository(_Repository[RecipientAccount]):
    kind = RECIPIENT

    async def get(self, account_id: str) -> RecipientAccount | None:
        return await self._get(account_id)

    async def by_email(self, email: str) -> RecipientAccount | None:
        return await self._first([Eq("email", email.lower())])

    async def walk(self) -> AsyncIterator[RecipientAccount]:
        async for row in scan(self._backend, self.kind, self._scope, [], "asc"):
            yield self._record(row)


class MailboxRepository(_Repository[Mailbox]):
    kind = MAILBOX

    async def get(self, address: str) -> Mailbox | None:
        return await self._get(address)

    async def get_many(self, addresses: list[str]) -> list[Mailbox]:
        """The mailboxes that exist among `addresses`, in the order asked."""
        return await self._get_many(addresses, lambda mailbox: mailbox.address)

    async def for_member(self, member_id: str) -> list[Mailbox]:
        return await self._all([Contains(member_id)])


class MessageRepository(_Repository[Message]):
    kind = MESSAGE

    async def get(self, message_id: str) -> Message | None:
        return await self._get(message_id)

    async def get_many(self, message_ids: list[str]) -> list[Message]:
        """The messages that exist among `message_ids`, in the order asked."""
        return await self._get_many(message_ids, lambda message: message.message_id)

    async def sent(self, mailbox: str, *, limit: int, cursor: str | None = None) -> Page[Message]:
        return await self._page([Eq("sender_mailbox", mailbox)], limit, cursor)

    async def links(self, mailbox: str, *, limit: int, cursor: str | None = None) -> Page[Message]:
        return await self._page([Eq("sender_mailbox", mailbox), Eq("has_links", True)], limit, cursor)

    async def all(self, *, limit: int, cursor: str | None = None) -> Page[Message]:
        return await self._page([], limit, cursor)

    def delete(self, message: Message) -> None:
        self._staging.stage("delete", self.kind, message)


class DeliveryRepository(_Repository[Delivery]):
    kind = DELIVERY

    async def get(self, delivery_id: str) -> Delivery | None:
        return await self._get(delivery_id)

    async def for_message(self, message_id: str) -> list[Delivery]:
        return await self._all([Eq("message_id", message_id)])

    async def for_messages(self, message_ids: list[str]) -> list[Delivery]:
        wanted = tuple(dict.fromkeys(message_ids))
        found: list[Delivery] = []
        for start in range(0, len(wanted), IN_CHUNK):
            found += await self._all([In("message_id", wanted[start : start + IN_CHUNK])])
        return found

    async def inbox(self, mailbox: str, *, limit: int, cursor: str | None = None) -> Page[Delivery]:
        return await self._page([Eq("recipient_mailbox", mailbox)], limit, cursor)


class CaseRepository(_Repository[Case]):
    kind = CASE

    async def get(self, case_id: str) -> Case | None:
        return await self._get(case_id)

    async def list(
        self,
        mailbox: str,
        *,
        member_id: str,
        assigned: AssignedFilter | None = None,
        status: CaseStatus | None = None,
        limit: int,
        cursor: str | None = None,
    ) -> Page[Case]:
        if status == "deleted":
            return Page([], None)
        where: builtins.list[Condition] = [Eq("mailbox", mailbox)]
        # Deleted cases are left out by a constant, so SQLite's partial indexes never read them.
        where.append(Without("status", "deleted") if status is None else Eq("status", status))
        if assigned == "me":
            where.append(Eq("assignee_id", member_id))
        elif assigned == "others":
            where.append(NotEq("assignee_id", member_id))
        elif assigned == "unassigned":
            where.append(Eq("assignee_id", None))
        return await self._page(where, limit, cursor)


class AuditRepository:
    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    def append(self, event: AuditEvent) -> None:
        self._staging.append(event)


class OutboxRepository(_Repository[OutboxItem]):
    kind = OUTBOX

    async def get(self, item_id: str) -> OutboxItem | None:
        return await self._get(item_id)

    async def walk(self) -> AsyncIterator[OutboxItem]:
        # Ascending: a claim moves an item's due time (its sort key) later, so it is met again, never skipped.
        async for row in scan(self._backend, self.kind, self._scope, [], "asc"):
            yield self._record(row)

    async def due(self, now: datetime, *, limit: int) -> list[OutboxItem]:
        if not 1 <= limit <= MAX_PAGE:
            raise ValueError(f"due() returns 1 to {MAX_PAGE} items, not {limit}")
        # Sort keys start with the fixed-width due time, so "due at or before now"
        # is every key below the first instant after now.
        bound = utc_iso(now + timedelta(microseconds=1))
        where: list[Condition] = [Eq("status", "pending"), KeyBelow(bound)]
        rows = await self._backend.query(self.kind, self._scope, where, order="asc", limit=limit)
        return [self._record(row) for row in rows]


class ChallengeRepository(_Repository[Challenge]):
    kind = CHALLENGE

    async def get(self, challenge_id: str) -> Challenge | None:
        return await self._get(challenge_id)


class ConversationReferenceRepository(_Repository[ConversationReference]):
    kind = CONVERSATION_REFERENCE

    async def get(self, user_id: str) -> ConversationReference | None:
        return await self._get(user_id)

    async def get_many(self, user_ids: list[str]) -> list[ConversationReference]:
        return await self._get_many(user_ids, lambda reference: reference.user_id)
