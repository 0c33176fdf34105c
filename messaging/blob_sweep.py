"""Removing attachment blobs that no message references: what an interrupted or ambiguous send leaves.

A send stores its attachments before it commits the message, and removes them again only when
the commit definitely wrote nothing (messaging.sending). A crash between the two, or a commit
whose outcome was unknown, leaves blobs that may or may not belong to a message. This sweep
settles it later: a blob is removed when it was last written before the cut-off and the message
its name points to does not list it. The cut-off (a day by default) leaves every send in progress
alone, however slow its upload.

Blob names are `<org id>_<message id>_<attachment id>` (messaging.attachments.blob_name), so a
blob leads straight to the one message that could reference it: the sweep reads messages by id
in batches, never the whole store. A blob whose name is not of that form is never removed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from store.ports import BlobStore, Store

DEFAULT_AGE: Final = timedelta(days=1)
# Old blobs checked against the store at a time: bounds memory whatever the number of blobs.
BATCH: Final = 500


async def sweep_orphan_blobs(store: Store, blobs: BlobStore, *, written_before: datetime) -> int:
    """Delete the attachment blobs written before `written_before` that no message references; return how many."""
    removed = 0
    batch: list[tuple[str, str, str]] = []
    async for info in blobs.list_blobs():
        if info.modified_at >= written_before:
            continue
        parsed = _owner(info.name)
        if parsed is not None:
            batch.append((*parsed, info.name))
        if len(batch) >= BATCH:
            removed += await _remove_unreferenced(store, blobs, batch)
            batch = []
    if batch:
        removed += await _remove_unreferenced(store, blobs, batch)
    return removed


def _owner(name: str) -> tuple[str, str] | None:
    """(organisation id, message id) of an attachment blob's name; None for any other name."""
    parts = name.rsplit("_", 2)
    if len(parts) != 3 or not all(parts) or parts[0] == "directory":
        return None
    return parts[0], parts[1]


async def _remove_unreferenced(store: Store, blobs: BlobStore, batch: list[tuple[str, str, str]]) -> int:
    by_org: dict[str, list[tuple[str, str]]] = {}
    for org_id, message_id, name in batch:
        by_org.setdefault(org_id, []).append((message_id, name))
    removed = 0
    for org_id, entries in by_org.items():
        async with store.unit_of_work(org_id) as uow:
            messages = await uow.messages.get_many([message_id for message_id, _ in entries])
        referenced = {meta.blob_name for message in messages for meta in message.attachments}
        for _, name in entries:
            if name not in referenced:
                await blobs.delete(name)
                removed += 1
    return removed
