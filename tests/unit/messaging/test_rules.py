"""The messaging rules that need no I/O: levels, methods, addresses, the open message."""

from __future__ import annotations

import pytest

from messaging.errors import InvalidRequest
from messaging.model import NewMessage, RecipientInput
from messaging.policy import default_method, may_open, method_reaches
from messaging.ports import Limits
from messaging.recipients import resolve
from messaging.validation import check_message, check_open_message, normalise_address
from store.records import Mailbox


@pytest.mark.parametrize(
    ("method", "loa", "allowed"),
    [
        ("email", 1, True),
        ("email", 2, False),
        ("sms", 2, True),
        ("sms", 3, False),
        ("eid", 1, True),
        ("eid", 3, True),
        ("siths", 3, True),
    ],
)
def test_a_method_must_reach_the_message_level(method: str, loa: int, allowed: bool) -> None:
    assert method_reaches(method, loa) is allowed


def test_a_higher_sign_in_opens_lower_messages_only() -> None:
    assert may_open(3, 2) and may_open(2, 2)
    assert not may_open(2, 3)


def test_only_loa1_has_a_default_method() -> None:
    assert default_method(1) == "email"
    assert default_method(2) is None and default_method(3) is None


def test_addresses_are_trimmed_and_lower_cased() -> None:
    assert normalise_address("  Anna.Andersson@Vasteras.Example ") == "anna.andersson@vasteras.example"
    for bad in ("anna", "anna@", "@x.se", "a b@x.se", "a@b"):
        with pytest.raises(InvalidRequest):
            normalise_address(bad)


def test_open_message_may_not_carry_a_personal_number() -> None:
    check_open_message("Ring oss på 021-39 00 00 om du har frågor.", Limits())
    with pytest.raises(InvalidRequest) as caught:
        check_open_message("Gäller 811218-9876", Limits())
    assert caught.value.code == "open_message_has_personal_number"


def test_link_recipient_data_is_normalised() -> None:
    sms = resolve(RecipientInput("x@example.org", "sms", phone="070-123 45 67"), 2, None)
    assert (sms.registered, sms.method, sms.contact) == (False, "sms", "+46701234567")
    eid = resolve(RecipientInput("x@example.org", "eid", personal_number="19121212-1212"), 3, None)
    assert eid.contact == "191212121212"
    siths = resolve(RecipientInput("x@example.org", "siths"), 3, None)
    assert siths.contact is None


def test_a_registered_recipient_needs_no_method() -> None:
    box = Mailbox("org", "jan@example.org", "Jan", "personal", ["u1"])
    resolved = resolve(RecipientInput("Jan@Example.org", "sms"), 3, box)
    assert resolved.registered and resolved.method is None


def test_recipient_limit_comes_from_the_limits() -> None:
    new = NewMessage([RecipientInput(f"r{i}@example.org") for i in range(3)], "Ämne", "Text", 1, False)
    check_message(new, Limits(max_recipients=3))
    with pytest.raises(InvalidRequest) as caught:
        check_message(new, Limits(max_recipients=2))
    assert caught.value.code == "too_many_recipients"
