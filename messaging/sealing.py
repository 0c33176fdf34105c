"""Sealing what the messaging layer stores, with associated data that binds it to its record.

A ciphertext copied into another record (another organisation, message or part)
fails to open, because the associated data names all three.

A message's data key is bound to more than its id: from seal format 2 on, its
associated data also carries the message's level (`loa`), `reply_allowed` and
sender (mailbox and user id). Those fields sit in the clear in the record,
because listings and access checks read them; an edit of any of them in the
database (a level lowered so that a weaker sign-in passes) makes the data key,
and so everything sealed under it, fail to open. Messages stored before seal
format 2 keep the associated data they were sealed with.
"""

from __future__ import annotations

import json
from typing import Final

from crypto import sealed_box
from messaging.model import Content
from messaging.ports import DataKey, Envelope
from store.records import Message

# The seal format new messages are written with (see `message_key_ad`).
SEAL_FORMAT: Final = 2


def associated_data(org_id: str, record_id: str, part: str) -> bytes:
    return "\x1f".join(("sigill/1", org_id, record_id, part)).encode()


def message_key_ad(message: Message) -> bytes:
    """The associated data of the message's wrapped data key, as its seal format defines it."""
    if message.seal_format < 2:
        return associated_data(message.org_id, message.message_id, "key")
    fields = (
        "sigill/2",
        message.org_id,
        message.message_id,
        "key",
        str(message.loa),
        "reply" if message.reply_allowed else "no-reply",
        message.sender_mailbox,
        message.sender_user_id,
    )
    # Each field length-prefixed, so no value can shift text from one field into the next.
    return b"".join(len(encoded).to_bytes(2, "big") + encoded for encoded in (f.encode() for f in fields))


def seal_content(key: DataKey, org_id: str, message_id: str, content: Content) -> bytes:
    plain = json.dumps(
        {"subject": content.subject, "body": content.body, "open_message": content.open_message},
        ensure_ascii=False,
    ).encode()
    return key.encrypt(plain, associated_data(org_id, message_id, "content"))


def open_content(key: DataKey, org_id: str, message_id: str, sealed: bytes) -> Content:
    data = json.loads(key.decrypt(sealed, associated_data(org_id, message_id, "content")))
    return Content(subject=data["subject"], body=data["body"], open_message=data.get("open_message", ""))


def seal_text(key: DataKey, org_id: str, record_id: str, part: str, text: str) -> bytes:
    return key.encrypt(text.encode(), associated_data(org_id, record_id, part))


def open_text(key: DataKey, org_id: str, record_id: str, part: str, sealed: bytes) -> str:
    return key.decrypt(sealed, associated_data(org_id, record_id, part)).decode()


async def seal_box(envelope: Envelope, org_id: str, record_id: str, part: str, plain: bytes) -> bytes:
    """A self-contained sealed value with its own data key, for records without one (outbox items).

    The format is crypto.sealed_box's; `sigill keys rewrap` reaches every box through
    `messaging.wrapped_keys`, so a new kind of box must be listed there too.
    """
    return await sealed_box.seal_box(envelope, plain, associated_data(org_id, record_id, part))


async def open_box(envelope: Envelope, org_id: str, record_id: str, part: str, sealed: bytes) -> bytes:
    """The plaintext of a box; crypto's DecryptionError for anything that does not open."""
    return await sealed_box.open_box(envelope, sealed, associated_data(org_id, record_id, part))
