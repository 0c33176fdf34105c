"""The unit of work of `store.ports`, over any `Backend`."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from store.backend import Backend
from store.errors import TooManyWrites
from store.ports import (
    AuditTrail,
    Cases,
    Challenges,
    ConversationReferences,
    Deliveries,
    Mailboxes,
    Messages,
    Outbox,
    RecipientAccounts,
    StaffUsers,
)
from store.repositories import (
    AuditRepository,
    CaseRepository,
    ChallengeRepository,
    ConversationReferenceRepository,
    DeliveryRepository,
    MailboxRepository,
    MessageRepository,
    OutboxRepository,
    RecipientRepository,
    StaffRepository,
)
from store.staging import Staging

# Cosmos DB's transactional batch holds at most 100 operations. Every backend
# keeps the same limit, so a unit of work that fits in development fits in production.
MAX_WRITES_PER_COMMIT = 100


class RecordUnitOfWork:
    def __init__(self, backend: Backend, org_id: str) -> None:
        self.org_id = org_id
        self._backend = backend
        self._staging = Staging(org_id)
        self.staff: StaffUsers = StaffRepository(backend, self._staging)
        self.recipients: RecipientAccounts = RecipientRepository(backend, self._staging)
        self.mailboxes: Mailboxes = MailboxRepository(backend, self._staging)
        self.messages: Messages = MessageRepository(backend, self._staging)
        self.deliveries: Deliveries = DeliveryRepository(backend, self._staging)
        self.cases: Cases = CaseRepository(backend, self._staging)
        self.audit: AuditTrail = AuditRepository(self._staging)
        self.outbox: Outbox = OutboxRepository(backend, self._staging)
        self.challenges: Challenges = ChallengeRepository(backend, self._staging)
        self.references: ConversationReferences = ConversationReferenceRepository(backend, self._staging)

    async def commit(self) -> None:
        count = self._staging.count()
        if count > MAX_WRITES_PER_COMMIT:
            raise TooManyWrites(
                f"a commit holds at most {MAX_WRITES_PER_COMMIT} writes (audit entries and "
                f"the chain head included); this unit of work staged {count}"
            )
        if count == 0:
            return
        staged = self._staging.staged()
        # A copy of the events: a cancelled commit may still be running in SQLite's writer thread
        # when leaving the unit of work clears the staging, and must not lose its audit entries then.
        events = list(self._staging.events)
        versions = await self._backend.commit(self.org_id, self._staging.writes(), events)
        for item, version in zip(staged, versions, strict=False):
            item.record.version = version
        self._staging.clear()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._staging.clear()
