"""The message dialog and a recipient's details: message.open, message.full, dialog.back, details.open and the
recall (delivery.recall, delivery.recall.confirm).

The message opens in a Teams dialog (task/fetch); its buttons submit inside the dialog (task/submit). Everything
goes through messaging/ (reading.open_message, actions.recall), which checks access on every press: a forged or
foreign id gets the same "not found" card as a missing one. A message above the user's level shows who sent it,
when, the level it needs and a button to the web app, where the user steps up; never its content.
"""

from __future__ import annotations

from typing import Any

from microsoft_agents.activity import AdaptiveCardInvokeResponse
from microsoft_agents.hosting.core import AgentApplication, TurnContext, TurnState
from microsoft_agents.hosting.teams import TeamsAgentExtension

from adaptive_cards import verbs
from adaptive_cards.details import details_card, recall_confirm_card
from adaptive_cards.elements import Element
from adaptive_cards.message import message_card
from adaptive_cards.strings import text
from bot import views
from bot.context import BotContext, locale, staff_of_turn
from bot.errors import ForgedData, answer_errors, required
from bot.folders import teams_user_ids
from bot.replies import card_response, close_dialog, dialog_response
from messaging import actions, reading
from messaging.errors import NotFound, StepUpRequired
from messaging.model import Actor, OpenedMessage
from store.records import Delivery


def register(app: AgentApplication[TurnState], ctx: BotContext) -> None:
    teams: TeamsAgentExtension[TurnState] = TeamsAgentExtension(app)

    async def on_open(turn_context: TurnContext, state: TurnState, request: Any) -> dict[str, Any]:
        return _dialog(turn_context, await message_answer(ctx, turn_context, _task_data(turn_context), False))

    async def on_full(turn_context: TurnContext, state: TurnState, request: Any) -> dict[str, Any]:
        return _dialog(turn_context, await message_answer(ctx, turn_context, _task_data(turn_context), True))

    async def on_back(turn_context: TurnContext, state: TurnState, request: Any) -> dict[str, Any]:
        return close_dialog()

    async def on_details_in_dialog(
        turn_context: TurnContext, state: TurnState, request: Any
    ) -> dict[str, Any]:
        return _dialog(turn_context, await details_answer(ctx, turn_context, _task_data(turn_context)))

    async def on_details(
        turn_context: TurnContext, state: TurnState, data: Any
    ) -> AdaptiveCardInvokeResponse:
        return card_response(await details_answer(ctx, turn_context, data))

    async def on_recall(turn_context: TurnContext, state: TurnState, data: Any) -> AdaptiveCardInvokeResponse:
        return card_response(await recall_answer(ctx, turn_context, data, confirmed=False))

    async def on_recall_confirm(
        turn_context: TurnContext, state: TurnState, data: Any
    ) -> AdaptiveCardInvokeResponse:
        return card_response(await recall_answer(ctx, turn_context, data, confirmed=True))

    teams.task_module.on_fetch(verbs.MESSAGE_OPEN)(on_open)
    # A dialog's own buttons: the same verbs as task/submit.
    teams.task_module.on_submit(verbs.MESSAGE_OPEN)(on_open)
    teams.task_module.on_submit(verbs.MESSAGE_FULL)(on_full)
    teams.task_module.on_submit(verbs.DIALOG_BACK)(on_back)
    teams.task_module.on_submit(verbs.DETAILS_OPEN)(on_details_in_dialog)
    app.adaptive_card.action_execute(verbs.DETAILS_OPEN)(on_details)
    app.adaptive_card.action_execute(verbs.DELIVERY_RECALL)(on_recall)
    app.adaptive_card.action_execute(verbs.DELIVERY_RECALL_CONFIRM)(on_recall_confirm)


def _task_data(turn_context: TurnContext) -> Any:
    value = turn_context.activity.value
    return value.get("data") if isinstance(value, dict) else None


def _dialog(turn_context: TurnContext, card: Element) -> dict[str, Any]:
    return dialog_response(card, text(locale(turn_context), "app.name"))


def _actor(turn_context: TurnContext) -> Actor:
    actor = staff_of_turn(turn_context)
    if actor is None:
        raise NotFound("message")
    return actor


async def message_answer(ctx: BotContext, turn_context: TurnContext, data: Any, show_full: bool) -> Element:
    lang = locale(turn_context)

    async def work() -> Element:
        actor = _actor(turn_context)
        message_id = required(data, "message")
        try:
            opened = await reading.open_message(ctx.deps, actor, message_id)
        except StepUpRequired:
            header = await reading.header_above_level(ctx.deps, actor, message_id)
            return message_card(views.locked_message_view(header, actor, ctx.public_url), lang)
        return message_card(views.message_view(opened, actor, ctx.public_url, show_full=show_full), lang)

    return await answer_errors(lang, work)


async def details_answer(ctx: BotContext, turn_context: TurnContext, data: Any) -> Element:
    lang = locale(turn_context)

    async def work() -> Element:
        opened, delivery = await _sent_delivery(ctx, turn_context, data)
        return details_card(
            views.details_view(opened, delivery), lang, refresh_user_ids=teams_user_ids(turn_context)
        )

    return await answer_errors(lang, work)


async def recall_answer(ctx: BotContext, turn_context: TurnContext, data: Any, *, confirmed: bool) -> Element:
    lang = locale(turn_context)

    async def work() -> Element:
        opened, delivery = await _sent_delivery(ctx, turn_context, data)
        if not confirmed:
            return recall_confirm_card(views.details_view(opened, delivery), lang)
        recalled = await actions.recall(
            ctx.deps, _actor(turn_context), opened.message.message_id, delivery.delivery_id
        )
        return details_card(
            views.details_view(opened, recalled),
            lang,
            recalled_now=True,
            refresh_user_ids=teams_user_ids(turn_context),
        )

    return await answer_errors(lang, work)


async def _sent_delivery(
    ctx: BotContext, turn_context: TurnContext, data: Any
) -> tuple[OpenedMessage, Delivery]:
    """The message and one of its deliveries, for the sender's side only (anyone else: not found)."""
    actor = _actor(turn_context)
    message_id, delivery_id = required(data, "message"), required(data, "delivery")
    opened = await reading.open_message(ctx.deps, actor, message_id)
    if not opened.is_sender:
        raise ForgedData("message")
    delivery = next((d for d in opened.deliveries if d.delivery_id == delivery_id), None)
    if delivery is None:
        raise ForgedData("delivery")
    return opened, delivery
