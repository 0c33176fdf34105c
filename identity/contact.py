"""Recipient data: mobile numbers and Swedish personal identity numbers, checked and normalised.

Normalised forms are what the rest of Sigill stores (encrypted) and compares: E.164 for phone numbers
(`+46701234567`) and the 12-digit form for personal and coordination numbers (`YYYYMMDDNNNN`).
"""

from __future__ import annotations

import re
from typing import Final

import phonenumbers
from personnummer import personnummer

from identity.errors import InvalidPersonalNumber, InvalidPhoneNumber

# FIXED_LINE_OR_MOBILE is accepted: in some numbering plans the two cannot be told apart, and refusing them
# would refuse real mobiles. A plain FIXED_LINE (e.g. 08-...) cannot receive an SMS.
_SMS_CAPABLE: Final = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)

# Longer inputs are not phone numbers; the cap keeps the parser from chewing on pasted text.
_MAX_PHONE_INPUT: Final = 40
_MAX_PERSONAL_NUMBER_INPUT: Final = 20

# Dashes people type (or word processors substitute) between the date and the last four digits.
_DASHES: Final = "-\u2010\u2011\u2012\u2013\u2014\u2212"
_SPACES: Final = " \u00a0\u202f"

# A candidate personal number inside free text: 6 or 8 date digits, an optional separator, 4 digits, and no
# digit directly before or after (so a long account number is not read as one).
_CANDIDATE: Final = re.compile(rf"(?<!\d)(\d{{8}}|\d{{6}})([{_DASHES}+{_SPACES}]?)(\d{{4}})(?!\d)")


def normalize_mobile(raw: str, region: str = "SE") -> str:
    """The E.164 form of a mobile number; national numbers are read in `region` (`070-123 45 67` → `+4670...`)."""
    text = raw.strip()
    if not text or len(text) > _MAX_PHONE_INPUT:
        raise InvalidPhoneNumber("phone number is missing or too long")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidPhoneNumber("phone number could not be parsed") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber("phone number is not valid")
    if phonenumbers.number_type(number) not in _SMS_CAPABLE:
        raise InvalidPhoneNumber(
            "phone number is not a mobile number",
            code="phone_not_mobile",
            message_sv="Numret är inte ett mobilnummer. Ange ett mobilnummer som kan ta emot sms.",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_personal_number(raw: str) -> str:
    """The 12-digit form `YYYYMMDDNNNN` of a personal identity or coordination number.

    Accepts `YYMMDD-NNNN`, `YYMMDD+NNNN` (100 years or older), `YYYYMMDD-NNNN`, and both without separator.
    The check digit and the date are verified (for a coordination number the day is the birth day plus 60).
    """
    text = raw.strip()
    if not text or len(text) > _MAX_PERSONAL_NUMBER_INPUT:
        raise InvalidPersonalNumber("personal number is missing or too long")
    compact = _normalise_separator(text)
    if compact is None:
        raise InvalidPersonalNumber("personal number is not in a recognised form")
    parsed = _parse(compact)
    if parsed is None:
        raise InvalidPersonalNumber("personal number has a wrong check digit or date")
    return parsed


def contains_personal_number(text: str) -> bool:
    """Whether `text` holds any valid personal identity or coordination number.

    Every candidate is checked with its check digit and date, so an order number or a phone number that merely
    has ten digits is not taken for a personal number (unless it happens to be a valid one).
    """
    for match in _CANDIDATE.finditer(text):
        date, separator, tail = match.groups()
        # "+" means "100 years or older" and changes the century; every other separator means "-".
        sep = "+" if separator == "+" else "-"
        if _parse(f"{date}{sep}{tail}") is not None:
            return True
    return False


def _normalise_separator(text: str) -> str | None:
    """`text` with its separator (if any) turned into `-` or `+`, or None if it is not digits and a separator."""
    match = _CANDIDATE.fullmatch(text)
    if match is None:
        return None
    date, separator, tail = match.groups()
    sep = "+" if separator == "+" else "-"
    return f"{date}{sep}{tail}"


def _parse(candidate: str) -> str | None:
    """The 12-digit form, or None when the library finds the number invalid."""
    try:
        number = personnummer.parse(candidate)
    except personnummer.PersonnummerException:
        return None
    long_form = str(number.format(long_format=True))
    return long_form if len(long_form) == 12 and long_form.isdigit() else None
