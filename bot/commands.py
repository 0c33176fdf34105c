"""Typed commands and the welcome card.

On install (conversationUpdate with members added) and on `hjälp`/`help` the bot sends the welcome card. The
commands `nytt`, `inkorg`, `skickade`, `länkar`, `funktionsbrevlåda` (and `new`, `inbox`, `sent`, `links`,
`function mailbox`/`mailbox`) send the card its button would show; anything else gets the welcome card too.
"""

from __future__ import annotations

import unicodedata
from typing import Final

from microsoft_agents.activity import ActivityTypes
from microsoft_agents.hosting.core import AgentApplication, RouteRank, TurnContext, TurnState

from adaptive_cards.elements import Element
from adaptive_cards.strings import text
from adaptive_cards.views import MailboxRef
from adaptive_cards.welcome import notice_card, welcome_card
from bot import folders, replies
from bot.context import BotContext, locale, optional_module, staff_of_turn
from messaging import directory
from messaging.model import Actor

COMMANDS: Final[dict[str, str]] = {
    "hjälp": "help",
    "help": "help",
    "nytt": "compose",
    "nytt meddelande": "compose",
    "new": "compose",
    "new message": "compose",
    "inkorg": "inbox",
    "inbox": "inbox",
    "skickade": "sent",
    "sent": "sent",
    "länkar": "links",
    "links": "links",
    "funktionsbrevlåda": "mailbox",
    "funktionsbrevlådor": "mailbox",
    "function mailbox": "mailbox",
    "function mailboxes": "mailbox",
    "mailbox": "mailbox",
}


def command_of(typed: str | None) -> str:
    """The command a typed text names ("help" for anything unknown): case, accents' form and spaces forgiven."""
    words = " ".join(unicodedata.normalize("NFC", typed or "").casefold().split())
    return COMMANDS.get(words.strip(" /.!?"), "help")


def register(app: AgentApplication[TurnState], ctx: BotContext) -> None:
    async def on_members_added(turn_context: TurnContext, state: TurnState) -> None:
        actor = staff_of_turn(turn_context)
        if actor is not None:
            await replies.reply_card(turn_context, await welcome(ctx, turn_context, actor))

    async def on_message(turn_context: TurnContext, state: TurnState) -> None:
        actor = staff_of_turn(turn_context)
        if actor is not None:
            card = await card_for_command(ctx, turn_context, actor, command_of(turn_context.activity.text))
            await replies.reply_card(turn_context, card)

    async def on_unknown_invoke(turn_context: TurnContext, state: TurnState) -> None:
        # A verb or an invoke no module answers: a card from an older version of the app, or forged data.
        lang = locale(turn_context)
        card = notice_card(lang, text(lang, "error.title"), text(lang, "error.unknown_action"))
        await replies.answer_card(turn_context, card, dialog_title=text(lang, "app.name"))

    async def on_other_update(turn_context: TurnContext, state: TurnState) -> None:
        return None  # members removed, a renamed chat: nothing to say

    app.conversation_update("membersAdded")(on_members_added)
    app.add_route(_is_conversation_update, on_other_update, rank=RouteRank.LAST)
    app.add_route(_is_invoke, on_unknown_invoke, is_invoke=True, rank=RouteRank.LAST)
    # Every message, last: another module may claim a message first (none does today).
    app.message(None, rank=RouteRank.LAST)(on_message)


def _is_conversation_update(turn_context: TurnContext) -> bool:
    return turn_context.activity.type == ActivityTypes.conversation_update


def _is_invoke(turn_context: TurnContext) -> bool:
    return turn_context.activity.type == ActivityTypes.invoke


async def welcome(ctx: BotContext, turn_context: TurnContext, actor: Actor) -> Element:
    return welcome_card(locale(turn_context), await function_mailboxes(ctx, actor))


async def function_mailboxes(ctx: BotContext, actor: Actor) -> list[MailboxRef]:
    _, boxes = await directory.profile(ctx.deps, actor)
    return [MailboxRef(box.address, box.name) for box in boxes if box.kind == "function"]


async def card_for_command(ctx: BotContext, turn_context: TurnContext, actor: Actor, command: str) -> Element:
    if command == "compose":
        compose = optional_module("bot.compose")
        if compose is not None:
            card: Element = await compose.compose_card(ctx, turn_context, actor)
            return card
    if command in ("inbox", "sent", "links"):
        return await folders.first_page(ctx, turn_context, actor, command, None)
    if command == "mailbox":
        boxes = await function_mailboxes(ctx, actor)
        if len(boxes) == 1:
            return await folders.first_page(ctx, turn_context, actor, "inbox", boxes[0].mailbox_id)
    return await welcome(ctx, turn_context, actor)
