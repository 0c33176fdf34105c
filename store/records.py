"""The records Sigill keeps, as plain dataclasses.

Every record carries the organisation it belongs to (`org_id`) and an opaque
concurrency token (`version`): "" for a record that was never stored; after a
read or a commit it holds what the backend uses to detect a stale write (a
counter in SQLite, the ETag in Cosmos DB). Callers never interpret it.

Fields named `sealed_*` hold ciphertext produced by `crypto/`; the store treats
them as opaque bytes. Fields named `*_hash` hold keyed hashes (HMAC) or argon2id
hashes, never the secret itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

MailboxKind = Literal["personal", "function"]
DeliveryKind = Literal["registered", "link"]
DeliveryStatus = Literal["unopened", "opened", "answered", "recalled"]
IdentificationMethod = Literal["email", "sms", "eid", "siths"]
CaseStatus = Literal["open", "closed", "deleted"]
OutboxChannel = Literal["email", "sms", "teams"]
OutboxStatus = Literal["pending", "sent", "failed"]


@dataclass(slots=True)
class Organisation:
    org_id: str
    name: str
    domain: str
    entra_tenant_ids: list[str] = field(default_factory=list)
    # The LoA that a staff sign-in through Entra ID counts as.
    staff_loa: int = 2
    # Shown unencrypted with the link when the sender leaves the open message empty.
    default_open_message: str = ""
    version: str = ""


@dataclass(slots=True)
class StaffUser:
    org_id: str
    user_id: str
    email: str
    name: str
    entra_tenant_id: str = ""
    entra_object_id: str = ""
    created_at: datetime | None = None
    version: str = ""


@dataclass(slots=True)
class RecipientAccount:
    """A registered recipient outside the organisation's staff (for example a clinic)."""

    org_id: str
    account_id: str
    email: str
    name: str
    sealed_phone: bytes | None = None
    phone_hash: str | None = None
    password_hash: str | None = None
    created_at: datetime | None = None
    version: str = ""


@dataclass(slots=True)
class Mailbox:
    """A personal mailbox (one per staff user or recipient account) or a function mailbox."""

    org_id: str
    address: str
    name: str
    kind: MailboxKind
    member_ids: list[str] = field(default_factory=list)
    version: str = ""


@dataclass(slots=True)
class AttachmentMeta:
    attachment_id: str
    blob_name: str
    size: int
    content_type: str
    sealed_name: bytes


@dataclass(slots=True)
class Message:
    org_id: str
    message_id: str
    thread_id: str
    sender_mailbox: str
    sender_user_id: str
    sent_at: datetime
    loa: int
    reply_allowed: bool
    # Subject, body and open message, sealed together under the message's data key.
    sealed_content: bytes
    # The message's data key, wrapped by a key-encryption key of the keyring.
    wrapped_key: bytes
    attachments: list[AttachmentMeta] = field(default_factory=list)
    # The delivery this message answers, when it is a reply.
    in_reply_to: str | None = None
    has_links: bool = False
    version: str = ""


@dataclass(slots=True)
class Delivery:
    """One recipient of one message, with its status."""

    org_id: str
    delivery_id: str
    message_id: str
    sender_mailbox: str
    address: str
    kind: DeliveryKind
    sent_at: datetime
    status: DeliveryStatus = "unopened"
    # Registered recipients: the mailbox the message lands in.
    recipient_mailbox: str | None = None
    # Link recipients: how they identify, and what they identify with.
    method: IdentificationMethod | None = None
    sealed_contact: bytes | None = None
    contact_hash: str | None = None
    token_hash: str | None = None
    opened_at: datetime | None = None
    opened_method: str | None = None
    opened_loa: int | None = None
    answered_at: datetime | None = None
    recalled_at: datetime | None = None
    version: str = ""


@dataclass(slots=True)
class Case:
    """A message that arrived in a function mailbox, handled by its members."""

    org_id: str
    case_id: str
    mailbox: str
    message_id: str
    delivery_id: str
    created_at: datetime
    status: CaseStatus = "open"
    assignee_id: str | None = None
    updated_at: datetime | None = None
    version: str = ""


@dataclass(slots=True)
class AuditEvent:
    """One entry of an organisation's append-only audit trail.

    `seq`, `prev_hash` and `hash` are filled in by the store when the unit of
    work commits, so the chain is extended atomically with the change it records.
    """

    org_id: str
    at: datetime
    actor: str
    action: str
    target: str
    details: dict[str, str] = field(default_factory=dict)
    seq: int = 0
    prev_hash: str = ""
    hash: str = ""


@dataclass(slots=True)
class OutboxItem:
    org_id: str
    item_id: str
    channel: OutboxChannel
    # The notification (recipient, text, link), sealed: it may hold a link token or a phone number.
    sealed_payload: bytes
    created_at: datetime
    next_attempt_at: datetime
    status: OutboxStatus = "pending"
    attempts: int = 0
    last_error: str = ""
    version: str = ""


@dataclass(slots=True)
class Challenge:
    """A one-time challenge: an SMS code, an e-ID order, an e-mail verification."""

    org_id: str
    challenge_id: str
    purpose: str
    subject_id: str
    code_hash: str
    created_at: datetime
    expires_at: datetime
    attempts: int = 0
    consumed_at: datetime | None = None
    version: str = ""
