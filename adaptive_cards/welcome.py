"""The welcome card (on install and on "hjälp"), the refusal card, and small notice and confirmation cards."""

from __future__ import annotations

from collections.abc import Sequence

from adaptive_cards import verbs
from adaptive_cards.elements import Element, action_sets, card, execute, heading, text_block, user_text
from adaptive_cards.strings import Locale, text
from adaptive_cards.views import MailboxRef


def welcome_card(locale: Locale, mailboxes: Sequence[MailboxRef] = ()) -> Element:
    """Nytt meddelande, Inkorg, Skickade, Länkar, and one button per function mailbox of the user."""
    body = [heading(text(locale, "welcome.title")), text_block(text(locale, "welcome.intro"))]
    body += action_sets(
        [
            execute(text(locale, "nav.compose"), verbs.COMPOSE_NEW, style="positive"),
            execute(text(locale, "nav.inbox"), verbs.FOLDER_OPEN, folder="inbox"),
            execute(text(locale, "nav.sent"), verbs.FOLDER_OPEN, folder="sent"),
            execute(text(locale, "nav.links"), verbs.FOLDER_OPEN, folder="links"),
        ]
    )
    if mailboxes:
        body.append(text_block(text(locale, "welcome.mailboxes"), weight="Bolder", separator=True))
        # Action titles are not markdown: the mailbox's name shows as it is.
        body += action_sets(
            [execute(box.name, verbs.MAILBOX_OPEN, mailbox=box.mailbox_id) for box in mailboxes]
        )
    return card(body, locale)


def refusal_card(locale: Locale) -> Element:
    """The one card an unknown tenant or user gets: no action, nothing about the organisation."""
    return card(
        [heading(text(locale, "refusal.title")), text_block(text(locale, "refusal.text"), color="Attention")],
        locale,
    )


def notice_card(locale: Locale, title: str, message: str) -> Element:
    """A short answer (a refused or missing item); `message` may carry user data and is escaped."""
    return card([heading(title), user_text(message)], locale)


def confirm_card(locale: Locale, title: str, message: str, confirm: Element, cancel: Element) -> Element:
    """A confirmation step: `message` may carry user data and is escaped."""
    return card([heading(title), user_text(message)], locale, actions=[confirm, cancel])
