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
AccountStatus = Literal["invited", "active", "disabled"]
# How a recipient account's holder proves who they are beside the password; only "sms" is offered so far.
AuthMethodKind = Literal["sms", "totp", "email", "passkey"]


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
class FailedTries:
    """Failed tries of a secret in the current window, and the lock they led to (identity.accounts.lockout)."""

    window_started_at: datetime | None = None
    failures: int = 0
    locked_until: datetime | None = None


@dataclass(slots=True)
class AuthMethod:
    """One way a recipient account's holder proves who they are beside the password (a second factor).

    Typed entries in a list, so a new kind (an authenticator app, a passkey, an alternate e-mail address) is a
    new `kind` value and nothing else: no column, no migration. `sealed` holds the secret or the contact (a
    phone number, a TOTP seed, a passkey's public key), sealed under the account's data key with the method's
    id in the associated data; `lookup_hash` is a keyed digest of it where one must be compared or found
    without opening it (a phone number, a passkey's credential id).
    """

    method_id: str
    kind: AuthMethodKind
    sealed: bytes
    created_at: datetime
    lookup_hash: str = ""
    # The method used when the holder does not choose one; at most one method of an account has it.
    is_default: bool = False
    # When the holder proved they control it (an SMS code sent to the number came back); unconfirmed
    # methods are never used to sign in.
    confirmed_at: datetime | None = None
    last_used_at: datetime | None = None
    # A name the holder gives it ("Tjänstemobil", "iPhone"); never secret.
    label: str = ""


@dataclass(slots=True)
class RememberedDevice:
    """A browser the holder asked not to be asked for a second factor on again, until `expires_at`.

    Only a keyed digest of the device's token is kept; revoking a lost device removes its entry.
    """

    device_id: str
    token_hash: str
    created_at: datetime
    expires_at: datetime
    label: str = ""
    last_used_at: datetime | None = None


@dataclass(slots=True)
class RecipientAccount:
    """A registered recipient outside the organisation's staff (for example a clinic), with its sign-in.

    An account belongs to one organisation (the controller of its data). It is made `invited` by staff and
    becomes `active` when its holder has set a password and confirmed a mobile number. Secrets: the password
    only as an argon2id hash; phone numbers, the personal identity number and any method's secret sealed
    under the account's own data key (`wrapped_key`, wrapped by a key-encryption key like a message's), each
    beside a keyed digest for look-ups.
    """

    org_id: str
    account_id: str
    email: str
    name: str
    status: AccountStatus = "active"
    wrapped_key: bytes | None = None
    password_hash: str | None = None
    password_changed_at: datetime | None = None
    methods: list[AuthMethod] = field(default_factory=list)
    sealed_personal_number: bytes | None = None
    personal_number_hash: str | None = None
    devices: list[RememberedDevice] = field(default_factory=list)
    # Wrong passwords in the current window, and the lock they led to (see identity.accounts.lockout).
    password_tries: FailedTries = field(default_factory=FailedTries)
    # The staff user who invited the holder, and when the holder took the invitation up.
    invited_by: str = ""
    created_at: datetime | None = None
    activated_at: datetime | None = None
    version: str = ""


@dataclass(slots=True)
class AccountIndexEntry:
    """The recipient accounts filed under one keyed digest (of an address or a personal number), in any organisation.

    Kept in the organisation directory: a person signing in types an address (or identifies with BankID)
    before anyone knows which organisation's account is theirs. Each entry of `accounts` is
    "<org id>/<account id>"; one may name an account that was never stored (its invitation failed after the
    entry was written), so readers check the account itself.
    """

    key_hash: str
    accounts: list[str] = field(default_factory=list)
    version: str = ""


@dataclass(slots=True)
class Throttle:
    """Failed tries of one secret (a password for an address, say), kept in the organisation directory.

    Kept under a keyed digest, so an address that has no account is throttled exactly like one that has
    (nobody learns which addresses exist by being throttled differently).
    """

    throttle_id: str
    tries: FailedTries = field(default_factory=FailedTries)
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
    # Which associated data binds the data key (messaging.sealing.message_key_ad): 1 names the
    # organisation and the message; 2 also binds loa, reply_allowed and the sender. Records
    # stored before the field existed read as 1.
    seal_format: int = 1
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
    # The latest reply to this delivery (a message in the sender's mailbox): "Visa svar" opens it.
    reply_message_id: str | None = None
    recalled_at: datetime | None = None
    # Set when the notification to this recipient could not be sent after every retry.
    notification_failed_at: datetime | None = None
    # Link recipients: until when opening is locked after too many wrong one-time codes (shown to the sender).
    locked_until: datetime | None = None
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
    """A notification waiting to be sent, or sent, or given up on.

    A worker claims a pending item by moving `next_attempt_at` to the end of its
    lease and naming itself in `lease_owner`, in one write conditioned on the
    version it read: of two workers that read the same item, one claim wins. A
    lease that runs out (a crashed worker) leaves the item due again.
    """

    org_id: str
    item_id: str
    channel: OutboxChannel
    # The notification (recipient, text, link), sealed: it may hold a link token or a phone number.
    sealed_payload: bytes
    created_at: datetime
    next_attempt_at: datetime
    status: OutboxStatus = "pending"
    # Claims so far; a claim counts even if its worker died before sending.
    attempts: int = 0
    # The kind of the last failure (an error class, never its text: that may quote an address).
    last_error: str = ""
    # The delivery this notification announces, when there is one (so a failure can be shown on it).
    delivery_id: str | None = None
    lease_owner: str = ""
    sent_at: datetime | None = None
    # An item that goes to several people (a Teams notice to every member of a mailbox): the parts already
    # sent (opaque keys), kept with every retry, so a retry sends only the rest.
    sent_parts: list[str] = field(default_factory=list)
    version: str = ""


@dataclass(slots=True)
class ConversationReference:
    """Where the bot reaches a staff user in Teams unasked (a proactive notice), from the user's last turn.

    One per staff user, keyed by the user's id within the organisation. Bot Service's and Teams' own ids
    only: not secret, and never any message content.
    """

    org_id: str
    user_id: str
    # The Bot Connector endpoint of the user's Teams region, and the personal chat between user and bot.
    service_url: str
    conversation_id: str
    # The bot's id in the conversation ("28:<app id>"), the user's Entra tenant and object id, the channel.
    bot_id: str
    tenant_id: str
    aad_object_id: str
    channel_id: str = "msteams"
    # The language Teams reported for the user ("sv-SE"), so a notice speaks it.
    locale: str = ""
    updated_at: datetime | None = None
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
    # One-time codes (identity/one_time_codes.py): until when the subject is locked out after too many wrong
    # tries, and when the codes of the last window were sent (the send rate limit counts them).
    locked_until: datetime | None = None
    sent_at: list[datetime] = field(default_factory=list)
    version: str = ""
