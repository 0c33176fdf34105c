"""The card a staff user gets in their chat with the bot when a message arrives for them or their function mailbox.

It says who sent the message, at which level of assurance, and (for a function mailbox) which mailbox, with one
button that opens the message in a dialog, where the bot checks the user's access and level as for any other
opening. Never the subject or anything else of the content: the card is sent unasked, outside any check of
the reader's level, and stays in the chat's history.
"""

from __future__ import annotations

from dataclasses import dataclass

from adaptive_cards import verbs
from adaptive_cards.elements import Element, card, dialog, facts, heading, text_block
from adaptive_cards.strings import Locale, text


@dataclass(frozen=True, slots=True)
class ArrivalView:
    message_id: str
    # The sending mailbox's name: a person, or a function such as "Socialtjänsten".
    sender: str
    loa: int
    # The function mailbox the message came to; None for the user's own mailbox.
    function_mailbox: str | None = None


def arrival_card(view: ArrivalView, locale: Locale) -> Element:
    intro = "arrival.function" if view.function_mailbox is not None else "arrival.personal"
    rows = [(text(locale, "arrival.from"), view.sender)]
    if view.function_mailbox is not None:
        rows.append((text(locale, "arrival.mailbox"), view.function_mailbox))
    rows.append((text(locale, "arrival.level"), text(locale, "folder.level", loa=view.loa)))
    body = [heading(text(locale, "arrival.title")), text_block(text(locale, intro)), facts(rows)]
    actions = [dialog(text(locale, "arrival.open"), verbs.MESSAGE_OPEN, message=view.message_id)]
    return card(body, locale, actions=actions)
