"""The details of one recipient of a sent message, and the recall confirmation.

Status, opened at, identification method, answered at; **Gå till meddelande**, **Visa svar** when the
recipient answered, and **Återkalla** while the delivery is unopened (a confirmation card comes first).
"""

from __future__ import annotations

from collections.abc import Sequence

from adaptive_cards import verbs
from adaptive_cards.elements import Element, card, dialog, execute, facts, heading, text_block, when
from adaptive_cards.folders import status_label
from adaptive_cards.strings import Locale, text
from adaptive_cards.views import DetailsView
from adaptive_cards.welcome import confirm_card


def details_card(
    view: DetailsView, locale: Locale, *, recalled_now: bool = False, refresh_user_ids: Sequence[str] = ()
) -> Element:
    none = text(locale, "details.none")
    method = text(locale, f"method.{view.method}") if view.method else text(locale, "method.registered")
    body: list[Element] = [heading(text(locale, "details.title"))]
    if recalled_now:
        body.append(text_block(text(locale, "details.recalled"), color="Good", weight="Bolder"))
    body.append(
        facts(
            [
                (text(locale, "details.recipient"), view.address),
                (text(locale, "details.subject"), view.subject),
                (text(locale, "details.status"), status_label(view.status, locale)),
                (text(locale, "details.opened_at"), when(view.opened_at) if view.opened_at else none),
                (text(locale, "details.method"), method),
                (text(locale, "details.answered_at"), when(view.answered_at) if view.answered_at else none),
            ]
        )
    )
    actions = [dialog(text(locale, "details.go_to_message"), verbs.MESSAGE_OPEN, message=view.message_id)]
    if view.reply_message_id is not None:
        actions.append(
            dialog(text(locale, "details.show_reply"), verbs.MESSAGE_OPEN, message=view.reply_message_id)
        )
    if view.status == "unopened":
        actions.append(
            execute(text(locale, "details.recall"), verbs.DELIVERY_RECALL, style="destructive",
                    message=view.message_id, delivery=view.delivery_id)
        )  # fmt: skip
    refresh = execute(text(locale, "details.title"), verbs.DETAILS_OPEN, message=view.message_id,
                      delivery=view.delivery_id)  # fmt: skip
    return card(body, locale, actions=actions, refresh=refresh, refresh_user_ids=refresh_user_ids)


def recall_confirm_card(view: DetailsView, locale: Locale) -> Element:
    ids = {"message": view.message_id, "delivery": view.delivery_id}
    return confirm_card(
        locale,
        text(locale, "recall.title"),
        text(locale, "recall.text", address=view.address),
        execute(text(locale, "confirm.yes"), verbs.DELIVERY_RECALL_CONFIRM, style="destructive", **ids),
        execute(text(locale, "confirm.no"), verbs.DETAILS_OPEN, **ids),
    )
