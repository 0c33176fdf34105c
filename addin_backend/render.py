"""Turning domain results into API bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from addin_backend import schemas
from messaging.model import FolderItem, FolderPage, OpenedMessage, SentMessage
from store.records import Case, Delivery


def when(dt: datetime | None) -> str | None:
    return None if dt is None else dt.isoformat().replace("+00:00", "Z")


def delivery(d: Delivery) -> schemas.DeliveryOut:
    return schemas.DeliveryOut(
        id=d.delivery_id,
        address=d.address,
        kind=d.kind,
        method=d.method,
        status=d.status,
        opened_at=when(d.opened_at),
        opened_method=d.opened_method,
        answered_at=when(d.answered_at),
        reply_message_id=d.reply_message_id,
        recalled_at=when(d.recalled_at),
        notification_failed_at=when(d.notification_failed_at),
        opened_loa=d.opened_loa,
        locked_until=when(d.locked_until),
    )


def sent(result: SentMessage) -> dict[str, Any]:
    body = schemas.SentOut(id=result.message.message_id, deliveries=[delivery(d) for d in result.deliveries])
    return body.model_dump()


def message(opened: OpenedMessage, *, sender_side: bool) -> dict[str, Any]:
    m = opened.message
    # A recipient sees only their own delivery; the sender's side sees every recipient.
    visible = opened.deliveries if sender_side else [d for d in [opened.own_delivery] if d]
    body = schemas.MessageOut(
        id=m.message_id,
        thread_id=m.thread_id,
        from_=m.sender_mailbox,
        sent_at=when(m.sent_at) or "",
        loa=m.loa,
        reply_allowed=m.reply_allowed,
        subject=opened.content.subject,
        body=opened.content.body,
        open_message=opened.content.open_message if sender_side and m.has_links else None,
        in_reply_to=m.in_reply_to,
        attachments=[
            schemas.AttachmentOut(
                id=a.meta.attachment_id, name=a.name, size=a.meta.size, content_type=a.meta.content_type
            )
            for a in opened.attachments
        ],
        deliveries=[delivery(d) for d in visible],
    )
    return body.model_dump(by_alias=True)


def case(c: Case, assignee: str | None, assignee_name: str | None) -> schemas.CaseOut:
    return schemas.CaseOut(
        id=c.case_id,
        mailbox=c.mailbox,
        status=c.status,
        assignee=assignee,
        assignee_name=assignee_name,
        created_at=when(c.created_at) or "",
        updated_at=when(c.updated_at),
    )


def folder(page: FolderPage) -> dict[str, Any]:
    body = schemas.FolderOut(items=[_folder_item(i) for i in page.items], next_cursor=page.next_cursor)
    return body.model_dump(by_alias=True, exclude_none=False)


def _folder_item(item: FolderItem) -> schemas.FolderItemOut:
    m = item.message
    return schemas.FolderItemOut(
        message_id=m.message_id,
        subject=item.subject,
        from_=m.sender_mailbox,
        sent_at=when(m.sent_at) or "",
        loa=m.loa,
        has_attachments=item.has_attachments,
        in_reply_to=m.in_reply_to,
        locked=item.locked,
        delivery_id=item.delivery.delivery_id if item.delivery else None,
        status=item.delivery.status if item.delivery else None,
        deliveries=[delivery(d) for d in item.deliveries] if item.delivery is None else None,
        case=case(item.case, item.assignee, item.assignee_name) if item.case else None,
    )
