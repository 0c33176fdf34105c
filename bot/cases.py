"""Cases of a function mailbox: case.manage (Hantera), take, release, close, delete (+ confirm).

messaging.cases decides: membership of the mailbox, who may take, release, close or delete. A refused action
(someone else holds the case) answers with the case card as it stands now, which names the holder, and the
refusal's sentence on top.
"""

from __future__ import annotations

from typing import Any, Final

from microsoft_agents.activity import AdaptiveCardInvokeResponse
from microsoft_agents.hosting.core import AgentApplication, TurnContext, TurnState

from adaptive_cards import verbs
from adaptive_cards.cases import case_card, case_delete_confirm_card
from adaptive_cards.elements import Element
from adaptive_cards.strings import text
from adaptive_cards.views import CaseCardView, MailboxRef
from bot import views
from bot.context import BotContext, locale, staff_of_turn
from bot.errors import answer_errors, required
from bot.folders import page, teams_user_ids
from bot.replies import card_response
from messaging import directory
from messaging.cases import CaseAction, act_on_case, case_summary
from messaging.errors import Conflict, NotFound
from messaging.model import Actor

_ACTIONS: Final[dict[str, CaseAction]] = {
    verbs.CASE_TAKE: "take",
    verbs.CASE_RELEASE: "release",
    verbs.CASE_CLOSE: "close",
}


def register(app: AgentApplication[TurnState], ctx: BotContext) -> None:
    async def on_case(turn_context: TurnContext, state: TurnState, data: Any) -> AdaptiveCardInvokeResponse:
        return card_response(await case_answer(ctx, turn_context, data))

    for verb in (verbs.CASE_MANAGE, verbs.CASE_TAKE, verbs.CASE_RELEASE, verbs.CASE_CLOSE):
        app.adaptive_card.action_execute(verb)(on_case)
    app.adaptive_card.action_execute(verbs.CASE_DELETE)(on_case)
    app.adaptive_card.action_execute(verbs.CASE_DELETE_CONFIRM)(on_case)


async def case_answer(ctx: BotContext, turn_context: TurnContext, data: Any) -> Element:
    lang = locale(turn_context)
    verb = _verb(turn_context)

    async def work() -> Element:
        actor = staff_of_turn(turn_context)
        if actor is None:
            raise NotFound("case")
        mailbox, case_id = required(data, "mailbox"), required(data, "case")
        notice = None
        if verb in _ACTIONS:
            try:
                await act_on_case(ctx.deps, actor, mailbox, case_id, _ACTIONS[verb])
            except Conflict as exc:
                notice = exc.message_sv if lang == "sv" else text(lang, "error.refused")
        elif verb == verbs.CASE_DELETE_CONFIRM:
            await act_on_case(ctx.deps, actor, mailbox, case_id, "delete")
            return await page(ctx, turn_context, actor, "inbox", mailbox, trail=[])
        view = await _case_view(ctx, actor, mailbox, case_id)
        if verb == verbs.CASE_DELETE:
            return case_delete_confirm_card(view, lang)
        return case_card(view, lang, notice=notice, refresh_user_ids=teams_user_ids(turn_context))

    return await answer_errors(lang, work)


async def _case_view(ctx: BotContext, actor: Actor, mailbox: str, case_id: str) -> CaseCardView:
    summary = await case_summary(ctx.deps, actor, mailbox, case_id)
    box = await _mailbox_ref(ctx, actor, summary.case.mailbox)
    return views.case_card_view(
        box,
        summary.case,
        actor,
        summary.holder_name,
        subject=summary.subject,
        sender=summary.message.sender_mailbox,
        time=summary.message.sent_at,
        loa=summary.message.loa,
    )


async def _mailbox_ref(ctx: BotContext, actor: Actor, address: str) -> MailboxRef:
    _, boxes = await directory.profile(ctx.deps, actor)
    for box in boxes:
        if box.address == address:
            return MailboxRef(box.address, box.name)
    raise NotFound("mailbox")


def _verb(turn_context: TurnContext) -> str:
    value = turn_context.activity.value
    action = value.get("action") if isinstance(value, dict) else None
    verb = action.get("verb") if isinstance(action, dict) else None
    return verb if isinstance(verb, str) else ""
