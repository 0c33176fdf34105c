"""Request and response bodies of the REST API; the OpenAPI document is generated from these."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from messaging.policy import LEVELS
from messaging.ports import Limits
from store.records import CaseStatus, DeliveryKind, DeliveryStatus, IdentificationMethod, MailboxKind

# The limits the domain enforces (messaging/validation.py), stated in the OpenAPI document. They are stated here
# rather than enforced by pydantic so a broken rule is refused with the domain's own code (`subject_too_long`).
LIMITS = Limits()


class _Body(BaseModel):
    # Strict: `"loa": true`, `"loa": "1"` and `"reply_allowed": "yes"` are refused, not coerced.
    model_config = ConfigDict(extra="forbid", strict=True)


class RecipientIn(_Body):
    address: str = Field(max_length=254, description="E-mail address of the recipient")
    method: IdentificationMethod | None = Field(
        default=None, description="How a link recipient identifies; ignored for registered recipients"
    )
    phone: str | None = Field(default=None, max_length=40, description="Mobile number, for method sms")
    personal_number: str | None = Field(
        default=None, max_length=20, description="Personal identity or coordination number, for method eid"
    )


class MessageIn(_Body):
    from_: str | None = Field(default=None, alias="from", description="Sender mailbox; default your own")
    recipients: list[RecipientIn] = Field(
        min_length=1,
        description="Who receives it; at most [limits] max_recipients (the document states the configured cap)",
        json_schema_extra={"maxItems": LIMITS.max_recipients},
    )
    subject: str = Field(
        description="No control or bidirectional-override characters",
        json_schema_extra={"minLength": 1, "maxLength": LIMITS.subject_max_chars},
    )
    body: str = Field(json_schema_extra={"maxLength": LIMITS.body_max_chars})
    loa: int = Field(
        description="Level of assurance the recipient must reach: 1, 2 or 3",
        json_schema_extra={"enum": list[JsonValue](LEVELS)},
    )
    reply_allowed: bool
    open_message: str | None = Field(
        default=None,
        description="Unencrypted text sent with the link; empty means the default text. "
        "It must not contain a personal identity number.",
        json_schema_extra={"maxLength": LIMITS.open_message_max_chars},
    )


class ReplyIn(_Body):
    subject: str = Field(
        description="No control or bidirectional-override characters",
        json_schema_extra={"minLength": 1, "maxLength": LIMITS.subject_max_chars},
    )
    body: str = Field(json_schema_extra={"maxLength": LIMITS.body_max_chars})


class MailboxOut(BaseModel):
    address: str
    name: str
    kind: MailboxKind


class MeOut(BaseModel):
    email: str
    name: str
    organisation: str
    loa: int = Field(description="The level of assurance of the current sign-in")
    mailboxes: list[MailboxOut]


class DeliveryOut(BaseModel):
    id: str
    address: str
    kind: DeliveryKind
    method: IdentificationMethod | None
    status: DeliveryStatus
    opened_at: str | None = None
    opened_method: str | None = None
    answered_at: str | None = None
    reply_message_id: str | None = Field(
        default=None,
        description="The latest reply to this delivery, a message in the sender's mailbox (GET /messages/{id})",
    )
    recalled_at: str | None = None
    notification_failed_at: str | None = Field(
        default=None,
        description="When Sigill gave up sending the notification (e-mail or SMS) to this recipient",
    )
    opened_loa: int | None = Field(default=None, description="The level of assurance it was opened at")
    locked_until: str | None = Field(
        default=None,
        description="When the lock after too many wrong SMS codes ends (or ended): locked while in the future",
    )


class SentOut(BaseModel):
    id: str
    deliveries: list[DeliveryOut]


class AttachmentOut(BaseModel):
    id: str
    name: str
    size: int
    content_type: str


class MessageOut(BaseModel):
    id: str
    thread_id: str
    from_: str = Field(alias="from")
    sent_at: str
    loa: int
    reply_allowed: bool
    subject: str
    body: str
    open_message: str | None = Field(description="Shown to the sender's side only")
    in_reply_to: str | None
    attachments: list[AttachmentOut]
    deliveries: list[DeliveryOut]
    model_config = ConfigDict(populate_by_name=True)


class CaseOut(BaseModel):
    id: str
    mailbox: str
    status: CaseStatus
    assignee: str | None = Field(description="E-mail address of the member holding the case")
    assignee_name: str | None = Field(default=None, description="Name of the member holding the case")
    created_at: str
    updated_at: str | None


class FolderItemOut(BaseModel):
    message_id: str
    subject: str | None = Field(description="None when the message was recalled or is locked")
    from_: str = Field(alias="from")
    sent_at: str
    loa: int
    has_attachments: bool
    in_reply_to: str | None = Field(
        default=None, description="The message this one answers (a reply's original), for finding a reply"
    )
    locked: bool = Field(
        default=False, description="Above the level of this sign-in: sign in at `loa` to see and open it"
    )
    delivery_id: str | None = None
    status: DeliveryStatus | None = None
    deliveries: list[DeliveryOut] | None = None
    case: CaseOut | None = None
    model_config = ConfigDict(populate_by_name=True)


class FolderOut(BaseModel):
    items: list[FolderItemOut]
    next_cursor: str | None


class ProblemOut(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    code: str
    pointer: str | None = Field(
        default=None,
        description="Where in the request body the fault is, as a JSON pointer in a URI fragment (`#/addresses/1`)",
    )
