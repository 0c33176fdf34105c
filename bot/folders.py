"""Folder cards: Inkorg, Skickade, Länkar of the user's own mailbox or of a function mailbox, 10 a page.

Verbs folder.open, folder.page, folder.filter and mailbox.open. Every press lists again through
messaging.folders.list_folder, which checks membership of the mailbox: a mailbox id in the card data is only a
wish. Pages go newest first; "Föregående" works because the card's cursor is the whole trail of store cursors
that led to the page (the store's keyset pages go forward only).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Final, cast

from microsoft_agents.activity import AdaptiveCardInvokeResponse
from microsoft_agents.hosting.core import AgentApplication, TurnContext, TurnState

from adaptive_cards import verbs
from adaptive_cards.elements import Element
from adaptive_cards.folders import PAGE_SIZE, folder_card
from adaptive_cards.views import AssigneeFilter, CaseStatusFilter, Folder, FolderView, MailboxRef
from bot import views
from bot.context import BotContext, locale, staff_of_turn
from bot.errors import ForgedData, answer_errors, optional
from bot.replies import card_response
from identity.addresses import canonical_address
from messaging import directory
from messaging.errors import NotFound
from messaging.folders import list_folder
from messaging.model import Actor
from store.ports import AssignedFilter

FOLDERS: Final[frozenset[str]] = frozenset({"inbox", "sent", "links"})
_ASSIGNEE: Final[dict[str, AssignedFilter | None]] = {
    "all": None,
    "mine": "me",
    "others": "others",
    "unassigned": "unassigned",
}
_STATUS: Final = frozenset({"open", "closed"})
# The trail of cursors a card carries: deep enough for any folder a person pages through by hand.
MAX_TRAIL: Final = 200


def register(app: AgentApplication[TurnState], ctx: BotContext) -> None:
    async def on_folder(turn_context: TurnContext, state: TurnState, data: Any) -> AdaptiveCardInvokeResponse:
        return card_response(await folder_answer(ctx, turn_context, data))

    async def on_mailbox(
        turn_context: TurnContext, state: TurnState, data: Any
    ) -> AdaptiveCardInvokeResponse:
        return card_response(await folder_answer(ctx, turn_context, {**_as_dict(data), "folder": "inbox"}))

    for verb in (verbs.FOLDER_OPEN, verbs.FOLDER_PAGE, verbs.FOLDER_FILTER):
        app.adaptive_card.action_execute(verb)(on_folder)
    app.adaptive_card.action_execute(verbs.MAILBOX_OPEN)(on_mailbox)


async def folder_answer(ctx: BotContext, turn_context: TurnContext, data: Any) -> Element:
    actor = staff_of_turn(turn_context)
    if actor is None:
        raise NotFound("mailbox")

    async def work() -> Element:
        folder = optional(data, "folder") or "inbox"
        if folder not in FOLDERS:
            raise ForgedData("folder")
        return await page(
            ctx,
            turn_context,
            actor,
            cast(Folder, folder),
            optional(data, "mailbox"),
            trail=decode_trail(optional(data, "cursor")),
            assignee=optional(data, "assignee") or "all",
            status=optional(data, "status") or "open",
        )

    return await answer_errors(locale(turn_context), work)


async def first_page(
    ctx: BotContext, turn_context: TurnContext, actor: Actor, folder: str, mailbox: str | None
) -> Element:
    """The first page of a folder (typed commands, and the Sent folder after a message is sent)."""
    if folder not in FOLDERS:
        raise ValueError(folder)

    async def work() -> Element:
        return await page(ctx, turn_context, actor, cast(Folder, folder), mailbox, trail=[])

    return await answer_errors(locale(turn_context), work)


async def page(
    ctx: BotContext,
    turn_context: TurnContext,
    actor: Actor,
    folder: Folder,
    mailbox: str | None,
    *,
    trail: list[str],
    assignee: str = "all",
    status: str = "open",
) -> Element:
    """One page of a folder; `trail` is the store cursors from the first page to this one."""
    box = await _mailbox(ctx, actor, mailbox)
    function = box is not None
    if function and folder == "inbox":
        if assignee not in _ASSIGNEE or status not in _STATUS:
            raise ForgedData("filter")
    else:
        assignee, status = "all", "open"
    filters: dict[str, Any] = {}
    if function and folder == "inbox":
        filters = {"assigned": _ASSIGNEE[assignee], "status": status}
    address = box.mailbox_id if box is not None else actor.email
    listed = await list_folder(
        ctx.deps, actor, address, folder, limit=PAGE_SIZE, cursor=trail[-1] if trail else None, **filters
    )
    view = FolderView(
        folder=folder,
        rows=[views.folder_row(item, folder, actor) for item in listed.items],
        page=len(trail) + 1,
        cursor=encode_trail(trail),
        # "" is the first page: the card still needs a value to show "Föregående".
        previous_cursor=(encode_trail(trail[:-1]) or "") if trail else None,
        next_cursor=(
            encode_trail([*trail, listed.next_cursor])
            if listed.next_cursor is not None and len(trail) < MAX_TRAIL
            else None
        ),
        mailbox=box,
        assignee_filter=cast(AssigneeFilter, assignee),
        status_filter=cast(CaseStatusFilter, status),
    )
    return folder_card(view, locale(turn_context), refresh_user_ids=teams_user_ids(turn_context))


async def _mailbox(ctx: BotContext, actor: Actor, address: str | None) -> MailboxRef | None:
    """The function mailbox named by card data, if the actor belongs to it (None: the actor's own mailbox)."""
    if address is None:
        return None
    _, boxes = await directory.profile(ctx.deps, actor)
    wanted = canonical_address(address)
    for box in boxes:
        if box.address == wanted and box.kind == "function":
            return MailboxRef(box.address, box.name)
    if any(box.address == wanted for box in boxes):
        return None  # the user's own mailbox, named
    raise NotFound("mailbox")


def teams_user_ids(turn_context: TurnContext) -> list[str]:
    """Who refreshes the card automatically: the user of this personal chat."""
    sender = turn_context.activity.from_property
    return [sender.id] if sender is not None and sender.id else []


def encode_trail(trail: list[str]) -> str | None:
    """None for the first page; else the store cursors, as one opaque string for the card's data."""
    if not trail:
        return None
    raw = json.dumps(trail, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_trail(value: str | None) -> list[str]:
    """The cursors of a card's data; anything a card of ours could not carry is forged."""
    if value is None:
        return []
    try:
        trail = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (binascii.Error, ValueError):
        raise ForgedData("cursor") from None
    if not isinstance(trail, list) or not trail or len(trail) > MAX_TRAIL:
        raise ForgedData("cursor")
    if not all(isinstance(item, str) and item for item in trail):
        raise ForgedData("cursor")
    return trail


def _as_dict(data: Any) -> dict[str, Any]:
    return dict(data) if isinstance(data, dict) else {}
