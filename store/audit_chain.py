"""The hash chain of the audit trail.

Each entry's hash covers its own content and the previous entry's hash, so a
changed, removed or reordered entry breaks every hash after it. The store links
entries at commit time with `link`; `verify` walks a chain as stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

from store.records import AuditEvent

GENESIS = "0" * 64


def entry_hash(event: AuditEvent, prev_hash: str) -> str:
    canonical = json.dumps(
        {
            "org_id": event.org_id,
            "seq": event.seq,
            "at": event.at.isoformat(),
            "actor": event.actor,
            "action": event.action,
            "target": event.target,
            "details": event.details,
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def link(event: AuditEvent, prev_seq: int, prev_hash: str) -> None:
    """Give `event` its place after (prev_seq, prev_hash) in the chain."""
    event.seq = prev_seq + 1
    event.prev_hash = prev_hash or GENESIS
    event.hash = entry_hash(event, event.prev_hash)


@dataclass(frozen=True, slots=True)
class ChainReport:
    entries: int
    broken_at: int | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.broken_at is None


async def verify(events: AsyncIterator[AuditEvent], head: tuple[int, str]) -> ChainReport:
    """Walk a chain in seq order and report the first entry that does not fit."""
    expected_seq, prev_hash, count = 1, GENESIS, 0
    async for event in events:
        if event.seq != expected_seq:
            return ChainReport(count, expected_seq, f"entry {expected_seq} is missing or out of order")
        if event.prev_hash != prev_hash or entry_hash(event, prev_hash) != event.hash:
            return ChainReport(count, event.seq, f"entry {event.seq} was changed")
        prev_hash, expected_seq, count = event.hash, expected_seq + 1, count + 1
    head_seq, head_hash = head
    if head_seq != count or (count and head_hash != prev_hash):
        return ChainReport(count, count + 1, f"entries after {count} were removed")
    return ChainReport(count, None, "")
