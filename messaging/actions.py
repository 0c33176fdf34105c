"""What the sender's side and recipients do to a sent message: recall it, reply to it."""

from __future__ import annotations

from collections.abc import AsyncIterable

from messaging import audit
from messaging.attachments import IncomingAttachment
from messaging.errors import Conflict, Forbidden, NotFound
from messaging.lifecycle import recall_delivery
from messaging.model import Actor, NewMessage, RecipientInput, Reply, SentMessage
from messaging.ports import Deps
from messaging.reading import find_access
from messaging.sending import send_message
from messaging.validation import check_text
from store.errors import ConflictError
from store.records import Delivery


async def recall(deps: Deps, actor: Actor, message_id: str, delivery_id: str) -> Delivery:
    """Make an unopened delivery impossible to open. Only the sender's side may, and only before it is opened."""
    async with deps.store.unit_of_work(actor.org_id) as uow:
        access = await find_access(uow, actor, message_id)
        if not access.is_sender:
            raise NotFound("message")
        delivery = next((d for d in access.deliveries if d.delivery_id == delivery_id), None)
        if delivery is None:
            raise NotFound("delivery")
        recall_delivery(delivery, at=deps.clock())
        uow.deliveries.update(delivery)
        uow.audit.append(
            audit.event(
                actor, "delivery.recalled", f"delivery:{delivery_id}", deps.clock(), message_id=message_id
            )
        )
        try:
            await uow.commit()
        except ConflictError:
            # The recipient opened it in the same instant: the open wins.
            raise Conflict("delivery_opened", "Meddelandet kan inte återkallas: det har öppnats.") from None
    return delivery


async def reply(
    deps: Deps,
    actor: Actor,
    message_id: str,
    answer: Reply,
    attachments: AsyncIterable[IncomingAttachment] | None = None,
) -> SentMessage:
    """A new encrypted message back to the original sender mailbox, in the same thread, at the same level."""
    check_text(answer.subject, answer.body, deps.limits)
    async with deps.store.unit_of_work(actor.org_id) as uow:
        access = await find_access(uow, actor, message_id)
    own = access.own_delivery
    if own is None:
        raise Forbidden("reply_not_recipient", "Bara en mottagare av meddelandet kan svara på det.")
    if not access.message.reply_allowed:
        raise Forbidden("reply_not_allowed", "Avsändaren har inte tillåtit svar på det här meddelandet.")
    new = NewMessage(
        recipients=[RecipientInput(address=access.message.sender_mailbox)],
        subject=answer.subject,
        body=answer.body,
        loa=access.message.loa,
        reply_allowed=True,
        sender_mailbox=own.recipient_mailbox,
    )
    return await send_message(
        deps, actor, new, attachments, in_reply_to=own, thread_id=access.message.thread_id
    )
