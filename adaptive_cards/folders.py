"""Folder cards: Inkorg, Skickade, Länkar, of the user or of a function mailbox; pages of 10.

Each row shows the subject, the other party, the time (Stockholm), the level and a status icon with its word,
so a screen reader says "Oöppnat" rather than nothing. A locked row (above the viewer's level) shows no
subject. In a function mailbox a taken case sits in a highlighted container with "Taget av <namn>", and
each row has its **Hantera** button; the filters are two choice sets and a **Filtrera** button.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from adaptive_cards import verbs
from adaptive_cards.elements import (
    Element,
    action_sets,
    card,
    container,
    cut,
    dialog,
    execute,
    text_block,
    user_text,
    when,
)
from adaptive_cards.strings import Locale, text
from adaptive_cards.views import FolderRow, FolderView
from store.records import DeliveryStatus

PAGE_SIZE: Final = 10
# Enough of a subject or a name to recognise it; the message dialog shows the whole.
ROW_SUBJECT_CHARS: Final = 120
ROW_NAME_CHARS: Final = 80
STATUS_ICONS: Final[dict[DeliveryStatus, str]] = {
    "unopened": "✉️",
    "opened": "📖",
    "answered": "↩️",
    "recalled": "⛔",
}
_FOLDER_TITLES: Final = {"inbox": "nav.inbox", "sent": "nav.sent", "links": "nav.links"}


def status_label(status: DeliveryStatus, locale: Locale) -> str:
    """The icon and its word: the word is what a screen reader reads."""
    return f"{STATUS_ICONS[status]} {text(locale, f'status.{status}')}"


def folder_card(view: FolderView, locale: Locale, *, refresh_user_ids: Sequence[str] = ()) -> Element:
    if len(view.rows) > PAGE_SIZE:
        raise ValueError(f"a page holds at most {PAGE_SIZE} rows")
    mailbox_id = view.mailbox.mailbox_id if view.mailbox else None
    folder_title = text(locale, _FOLDER_TITLES[view.folder])
    title = (
        text(locale, "mailbox.title", name=view.mailbox.name, folder=folder_title)
        if view.mailbox
        else folder_title
    )
    body: list[Element] = [user_text(title, size="Large", weight="Bolder", style="heading")]
    body += action_sets(_folder_tabs(view, locale, mailbox_id))
    if view.mailbox:
        body += _filters(view, locale)
    if view.rows:
        body += [_row(row, view, locale) for row in view.rows]
    else:
        body.append(text_block(text(locale, "folder.empty"), isSubtle=True))
    body.append(text_block(text(locale, "nav.page", page=view.page), size="Small", isSubtle=True))
    where = _where(view)
    pager = []
    if view.previous_cursor is not None:
        pager.append(
            execute(text(locale, "nav.previous"), verbs.FOLDER_PAGE, cursor=view.previous_cursor, **where)
        )
    if view.next_cursor is not None:
        pager.append(execute(text(locale, "nav.next"), verbs.FOLDER_PAGE, cursor=view.next_cursor, **where))
    # Teams refreshes the card when it is shown again, so statuses (opened, taken) stay current.
    refresh = execute(
        text(locale, "nav.page", page=view.page), verbs.FOLDER_PAGE, cursor=view.cursor, **where
    )
    return card(body, locale, actions=pager, refresh=refresh, refresh_user_ids=refresh_user_ids)


def _where(view: FolderView) -> dict[str, str | None]:
    """The folder a page action is about: its name, its mailbox and, in a function mailbox, its filters."""
    if view.mailbox is None:
        return {"folder": view.folder}
    return {"folder": view.folder, "mailbox": view.mailbox.mailbox_id,
            "assignee": view.assignee_filter, "status": view.status_filter}  # fmt: skip


def _folder_tabs(view: FolderView, locale: Locale, mailbox_id: str | None) -> list[Element]:
    tabs = []
    for folder, key in _FOLDER_TITLES.items():
        if folder != view.folder:
            tabs.append(execute(text(locale, key), verbs.FOLDER_OPEN, folder=folder, mailbox=mailbox_id))
    if view.mailbox is None:
        tabs.insert(0, execute(text(locale, "nav.compose"), verbs.COMPOSE_NEW))
    return tabs


def _filters(view: FolderView, locale: Locale) -> list[Element]:
    assert view.mailbox is not None
    assignee = {
        "type": "Input.ChoiceSet", "id": "assignee", "label": text(locale, "filter.assignee"),
        "style": "compact", "value": view.assignee_filter,
        "choices": [{"title": text(locale, f"filter.{key}"), "value": key}
                    for key in ("all", "mine", "others", "unassigned")],
    }  # fmt: skip
    status = {
        "type": "Input.ChoiceSet", "id": "status", "label": text(locale, "filter.status"),
        "style": "compact", "value": view.status_filter,
        "choices": [{"title": text(locale, f"filter.{key}"), "value": key} for key in ("open", "closed")],
    }  # fmt: skip
    columns = {
        "type": "ColumnSet",
        "columns": [
            {"type": "Column", "width": "stretch", "items": [assignee]},
            {"type": "Column", "width": "stretch", "items": [status]},
        ],
    }
    apply = execute(text(locale, "filter.apply"), verbs.FOLDER_FILTER, folder=view.folder,
                    mailbox=view.mailbox.mailbox_id)  # fmt: skip
    return [columns, *action_sets([apply])]


def _row(row: FolderRow, view: FolderView, locale: Locale) -> Element:
    subject = (
        user_text(cut(row.subject, ROW_SUBJECT_CHARS)[0], weight="Bolder")
        if row.subject is not None
        else text_block(text(locale, "folder.locked", loa=row.loa), weight="Bolder", isSubtle=True)
    )
    counterpart_key = "folder.from" if view.folder == "inbox" else "folder.to"
    details = [text(locale, counterpart_key, name=cut(row.counterpart, ROW_NAME_CHARS)[0])]
    if row.method is not None:
        details.append(text(locale, f"method.{row.method}"))
    if row.has_attachments:
        details.append("📎 " + text(locale, "folder.attachments"))
    main_items = [subject, user_text(" · ".join(details), spacing="None", isSubtle=True)]
    if row.case is not None:
        main_items.append(_case_line(row, locale))
    columns = {
        "type": "ColumnSet",
        "columns": [
            {"type": "Column", "width": "auto", "items": [text_block(status_label(row.status, locale))]},
            {"type": "Column", "width": "stretch", "items": main_items},
            {"type": "Column", "width": "auto", "items": [
                text_block(when(row.time), size="Small"),
                text_block(text(locale, "folder.level", loa=row.loa), size="Small", spacing="None"),
            ]},
        ],
    }  # fmt: skip
    # Each row has buttons of its own rather than a select action on the whole row: a selectable row is one
    # button whose name hides the row's text from a screen reader, and a Hantera inside it would be a button in
    # a button (WCAG 2.5.3, 4.1.2).
    buttons = [_open_row(row, view, locale)]
    mailbox_id = view.mailbox.mailbox_id if view.mailbox else None
    if row.case is not None and mailbox_id is not None:
        buttons.append(
            execute(text(locale, "case.manage"), verbs.CASE_MANAGE, mailbox=mailbox_id, case=row.case.case_id)
        )
    items: list[Element] = [columns, *action_sets(buttons)]
    taken = row.case is not None and row.case.holder_name is not None
    props: dict[str, object] = {"separator": True}
    if taken:
        props["style"] = "warning"
    return container(items, **props)


def _case_line(row: FolderRow, locale: Locale) -> Element:
    assert row.case is not None
    if row.case.holder_name is not None:
        words = text(locale, "case.taken_by", name=row.case.holder_name)
    else:
        words = text(locale, "case.free")
    words += " · " + text(locale, f"case.{row.case.status}")
    return user_text(words, spacing="None", weight="Bolder" if row.case.holder_name else "Default")


def _open_row(row: FolderRow, view: FolderView, locale: Locale) -> Element:
    """Inbox and Sent open the message (a dialog); Links opens the recipient's details."""
    if view.folder == "links" and row.delivery_id is not None:
        title = text(locale, "folder.details_row")
        return execute(title, verbs.DETAILS_OPEN, message=row.message_id, delivery=row.delivery_id)
    return dialog(text(locale, "folder.open_row"), verbs.MESSAGE_OPEN, message=row.message_id)
