"""What a unit of work has staged: record writes in order, and audit events.

A record staged twice in one unit of work is merged, so the commit writes it
once, from its latest state: added then updated is one create; updated twice
is one replace conditioned on the version first read; added then deleted is
nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import Any, Literal

from store.backend import Kind, Write
from store.records import AuditEvent
from store.writes import write_of

type Op = Literal["create", "replace", "delete"]


@dataclass(slots=True)
class Staged:
    op: Op
    kind: Kind[Any]
    record: Any
    version: str


class Staging:
    def __init__(self, org_id: str) -> None:
        self.org_id = org_id
        self._records: dict[tuple[str, str], Staged] = {}
        self.events: list[AuditEvent] = []

    def stage(self, op: Op, kind: Kind[Any], record: Any) -> None:
        if record.org_id != self.org_id:
            raise ValueError(f"a {kind.name} of another organisation cannot be written in this unit of work")
        version: str = record.version
        if op != "create" and not version:
            raise ValueError(f"{op} needs a {kind.name} read from the store (its version is empty)")
        key = (kind.name, kind.id_of(record))
        earlier = self._records.get(key)
        if earlier is None:
            self._records[key] = Staged(op, kind, record, version)
        else:
            self._merge(key, earlier, op, record)

    def _merge(self, key: tuple[str, str], earlier: Staged, op: Op, record: Any) -> None:
        if op == "create" or earlier.op == "delete":
            raise ValueError(f"the {key[0]} {key[1]!r} is already staged in this unit of work")
        if op == "delete" and earlier.op == "create":
            del self._records[key]
            return
        earlier.record = record
        if op == "delete":
            earlier.op = "delete"

    def append(self, event: AuditEvent) -> None:
        if event.org_id != self.org_id:
            raise ValueError("an audit event of another organisation cannot be appended here")
        if event.at.tzinfo is None:
            raise ValueError("an audit event's time must carry a time zone")
        # The chain hashes the time as text; storing it in UTC keeps that text stable.
        event.at = event.at.astimezone(UTC)
        self.events.append(event)

    def staged(self) -> list[Staged]:
        return list(self._records.values())

    def writes(self) -> list[Write]:
        return [write_of(s.op, s.kind, s.record, s.version) for s in self._records.values()]

    def count(self) -> int:
        """Writes the commit will make: records, audit entries, and the chain head."""
        return len(self._records) + (len(self.events) + 1 if self.events else 0)

    def clear(self) -> None:
        self._records.clear()
        self.events.clear()
