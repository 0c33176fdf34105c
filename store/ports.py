"""The store's ports: what the rest of Sigill may ask of a backend.

Every read and write goes through a unit of work bound to one organisation, so
no read can cross organisations. Reads run at once; writes are staged and take
effect together at `commit()`, atomically: all of them or none. A staged update
or delete carries the record's `version` as it was read; if the stored record
has moved on since, the commit raises `ConflictError` and writes nothing.

Listings are keyset-paginated, newest first: a page holds at most `limit` items
and an opaque `next_cursor` (None on the last page). No listing scans by offset.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Literal, Protocol, Self

from store.records import (
    AccountIndexEntry,
    AuditEvent,
    Case,
    CaseStatus,
    Challenge,
    ConversationReference,
    Delivery,
    Mailbox,
    Message,
    Organisation,
    OutboxItem,
    RecipientAccount,
    StaffUser,
    Throttle,
)

# Which cases a function mailbox listing shows, seen from the member asking.
AssignedFilter = Literal["me", "others", "unassigned"]


@dataclass(frozen=True, slots=True)
class Page[T]:
    items: list[T]
    next_cursor: str | None


class StaffUsers(Protocol):
    async def get(self, user_id: str) -> StaffUser | None: ...
    async def get_many(self, user_ids: list[str]) -> list[StaffUser]:
        """The staff users that exist among `user_ids`, in the order asked, fetched together."""
        ...

    async def by_email(self, email: str) -> StaffUser | None: ...
    async def by_entra(self, tenant_id: str, object_id: str) -> StaffUser | None: ...
    async def list(self, *, limit: int, cursor: str | None = None) -> Page[StaffUser]: ...
    def add(self, user: StaffUser) -> None: ...
    def update(self, user: StaffUser) -> None: ...


class RecipientAccounts(Protocol):
    async def get(self, account_id: str) -> RecipientAccount | None: ...
    async def by_email(self, email: str) -> RecipientAccount | None: ...
    def walk(self) -> AsyncIterator[RecipientAccount]:
        """Every account of the organisation, fetched page by page (for maintenance such as re-wrapping keys)."""
        ...

    def add(self, account: RecipientAccount) -> None: ...
    def update(self, account: RecipientAccount) -> None: ...


class Mailboxes(Protocol):
    async def get(self, address: str) -> Mailbox | None: ...
    async def get_many(self, addresses: list[str]) -> list[Mailbox]: ...
    async def for_member(self, member_id: str) -> list[Mailbox]: ...
    def add(self, mailbox: Mailbox) -> None: ...
    def update(self, mailbox: Mailbox) -> None: ...


class Messages(Protocol):
    async def get(self, message_id: str) -> Message | None: ...
    async def get_many(self, message_ids: list[str]) -> list[Message]: ...
    async def sent(self, mailbox: str, *, limit: int, cursor: str | None = None) -> Page[Message]:
        """Messages sent from `mailbox`, newest first."""
        ...

    async def links(self, mailbox: str, *, limit: int, cursor: str | None = None) -> Page[Message]:
        """Messages sent from `mailbox` that have at least one link recipient, newest first."""
        ...

    async def all(self, *, limit: int, cursor: str | None = None) -> Page[Message]:
        """Every message of the organisation, newest first (for maintenance such as re-wrapping keys)."""
        ...

    def add(self, message: Message) -> None: ...
    def update(self, message: Message) -> None: ...
    def delete(self, message: Message) -> None: ...


class Deliveries(Protocol):
    async def get(self, delivery_id: str) -> Delivery | None: ...
    async def for_message(self, message_id: str) -> list[Delivery]: ...
    async def for_messages(self, message_ids: list[str]) -> list[Delivery]: ...
    async def inbox(self, mailbox: str, *, limit: int, cursor: str | None = None) -> Page[Delivery]:
        """Deliveries to the registered mailbox `mailbox`, newest first."""
        ...

    def add(self, delivery: Delivery) -> None: ...
    def update(self, delivery: Delivery) -> None: ...


class Cases(Protocol):
    async def get(self, case_id: str) -> Case | None: ...
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
        """Cases of a function mailbox, newest first; deleted cases are never listed.

        `assigned` is read relative to `member_id`: "me" (held by them),
        "others" (held by someone else), "unassigned" (held by nobody).
        """
        ...

    def add(self, case: Case) -> None: ...
    def update(self, case: Case) -> None: ...


class AuditTrail(Protocol):
    def append(self, event: AuditEvent) -> None:
        """Stage an event; the commit links it into the organisation's chain."""
        ...


class Outbox(Protocol):
    async def get(self, item_id: str) -> OutboxItem | None: ...
    async def due(self, now: datetime, *, limit: int) -> list[OutboxItem]:
        """Pending items whose next attempt is at or before `now`, oldest first."""
        ...

    def walk(self) -> AsyncIterator[OutboxItem]:
        """Every item, in due-time order, page by page (for maintenance such as re-wrapping keys).

        An item's due time only ever moves later, so an item a worker moves during the walk is
        met again rather than missed.
        """
        ...

    def add(self, item: OutboxItem) -> None: ...
    def update(self, item: OutboxItem) -> None: ...


class Challenges(Protocol):
    async def get(self, challenge_id: str) -> Challenge | None: ...
    def add(self, challenge: Challenge) -> None: ...
    def update(self, challenge: Challenge) -> None: ...


class ConversationReferences(Protocol):
    """Where the Teams bot reaches each staff user unasked, by the staff user's id."""

    async def get(self, user_id: str) -> ConversationReference | None: ...
    async def get_many(self, user_ids: list[str]) -> list[ConversationReference]:
        """The references that exist among `user_ids`, in the order asked, fetched together."""
        ...

    def add(self, reference: ConversationReference) -> None: ...
    def update(self, reference: ConversationReference) -> None: ...


class UnitOfWork(Protocol):
    org_id: str
    staff: StaffUsers
    recipients: RecipientAccounts
    mailboxes: Mailboxes
    messages: Messages
    deliveries: Deliveries
    cases: Cases
    audit: AuditTrail
    outbox: Outbox
    challenges: Challenges
    references: ConversationReferences

    async def commit(self) -> None:
        """Apply every staged write atomically; raise ConflictError and apply none on a stale version."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Leaving without commit() discards what was staged."""
        ...


class Store(Protocol):
    """A records backend: SQLite or Cosmos DB."""

    async def open(self) -> None:
        """Connect and bring the schema up to date (migrations, containers)."""
        ...

    async def close(self) -> None: ...
    async def ping(self) -> None:
        """Raise StoreUnavailable when the backend cannot be reached."""
        ...

    def unit_of_work(self, org_id: str) -> UnitOfWork: ...

    # The organisation directory is the one deliberately global part: sign-in
    # must find an organisation from a tenant id before it knows which it is.
    async def add_organisation(self, org: Organisation) -> None: ...
    async def update_organisation(self, org: Organisation) -> None: ...
    async def organisation(self, org_id: str) -> Organisation | None: ...
    async def organisation_by_tenant(self, tenant_id: str) -> Organisation | None: ...
    async def organisation_by_domain(self, domain: str) -> Organisation | None: ...
    async def organisations(self) -> list[Organisation]: ...

    # Recipient accounts across organisations, also in the directory: a person signing in names an address
    # (or identifies with e-ID) before anyone knows which organisation holds their account.
    async def account_index(self, key_hash: str) -> AccountIndexEntry | None: ...
    async def index_account(self, key_hash: str, account: str) -> None:
        """File `account` ("<org id>/<account id>") under `key_hash` (idempotent; concurrent calls all land)."""
        ...

    async def throttle(self, throttle_id: str) -> Throttle | None: ...
    async def save_throttle(self, throttle: Throttle) -> None:
        """Create (empty version) or replace (the version read) a throttle; ConflictError when it moved meanwhile."""
        ...

    def audit_events(self, org_id: str, *, after_seq: int = 0) -> AsyncIterator[AuditEvent]:
        """The audit events of an organisation after entry `after_seq`, in chain order, as stored."""
        ...

    async def audit_head(self, org_id: str) -> tuple[int, str]:
        """The (seq, hash) the store recorded for the chain's last entry; (0, "") when empty."""
        ...


@dataclass(frozen=True, slots=True)
class BlobInfo:
    name: str
    modified_at: datetime


class BlobStore(Protocol):
    """Attachment ciphertext, written and read as streams."""

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def ping(self) -> None: ...
    async def put(self, name: str, chunks: AsyncIterator[bytes]) -> int:
        """Store the stream under `name` (create only), return its size; a partial write leaves nothing."""
        ...

    def get(self, name: str) -> AsyncIterator[bytes]:
        """Stream the stored bytes; raise NotFoundError when absent."""
        ...

    async def delete(self, name: str) -> None: ...
    async def exists(self, name: str) -> bool: ...
    def list_blobs(self) -> AsyncIterator[BlobInfo]:
        """Every stored blob with its last modification time, in no particular order."""
        ...
