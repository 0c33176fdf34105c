"""What the cards show, as plain values: the bot fills these from messaging/'s answers.

The cards take these rather than store records so that they stay pure (no keys, no sealed bytes) and so
that one page of a folder carries exactly what is shown. Ids are opaque strings the bot re-checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from store.records import DeliveryStatus, IdentificationMethod

Folder = Literal["inbox", "sent", "links"]
AssigneeFilter = Literal["all", "mine", "others", "unassigned"]
CaseStatusFilter = Literal["open", "closed"]


@dataclass(frozen=True, slots=True)
class MailboxRef:
    """A function mailbox the user belongs to."""

    mailbox_id: str
    name: str


@dataclass(frozen=True, slots=True)
class CaseInfo:
    case_id: str
    status: Literal["open", "closed"]
    # The name of the member holding the case, if anyone does.
    holder_name: str | None = None
    # Whether the viewing user is the holder.
    held_by_viewer: bool = False


@dataclass(frozen=True, slots=True)
class FolderRow:
    message_id: str
    # None when the row is locked (above the viewer's level): nothing of the content is shown.
    subject: str | None
    # The other party: the sender (Inbox) or the recipients (Sent, Links).
    counterpart: str
    time: datetime
    loa: int
    status: DeliveryStatus
    has_attachments: bool = False
    # Links: the delivery the row is about and how its recipient identifies.
    delivery_id: str | None = None
    method: IdentificationMethod | None = None
    # Function mailboxes: the case of the row.
    case: CaseInfo | None = None

    @property
    def locked(self) -> bool:
        return self.subject is None


@dataclass(frozen=True, slots=True)
class FolderView:
    folder: Folder
    rows: list[FolderRow]
    # 1-based, for the "Sida n" line.
    page: int = 1
    # The cursor of this page (None for the first): a refresh reloads the same page.
    cursor: str | None = None
    previous_cursor: str | None = None
    next_cursor: str | None = None
    # A function mailbox's folder; None for the user's own.
    mailbox: MailboxRef | None = None
    assignee_filter: AssigneeFilter = "all"
    status_filter: CaseStatusFilter = "open"


@dataclass(frozen=True, slots=True)
class AttachmentLink:
    name: str
    # A URL of `sigill serve` that asks for the user's sign-in before it streams the file.
    url: str


@dataclass(frozen=True, slots=True)
class RecipientLine:
    delivery_id: str
    address: str
    status: DeliveryStatus


@dataclass(frozen=True, slots=True)
class MessageView:
    message_id: str
    loa: int
    viewer_loa: int
    sender: str
    sent_at: datetime
    # None when the message is above the viewer's level: a locked message shows neither subject nor body.
    subject: str | None = None
    body: str | None = None
    attachments: list[AttachmentLink] = field(default_factory=list)
    # Where the recipient portal opens the message after stepping up (shown when the level is too low).
    portal_url: str | None = None
    # The sender's view lists every recipient with its status.
    recipients: list[RecipientLine] = field(default_factory=list)
    # False cuts a long body and offers "Visa hela".
    show_full: bool = False

    @property
    def locked(self) -> bool:
        return self.viewer_loa < self.loa


@dataclass(frozen=True, slots=True)
class DetailsView:
    message_id: str
    delivery_id: str
    address: str
    subject: str
    status: DeliveryStatus
    opened_at: datetime | None = None
    method: IdentificationMethod | None = None
    answered_at: datetime | None = None
    # The reply, when the recipient answered (opens in the Links view's message dialog).
    reply_message_id: str | None = None


@dataclass(frozen=True, slots=True)
class ComposeRecipient:
    """A recipient typed on the compose card; `registered` ones need nothing more."""

    address: str
    registered: bool
    method: IdentificationMethod | None = None
    phone: str = ""
    personal_number: str = ""


@dataclass(frozen=True, slots=True)
class ComposeView:
    draft_id: str
    recipients_text: str = ""
    recipients: list[ComposeRecipient] = field(default_factory=list)
    subject: str = ""
    body: str = ""
    loa: int | None = None
    reply_allowed: bool = True
    open_message: str = ""
    # The organisation's default open message, shown as the placeholder.
    default_open_message: str = ""
    attachment_names: list[str] = field(default_factory=list)
    # Field id → message: "recipients", "subject", "body", "loa", "open_message", "method_N", "phone_N",
    # "personal_number_N" (N the recipient's index), and "form" for what belongs to no field.
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CaseCardView:
    mailbox: MailboxRef
    message_id: str
    case: CaseInfo
    # None when locked for the viewer.
    subject: str | None
    counterpart: str
    time: datetime
    loa: int
