"""messaging/'s answers as the cards' view models (adaptive_cards/views.py): plain values, nothing decided here.

What a user may see was decided by messaging/ (a locked row has no subject, a sender sees every recipient);
these functions only pick fields and words. Links on cards point at the staff web app, which asks for the
user's own sign-in (and a step-up where the message needs one) before it shows anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from adaptive_cards.views import (
    AttachmentLink,
    CaseCardView,
    CaseInfo,
    DetailsView,
    Folder,
    FolderRow,
    MailboxRef,
    MessageView,
    RecipientLine,
)
from messaging.model import Actor, FolderItem, OpenedMessage
from store.records import Case, Delivery, DeliveryStatus, Message

# A sent message's row shows the least advanced state of its recipients: "unopened" while anyone has not.
_PROGRESS: tuple[DeliveryStatus, ...] = ("unopened", "opened", "answered", "recalled")


def webapp_message_url(public_url: str, message_id: str) -> str:
    """The staff web app's page of a message: it signs the user in (and steps up) before showing anything."""
    return f"{public_url.rstrip('/')}/app/#/message/{message_id}"


def folder_row(item: FolderItem, folder: Folder, actor: Actor) -> FolderRow:
    message = item.message
    if folder == "inbox":
        status: DeliveryStatus = item.delivery.status if item.delivery is not None else "unopened"
        counterpart = message.sender_mailbox
    else:
        status = sent_status(item.deliveries)
        counterpart = ", ".join(d.address for d in item.deliveries)
    delivery_id, method = None, None
    if folder == "links" and len(item.deliveries) == 1:
        delivery_id, method = item.deliveries[0].delivery_id, item.deliveries[0].method
    return FolderRow(
        message_id=message.message_id,
        subject=None if item.locked else item.subject,
        counterpart=counterpart,
        time=message.sent_at,
        loa=message.loa,
        status=status,
        has_attachments=item.has_attachments,
        delivery_id=delivery_id,
        method=method,
        case=case_info(item.case, actor, item.assignee_name) if item.case is not None else None,
    )


def sent_status(deliveries: Sequence[Delivery]) -> DeliveryStatus:
    live = [d.status for d in deliveries if d.status != "recalled"]
    if not live:
        return "recalled" if deliveries else "unopened"
    return min(live, key=_PROGRESS.index)


def case_info(case: Case, actor: Actor, holder_name: str | None) -> CaseInfo:
    holder = case.assignee_id
    return CaseInfo(
        case_id=case.case_id,
        status="closed" if case.status == "closed" else "open",
        holder_name=(holder_name or holder) if holder else None,
        held_by_viewer=holder is not None and holder == actor.user_id,
    )


def message_view(opened: OpenedMessage, actor: Actor, public_url: str, *, show_full: bool) -> MessageView:
    message = opened.message
    url = webapp_message_url(public_url, message.message_id)
    recipients = (
        [RecipientLine(d.delivery_id, d.address, d.status) for d in opened.deliveries]
        if opened.is_sender
        else []
    )
    return MessageView(
        message_id=message.message_id,
        loa=message.loa,
        # messaging/ opened it for this user (the sender's side reads at any level): nothing on it is locked.
        viewer_loa=max(actor.loa, message.loa),
        sender=message.sender_mailbox,
        sent_at=message.sent_at,
        subject=opened.content.subject,
        body=opened.content.body,
        # The web app asks for the user's sign-in before it streams a file.
        attachments=[AttachmentLink(a.name, url) for a in opened.attachments],
        portal_url=url,
        recipients=recipients,
        show_full=show_full,
    )


def locked_message_view(message: Message, actor: Actor, public_url: str) -> MessageView:
    """A message above the user's level: who sent it and when, the level it needs, and the way to step up."""
    return MessageView(
        message_id=message.message_id,
        loa=message.loa,
        viewer_loa=actor.loa,
        sender=message.sender_mailbox,
        sent_at=message.sent_at,
        portal_url=webapp_message_url(public_url, message.message_id),
    )


def details_view(opened: OpenedMessage, delivery: Delivery) -> DetailsView:
    return DetailsView(
        message_id=opened.message.message_id,
        delivery_id=delivery.delivery_id,
        address=delivery.address,
        subject=opened.content.subject,
        status=delivery.status,
        opened_at=delivery.opened_at,
        method=delivery.method,
        answered_at=delivery.answered_at,
        # The latest reply lands in the sender's mailbox; Visa svar opens it (and is re-checked like any id).
        reply_message_id=delivery.reply_message_id,
    )


def case_card_view(
    mailbox: MailboxRef,
    case: Case,
    actor: Actor,
    holder_name: str | None,
    *,
    subject: str | None,
    sender: str,
    time: datetime,
    loa: int,
) -> CaseCardView:
    return CaseCardView(
        mailbox=mailbox,
        message_id=case.message_id,
        case=case_info(case, actor, holder_name),
        subject=subject,
        counterpart=sender,
        time=time,
        loa=loa,
    )
