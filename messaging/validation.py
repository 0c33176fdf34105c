"""Checks on what a sender asks for, before anything is read or written."""

from __future__ import annotations

import re

from identity.contact import contains_personal_number
from messaging.errors import InvalidRequest
from messaging.model import NewMessage
from messaging.policy import LEVELS, METHOD_LOA
from messaging.ports import Limits

# Deliberately simple: one @, a dot in the domain, no spaces. Delivery proves the rest.
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_address(address: str) -> str:
    cleaned = address.strip().lower()
    if len(cleaned) > 254 or not _ADDRESS.match(cleaned):
        raise InvalidRequest(
            "recipient_address_invalid",
            "En mottagaradress är inte en giltig e-postadress.",
            f"Not a valid e-mail address: recipient {cleaned[:3]}…",
        )
    return cleaned


def check_message(new: NewMessage, limits: Limits) -> None:
    check_text(new.subject, new.body, limits)
    if new.loa not in LEVELS:
        raise InvalidRequest("loa_invalid", "Tillitsnivån måste vara 1, 2 eller 3.", "loa must be 1, 2 or 3")
    if not new.recipients:
        raise InvalidRequest("recipients_missing", "Ange minst en mottagare.", "At least one recipient.")
    if len(new.recipients) > limits.max_recipients:
        raise InvalidRequest(
            "too_many_recipients",
            f"Ett meddelande kan ha högst {limits.max_recipients} mottagare.",
            f"At most {limits.max_recipients} recipients.",
        )
    addresses = [normalise_address(r.address) for r in new.recipients]
    if len(set(addresses)) != len(addresses):
        raise InvalidRequest(
            "recipient_duplicate", "Samma mottagare står med två gånger.", "A recipient is listed twice."
        )
    for recipient in new.recipients:
        if recipient.method is not None and recipient.method not in METHOD_LOA:
            raise InvalidRequest(
                "method_invalid",
                "Identifieringsmetoden måste vara e-post, sms, e-legitimation eller SITHS.",
                "method must be email, sms, eid or siths",
            )
    check_open_message(new.open_message, limits)


def check_text(subject: str, body: str, limits: Limits) -> None:
    if not subject.strip():
        raise InvalidRequest("subject_missing", "Ange ett ämne.", "The subject is empty.")
    if len(subject) > limits.subject_max_chars:
        raise InvalidRequest(
            "subject_too_long",
            f"Ämnet får vara högst {limits.subject_max_chars} tecken.",
            f"The subject is longer than {limits.subject_max_chars} characters.",
        )
    if len(body) > limits.body_max_chars:
        raise InvalidRequest(
            "body_too_long",
            f"Meddelandet får vara högst {limits.body_max_chars} tecken.",
            f"The body is longer than {limits.body_max_chars} characters.",
        )


def check_open_message(text: str, limits: Limits) -> None:
    if len(text) > limits.open_message_max_chars:
        raise InvalidRequest(
            "open_message_too_long",
            f"Det öppna meddelandet får vara högst {limits.open_message_max_chars} tecken.",
            f"open_message is longer than {limits.open_message_max_chars} characters.",
        )
    if contains_personal_number(text):
        raise InvalidRequest(
            "open_message_has_personal_number",
            "Det öppna meddelandet skickas okrypterat och får inte innehålla ett personnummer.",
            "open_message is sent unencrypted and must not contain a personal identity number.",
        )
