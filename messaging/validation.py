"""Checks on what a sender asks for, before anything is read or written."""

from __future__ import annotations

import re
import unicodedata

from identity.addresses import canonical_address
from identity.contact import contains_personal_number
from messaging.errors import InvalidRequest
from messaging.model import NewMessage
from messaging.policy import LEVELS, METHOD_NAMES_SV, METHODS, is_method
from messaging.ports import Limits

# Deliberately simple: one @, a dot in the domain, no spaces. Delivery proves the rest.
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# C0 controls (NUL, CR, LF, TAB, ...), DEL, C1 controls, and the bidirectional embeddings, overrides and isolates
# (U+202A-202E, U+2066-2069) that make a text read otherwise than it is: "faktura\u202efdp.exe" shows as
# "fakturaexe.pdf". They have no business in a subject line or a file name.
_UNSAFE_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def normalise_address(address: str) -> str:
    """The canonical form of a recipient's address, refused unless it looks like one."""
    cleaned = canonical_address(address)
    if len(cleaned) > 254 or not _ADDRESS.match(cleaned):
        raise InvalidRequest(
            "recipient_address_invalid",
            "En mottagaradress är inte en giltig e-postadress.",
            f"Not a valid e-mail address: recipient {cleaned[:3]}…",
        )
    return cleaned


def method_invalid() -> InvalidRequest:
    names = [METHOD_NAMES_SV[m] for m in METHODS]
    return InvalidRequest(
        "method_invalid",
        f"Identifieringsmetoden måste vara {', '.join(names[:-1])} eller {names[-1]}.",
        f"method must be one of {', '.join(METHODS)}",
    )


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
        if recipient.method is not None and not is_method(recipient.method):
            raise method_invalid()
    check_open_message(new.open_message, limits)


def check_text(subject: str, body: str, limits: Limits) -> None:
    if not subject.strip():
        raise InvalidRequest("subject_missing", "Ange ett ämne.", "The subject is empty.")
    if _UNSAFE_CHARACTERS.search(subject):
        raise InvalidRequest(
            "subject_invalid_characters",
            "Ämnet får inte innehålla radbrytningar, styrtecken eller tecken som vänder textens riktning.",
            "The subject contains a control character or a bidirectional override or isolate.",
        )
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
    if any(contains_personal_number(variant) for variant in _readings(text)):
        raise InvalidRequest(
            "open_message_has_personal_number",
            "Det öppna meddelandet skickas okrypterat och får inte innehålla ett personnummer.",
            "open_message is sent unencrypted and must not contain a personal identity number.",
        )


def _readings(text: str) -> tuple[str, ...]:
    """The text as a reader may see it: the way it is written, with compatibility forms folded (NFKC: full-width
    digits and dashes), without invisible format characters (soft hyphens, zero-width spaces), and without any
    spacing at all, so `19121212 - 1212` and `１９１２１２１２－１２１２` read as the personal number they are."""
    folded = unicodedata.normalize("NFKC", text)
    visible = "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")
    compact = "".join(ch for ch in visible if not ch.isspace() and unicodedata.category(ch)[0] != "Z")
    return (text, folded, visible, compact)


def check_file_name(name: str) -> None:
    if _UNSAFE_CHARACTERS.search(name):
        raise InvalidRequest(
            "attachment_name_invalid_characters",
            "Ett filnamn får inte innehålla radbrytningar, styrtecken eller tecken som vänder textens riktning.",
            "An attachment's file name contains a control character or a bidirectional override or isolate.",
        )


def check_attachment_count(count: int, limits: Limits) -> None:
    if count > limits.max_attachments:
        raise InvalidRequest(
            "too_many_attachments",
            f"Ett meddelande kan ha högst {limits.max_attachments} bilagor.",
            f"At most {limits.max_attachments} attachments per message.",
        )
