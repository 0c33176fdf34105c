"""Building the backend's `Write`s: domain records, and the audit entries that extend a chain."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from store.audit_chain import link
from store.backend import Kind, Stored, Write
from store.codec import decode, encode
from store.kinds import AUDIT_EVENT, AUDIT_HEAD, AuditHead
from store.records import AuditEvent


def write_of[R](op: Literal["create", "replace", "delete"], kind: Kind[R], record: R, version: str) -> Write:
    return Write(
        op=op,
        kind=kind,
        record_id=kind.id_of(record),
        version=version,
        sort_key=kind.sort_key_of(record),
        index=dict(kind.index_of(record)),
        members=list(kind.members_of(record)),
        body=encode(record),
    )


def head_of(stored: Stored | None) -> tuple[int, str]:
    """The (seq, hash) a stored chain head holds; (0, "") for a chain not begun."""
    if stored is None:
        return 0, ""
    head = decode(AuditHead, stored.body)
    return head.seq, head.hash


def chain_writes(scope: str, events: Sequence[AuditEvent], head: Stored | None) -> list[Write]:
    """Link `events` after `head` and return the writes that store them and move the head.

    The head write is conditioned on the head's version, so two writers that
    extended the same chain cannot both succeed.
    """
    seq, last_hash = head_of(head)
    writes = []
    for event in events:
        link(event, seq, last_hash)
        seq, last_hash = event.seq, event.hash
        writes.append(write_of("create", AUDIT_EVENT, event, ""))
    new_head = AuditHead(org_id=scope, seq=seq, hash=last_hash)
    if head is None:
        writes.append(write_of("create", AUDIT_HEAD, new_head, ""))
    else:
        writes.append(write_of("replace", AUDIT_HEAD, new_head, head.version))
    return writes
