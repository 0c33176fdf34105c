"""Request and response bodies of the REST API; the OpenAPI document is generated from these."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RecipientIn(_Body):
    address: str = Field(max_length=254, description="E-mail address of the recipient")
    method: Literal["email", "sms", "eid", "siths"] | None = Field(
        default=None, description="How a link recipient identifies; ignored for registered recipients"
    )
    phone: str | None = Field(default=None, max_length=40, description="Mobile number, for method sms")
    personal_number: str | None = Field(
        default=None, max_length=20, description="Personal identity or coordination number, for method eid"
    )


class MessageIn(_Body):
    from_: str | None = Field(default=None, alias="from", description="Sender mailbox; default your own")
    recipients: list[RecipientIn] = Field(min_length=1)
    subject: str
    body: str
    loa: int = Field(description="Level of assurance the recipient must reach: 1, 2 or 3")
    reply_allowed: bool
    open_message: str | None = Field(
        default=None, description="Unencrypted text sent with the link; empty means the default text"
    )


class ReplyIn(_Body):
    subject: str
    body: str


class MailboxOut(BaseModel):
    address: str
    name: str
    kind: Literal["personal", "function"]


class MeOut(BaseModel):
    email: str
    name: str
    organisation: str
    loa: int = Field(description="The level of assurance of the current sign-in")
    mailboxes: list[MailboxOut]


class DeliveryOut(BaseModel):
    id: str
    address: str
    kind: Literal["registered", "link"]
    method: Literal["email", "sms", "eid", "siths"] | None
    status: Literal["unopened", "opened", "answered", "recalled"]
    opened_at: str | None = None
    opened_method: str | None = None
    answered_at: str | None = None
    recalled_at: str | None = None


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
    status: Literal["open", "closed", "deleted"]
    assignee: str | None = Field(description="E-mail address of the member holding the case")
    created_at: str
    updated_at: str | None


class FolderItemOut(BaseModel):
    message_id: str
    subject: str | None = Field(description="None when the message was recalled")
    from_: str = Field(alias="from")
    sent_at: str
    loa: int
    has_attachments: bool
    delivery_id: str | None = None
    status: Literal["unopened", "opened", "answered", "recalled"] | None = None
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
