"""Domain errors as cards: a short sentence for people, nothing that tells a forged id from a missing one.

NotFound (absent, or not the user's to see), a forged page cursor and a forged or foreign id all become the same
"not found" card. Other refusals (a conflict, a rule) carry their own Swedish sentence from messaging/; in
English the card says the same in general words, since messaging/ speaks Swedish only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from adaptive_cards.elements import Element
from adaptive_cards.strings import Locale, text
from adaptive_cards.welcome import notice_card
from messaging.errors import MessagingError, NotFound, StepUpRequired
from store.errors import ConflictError, InvalidCursor

T = TypeVar("T")


class ForgedData(Exception):
    """Card data that no card of ours could have carried (a missing or malformed id): answered as not found."""


def not_found_card(locale: Locale) -> Element:
    return notice_card(locale, text(locale, "error.title"), text(locale, "error.not_found"))


def domain_card(exc: Exception, locale: Locale) -> Element:
    """The card for a refusal of messaging/ or the store (anything else is not a refusal: re-raise it)."""
    if isinstance(exc, (NotFound, ForgedData, InvalidCursor, StepUpRequired)):
        # StepUpRequired only reaches the bot for a message it never lists to this user above their level;
        # saying "not found" keeps the answer the same as for a forged id.
        return not_found_card(locale)
    if isinstance(exc, ConflictError):
        return notice_card(locale, text(locale, "error.title"), text(locale, "error.changed"))
    if isinstance(exc, MessagingError):
        message = exc.message_sv if locale == "sv" else text(locale, "error.refused")
        return notice_card(locale, text(locale, "error.title"), message)
    raise exc


REFUSALS: tuple[type[Exception], ...] = (MessagingError, ForgedData, InvalidCursor, ConflictError)


async def answer_errors(locale: Locale, work: Callable[[], Awaitable[Element]]) -> Element:
    """`work()`'s card, or the card of the refusal it raised."""
    try:
        return await work()
    except REFUSALS as exc:
        return domain_card(exc, locale)


def required(data: object, key: str) -> str:
    """A string id from card data; anything else is forged."""
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, str) or not value or len(value) > 200:
        raise ForgedData(key)
    return value


def optional(data: object, key: str) -> str | None:
    value = data.get(key) if isinstance(data, dict) else None
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 8000:
        raise ForgedData(key)
    return value
