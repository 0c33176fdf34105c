"""Building audit events. Details hold ids, levels and methods: never content, numbers or codes."""

from __future__ import annotations

from datetime import datetime

from messaging.model import Actor
from store.records import AuditEvent


def event(actor: Actor, action: str, target: str, at: datetime, **details: str) -> AuditEvent:
    return AuditEvent(
        org_id=actor.org_id,
        at=at,
        actor=actor.audit_name,
        action=action,
        target=target,
        details=dict(details),
    )
