"""The message card, shown in a Teams dialog with **Tillbaka**.

The content is on the card only when the viewer's sign-in level suffices; otherwise the card says which
level is needed and offers the recipient portal, where the user steps up. A long body is cut, with
**Visa hela** to show all of it (within the card's 40 KB). Attachments are links to `sigill serve`, which asks
for the user's sign-in before it streams a file. Dialogs answer Action.Submit, so the buttons here submit.
"""

from __future__ import annotations

from typing import Final

from adaptive_cards import verbs
from adaptive_cards.elements import (
    CardTooLarge,
    Element,
    action_sets,
    card,
    cut,
    facts,
    heading,
    open_url,
    submit,
    text_block,
    user_text,
    when,
)
from adaptive_cards.folders import status_label
from adaptive_cards.strings import Locale, text
from adaptive_cards.views import MessageView

# A body shown at first; "Visa hela" shows up to the most a card holds (Swedish letters take two bytes).
BODY_PREVIEW_CHARS: Final = 2000
BODY_FULL_CHARS: Final = 10_000
ADDRESS_CHARS: Final = 60


def message_card(view: MessageView, locale: Locale) -> Element:
    """When the whole body and the attachments do not fit in 40 KB, the body is cut further."""
    limits = (BODY_FULL_CHARS, 5000, 2000) if view.show_full else (BODY_PREVIEW_CHARS, 500)
    for limit in limits[:-1]:
        try:
            return _message_card(view, locale, limit)
        except CardTooLarge:
            continue
    return _message_card(view, locale, limits[-1])


def _message_card(view: MessageView, locale: Locale, body_chars: int) -> Element:
    body: list[Element] = []
    if view.locked or view.subject is None:
        body.append(heading(text(locale, "message.locked", loa=view.loa, current=view.viewer_loa)))
    else:
        body.append(user_text(view.subject, size="Large", weight="Bolder", style="heading"))
    body.append(
        facts(
            [
                (text(locale, "message.from"), view.sender),
                (text(locale, "message.sent_at"), when(view.sent_at)),
                (text(locale, "message.level"), f"LoA{view.loa}"),
            ]
        )
    )
    actions: list[Element] = []
    if view.locked:
        if view.portal_url:
            actions.append(open_url(text(locale, "message.open_in_portal"), view.portal_url))
    else:
        actions += _content(view, locale, body, body_chars)
    body += _recipients(view, locale)
    actions.append(submit(text(locale, "nav.back"), verbs.DIALOG_BACK))
    return card(body, locale, actions=actions)


def _content(view: MessageView, locale: Locale, body: list[Element], body_chars: int) -> list[Element]:
    """Appends the body and the attachments; returns the actions the content brings.

    A cut body offers **Visa hela**; when even the whole view must cut it, the portal shows all of it.
    """
    shown, was_cut = cut(view.body or "", body_chars)
    body.append(user_text(shown, separator=True))
    if view.attachments:
        body.append(text_block(text(locale, "message.attachments"), weight="Bolder"))
        # Action titles are not markdown: a file's name shows as it is.
        body += action_sets(
            [open_url(f"📎 {cut(item.name, ADDRESS_CHARS)[0]}", item.url) for item in view.attachments]
        )
    if was_cut and not view.show_full:
        return [submit(text(locale, "message.show_all"), verbs.MESSAGE_FULL, message=view.message_id)]
    if was_cut and view.portal_url:
        return [open_url(text(locale, "message.open_in_portal"), view.portal_url)]
    return []


def _recipients(view: MessageView, locale: Locale) -> list[Element]:
    """The sender's view: each recipient with its status; the address opens the recipient's details."""
    if not view.recipients:
        return []
    items: list[Element] = [text_block(text(locale, "message.recipients"), weight="Bolder", separator=True)]
    for line in view.recipients:
        address = cut(line.address, ADDRESS_CHARS)[0]
        items.append(user_text(f"{status_label(line.status, locale)} · {address}", spacing="Small"))
    items += action_sets(
        [
            submit(f"{text(locale, 'message.details')}: {cut(line.address, ADDRESS_CHARS)[0]}", verbs.DETAILS_OPEN,
                   message=view.message_id, delivery=line.delivery_id)
            for line in view.recipients
        ]
    )  # fmt: skip
    return items
