"""The life of a delivery, in one place: which moves exist, and what each one records.

    unopened ──open──► opened ──answer──► answered ──answer──► answered
        │                                     ▲
        ├──answer─────────────────────────────┘   (answering is reading: opened_at is set too)
        └──recall──► recalled                     (final: nothing moves a recalled delivery)

Each move checks its guard first and changes nothing when the guard refuses, raising the
domain `Conflict` with a stable code (`delivery_<status>`), as the case rules in
`messaging.cases` do. The functions only change the record; the caller stages it in a unit of
work, so a move that loses a race to another writer fails at commit, not here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from messaging.errors import Conflict
from store.records import Delivery, DeliveryStatus

# What has happened to a delivery, in the words of "… it has been …".
_PAST_SV: Final[dict[DeliveryStatus, str]] = {
    "unopened": "inte öppnats",
    "opened": "öppnats",
    "answered": "besvarats",
    "recalled": "redan återkallats",
}


def is_readable(delivery: Delivery) -> bool:
    """Whether the recipient may still read it: anything but a recall."""
    return delivery.status != "recalled"


def open_delivery(delivery: Delivery, *, at: datetime, method: str, loa: int) -> bool:
    """unopened → opened, recording when, how and at which level; True if this call moved it.

    Reading an opened or answered delivery again moves nothing (the first open is the one
    recorded). A recalled delivery cannot be opened.
    """
    if delivery.status == "recalled":
        raise _refused(delivery, "Meddelandet kan inte öppnas")
    if delivery.status != "unopened":
        return False
    delivery.status = "opened"
    delivery.opened_at = at
    delivery.opened_method = method
    delivery.opened_loa = loa
    return True


def answer_delivery(delivery: Delivery, *, at: datetime, reply_message_id: str | None = None) -> None:
    """unopened, opened or answered → answered. The first answer's time is kept, and the latest reply's id.

    Answering an unopened delivery (a reply straight from a notice) also counts as opening it.
    """
    if delivery.status == "recalled":
        raise _refused(delivery, "Meddelandet kan inte besvaras")
    if delivery.status == "unopened":
        delivery.opened_at = at
    delivery.status = "answered"
    if delivery.answered_at is None:
        delivery.answered_at = at
    if reply_message_id is not None:
        delivery.reply_message_id = reply_message_id


def recall_delivery(delivery: Delivery, *, at: datetime) -> None:
    """unopened → recalled. Once opened, answered or recalled, a delivery cannot be recalled."""
    if delivery.status != "unopened":
        raise _refused(delivery, "Meddelandet kan inte återkallas")
    delivery.status = "recalled"
    delivery.recalled_at = at


def _refused(delivery: Delivery, what_sv: str) -> Conflict:
    status = delivery.status
    return Conflict(
        f"delivery_{status}",
        f"{what_sv}: det har {_PAST_SV[status]}.",
        f"The delivery is {status}.",
    )
