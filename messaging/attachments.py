"""Streaming attachments into encrypted blob storage, within the size limits."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass

from messaging.errors import InvalidRequest, PayloadTooLarge
from messaging.ports import DataKey, Deps, Limits
from messaging.sealing import associated_data, seal_text
from messaging.validation import check_attachment_count, check_file_name
from store.records import AttachmentMeta

log = logging.getLogger(__name__)

_MAX_NAME = 255


@dataclass(frozen=True, slots=True)
class IncomingAttachment:
    name: str
    content_type: str
    chunks: AsyncIterable[bytes]


class _Budget:
    """Counts plaintext bytes; refuses the one that crosses a limit, so the upload stops there."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.total = 0

    async def metered(self, chunks: AsyncIterable[bytes], sizes: list[int]) -> AsyncIterator[bytes]:
        size = 0
        async for chunk in chunks:
            size += len(chunk)
            self.total += len(chunk)
            if size > self.limits.attachment_max_bytes:
                raise PayloadTooLarge(
                    "attachment_too_large",
                    f"En bilaga får vara högst {self.limits.attachment_max_bytes // 2**20} MB.",
                )
            if self.total > self.limits.message_max_bytes:
                raise PayloadTooLarge(
                    "message_too_large",
                    f"Bilagorna får vara högst {self.limits.message_max_bytes // 2**20} MB sammanlagt.",
                )
            yield chunk
        sizes.append(size)


def blob_name(org_id: str, message_id: str, attachment_id: str) -> str:
    return f"{org_id}_{message_id}_{attachment_id}"


def attachment_part(attachment_id: str) -> str:
    return f"attachment:{attachment_id}"


async def store_attachments(
    deps: Deps,
    key: DataKey,
    org_id: str,
    message_id: str,
    incoming: AsyncIterable[IncomingAttachment],
) -> list[AttachmentMeta]:
    """Encrypt and store each attachment as it streams in; on any failure remove what was stored."""
    budget = _Budget(deps.limits)
    stored: list[AttachmentMeta] = []
    try:
        async for item in incoming:
            check_attachment_count(len(stored) + 1, deps.limits)
            stored.append(await _store_one(deps, key, org_id, message_id, item, budget))
    except BaseException:
        await remove_blobs(deps, stored)
        raise
    return stored


async def _store_one(
    deps: Deps, key: DataKey, org_id: str, message_id: str, item: IncomingAttachment, budget: _Budget
) -> AttachmentMeta:
    name = _clean_name(item.name)
    attachment_id = deps.new_id()
    part = attachment_part(attachment_id)
    sizes: list[int] = []
    ciphertext = key.encrypt_stream(
        budget.metered(item.chunks, sizes), associated_data(org_id, message_id, part)
    )
    blob = blob_name(org_id, message_id, attachment_id)
    await deps.blobs.put(blob, ciphertext)
    return AttachmentMeta(
        attachment_id=attachment_id,
        blob_name=blob,
        size=sizes[0],
        content_type=_clean_content_type(item.content_type),
        sealed_name=seal_text(key, org_id, message_id, f"{part}:name", name),
    )


async def remove_blobs(deps: Deps, metas: list[AttachmentMeta]) -> None:
    for meta in metas:
        with contextlib.suppress(Exception):
            await deps.blobs.delete(meta.blob_name)


def _clean_name(name: str) -> str:
    check_file_name(name)
    # Keep the last path component; browsers sometimes send a whole path.
    cleaned = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    cleaned = "".join(ch for ch in cleaned if ch.isprintable())
    if not cleaned:
        raise InvalidRequest("attachment_name_missing", "En bilaga saknar filnamn.")
    return cleaned[:_MAX_NAME]


def _clean_content_type(content_type: str) -> str:
    value = content_type.strip().lower()
    if not value or "/" not in value or len(value) > 100:
        return "application/octet-stream"
    return value
