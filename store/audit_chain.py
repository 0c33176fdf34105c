"""The hash chain of the audit trail, and its anchors outside the database.

Each entry's hash covers its own content and the previous entry's hash, so a
changed, removed or reordered entry breaks every hash after it. The store links
entries at commit time with `link`; `verify` walks a chain as stored.

A chain alone cannot show that someone with write access to the database
rewrote it whole: recompute every hash from the changed entry on, move the head,
and it links again. So signed checkpoints, kept outside the database, record
(seq, hash) pairs of the chain (`Anchor`). `verify` checks a chain against the
latest one, and `extension_problem` lets the checkpoint writer refuse to sign a
head that does not extend the last anchored entry, so a rewrite is never
laundered into a fresh checkpoint. Because every checkpoint extends the one
before it and every entry covers all entries before it, the latest checkpoint
vouches for the whole chain up to its entry.
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
class Anchor:
    """An entry (seq, hash) that a signed checkpoint vouches for; seq 0 vouches for nothing yet."""

    seq: int
    hash: str


@dataclass(frozen=True, slots=True)
class ChainReport:
    entries: int
    broken_at: int | None
    reason: str
    # How the chain departs from its anchor ("truncated: ...", "rewritten: ...", "wiped: ..."); "" if it does not.
    anchor_problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None and not self.anchor_problem


async def verify(
    events: AsyncIterator[AuditEvent], head: tuple[int, str], anchor: Anchor | None = None
) -> ChainReport:
    """Walk a chain in seq order: report the first entry that does not fit, and any departure from `anchor`."""
    expected_seq, prev_hash, count, last_seq = 1, GENESIS, 0, 0
    broken: tuple[int, str] | None = None
    anchored_hash: str | None = None
    async for event in events:
        last_seq = max(last_seq, event.seq)
        if anchor is not None and event.seq == anchor.seq:
            anchored_hash = event.hash
        if broken is None:
            broken = _misfit(event, expected_seq, prev_hash)
            if broken is None:
                prev_hash, expected_seq, count = event.hash, expected_seq + 1, count + 1
        # Past the first break, read on only as far as the anchored entry.
        if broken is not None and (anchor is None or anchored_hash is not None or event.seq > anchor.seq):
            break
    head_seq, head_hash = head
    if broken is None and (head_seq != count or (count and head_hash != prev_hash)):
        broken = (count + 1, f"entries after {count} were removed")
    anchor_problem = "" if anchor is None else _departure(anchor, anchored_hash, last_seq)
    if broken is None:
        return ChainReport(count, None, "", anchor_problem)
    return ChainReport(count, broken[0], broken[1], anchor_problem)


async def extension_problem(
    events: AsyncIterator[AuditEvent], anchor: Anchor | None, head: tuple[int, str]
) -> str:
    """Why the chain up to `head` does not extend `anchor` whole; "" when it does.

    `events` start at the anchored entry (from the first entry when there is no
    anchor). Entries after `head` (committed since it was read) are not looked at.
    """
    head_seq, head_hash = head
    start = anchor.seq if anchor is not None else 0
    if head_seq < start:
        return _departure(anchor, None, head_seq) if anchor is not None else ""
    expected_seq, prev_hash = max(start, 1), GENESIS
    async for event in events:
        if event.seq > head_seq:
            break
        if anchor is not None and expected_seq == anchor.seq:
            # The anchored entry itself: still the one the checkpoint recorded, and intact.
            if event.seq != anchor.seq or event.hash != anchor.hash:
                return _departure(anchor, event.hash if event.seq == anchor.seq else None, event.seq)
            if entry_hash(event, event.prev_hash) != event.hash:
                return f"entry {event.seq} was changed"
        else:
            misfit = _misfit(event, expected_seq, prev_hash)
            if misfit is not None:
                return misfit[1]
        prev_hash, expected_seq = event.hash, expected_seq + 1
    if anchor is not None and expected_seq == anchor.seq and anchor.seq > 0:
        return _departure(anchor, None, anchor.seq)  # the head is past the anchored entry, which is gone
    if expected_seq - 1 != head_seq or (head_seq and prev_hash != head_hash):
        return f"entries after {expected_seq - 1} were removed"
    return ""


def _misfit(event: AuditEvent, expected_seq: int, prev_hash: str) -> tuple[int, str] | None:
    if event.seq != expected_seq:
        return expected_seq, f"entry {expected_seq} is missing or out of order"
    if event.prev_hash != prev_hash or entry_hash(event, prev_hash) != event.hash:
        return event.seq, f"entry {event.seq} was changed"
    return None


def _departure(anchor: Anchor, anchored_hash: str | None, last_seq: int) -> str:
    """How a chain whose entry `anchor.seq` has `anchored_hash` (None: absent) departs from the anchor."""
    if anchor.seq == 0 or anchored_hash == anchor.hash:
        return ""
    if anchored_hash is not None:
        return f"rewritten: entry {anchor.seq} is not the entry a signed checkpoint recorded"
    if last_seq == 0:
        return f"wiped: the chain has no entries, but a signed checkpoint covers entries 1 to {anchor.seq}"
    if last_seq < anchor.seq:
        return (
            f"truncated: the chain ends at entry {last_seq},"
            f" but a signed checkpoint covers entries 1 to {anchor.seq}"
        )
    return f"truncated: entry {anchor.seq}, which a signed checkpoint covers, is missing"
