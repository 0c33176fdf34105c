"""The verbs of the cards' actions: the whole list the bot answers, in one place.

Card data carries only a verb's opaque ids and page cursors, never a name, an address or content; the bot
re-checks every id on the server (a forged id gets the same answer as a missing one).

Verb                    data keys                         answered with
-----------------------------------------------------------------------------------------------
compose.new             -                                 the compose card
compose.refresh         draft                             the compose card again (level or method changed)
compose.send            draft                             the Sent folder, or the compose card with errors
compose.files           draft, msteams.type=task/fetch    the file dialog (a Teams task module)
folder.open             folder, mailbox?                  a folder card, first page
folder.page             folder, cursor?, mailbox?, assignee?, status?   a folder card at `cursor` (refresh)
folder.filter           folder, mailbox                   a function mailbox folder card, filters from inputs
message.open            message, msteams.type=task/fetch  the message card, in a dialog
message.full            message                           the message card with the whole body
dialog.back             -                                 closes the dialog (Tillbaka)
details.open            message, delivery                 the details card of one recipient
delivery.recall         message, delivery                 the recall confirmation card
delivery.recall.confirm message, delivery                 the details card, recalled
mailbox.open            mailbox                           the function mailbox's inbox
case.manage             mailbox, case                     the case card (Hantera)
case.take               mailbox, case                     the case card, taken
case.release            mailbox, case                     the case card, released
case.close              mailbox, case                     the case card, closed
case.delete             mailbox, case                     the delete confirmation card
case.delete.confirm     mailbox, case                     the function mailbox folder card
"""

from __future__ import annotations

from typing import Final

COMPOSE_NEW: Final = "compose.new"
COMPOSE_REFRESH: Final = "compose.refresh"
COMPOSE_SEND: Final = "compose.send"
COMPOSE_FILES: Final = "compose.files"
FOLDER_OPEN: Final = "folder.open"
FOLDER_PAGE: Final = "folder.page"
FOLDER_FILTER: Final = "folder.filter"
MESSAGE_OPEN: Final = "message.open"
MESSAGE_FULL: Final = "message.full"
DIALOG_BACK: Final = "dialog.back"
DETAILS_OPEN: Final = "details.open"
DELIVERY_RECALL: Final = "delivery.recall"
DELIVERY_RECALL_CONFIRM: Final = "delivery.recall.confirm"
MAILBOX_OPEN: Final = "mailbox.open"
CASE_MANAGE: Final = "case.manage"
CASE_TAKE: Final = "case.take"
CASE_RELEASE: Final = "case.release"
CASE_CLOSE: Final = "case.close"
CASE_DELETE: Final = "case.delete"
CASE_DELETE_CONFIRM: Final = "case.delete.confirm"

ALL: Final[frozenset[str]] = frozenset(
    {
        COMPOSE_NEW,
        COMPOSE_REFRESH,
        COMPOSE_SEND,
        COMPOSE_FILES,
        FOLDER_OPEN,
        FOLDER_PAGE,
        FOLDER_FILTER,
        MESSAGE_OPEN,
        MESSAGE_FULL,
        DIALOG_BACK,
        DETAILS_OPEN,
        DELIVERY_RECALL,
        DELIVERY_RECALL_CONFIRM,
        MAILBOX_OPEN,
        CASE_MANAGE,
        CASE_TAKE,
        CASE_RELEASE,
        CASE_CLOSE,
        CASE_DELETE,
        CASE_DELETE_CONFIRM,
    }
)
# The data keys a card may carry: opaque ids, page cursors, the folder's name and a function mailbox's
# filters (assignee: all, mine, others, unassigned; status: open, closed).
DATA_KEYS: Final[frozenset[str]] = frozenset(
    {
        "verb",
        "draft",
        "folder",
        "mailbox",
        "cursor",
        "message",
        "delivery",
        "case",
        "assignee",
        "status",
        "msteams",
    }
)
