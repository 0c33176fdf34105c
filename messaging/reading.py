"""Opening a message and its attachments, for the sender's side and for registered recipients."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

from messaging import audit
from messaging.attachments import attachment_part
from messaging.errors import NotFound, StepUpRequired
from messaging.lifecycle import is_readable, open_delivery
from messaging.model import Actor, Attachment, AttachmentStream, OpenedMessage
from messaging.policy import may_open
from messaging.ports import DataKey, Deps
from messaging.sealing import associated_data, message_key_ad, open_content, open_text
from store.errors import ConflictError
from store.ports import UnitOfWork
from store.records import AttachmentMeta, AuditEvent, Delivery, Message

# What a message id looks like; anything else a caller sends is not copied into the audit trail.
_ID_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True, slots=True)
class Access:
    message: Message
    deliveries: list[Delivery]
    is_sender: bool
    own_delivery: Delivery | None


async def find_access(uow: UnitOfWork, actor: Actor, message_id: str) -> Access:
    """What the actor may do with a message.

    The sender's side (members of the sender mailbox) sees it; so does a registered recipient (a member of a
    mailbox with a delivery that was not recalled) signed in at the message's level. A registered recipient
    below that level gets StepUpRequired; everyone else NotFound, so existence is never revealed.
    """
    message = await uow.messages.get(message_id)
    if message is None:
        raise NotFound("message")
    boxes = await uow.mailboxes.for_member(actor.user_id)
    mine = {box.address for box in boxes}
    personal = {box.address for box in boxes if box.kind == "personal"}
    deliveries = await uow.deliveries.for_message(message_id)
    # A message to her own address and to a function mailbox she belongs to is hers first: reading it opens
    # the delivery addressed to her, not the one her colleagues in the mailbox still have to deal with.
    received = sorted(
        (d for d in deliveries if d.recipient_mailbox in mine and is_readable(d)),
        key=lambda d: d.recipient_mailbox not in personal,
    )
    own = received[0] if received and may_open(actor.loa, message.loa) else None
    is_sender = message.sender_mailbox in mine
    if not is_sender and own is None:
        if received:
            raise StepUpRequired(message.loa)
        raise NotFound("message")
    return Access(message, deliveries, is_sender, own)


async def open_key(deps: Deps, message: Message) -> DataKey:
    """The message's data key; DecryptionError when the record was altered (its level, reply rule or sender)."""
    return await deps.envelope.open_data_key(message.wrapped_key, message_key_ad(message))


async def open_message(deps: Deps, actor: Actor, message_id: str) -> OpenedMessage:
    """The message, decrypted; every read is audited, and a recipient's first read opens their delivery."""
    access = await _access(deps, actor, message_id)
    key = await open_key(deps, access.message)
    # Decrypted before anything is recorded: a message that could not be read was not opened.
    content = open_content(key, actor.org_id, message_id, access.message.sealed_content)
    attachments = attachments_of(key, access.message)
    own = await _record_read(deps, actor, access)
    deliveries = [own if own and d.delivery_id == own.delivery_id else d for d in access.deliveries]
    return OpenedMessage(
        message=access.message,
        content=content,
        attachments=attachments,
        deliveries=deliveries,
        own_delivery=own,
        is_sender=access.is_sender,
    )


async def header_above_level(deps: Deps, actor: Actor, message_id: str) -> Message:
    """A message the actor received but may not open at their sign-in level: its record, to say who sent it
    when and which level it needs (what the folder row shows already). Never its content; NotFound when the
    actor may open it or did not receive it, so this answers nothing open_message would not."""
    async with deps.store.unit_of_work(actor.org_id) as uow:
        try:
            await find_access(uow, actor, message_id)
        except StepUpRequired:
            message = await uow.messages.get(message_id)
            if message is not None:
                return message
    raise NotFound("message")


async def _access(deps: Deps, actor: Actor, message_id: str) -> Access:
    """find_access, with every refusal written to the actor's own audit trail (the caller learns no more)."""
    try:
        async with deps.store.unit_of_work(actor.org_id) as uow:
            return await find_access(uow, actor, message_id)
    except NotFound:
        await _audit_refusal(deps, actor, message_id, "not_visible")
        raise
    except StepUpRequired as exc:
        await _audit_refusal(deps, actor, message_id, "step_up", required_loa=str(exc.required_loa))
        raise


async def _audit_refusal(deps: Deps, actor: Actor, message_id: str, reason: str, **details: str) -> None:
    async with deps.store.unit_of_work(actor.org_id) as uow:
        uow.audit.append(
            audit.event(
                actor,
                "access.refused",
                f"message:{_audit_id(message_id)}",
                deps.clock(),
                reason=reason,
                loa=str(actor.loa),
                **details,
            )
        )
        await uow.commit()


def _audit_id(message_id: str) -> str:
    """The id as the caller gave it when it looks like an id; anything else is not worth keeping."""
    return message_id if _ID_SHAPE.fullmatch(message_id) else "(malformed)"


def attachments_of(key: DataKey, message: Message) -> list[Attachment]:
    return [Attachment(meta=meta, name=_attachment_name(key, message, meta)) for meta in message.attachments]


def _attachment_name(key: DataKey, message: Message, meta: AttachmentMeta) -> str:
    part = f"{attachment_part(meta.attachment_id)}:name"
    return open_text(key, message.org_id, message.message_id, part, meta.sealed_name)


async def _record_read(deps: Deps, actor: Actor, access: Access) -> Delivery | None:
    """Audit this read; on a recipient's first read also mark their delivery opened (when, how, at which level).

    The sender's side only ever reads: a sender who also belongs to the receiving mailbox opens nothing by
    looking at what she sent. A parallel first open simply wins; this read is still audited.
    """
    own = access.own_delivery
    side = "sender" if access.is_sender else "recipient"
    for _ in range(3):
        async with deps.store.unit_of_work(actor.org_id) as uow:
            if own is not None and not access.is_sender:
                own = replace(own)
                # The lifecycle decides: only an unopened delivery moves; a recall that won the race refuses.
                if open_delivery(own, at=deps.clock(), method=actor.sign_in_method, loa=actor.loa):
                    uow.deliveries.update(own)
                    uow.audit.append(_opened_event(deps, actor, own))
            uow.audit.append(
                audit.event(
                    actor,
                    "message.read",
                    f"message:{access.message.message_id}",
                    deps.clock(),
                    side=side,
                    method=actor.sign_in_method,
                    loa=str(actor.loa),
                )
            )
            try:
                await uow.commit()
                return own
            except ConflictError:
                if own is None:
                    raise
        async with deps.store.unit_of_work(actor.org_id) as uow:
            own = await uow.deliveries.get(own.delivery_id) or access.own_delivery
    raise ConflictError("the delivery kept changing while it was opened")


def _opened_event(deps: Deps, actor: Actor, delivery: Delivery) -> AuditEvent:
    return audit.event(
        actor,
        "message.opened",
        f"delivery:{delivery.delivery_id}",
        deps.clock(),
        message_id=delivery.message_id,
        method=actor.sign_in_method,
        loa=str(actor.loa),
    )


async def download_attachment(
    deps: Deps, actor: Actor, message_id: str, attachment_id: str
) -> AttachmentStream:
    access = await _access(deps, actor, message_id)
    meta = next((a for a in access.message.attachments if a.attachment_id == attachment_id), None)
    if meta is None:
        raise NotFound("attachment")
    async with deps.store.unit_of_work(actor.org_id) as uow:
        uow.audit.append(
            audit.event(
                actor,
                "attachment.downloaded",
                f"attachment:{attachment_id}",
                deps.clock(),
                message_id=message_id,
                side="sender" if access.is_sender else "recipient",
                loa=str(actor.loa),
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
