"""What the levels of assurance and the identification methods are called and mean, in Swedish and English.

The one source of these words for every face: the Teams cards (adaptive_cards/strings.py takes them from here),
the REST API's `GET /api/v1/levels` and through it the staff web app. Each text is a pair, Swedish first, as the
user guide words it (one line per level), so a face can never show one wording and another face a second.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

from store.records import IdentificationMethod, Organisation

Language = Literal["sv", "en"]
LANGUAGES: Final[tuple[Language, ...]] = ("sv", "en")
# (Swedish, English).
Bilingual = tuple[str, str]

LEVEL_NAMES: Final[Mapping[int, Bilingual]] = {
    1: ("Tillitsnivå 1 (LoA1)", "Level 1 (LoA1)"),
    2: ("Tillitsnivå 2 (LoA2)", "Level 2 (LoA2)"),
    3: ("Tillitsnivå 3 (LoA3)", "Level 3 (LoA3)"),
}
LEVEL_HELP: Final[Mapping[int, Bilingual]] = {
    1: (
        "LoA1: mottagaren identifierar sig med användar-id och lösenord; en länkmottagare behöver bara e-postadressen.",
        "LoA1: the recipient identifies with user id and password; a link recipient needs only the e-mail address.",
    ),
    2: (
        "LoA2: användar-id, lösenord och PIN-kod via sms. Du behöver mottagarens mobilnummer.",
        "LoA2: user id, password and a PIN code by SMS. You need the recipient's mobile number.",
    ),
    3: (
        "LoA3: för känslig information; mottagaren identifierar sig med BankID, SITHS eller annan e-legitimation. "
        "Du behöver mottagarens personnummer.",
        "LoA3: for sensitive information; the recipient identifies with BankID, SITHS or another e-ID. "
        "You need the recipient's personal identity number.",
    ),
}
METHOD_LABELS: Final[Mapping[IdentificationMethod, Bilingual]] = {
    "email": ("E-post", "E-mail"),
    "sms": ("Sms-kod", "SMS code"),
    "eid": ("Svensk e-legitimation (BankID, Freja eID)", "Swedish e-ID (BankID, Freja eID)"),
    "siths": ("SITHS-kort", "SITHS card"),
}
OPEN_MESSAGE_WARNING: Final[Bilingual] = (
    "Det öppna meddelandet krypteras inte och visas i klartext. Skriv inga personuppgifter eller annan "
    "känslig information här. Lämnas fältet tomt skickas standardtexten.",
    "The open message is not encrypted and is shown in plain text. Do not write personal data or other "
    "sensitive information here. If left empty, the default text is sent.",
)
# Sent with the link when neither the sender nor the organisation wrote an open message. Swedish only: it is what
# the recipient reads, whatever language the sender's screen is in.
DEFAULT_OPEN_MESSAGE: Final = (
    "Du har fått ett krypterat meddelande. Öppna länken och identifiera dig för att läsa det."
)


def as_language(value: str) -> Language | None:
    """`value` as one of LANGUAGES ("sv", "en" exactly), or None."""
    for language in LANGUAGES:
        if value == language:
            return language
    return None


def in_language(text: Bilingual, language: Language) -> str:
    return text[LANGUAGES.index(language)]


def default_open_message(org: Organisation) -> str:
    """The open message a link recipient gets when the sender leaves the field empty."""
    return org.default_open_message.strip() or DEFAULT_OPEN_MESSAGE
