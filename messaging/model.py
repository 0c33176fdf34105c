"""Value types the messaging services take and return."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Literal

from store.records import AttachmentMeta, Case, Delivery, Message


@dataclass(frozen=True, slots=True)
class Actor:
    """Someone signed in: a staff member (Entra ID) or a registered recipient; or an operator at the CLI."""

    org_id: str
    user_id: str
    email: str
    name: str
    loa: int
    kind: Literal["staff", "recipient", "operator"] = "staff"
    sign_in_method: str = "entra"
    # An administrator of the organisation (Entra app role; operators always are).
    admin: bool = False

    @property
    def audit_name(self) -> str:
        return f"{self.kind}:{self.user_id}"


@dataclass(frozen=True, slots=True)
class RecipientInput:
    address: str
    method: str | None = None
    phone: str | None = None
    personal_number: str | None = None


@dataclass(frozen=True, slots=True)
class NewMessage:
    recipients: list[RecipientInput]
    subject: str
    body: str
    loa: int
    reply_allowed: bool
    sender_mailbox: str | None = None
    open_message: str = ""


@dataclass(frozen=True, slots=True)
class Reply:
    subject: str
    body: str


@dataclass(frozen=True, slots=True)
class Content:
    """What is sealed under the message's data key."""

    subject: str
    body: str
    open_message: str = ""


@dataclass(frozen=True, slots=True)
class Attachment:
    meta: AttachmentMeta
    name: str


@dataclass(frozen=True, slots=True)
class OpenedMessage:
    message: Message
    content: Content
    attachments: list[Attachment]
    deliveries: list[Delivery]
    # The delivery through which the actor received the message, if they did.
    own_delivery: Delivery | None = None
    # Whether the actor belongs to the sender mailbox (and so sees every recipient).
    is_sender: bool = False


@dataclass(frozen=True, slots=True)
class CaseView:
    case: Case
    # The address and name of the member holding the case, if anyone does.
    holder: str | None
    holder_name: str | None = None


@dataclass(frozen=True, slots=True)
class FolderItem:
    message: Message
    subject: str | None
    has_attachments: bool
    deliveries: list[Delivery] = field(default_factory=list)
    case: Case | None = None
    # The delivery into the listed mailbox (inbox folders).
    delivery: Delivery | None = None
    # The address and name of the member holding the case (function mailboxes).
    assignee: str | None = None
    assignee_name: str | None = None
    # Above the level of the actor's sign-in: listed, but nothing of its content is shown.
    locked: bool = False


@dataclass(frozen=True, slots=True)
class FolderPage:
    items: list[FolderItem]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class SentMessage:
    message: Message
    deliveries: list[Delivery]


@dataclass(frozen=True, slots=True)
class AttachmentStream:
    name: str
    content_type: str
    size: int
    chunks: AsyncIterator[bytes]
