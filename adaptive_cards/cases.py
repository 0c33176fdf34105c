"""The case card of a function mailbox (**Hantera**) and the delete confirmation.

The buttons follow the case: **Ta ärendet** when the viewer does not hold it, **Släpp ärendet** when they
do, **Avsluta ärendet** while it is open, and **Ta bort ärendet** (after a confirmation). The server decides
in the end: a take of a case someone else holds comes back refused, naming the holder.
"""

from __future__ import annotations

from collections.abc import Sequence

from adaptive_cards import verbs
from adaptive_cards.elements import Element, card, container, dialog, execute, facts, heading, user_text, when
from adaptive_cards.strings import Locale, text
from adaptive_cards.views import CaseCardView
from adaptive_cards.welcome import confirm_card


def case_card(
    view: CaseCardView, locale: Locale, *, notice: str | None = None, refresh_user_ids: Sequence[str] = ()
) -> Element:
    """`notice` is a line from the server about the last action (a refusal, for instance); it is escaped."""
    case = view.case
    ids = {"mailbox": view.mailbox.mailbox_id, "case": case.case_id}
    subject = view.subject if view.subject is not None else text(locale, "folder.locked", loa=view.loa)
    holder = (
        text(locale, "case.taken_by", name=case.holder_name)
        if case.holder_name
        else text(locale, "case.free")
    )
    body: list[Element] = [heading(text(locale, "case.title"))]
    if notice:
        body.append(user_text(notice, color="Attention", weight="Bolder"))
    summary = [
        facts(
            [
                (text(locale, "details.subject"), subject),
                (text(locale, "message.from"), view.counterpart),
                (text(locale, "message.sent_at"), when(view.time)),
                (text(locale, "filter.status"), text(locale, f"case.{case.status}")),
            ]
        ),
        user_text(holder, weight="Bolder"),
    ]
    body.append(container(summary, style="warning") if case.holder_name else container(summary))
    actions = [dialog(text(locale, "details.go_to_message"), verbs.MESSAGE_OPEN, message=view.message_id)]
    if case.status == "open" and not case.held_by_viewer:
        actions.append(execute(text(locale, "case.take"), verbs.CASE_TAKE, style="positive", **ids))
    if case.held_by_viewer:
        actions.append(execute(text(locale, "case.release"), verbs.CASE_RELEASE, **ids))
    if case.status == "open":
        actions.append(execute(text(locale, "case.close"), verbs.CASE_CLOSE, **ids))
    actions.append(execute(text(locale, "case.delete"), verbs.CASE_DELETE, style="destructive", **ids))
    actions.append(
        execute(text(locale, "nav.back"), verbs.FOLDER_OPEN, folder="inbox", mailbox=view.mailbox.mailbox_id)
    )
    refresh = execute(text(locale, "case.title"), verbs.CASE_MANAGE, **ids)
    return card(body, locale, actions=actions, refresh=refresh, refresh_user_ids=refresh_user_ids)


def case_delete_confirm_card(view: CaseCardView, locale: Locale) -> Element:
    ids = {"mailbox": view.mailbox.mailbox_id, "case": view.case.case_id}
    subject = view.subject if view.subject is not None else text(locale, "folder.locked", loa=view.loa)
    return confirm_card(
        locale,
        text(locale, "case.delete.title"),
        text(locale, "case.delete.text", subject=subject),
        execute(text(locale, "confirm.yes"), verbs.CASE_DELETE_CONFIRM, style="destructive", **ids),
        execute(text(locale, "confirm.no"), verbs.CASE_MANAGE, **ids),
    )
