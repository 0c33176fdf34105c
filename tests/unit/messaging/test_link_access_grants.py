"""A grant from a link session opens only its own delivery, at the level the message asks for."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from messaging.link_access import Grant, Link, granted
from store.records import Delivery, IdentificationMethod, Message, Organisation

SENT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def link(method: IdentificationMethod, loa: int) -> Link:
    org = Organisation("org1", "Västerås stad", "vasteras.example")
    message = Message("org1", "m1", "m1", "anna@vasteras.example", "u1", SENT, loa, True, b"", b"")
    delivery = Delivery(
        "org1", "d1", "m1", "anna@vasteras.example", "x@example.se", "link", SENT, method=method
    )
    return Link(org, delivery, message)


def test_the_grant_of_this_delivery_opens_it() -> None:
    assert granted(link("sms", 2), Grant("org1", "d1", "sms", 2))
    assert granted(link("email", 1), Grant("org1", "d1", "email", 1))


@pytest.mark.parametrize(
    "grant",
    [
        None,
        Grant("org1", "d2", "sms", 2),  # another delivery
        Grant("org2", "d1", "sms", 2),  # another organisation
        Grant("org1", "d1", "email", 1),  # below the message's level
    ],
)
def test_any_other_grant_opens_nothing(grant: Grant | None) -> None:
    assert not granted(link("sms", 2), grant)


def test_a_grant_below_the_methods_level_opens_nothing_even_for_a_lower_message() -> None:
    # A LoA1 message sent with e-ID: the recipient must still identify with e-ID.
    assert not granted(link("eid", 1), Grant("org1", "d1", "email", 1))
    assert granted(link("eid", 1), Grant("org1", "d1", "bankid", 3))
