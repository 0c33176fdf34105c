"""What every simulator shares: the pending identifications the /dev/eid page lists, and its one error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class PendingIdentification:
    """An identification waiting for a person: which method, its reference, since when, and whom it asks for."""

    method: str  # "bankid", "freja" or "siths"
    reference: str
    started_at: datetime
    requested: str = ""  # the personal number the relying party asked for, if any


class NoSuchPending(LookupError):
    """No pending identification has that reference (or none is pending at all)."""
