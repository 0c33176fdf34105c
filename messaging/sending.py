"""Sending a message: one unit of work holds the message, its deliveries, cases, notifications and audit entry.

Attachments are streamed to blob storage first; the records are committed last,
so a crash leaves either the whole message or none of it (at worst unreferenced
ciphertext blobs, which no record points to and nobody can read).

The commit runs to its end even when the request is cancelled (a client that
goes away, a server shutting down): it is shielded, so a cancellation can never
land between "the store applied the batch" and "the blobs were removed". The
blobs are removed only when the send definitely wrote nothing: it failed before
the store was asked to commit, or the store refused the commit (a conflict, too
many writes). An ambiguous outcome (the store unavailable or timing out after it
may have applied the batch) keeps them; if no message references them after
all, `sweep_orphan_blobs` (`sigill blobs sweep`) removes them a day later.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterable, Coroutine
from dataclasses import dataclass
from typing import Any

from identity.addresses import canonical_address
from messaging import audit
from messaging.attachments import IncomingAttachment, remove_blobs, store_attachments
from messaging.directory import organisation
from messaging.errors import Forbidden
from messaging.levels import default_open_message
from messaging.lifecycle import answer_delivery
from messaging.model import Actor, Content, NewMessage, SentMessage
from messaging.ports import DataKey, Deps
from messaging.recipients import ResolvedRecipient, resolve
from messaging.sealing import SEAL_FORMAT, message_key_ad, seal_box, seal_content, seal_text
from messaging.validation import check_message, normalise_address
from store.errors import ConflictError, TooManyWrites
from store.ports import UnitOfWork
from store.records import (
    AttachmentMeta,
    Case,
    Delivery,
    Mailbox,
    Message,
    Organisation,
    OutboxChannel,
    OutboxItem,
)

LINK_TOKEN_PURPOSE = "link-token"  # noqa: S105 - a hash purpose, not a secret

log = logging.getLogger(__name__)

# Errors of a commit after which the store has certainly written nothing.
_REFUSED_COMMIT = (ConflictError, TooManyWrites)
# Commits that outlived their request; held so the event loop does not drop them half-way.
_in_flight: set[asyncio.Task[Any]] = set()
CONTACT_PURPOSE = {"sms": "phone", "eid": "personal-number"}


@dataclass(frozen=True, slots=True)
class Draft:
    """A message whose records are ready to stage, before attachments are known."""

    message: Message
    key: DataKey
    sender: Mailbox
    recipients: list[ResolvedRecipient]
    open_message: str


async def send_message(
    deps: Deps,
    actor: Actor,
    new: NewMessage,
    attachments: AsyncIterable[IncomingAttachment] | None = None,
    *,
    in_reply_to: Delivery | None = None,
    thread_id: str | None = None,
) -> SentMessage:
    return await _send(deps, actor, new, attachments, in_reply_to, thread_id, sender=None)


async def send_link_reply(
    deps: Deps,
    actor: Actor,
    new: NewMessage,
    attachments: AsyncIterable[IncomingAttachment] | None,
    *,
    sender: Mailbox,
    in_reply_to: Delivery,
    thread_id: str,
) -> SentMessage:
    """A link recipient's reply, sent from their address (which is no mailbox here) back to the sender mailbox.

    The caller (messaging.link_access) has checked the link, the recipient's identification and that the message
    allows replies; `sender` stands for the recipient and is never stored.
    """
    return await _send(deps, actor, new, attachments, in_reply_to, thread_id, sender=sender)


async def _send(
    deps: Deps,
    actor: Actor,
    new: NewMessage,
    attachments: AsyncIterable[IncomingAttachment] | None,
    in_reply_to: Delivery | None,
    thread_id: str | None,
    *,
    sender: Mailbox | None,
) -> SentMessage:
    check_message(new, deps.limits)
    org = await organisation(deps, actor)
    async with deps.store.unit_of_work(actor.org_id) as uow:
        draft = await _draft(deps, uow, actor, org, new, thread_id, sender)
    stored: list[AttachmentMeta] = []
    if attachments is not None:
        stored = await store_attachments(deps, draft.key, actor.org_id, draft.message.message_id, attachments)
    draft.message.attachments = stored
    return await _shielded(_commit_or_compensate(deps, actor, draft, in_reply_to))


@dataclass(slots=True)
class _Progress:
    """How far a send got: once the store was asked to commit, a failure may still have written."""

    committing: bool = False


async def _commit_or_compensate(
    deps: Deps, actor: Actor, draft: Draft, in_reply_to: Delivery | None
) -> SentMessage:
    progress = _Progress()
    try:
        return await _commit(deps, actor, draft, in_reply_to, progress)
    except BaseException as exc:
        if not progress.committing or isinstance(exc, _REFUSED_COMMIT):
            await remove_blobs(deps, draft.message.attachments)
        raise


async def _shielded[T](work: Coroutine[Any, Any, T]) -> T:
    """Await `work`, which runs to its end even if the caller is cancelled meanwhile."""
    task = asyncio.ensure_future(work)
    _in_flight.add(task)
    task.add_done_callback(_in_flight.discard)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        task.add_done_callback(_report_unawaited)
        raise


def _report_unawaited(task: asyncio.Task[Any]) -> None:
    # Nobody awaits the outcome any more; say how it ended (the class only: no content in logs).
    if not task.cancelled() and (error := task.exception()) is not None:
        log.warning("a send whose request was cancelled failed afterwards: %s", type(error).__name__)


async def _draft(
    deps: Deps,
    uow: UnitOfWork,
    actor: Actor,
    org: Organisation,
    new: NewMessage,
    thread_id: str | None,
    link_sender: Mailbox | None = None,
) -> Draft:
    sender_address = canonical_address(new.sender_mailbox or actor.email)
    addresses = [normalise_address(r.address) for r in new.recipients]
    # One read for the sender's and every recipient's mailbox.
    boxes = {box.address: box for box in await uow.mailboxes.get_many([sender_address, *addresses])}
    sender = link_sender or _sender_mailbox(actor, boxes.get(sender_address))
    recipients = [resolve(r, new.loa, boxes.get(a)) for r, a in zip(new.recipients, addresses, strict=True)]
    message_id = deps.new_id()
    open_message = new.open_message.strip() or default_open_message(org)
    content = Content(subject=new.subject.strip(), body=new.body, open_message=open_message)
    message = Message(
        org_id=actor.org_id,
        message_id=message_id,
        thread_id=thread_id or message_id,
        sender_mailbox=sender.address,
        sender_user_id=actor.user_id,
        sent_at=deps.clock(),
        loa=new.loa,
        reply_allowed=new.reply_allowed,
        sealed_content=b"",
        wrapped_key=b"",
        has_links=any(not r.registered for r in recipients),
        seal_format=SEAL_FORMAT,
    )
    # The key's associated data binds the level, reply rule and sender, so it follows the record.
    key, message.wrapped_key = await deps.envelope.new_data_key(message_key_ad(message))
    message.sealed_content = seal_content(key, actor.org_id, message_id, content)
    return Draft(message, key, sender, recipients, open_message)


def _sender_mailbox(actor: Actor, mailbox: Mailbox | None) -> Mailbox:
    if mailbox is None or actor.user_id not in mailbox.member_ids:
        raise Forbidden(
            "not_a_member", "Du kan bara skicka från din egen brevlåda eller en funktionsbrevlåda du tillhör."
        )
    return mailbox


async def _commit(
    deps: Deps, actor: Actor, draft: Draft, in_reply_to: Delivery | None, progress: _Progress
) -> SentMessage:
    if in_reply_to is not None:
        draft.message.in_reply_to = in_reply_to.message_id
    async with deps.store.unit_of_work(actor.org_id) as uow:
        uow.messages.add(draft.message)
        deliveries = [await _stage_recipient(deps, uow, draft, r) for r in draft.recipients]
        if deps.teams_notices and (teams := await _teams_item(deps, actor, draft, deliveries)) is not None:
            uow.outbox.add(teams)
        if in_reply_to is not None:
            _mark_answered(uow, in_reply_to, draft.message)
        uow.audit.append(
            audit.event(
                actor,
                "message.replied" if in_reply_to else "message.sent",
                f"message:{draft.message.message_id}",
                deps.clock(),
                loa=str(draft.message.loa),
                recipients=str(len(deliveries)),
                attachments=str(len(draft.message.attachments)),
                **({"in_reply_to": in_reply_to.delivery_id} if in_reply_to else {}),
            )
        )
        progress.committing = True
        await uow.commit()
    return SentMessage(draft.message, deliveries)


def _mark_answered(uow: UnitOfWork, delivery: Delivery, reply: Message) -> None:
    answer_delivery(delivery, at=reply.sent_at, reply_message_id=reply.message_id)
    uow.deliveries.update(delivery)


async def _stage_recipient(
    deps: Deps, uow: UnitOfWork, draft: Draft, recipient: ResolvedRecipient
) -> Delivery:
    message = draft.message
    delivery = Delivery(
        org_id=message.org_id,
        delivery_id=deps.new_id(),
        message_id=message.message_id,
        sender_mailbox=message.sender_mailbox,
        address=recipient.address,
        kind="registered" if recipient.registered else "link",
        sent_at=message.sent_at,
    )
    if recipient.mailbox is not None:
        delivery.recipient_mailbox = recipient.mailbox.address
        link = await notice_link(deps, uow, recipient.mailbox, message.message_id)
        payload = _notice_payload(draft, recipient.mailbox, delivery, link)
        if recipient.mailbox.kind == "function":
            uow.cases.add(_new_case(deps, delivery, recipient.mailbox))
    else:
        token = deps.new_token()
        _describe_link_recipient(deps, draft.key, delivery, recipient, token)
        payload = _link_payload(deps, draft, delivery, token)
    uow.deliveries.add(delivery)
    uow.outbox.add(await _outbox_item(deps, message, delivery, payload))
    return delivery


def _describe_link_recipient(
    deps: Deps, key: DataKey, delivery: Delivery, recipient: ResolvedRecipient, token: str
) -> None:
    delivery.method = recipient.method
    delivery.token_hash = deps.lookup.digest(LINK_TOKEN_PURPOSE, token)
    if recipient.contact is not None and recipient.method is not None:
        delivery.sealed_contact = seal_text(
            key, delivery.org_id, delivery.message_id, f"contact:{delivery.delivery_id}", recipient.contact
        )
        delivery.contact_hash = deps.lookup.digest(CONTACT_PURPOSE[recipient.method], recipient.contact)


def _new_case(deps: Deps, delivery: Delivery, mailbox: Mailbox) -> Case:
    return Case(
        org_id=delivery.org_id,
        case_id=deps.new_id(),
        mailbox=mailbox.address,
        message_id=delivery.message_id,
        delivery_id=delivery.delivery_id,
        created_at=delivery.sent_at,
        updated_at=delivery.sent_at,
    )


def link_url(deps: Deps, delivery: Delivery, token: str) -> str:
    return f"{deps.base_url}/r/{delivery.org_id}/{delivery.delivery_id}/{token}"


def _link_payload(deps: Deps, draft: Draft, delivery: Delivery, token: str) -> dict[str, object]:
    return {
        "kind": "link",
        "to": delivery.address,
        "sender": draft.sender.name,
        "loa": draft.message.loa,
        "method": delivery.method,
        "open_message": draft.open_message,
        "link": link_url(deps, delivery, token),
        "message_id": draft.message.message_id,
        "delivery_id": delivery.delivery_id,
    }


def _notice_payload(draft: Draft, mailbox: Mailbox, delivery: Delivery, link: str) -> dict[str, object]:
    return {
        "kind": "notice",
        "to": mailbox.address,
        "link": link,
        "mailbox_kind": mailbox.kind,
        "sender": draft.sender.name,
        "loa": draft.message.loa,
        "message_id": draft.message.message_id,
        "delivery_id": delivery.delivery_id,
    }


async def notice_link(deps: Deps, uow: UnitOfWork, mailbox: Mailbox, message_id: str) -> str:
    """Where a notice's reader opens the message: a recipient account signs in to the portal; staff open the web
    app, which signs them in (and the Outlook add-in finds the message by this link when headers are missing)."""
    # A function mailbox has staff members only; a personal one is a staff user's or a recipient account's.
    personal = mailbox.kind == "personal" and len(mailbox.member_ids) == 1
    if personal and await uow.recipients.get(mailbox.member_ids[0]) is not None:
        return f"{deps.base_url}/konto/logga-in"
    return f"{deps.base_url}/app/#/message/{message_id}"


def _teams_payload(actor: Actor, draft: Draft, deliveries: list[Delivery]) -> dict[str, object] | None:
    """One Teams notice per member of each registered recipient's mailbox, the sender left out; None if nobody."""
    notices = [
        {
            "user_id": member,
            "delivery_id": delivery.delivery_id,
            "mailbox_kind": recipient.mailbox.kind,
            "mailbox_name": recipient.mailbox.name,
        }
        for recipient, delivery in zip(draft.recipients, deliveries, strict=True)
        if recipient.mailbox is not None
        for member in recipient.mailbox.member_ids
        if member != actor.user_id
    ]
    if not notices:
        return None
    return {
        "kind": "teams",
        "sender": draft.sender.name,
        "loa": draft.message.loa,
        "message_id": draft.message.message_id,
        "notices": notices,
    }


async def _teams_item(
    deps: Deps, actor: Actor, draft: Draft, deliveries: list[Delivery]
) -> OutboxItem | None:
    """The message's Teams notices, one outbox item for all of them (one write, whatever the members).

    Beside the e-mail, never instead of it: whoever never opened the bot still gets the e-mail, and a Teams
    failure marks no delivery as failed.
    """
    payload = _teams_payload(actor, draft, deliveries)
    if payload is None:
        return None
    return await _outbox_item(deps, draft.message, None, payload, channel="teams")


async def _outbox_item(
    deps: Deps,
    message: Message,
    delivery: Delivery | None,
    payload: dict[str, object],
    *,
    channel: OutboxChannel = "email",
) -> OutboxItem:
    item_id = deps.new_id()
    sealed = await seal_box(
        deps.envelope, message.org_id, item_id, "outbox", json.dumps(payload, ensure_ascii=False).encode()
    )
    return OutboxItem(
        org_id=message.org_id,
        item_id=item_id,
        channel=channel,
        sealed_payload=sealed,
        created_at=message.sent_at,
        next_attempt_at=message.sent_at,
        # Not secret: lets the worker mark the delivery when its notification fails.
        delivery_id=delivery.delivery_id if delivery is not None else None,
    )
