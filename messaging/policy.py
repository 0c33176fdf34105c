"""The level-of-assurance rules."""

from __future__ import annotations

from typing import Final

# The level each identification method of a link recipient reaches.
METHOD_LOA: Final[dict[str, int]] = {"email": 1, "sms": 2, "eid": 3, "siths": 3}
LEVELS: Final[tuple[int, ...]] = (1, 2, 3)


def method_reaches(method: str, loa: int) -> bool:
    """LoA1 with e-ID is fine; LoA3 with SMS is not."""
    return METHOD_LOA[method] >= loa


def default_method(loa: int) -> str | None:
    """The method assumed when the sender names none: only e-mail needs no data."""
    return "email" if loa == 1 else None


def may_open(sign_in_loa: int, message_loa: int) -> bool:
    """A higher level opens lower-level messages; a lower one must step up first."""
    return sign_in_loa >= message_loa
