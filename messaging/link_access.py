"""Link recipients: what a link leads to, how its person identifies, and what they may then read and do.

A link `/r/<org>/<delivery>/<token>` leads to one delivery of one message. The face calls, in order:

    find_link            the delivery and message behind a link, or LinkUnavailable: unknown, wrong token,
                         recalled and expired links are one case, so a guess learns nothing
    describe             what the page before identification shows: organisation, sender, level, method
                         (reading it changes nothing: mail scanners fetch links before people do)
    open_by_email        method email, LoA1: having the link is the identification
    send_code            method sms, LoA2: a one-time code to the stored number (identity/one_time_codes.py)
    check_code           ... and the code typed back; too many wrong ones lock the delivery (shown to the sender)
    expected_person      method eid: the personal number BankID or Freja eID is asked for
    identify_person      ... and the person they returned, which must be the delivery's (a mismatch is audited)
    identify_email       method siths: the e-mail claim of the OpenID provider, which must be the address
    read / attachment    the message for an identified person: every request checks the delivery again, so a
                         recall ends access at once; the first read marks the delivery opened
    reply                an answer into the sender mailbox (a new case in a function mailbox); the delivery
                         becomes answered

An identification yields a `Grant` (delivery, method, level) that the face keeps in the person's session and
hands back with each request; `granted` checks it against the link as it is now. Audit details hold ids, methods
and levels: never a code, a number, an address or content.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Final

from identity.accounts.masking import masked_phone
from identity.addresses import canonical_address
from identity.contact import normalize_personal_number
from identity.errors import InvalidContactDetail
from identity.one_time_codes import CodeCheck, OneTimeCodes, challenge_id
from messaging import audit
from messaging.attachments import IncomingAttachment, attachment_part
from messaging.errors import Forbidden, IdentificationFailed, LinkUnavailable, NotFound
from messaging.lifecycle import is_readable, open_delivery
from messaging.model import (
    Actor,
    Attachment,
    AttachmentStream,
    Content,
    NewMessage,
    RecipientInput,
    SentMessage,
)
from messaging.policy import METHOD_LOA, may_open
from messaging.ports import Deps
from messaging.reading import attachments_of, open_key
from messaging.sealing import associated_data, open_content, open_text, seal_box
from messaging.sending import CONTACT_PURPOSE, LINK_TOKEN_PURPOSE, send_link_reply
from store.errors import ConflictError
from store.records import (
    AuditEvent,
    Delivery,
    IdentificationMethod,
    Mailbox,
    Message,
    Organisation,
    OutboxItem,
)

# The one-time codes of link recipients; one challenge per delivery.
LINK_CODE_PURPOSE: Final = "link-sms"
REPLY_PREFIX: Final = "Sv: "
_ID: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
_TOKEN: Final = re.compile(r"[A-Za-z0-9_-]{16,128}")
_SMS_TEXT: Final = (
    "Din kod för att öppna meddelandet från {org}: {code}\n"
    "Koden gäller i {minutes} minuter. Lämna aldrig ut koden till någon annan."
)


@dataclass(frozen=True, slots=True)
class Link:
    """A link that leads somewhere, as it stands now."""

    org: Organisation
    delivery: Delivery
    message: Message

    @property
    def method(self) -> IdentificationMethod:
        # find_link only returns link deliveries, which always have a method.
        return self.delivery.method or "email"


@dataclass(frozen=True, slots=True)
class LinkView:
    """The page before identification: who sent it, at which level, and how to identify. No content."""

    org_name: str
    sender_name: str
    loa: int
    method: IdentificationMethod
    # The stored number, masked ("+46 70 *** ** 67"), for method sms.
    masked_phone: str | None
    # While wrong codes keep the delivery locked.
    locked_until: datetime | None


@dataclass(frozen=True, slots=True)
class Grant:
    """What an identification gave: this delivery, how the person identified, at which level."""

    org_id: str
    delivery_id: str
    # email, sms, bankid, freja or siths: what the sender's view shows as the opening method.
    method: str
    loa: int


@dataclass(frozen=True, slots=True)
class LinkMessage:
    subject: str
    body: str
    attachments: list[Attachment]
    reply_allowed: bool
    sent_at: datetime
    sender_name: str
    org_name: str


@dataclass(frozen=True, slots=True)
class CodeSent:
    masked_phone: str


async def find_link(deps: Deps, org_id: str, delivery_id: str, token: str, *, lifetime: timedelta) -> Link:
    """The delivery behind a link; LinkUnavailable for anything that is not a live link with this token."""
    if not (_ID.fullmatch(org_id) and _ID.fullmatch(delivery_id) and _TOKEN.fullmatch(token)):
        raise LinkUnavailable
    org = await deps.store.organisation(org_id)
    if org is None:
        raise LinkUnavailable
    async with deps.store.unit_of_work(org_id) as uow:
        delivery = await uow.deliveries.get(delivery_id)
        if not _leads_somewhere(deps, delivery, token, lifetime):
            raise LinkUnavailable
        assert delivery is not None
        message = await uow.messages.get(delivery.message_id)
    if message is None:
        raise LinkUnavailable
    return Link(org, delivery, message)


def _leads_somewhere(deps: Deps, delivery: Delivery | None, token: str, lifetime: timedelta) -> bool:
    if delivery is None or delivery.kind != "link" or not delivery.token_hash or delivery.method is None:
        return False
    # The token is compared as a keyed digest, in constant time.
    if not deps.lookup.matches(delivery.token_hash, LINK_TOKEN_PURPOSE, token):
        return False
    return is_readable(delivery) and deps.clock() - delivery.sent_at <= lifetime


def granted(link: Link, grant: Grant | None) -> bool:
    """Whether `grant` (from the person's session) opens this link's message as it stands now."""
    return (
        grant is not None
        and grant.org_id == link.org.org_id
        and grant.delivery_id == link.delivery.delivery_id
        and may_open(grant.loa, link.message.loa)
        and may_open(grant.loa, METHOD_LOA[link.method])
    )


async def describe(deps: Deps, link: Link) -> LinkView:
    async with deps.store.unit_of_work(link.org.org_id) as uow:
        sender = await uow.mailboxes.get(link.message.sender_mailbox)
    masked = None
    if link.method == "sms":
        masked = masked_phone(await _contact(deps, link))
    locked = link.delivery.locked_until
    return LinkView(
        org_name=link.org.name,
        sender_name=sender.name if sender is not None else link.message.sender_mailbox,
        loa=link.message.loa,
        method=link.method,
        masked_phone=masked,
        locked_until=locked if locked is not None and locked > deps.clock() else None,
    )


async def open_by_email(deps: Deps, link: Link) -> Grant:
    """Method email: the link itself is the identification, at LoA1."""
    _require_method(link, "email")
    return await _grant(deps, link, "email")


async def send_code(deps: Deps, codes: OneTimeCodes, link: Link) -> CodeSent:
    """A new code by SMS to the stored number, in the same commit as the challenge that checks it.

    CodeLocked or CodeRateLimited (identity errors) when no code may go now; nothing is sent then.
    """
    _require_method(link, "sms")
    phone = await _contact(deps, link)
    org_id, delivery_id = link.org.org_id, link.delivery.delivery_id
    async with deps.store.unit_of_work(org_id) as uow:
        challenge = await uow.challenges.get(challenge_id(LINK_CODE_PURPOSE, delivery_id))
        fresh = challenge is None
        if challenge is None:
            challenge = codes.new_challenge(org_id, LINK_CODE_PURPOSE, delivery_id)
        code = codes.issue(challenge)
        (uow.challenges.add if fresh else uow.challenges.update)(challenge)
        minutes = max(1, int(codes.policy.lifetime.total_seconds() // 60))
        text = _SMS_TEXT.format(org=link.org.name, code=code, minutes=minutes)
        uow.outbox.add(await _sms_item(deps, org_id, phone, text))
        uow.audit.append(_event(deps, link, "link.code_sent", method="sms"))
        await uow.commit()
    return CodeSent(masked_phone(phone))


async def check_code(
    deps: Deps, codes: OneTimeCodes, link: Link, typed: str
) -> tuple[CodeCheck, Grant | None]:
    """Check a typed code; a right one grants LoA2, the wrong one that reaches the limit locks the delivery.

    The wrong try, the lock (on the delivery too, so the sender sees it) and its audit entry are committed
    together; a try that loses a race with another is refused by the store and counts on the next one.
    """
    _require_method(link, "sms")
    org_id, delivery_id = link.org.org_id, link.delivery.delivery_id
    async with deps.store.unit_of_work(org_id) as uow:
        challenge = await uow.challenges.get(challenge_id(LINK_CODE_PURPOSE, delivery_id))
        delivery = await uow.deliveries.get(delivery_id)
        if delivery is None or not is_readable(delivery):
            raise LinkUnavailable
        if challenge is None:
            return CodeCheck("expired", tries_left=codes.policy.max_wrong), None
        was_locked = codes.locked_until(challenge) is not None
        check = codes.check(challenge, typed)
        uow.challenges.update(challenge)
        if check.outcome == "locked" and not was_locked:
            delivery.locked_until = check.locked_until
            uow.deliveries.update(delivery)
            uow.audit.append(_event(deps, link, "link.locked", method="sms", reason="too_many_wrong_codes"))
        elif check.accepted:
            if delivery.locked_until is not None:
                delivery.locked_until = None
                uow.deliveries.update(delivery)
            uow.audit.append(_identified(deps, link, "sms"))
        elif check.outcome == "wrong":
            uow.audit.append(_event(deps, link, "link.code_refused", method="sms"))
        await uow.commit()
    grant = Grant(org_id, delivery_id, "sms", METHOD_LOA["sms"]) if check.accepted else None
    return check, grant


async def expected_person(deps: Deps, link: Link) -> str:
    """Method eid: the personal number the provider is asked to identify (12 digits)."""
    _require_method(link, "eid")
    return await _contact(deps, link)


async def identify_person(deps: Deps, link: Link, personal_number: str | None, provider: str) -> Grant:
    """Method eid: grant LoA3 only when the provider identified the delivery's own person.

    Anyone else opens nothing; the audit trail records the mismatch, the person learns only that it failed.
    """
    _require_method(link, "eid")
    if personal_number and link.delivery.contact_hash:
        try:
            normalised = normalize_personal_number(personal_number)
        except InvalidContactDetail:
            normalised = ""
        if normalised and deps.lookup.matches(link.delivery.contact_hash, CONTACT_PURPOSE["eid"], normalised):
            return await _grant(deps, link, provider)
    await _refuse(deps, link, provider, "person_mismatch")
    raise IdentificationFailed


async def identify_email(deps: Deps, link: Link, email: str | None) -> Grant:
    """Method siths: grant LoA3 only when the provider's e-mail claim is the delivery's address."""
    _require_method(link, "siths")
    if email and canonical_address(email) == canonical_address(link.delivery.address):
        return await _grant(deps, link, "siths")
    await _refuse(deps, link, "siths", "email_mismatch")
    raise IdentificationFailed


async def read(deps: Deps, link: Link, grant: Grant | None) -> LinkMessage:
    """The message, decrypted, for a person whose grant opens this link; the first read marks it opened."""
    if grant is None or not granted(link, grant):
        raise LinkUnavailable
    key = await open_key(deps, link.message)
    # Decrypted before anything is recorded: a message that could not be read was not opened.
    content = open_content(key, link.org.org_id, link.message.message_id, link.message.sealed_content)
    attachments = attachments_of(key, link.message)
    await _record_read(deps, link, grant)
    async with deps.store.unit_of_work(link.org.org_id) as uow:
        sender = await uow.mailboxes.get(link.message.sender_mailbox)
    return LinkMessage(
        subject=content.subject,
        body=content.body,
        attachments=attachments,
        reply_allowed=link.message.reply_allowed,
        sent_at=link.message.sent_at,
        sender_name=sender.name if sender is not None else link.message.sender_mailbox,
        org_name=link.org.name,
    )


async def attachment(deps: Deps, link: Link, grant: Grant | None, attachment_id: str) -> AttachmentStream:
    """One attachment of the link's own message, decrypted as it streams; audited before the first byte."""
    if grant is None or not granted(link, grant):
        raise LinkUnavailable
    meta = next((a for a in link.message.attachments if a.attachment_id == attachment_id), None)
    if meta is None:
        raise NotFound("attachment")
    async with deps.store.unit_of_work(link.org.org_id) as uow:
        uow.audit.append(
            audit.event(
                _actor(link, grant),
                "attachment.downloaded",
                f"attachment:{attachment_id}",
                deps.clock(),
                message_id=link.message.message_id,
                side="recipient",
                loa=str(grant.loa),
            )
        )
        await uow.commit()
    key = await open_key(deps, link.message)
    org_id, message_id = link.org.org_id, link.message.message_id
    name = open_text(key, org_id, message_id, f"{attachment_part(attachment_id)}:name", meta.sealed_name)
    ad = associated_data(org_id, message_id, attachment_part(attachment_id))
    return AttachmentStream(
        name=name,
        content_type=meta.content_type,
        size=meta.size,
        chunks=key.decrypt_stream(deps.blobs.get(meta.blob_name), ad),
    )


async def reply(
    deps: Deps,
    link: Link,
    grant: Grant | None,
    body: str,
    attachments: AsyncIterable[IncomingAttachment] | None = None,
) -> SentMessage:
    """An answer from the link's person into the sender mailbox, at the message's level; the delivery is answered."""
    if grant is None or not granted(link, grant):
        raise LinkUnavailable
    if not link.message.reply_allowed:
        raise Forbidden("reply_not_allowed", "Avsändaren har inte tillåtit svar på det här meddelandet.")
    key = await open_key(deps, link.message)
    original = open_content(key, link.org.org_id, link.message.message_id, link.message.sealed_content)
    actor = _actor(link, grant)
    new = NewMessage(
        recipients=[RecipientInput(address=link.message.sender_mailbox)],
        subject=_reply_subject(original, deps.limits.subject_max_chars),
        body=body,
        loa=link.message.loa,
        reply_allowed=True,
    )
    # The person replying, as a sender: their address, never stored as a mailbox.
    sender = Mailbox(
        link.org.org_id, link.delivery.address, link.delivery.address, "personal", [actor.user_id]
    )
    return await send_link_reply(
        deps,
        actor,
        new,
        attachments,
        sender=sender,
        in_reply_to=link.delivery,
        thread_id=link.message.thread_id,
    )


def _reply_subject(original: Content, max_chars: int) -> str:
    subject = original.subject
    if not subject.lower().startswith(REPLY_PREFIX.lower()):
        subject = REPLY_PREFIX + subject
    return subject[:max_chars]


async def _record_read(deps: Deps, link: Link, grant: Grant) -> None:
    """Audit the read; on the first one move the delivery to opened (when, how, at which level).

    A recall that won the race makes this read refused; a parallel first open simply wins.
    """
    actor = _actor(link, grant)
    for _ in range(3):
        async with deps.store.unit_of_work(link.org.org_id) as uow:
            delivery = await uow.deliveries.get(link.delivery.delivery_id)
            if delivery is None or not is_readable(delivery):
                raise LinkUnavailable
            delivery = replace(delivery)
            if open_delivery(delivery, at=deps.clock(), method=grant.method, loa=grant.loa):
                delivery.locked_until = None
                uow.deliveries.update(delivery)
                uow.audit.append(
                    audit.event(
                        actor,
                        "message.opened",
                        f"delivery:{delivery.delivery_id}",
                        deps.clock(),
                        message_id=delivery.message_id,
                        method=grant.method,
                        loa=str(grant.loa),
                    )
                )
            uow.audit.append(
                audit.event(
                    actor,
                    "message.read",
                    f"message:{link.message.message_id}",
                    deps.clock(),
                    side="recipient",
                    method=grant.method,
                    loa=str(grant.loa),
                )
            )
            try:
                await uow.commit()
                return
            except ConflictError:
                continue
    raise ConflictError("the delivery kept changing while it was opened")


async def _grant(deps: Deps, link: Link, method: str) -> Grant:
    loa = METHOD_LOA[link.method]
    async with deps.store.unit_of_work(link.org.org_id) as uow:
        uow.audit.append(_identified(deps, link, method))
        await uow.commit()
    return Grant(link.org.org_id, link.delivery.delivery_id, method, loa)


async def _refuse(deps: Deps, link: Link, method: str, reason: str) -> None:
    async with deps.store.unit_of_work(link.org.org_id) as uow:
        uow.audit.append(_event(deps, link, "link.identification_failed", method=method, reason=reason))
        await uow.commit()


def _identified(deps: Deps, link: Link, method: str) -> AuditEvent:
    return _event(deps, link, "link.identified", method=method, loa=str(METHOD_LOA[link.method]))


def _event(deps: Deps, link: Link, action: str, **details: str) -> AuditEvent:
    actor = _link_actor(link, METHOD_LOA[link.method], details.get("method", link.method))
    return audit.event(
        actor,
        action,
        f"delivery:{link.delivery.delivery_id}",
        deps.clock(),
        message_id=link.message.message_id,
        **details,
    )


def _actor(link: Link, grant: Grant) -> Actor:
    return _link_actor(link, grant.loa, grant.method)


def _link_actor(link: Link, loa: int, method: str) -> Actor:
    """The person behind a link, as an actor: known by the delivery, never by a name they typed."""
    return Actor(
        org_id=link.org.org_id,
        user_id=f"link-{link.delivery.delivery_id}",
        email=link.delivery.address,
        name=link.delivery.address,
        loa=loa,
        kind="recipient",
        sign_in_method=method,
    )


def _require_method(link: Link, method: IdentificationMethod) -> None:
    # A form of another method posted to this link: there is nothing of that kind here.
    if link.method != method:
        raise LinkUnavailable


async def _contact(deps: Deps, link: Link) -> str:
    """The delivery's stored number (E.164 phone or 12-digit personal number), decrypted."""
    if link.delivery.sealed_contact is None:
        raise LinkUnavailable
    key = await open_key(deps, link.message)
    part = f"contact:{link.delivery.delivery_id}"
    return open_text(key, link.org.org_id, link.message.message_id, part, link.delivery.sealed_contact)


async def _sms_item(deps: Deps, org_id: str, phone: str, text: str) -> OutboxItem:
    payload = {"kind": "sms", "to": phone, "text": text}
    item_id = deps.new_id()
    sealed = await seal_box(
        deps.envelope, org_id, item_id, "outbox", json.dumps(payload, ensure_ascii=False).encode()
    )
    now = deps.clock()
    return OutboxItem(org_id, item_id, "sms", sealed, created_at=now, next_attempt_at=now)
