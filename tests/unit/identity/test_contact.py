"""Mobile numbers and personal identity numbers as a sender types them."""

from __future__ import annotations

import pytest

from identity.contact import contains_personal_number, normalize_mobile, normalize_personal_number
from identity.errors import IdentityError, InvalidPersonalNumber, InvalidPhoneNumber


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("070-123 45 67", "+46701234567"),
        ("0701234567", "+46701234567"),
        ("+46 70 123 45 67", "+46701234567"),
        ("+46701234567", "+46701234567"),
        ("0046 70-123 45 67", "+46701234567"),
        (" 076-123 45 67 ", "+46761234567"),
        ("+358 40 1234567", "+358401234567"),
    ],
)
def test_mobile_numbers_become_e164(typed: str, e164: str) -> None:
    assert normalize_mobile(typed) == e164


def test_national_numbers_are_read_in_the_given_region() -> None:
    assert normalize_mobile("040 1234567", region="FI") == "+358401234567"


@pytest.mark.parametrize("landline", ["08-123 456 78", "+46 8 123 456 78", "031-123 45 67"])
def test_landlines_are_refused_because_they_cannot_receive_sms(landline: str) -> None:
    with pytest.raises(InvalidPhoneNumber) as caught:
        normalize_mobile(landline)
    assert caught.value.code == "phone_not_mobile"
    assert "mobilnummer" in caught.value.message_sv


@pytest.mark.parametrize(
    "junk", ["", "   ", "abc", "070-123", "+46 70 123 45 67 89", "1" * 50, "0771-123456"]
)
def test_invalid_numbers_are_refused(junk: str) -> None:
    with pytest.raises(InvalidPhoneNumber) as caught:
        normalize_mobile(junk)
    assert caught.value.code in {"phone_invalid", "phone_not_mobile"}
    assert caught.value.message_sv


def test_phone_errors_never_repeat_the_number() -> None:
    with pytest.raises(IdentityError) as caught:
        normalize_mobile("08-123 456 78")
    assert "123" not in str(caught.value)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("typed", "twelve_digits"),
    [
        ("19121212-1212", "191212121212"),
        ("191212121212", "191212121212"),
        ("121212+1212", "191212121212"),  # "+": a hundred years or older
        ("121212-1212", "201212121212"),
        ("198112189876", "198112189876"),
        ("811218-9876", "198112189876"),
        ("8112189876", "198112189876"),
        ("19811218 9876", "198112189876"),
        ("811218\u20139876", "198112189876"),  # an en dash, as word processors write it
        ("  19811218-9876\n", "198112189876"),
    ],
)
def test_personal_numbers_become_twelve_digits(typed: str, twelve_digits: str) -> None:
    assert normalize_personal_number(typed) == twelve_digits


@pytest.mark.parametrize("typed", ["19701063-2391", "701063-2391", "197010632391"])
def test_coordination_numbers_are_accepted(typed: str) -> None:
    # Day 63 is the 3rd plus 60: a coordination number for someone born 1970-10-03.
    assert normalize_personal_number(typed) == "197010632391"


@pytest.mark.parametrize(
    "typed",
    [
        "19121212-1213",  # wrong check digit
        "198112189877",  # wrong check digit
        "19990230-1234",  # 30 February
        "19990230-1238",  # 30 February, whatever the check digit
        "19701093-2391",  # day 93 - 60 = 33
        "19121300-1212",  # month 13
        "19121212-0002",  # birth number 000
        "1912121212",  # ten digits that do not make a valid number (YYMMDDNNNN reading)
        "19121212-121",
        "19121212--1212",
        "19121212/1212",
        "abcdefgh-ijkl",
        "",
        "1" * 30,
    ],
)
def test_invalid_personal_numbers_are_refused(typed: str) -> None:
    with pytest.raises(InvalidPersonalNumber) as caught:
        normalize_personal_number(typed)
    assert caught.value.code == "personal_number_invalid"
    assert "personnummer" in caught.value.message_sv
    assert not typed.strip() or typed.strip() not in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "Hej! Gäller 19121212-1212.",
        "pnr 121212-1212 tack",
        "pnr 121212+1212 tack",
        "pnr 1212121212 tack",
        "pnr 191212121212 tack",
        "pnr 19121212 1212 tack",
        "ref:811218-9876.",
        "samordningsnummer 701063-2391",
        "(19701063-2391)",
        "811218\u20139876",
        "rad ett\n198112189876\nrad tre",
    ],
)
def test_personal_numbers_are_found_in_free_text(text: str) -> None:
    assert contains_personal_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Välkommen på tisdag kl. 10.",
        "Ärendenummer 19121212-1213",  # wrong check digit
        "Faktura 1234567890",  # ten digits, not a valid number
        "Order 9912304567",  # 30 December 1999 but a wrong check digit
        "Datum 1999-02-30",
        "Konto 5191212121212",  # a valid number buried in a longer digit run is not one
        "Konto 19121212121234",
        "Ring 08-123 456 78",
        "19990230-1234",
    ],
)
def test_other_numbers_are_not_taken_for_personal_numbers(text: str) -> None:
    assert not contains_personal_number(text)
