"""The level-of-assurance rules.

The identification methods themselves are defined once, as `store.records.IdentificationMethod`
(the type every record, request and response uses); what each reaches and what it is called
here follow that definition, and a test holds them to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal, TypeGuard, get_args

from store.records import IdentificationMethod

METHODS: Final[tuple[IdentificationMethod, ...]] = get_args(IdentificationMethod)
# The level each identification method of a link recipient reaches.
METHOD_LOA: Final[Mapping[IdentificationMethod, int]] = {"email": 1, "sms": 2, "eid": 3, "siths": 3}
# What a method is called in Swedish, for messages to people.
METHOD_NAMES_SV: Final[Mapping[IdentificationMethod, str]] = {
    "email": "e-post",
    "sms": "sms",
    "eid": "e-legitimation",
    "siths": "SITHS-kort",
}
# What the sender must give for a link recipient to identify with each method: the mobile number the code goes to,
# the personal identity number the e-ID must show, or nothing (e-mail; SITHS matches the card's own address).
ContactNeed = Literal["phone", "personal_number"]
METHOD_NEEDS: Final[Mapping[IdentificationMethod, ContactNeed | None]] = {
    "email": None,
    "sms": "phone",
    "eid": "personal_number",
    "siths": None,
}
LEVELS: Final[tuple[int, ...]] = (1, 2, 3)


def is_method(value: str) -> TypeGuard[IdentificationMethod]:
    return value in METHODS


def method_reaches(method: IdentificationMethod, loa: int) -> bool:
    """LoA1 with e-ID is fine; LoA3 with SMS is not."""
    return METHOD_LOA[method] >= loa


def methods_reaching(loa: int) -> tuple[IdentificationMethod, ...]:
    """Every method a link recipient may identify with at `loa`, weakest first (a stronger one is always allowed)."""
    return tuple(sorted((m for m in METHODS if method_reaches(m, loa)), key=lambda m: METHOD_LOA[m]))


def default_method(loa: int) -> IdentificationMethod | None:
    """The method assumed when the sender names none: only e-mail needs no data."""
    return "email" if loa == 1 else None


def may_open(sign_in_loa: int, message_loa: int) -> bool:
    """A higher level opens lower-level messages; a lower one must step up first."""
    return sign_in_loa >= message_loa
