"""Every record kind the store keeps: its id, sort key and the values its queries filter on.

A sort key is a string unique within the kind and the organisation, so a
listing never has ties and a cursor (the last key of a page) is exact:
time-ordered kinds use "<UTC ISO time>|<id>". E-mail addresses and domains
are indexed in lower case, so look-ups ignore case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from store.backend import Kind
from store.codec import utc_iso
from store.records import (
    AccountIndexEntry,
    AuditEvent,
    Case,
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

# Width of the zero-padded sequence number in an audit entry's id.
SEQ_WIDTH = 16


@dataclass(slots=True)
class AuditHead:
    """The last link of an organisation's audit chain, stored beside its entries."""

    org_id: str
    seq: int
    hash: str
    version: str = ""


def time_key(at: datetime | None, record_id: str) -> str:
    return f"{utc_iso(at) if at else ''}|{record_id}"


def seq_id(seq: int) -> str:
    return f"{seq:0{SEQ_WIDTH}d}"


ORGANISATION: Kind[Organisation] = Kind(
    name="organisation",
    table="organisations",
    record_type=Organisation,
    id_of=lambda o: o.org_id,
    sort_key_of=lambda o: o.org_id,
    index_of=lambda o: {"domain": o.domain.lower()},
    members_field="entra_tenant_ids",
    members_of=lambda o: o.entra_tenant_ids,
)

STAFF: Kind[StaffUser] = Kind(
    name="staff",
    table="staff_users",
    record_type=StaffUser,
    id_of=lambda u: u.user_id,
    sort_key_of=lambda u: time_key(u.created_at, u.user_id),
    index_of=lambda u: {
        "email": u.email.lower(),
        "entra_tenant_id": u.entra_tenant_id,
        "entra_object_id": u.entra_object_id,
    },
)

RECIPIENT: Kind[RecipientAccount] = Kind(
    name="recipient",
    table="recipient_accounts",
    record_type=RecipientAccount,
    id_of=lambda a: a.account_id,
    sort_key_of=lambda a: time_key(a.created_at, a.account_id),
    index_of=lambda a: {"email": a.email.lower()},
)

# Both live in the organisation directory (scope DIRECTORY) and are only ever read by id.
ACCOUNT_INDEX: Kind[AccountIndexEntry] = Kind(
    name="account_index",
    table="account_index",
    record_type=AccountIndexEntry,
    id_of=lambda e: e.key_hash,
    sort_key_of=lambda e: e.key_hash,
)

THROTTLE: Kind[Throttle] = Kind(
    name="throttle",
    table="throttles",
    record_type=Throttle,
    id_of=lambda t: t.throttle_id,
    sort_key_of=lambda t: t.throttle_id,
)

MAILBOX: Kind[Mailbox] = Kind(
    name="mailbox",
    table="mailboxes",
    record_type=Mailbox,
    id_of=lambda m: m.address,
    sort_key_of=lambda m: m.address,
    members_field="member_ids",
    members_of=lambda m: m.member_ids,
)

MESSAGE: Kind[Message] = Kind(
    name="message",
    table="messages",
    record_type=Message,
    id_of=lambda m: m.message_id,
    sort_key_of=lambda m: time_key(m.sent_at, m.message_id),
    index_of=lambda m: {"sender_mailbox": m.sender_mailbox, "has_links": m.has_links},
)

DELIVERY: Kind[Delivery] = Kind(
    name="delivery",
    table="deliveries",
    record_type=Delivery,
    id_of=lambda d: d.delivery_id,
    sort_key_of=lambda d: time_key(d.sent_at, d.delivery_id),
    index_of=lambda d: {"message_id": d.message_id, "recipient_mailbox": d.recipient_mailbox},
)

CASE: Kind[Case] = Kind(
    name="case",
    table="cases",
    record_type=Case,
    id_of=lambda c: c.case_id,
    sort_key_of=lambda c: time_key(c.created_at, c.case_id),
    index_of=lambda c: {"mailbox": c.mailbox, "status": c.status, "assignee_id": c.assignee_id},
)

OUTBOX: Kind[OutboxItem] = Kind(
    name="outbox",
    table="outbox",
    record_type=OutboxItem,
    id_of=lambda i: i.item_id,
    # Ordered by when the item is due, so "due now, oldest first" is a key range.
    sort_key_of=lambda i: time_key(i.next_attempt_at, i.item_id),
    index_of=lambda i: {"status": i.status},
)

CHALLENGE: Kind[Challenge] = Kind(
    name="challenge",
    table="challenges",
    record_type=Challenge,
    id_of=lambda c: c.challenge_id,
    sort_key_of=lambda c: c.challenge_id,
)

# Read by id only (the staff user's id): the worker reads a user's reference before a Teams notice.
CONVERSATION_REFERENCE: Kind[ConversationReference] = Kind(
    name="conversation_reference",
    table="conversation_references",
    record_type=ConversationReference,
    id_of=lambda r: r.user_id,
    sort_key_of=lambda r: r.user_id,
)

AUDIT_EVENT: Kind[AuditEvent] = Kind(
    name="audit_event",
    table="audit_events",
    record_type=AuditEvent,
    id_of=lambda e: seq_id(e.seq),
    sort_key_of=lambda e: seq_id(e.seq),
)

AUDIT_HEAD: Kind[AuditHead] = Kind(
    name="audit_head",
    table="audit_heads",
    record_type=AuditHead,
    id_of=lambda _: "head",
    sort_key_of=lambda _: "head",
)
