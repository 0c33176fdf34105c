"""Every wrapped data key the store holds, wherever it sits: counted per KEK, re-wrapped, checked before retiring.

Where wrapped data keys live, and the associated data each was wrapped with:

    messages            wrapped_key       messaging.sealing.message_key_ad(message)
                        (content, attachment names and streams, and the deliveries' sealed
                        contacts are all sealed under subkeys of this one key)
    outbox items        sealed_payload    a sealed box, part "outbox" of the item
    recipient accounts  wrapped_key       associated data "account-key" of the account
                        (phone numbers, the personal number and every method's secret are
                        sealed under this one key: messaging.accounts)

A new kind of sealed box must be added to `_LOCATIONS`, or `sigill keys rewrap` would leave it
under an old key-encryption key and `sigill keys retire` could remove the key it needs.

Re-wrapping changes no data key, so no ciphertext changes (a sealed box of the old layout without
a version byte is sealed again in the current format). Records are written in batches of one
unit of work; a batch that loses a race with a live server (an outbox item claimed meanwhile) is
redone record by record from fresh reads. A wrapped key that does not open (a damaged or altered
record) is left as it is and counted, so the run reports it and `retire` still sees it.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Final

from crypto.errors import DecryptionError
from crypto.sealed_box import RewrapEnvelope, box_key_id, rewrap_box
from crypto.wrapped import key_id_of
from messaging.accounts import account_key_ad
from messaging.sealing import associated_data, message_key_ad
from store.errors import ConflictError
from store.ports import Store, UnitOfWork
from store.records import Message, OutboxItem, RecipientAccount

log = logging.getLogger(__name__)

# Records per unit of work (the store's commit limit is 100 writes).
BATCH: Final = 50
# Fresh attempts for one record that keeps changing under a re-wrap.
ATTEMPTS: Final = 3


@dataclass
class KeyReferences:
    """How many wrapped data keys name each KEK, and how many could not even be parsed."""

    by_kek: Counter[str] = field(default_factory=Counter)
    unreadable: int = 0

    def count(self, key_id: str) -> int:
        return self.by_kek.get(key_id, 0)


@dataclass
class RewrapReport:
    rewrapped: int = 0
    # Wrapped keys that did not open (damaged or altered records); left as they were.
    failed: int = 0


@dataclass(frozen=True, slots=True)
class _Location[R]:
    name: str
    walk: Callable[[UnitOfWork], AsyncIterator[R]]
    reread: Callable[[UnitOfWork, R], Awaitable[R | None]]
    wrapped: Callable[[R], bytes | None]
    key_id: Callable[[bytes], str]
    rewrap: Callable[[RewrapEnvelope, R], Awaitable[bool]]
    update: Callable[[UnitOfWork, R], None]
    record_id: Callable[[R], str]


async def _all_messages(uow: UnitOfWork) -> AsyncIterator[Message]:
    cursor: str | None = None
    while True:
        page = await uow.messages.all(limit=100, cursor=cursor)
        for message in page.items:
            yield message
        cursor = page.next_cursor
        if cursor is None:
            return


async def _rewrap_message(envelope: RewrapEnvelope, message: Message) -> bool:
    rewrapped = await envelope.rewrap(message.wrapped_key, message_key_ad(message))
    if rewrapped is None:
        return False
    message.wrapped_key = rewrapped
    return True


async def _rewrap_outbox(envelope: RewrapEnvelope, item: OutboxItem) -> bool:
    ad = associated_data(item.org_id, item.item_id, "outbox")
    rewrapped = await rewrap_box(envelope, item.sealed_payload, ad)
    if rewrapped is None:
        return False
    item.sealed_payload = rewrapped
    return True


async def _rewrap_account(envelope: RewrapEnvelope, account: RecipientAccount) -> bool:
    if account.wrapped_key is None:
        return False
    rewrapped = await envelope.rewrap(account.wrapped_key, account_key_ad(account))
    if rewrapped is None:
        return False
    account.wrapped_key = rewrapped
    return True


_LOCATIONS: Final[tuple[_Location[Any], ...]] = (
    _Location(
        name="message",
        walk=_all_messages,
        reread=lambda uow, m: uow.messages.get(m.message_id),
        wrapped=lambda m: m.wrapped_key,
        key_id=key_id_of,
        rewrap=_rewrap_message,
        update=lambda uow, m: uow.messages.update(m),
        record_id=lambda m: m.message_id,
    ),
    _Location(
        name="outbox item",
        walk=lambda uow: uow.outbox.walk(),
        reread=lambda uow, i: uow.outbox.get(i.item_id),
        wrapped=lambda i: i.sealed_payload,
        key_id=box_key_id,
        rewrap=_rewrap_outbox,
        update=lambda uow, i: uow.outbox.update(i),
        record_id=lambda i: i.item_id,
    ),
    _Location(
        name="recipient account",
        walk=lambda uow: uow.recipients.walk(),
        reread=lambda uow, a: uow.recipients.get(a.account_id),
        wrapped=lambda a: a.wrapped_key,
        key_id=key_id_of,
        rewrap=_rewrap_account,
        update=lambda uow, a: uow.recipients.update(a),
        record_id=lambda a: a.account_id,
    ),
)


async def references(store: Store) -> KeyReferences:
    """Count every wrapped data key in the store by the KEK that wrapped it (no keyring call)."""
    found = KeyReferences()
    for org in await store.organisations():
        async with store.unit_of_work(org.org_id) as uow:
            for location in _LOCATIONS:
                async for record in location.walk(uow):
                    wrapped = location.wrapped(record)
                    if wrapped is None:
                        continue
                    try:
                        found.by_kek[location.key_id(wrapped)] += 1
                    except DecryptionError:
                        found.unreadable += 1
    return found


async def rewrap_all(store: Store, envelope: RewrapEnvelope) -> RewrapReport:
    """Wrap every data key that is not under the newest KEK again under it.

    KeyringError (the keyring cannot be used) stops the run; what was committed stays committed,
    and a second run carries on where it matters, since keys already current are skipped.
    """
    report = RewrapReport()
    for org in await store.organisations():
        for location in _LOCATIONS:
            await _rewrap_location(store, envelope, org.org_id, location, report)
    return report


async def _rewrap_location[R](
    store: Store, envelope: RewrapEnvelope, org_id: str, location: _Location[R], report: RewrapReport
) -> None:
    batch: list[R] = []
    async with store.unit_of_work(org_id) as reader:
        async for record in location.walk(reader):
            if await _rewrapped(envelope, location, record, report):
                batch.append(record)
            if len(batch) >= BATCH:
                await _commit_batch(store, envelope, org_id, location, batch, report)
                batch = []
    if batch:
        await _commit_batch(store, envelope, org_id, location, batch, report)


async def _rewrapped[R](
    envelope: RewrapEnvelope, location: _Location[R], record: R, report: RewrapReport
) -> bool:
    """Re-wrap `record` in memory; False when it needs nothing or does not open (then it is counted)."""
    try:
        return await location.rewrap(envelope, record)
    except DecryptionError:
        report.failed += 1
        log.warning(
            "a %s's data key did not open; left as it is: %s", location.name, location.record_id(record)
        )
        return False


async def _commit_batch[R](
    store: Store,
    envelope: RewrapEnvelope,
    org_id: str,
    location: _Location[R],
    batch: list[R],
    report: RewrapReport,
) -> None:
    try:
        async with store.unit_of_work(org_id) as uow:
            for record in batch:
                location.update(uow, record)
            await uow.commit()
        report.rewrapped += len(batch)
    except ConflictError:
        # Something changed meanwhile (a worker claimed an outbox item): redo each from a fresh read.
        for record in batch:
            await _commit_one(store, envelope, org_id, location, record, report)


async def _commit_one[R](
    store: Store,
    envelope: RewrapEnvelope,
    org_id: str,
    location: _Location[R],
    record: R,
    report: RewrapReport,
) -> None:
    for _ in range(ATTEMPTS):
        async with store.unit_of_work(org_id) as uow:
            fresh = await location.reread(uow, record)
            if fresh is None or not await _rewrapped(envelope, location, fresh, report):
                return  # gone, already current, or does not open
            location.update(uow, fresh)
            try:
                await uow.commit()
            except ConflictError:
                continue
        report.rewrapped += 1
        return
    report.failed += 1
    log.warning("a %s kept changing and was not re-wrapped: %s", location.name, location.record_id(record))
