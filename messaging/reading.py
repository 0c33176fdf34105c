"""Opening a message and its attachments, for the sender's side and for registered recipients."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from messaging import audit
from messaging.attachments import attachment_part
from messaging.errors import NotFound
from messaging.model import Actor, Attachment, AttachmentStream, OpenedMessage
from messaging.policy import may_open
from messaging.ports import DataKey, Deps
from messaging.sealing import associated_data, open_content, open_text
from store.errors import ConflictError
from store.ports import UnitOfWork
from store.records import AttachmentMeta, Delivery, Message


@dataclass(frozen=True, slots=True)
class Access:
    message: Message
    deliveries: list[Delivery]
    is_sender: bool
    own_delivery: Delivery | None


async def find_access(uow: UnitOfWork, actor: Actor, message_id: str) -> Access:
    """What the actor may do with a message; NotFound when nothing, so existence is never revealed."""
    message = await uow.messages.get(message_id)
    if message is None:
        raise NotFound("message")
    mine = {box.address for box in await uow.mailboxes.for_member(actor.user_id)}
    deliveries = await uow.deliveries.for_message(message_id)
    own = next(
        (
            d
            for d in deliveries
            if d.recipient_mailbox in mine and d.status != "recalled" and may_open(actor.loa, message.loa)
        ),
        None,
    )
    is_sender = message.sender_mailbox in mine
    if not is_sender and own is None:
        raise NotFound("message")
    return Access(message, deliveries, is_sender, own)


async def open_key(deps: Deps, message: Message) -> DataKey:
    return await deps.envelope.open_data_key(
        message.wrapped_key, associated_data(message.org_id, message.message_id, "key")
    )


async def open_message(deps: Deps, actor: Actor, message_id: str) -> OpenedMessage:
    async with deps.store.unit_of_work(actor.org_id) as uow:
        access = await find_access(uow, actor, message_id)
    key = await open_key(deps, access.message)
    own = access.own_delivery
    if own is not None and own.status == "unopened":
        own = await _mark_opened(deps, actor, own)
    deliveries = [own if own and d.delivery_id == own.delivery_id else d for d in access.deliveries]
    return OpenedMessage(
        message=access.message,
        content=open_content(key, actor.org_id, message_id, access.message.sealed_content),
        attachments=attachments_of(key, access.message),
        deliveries=deliveries,
        own_delivery=own,
        is_sender=access.is_sender,
    )


def attachments_of(key: DataKey, message: Message) -> list[Attachment]:
    return [Attachment(meta=meta, name=_attachment_name(key, message, meta)) for meta in message.attachments]


def _attachment_name(key: DataKey, message: Message, meta: AttachmentMeta) -> str:
    part = f"{attachment_part(meta.attachment_id)}:name"
    return open_text(key, message.org_id, message.message_id, part, meta.sealed_name)


async def _mark_opened(deps: Deps, actor: Actor, delivery: Delivery) -> Delivery:
    """First open: record when, how and at which level. A parallel first open simply wins."""
    async with deps.store.unit_of_work(actor.org_id) as uow:
        delivery.status = "opened"
        delivery.opened_at = deps.clock()
        delivery.opened_method = actor.sign_in_method
        delivery.opened_loa = actor.loa
        uow.deliveries.update(delivery)
        uow.audit.append(
            audit.event(
                actor,
                "message.opened",
                f"delivery:{delivery.delivery_id}",
                deps.clock(),
                message_id=delivery.message_id,
                method=actor.sign_in_method,
                loa=str(actor.loa),
            )
        )
        with contextlib.suppress(ConflictError):
            await uow.commit()
            return delivery
    async with deps.store.unit_of_work(actor.org_id) as uow:
        current = await uow.deliveries.get(delivery.delivery_id)
    return current or delivery


async def download_attachment(
    deps: Deps, actor: Actor, message_id: str, attachment_id: str
) -> AttachmentStream:
    async with deps.store.unit_of_work(actor.org_id) as uow:
        access = await find_access(uow, actor, message_id)
        meta = next((a for a in access.message.attachments if a.attachment_id == attachment_id), None)
        if meta is None:
            raise NotFound("attachment")
        uow.audit.append(
            audit.event(
                actor,
                "attachment.downloaded",
                f"attachment:{attachment_id}",
                deps.clock(),
                message_id=message_id,
            )
        )
        await uow.commit()
    key = await open_key(deps, access.message)
    ad = associated_data(actor.org_id, message_id, attachment_part(attachment_id))
    chunks: AsyncIterator[bytes] = key.decrypt_stream(deps.blobs.get(meta.blob_name), ad)
    return AttachmentStream(
        name=_attachment_name(key, access.message, meta),
        content_type=meta.content_type,
        size=meta.size,
        chunks=chunks,
    )
