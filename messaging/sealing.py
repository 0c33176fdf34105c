"""Sealing what the messaging layer stores, with associated data that binds it to its record.

A ciphertext copied into another record (another organisation, message or part)
fails to open, because the associated data names all three.
"""

from __future__ import annotations

import json
import struct

from messaging.model import Content
from messaging.ports import DataKey, Envelope


def associated_data(org_id: str, record_id: str, part: str) -> bytes:
    return "\x1f".join(("sigill/1", org_id, record_id, part)).encode()


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
    """A self-contained sealed value with its own data key, for records without one (outbox, contacts)."""
    ad = associated_data(org_id, record_id, part)
    key, wrapped = await envelope.new_data_key(ad)
    return struct.pack(">H", len(wrapped)) + wrapped + key.encrypt(plain, ad)


async def open_box(envelope: Envelope, org_id: str, record_id: str, part: str, sealed: bytes) -> bytes:
    ad = associated_data(org_id, record_id, part)
    (length,) = struct.unpack_from(">H", sealed)
    wrapped, ciphertext = sealed[2 : 2 + length], sealed[2 + length :]
    key = await envelope.open_data_key(wrapped, ad)
    return key.decrypt(ciphertext, ad)
