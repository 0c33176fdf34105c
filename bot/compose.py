"""Compose in Teams: the card's verbs (compose.new, .refresh, .send, .files) over a draft kept by the server.

The card carries only its draft's opaque id; every action sends the card's inputs along, and they are taken
into the draft before anything else, so what was typed is kept whatever happens next. The draft holds the
whole body and the files from the file dialog (bot/drafts.py, bot/file_dialog.py).

Every rule is messaging's: who is registered and which identification methods reach a level come from
messaging/lookup.py, and a send goes through messaging.sending.send_message, whose refusal comes back on the
card next to the field it concerns (bot/compose_errors.py). The bot decides nothing itself.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Mapping
from typing import Any, Final

from microsoft_agents.activity import Activity, ActivityTypes, AdaptiveCardInvokeResponse
from microsoft_agents.hosting.core import AgentApplication, CardFactory, TurnContext, TurnState
from microsoft_agents.hosting.teams import TeamsAgentExtension

from adaptive_cards import verbs
from adaptive_cards.compose import compose_card as build_compose_card
from adaptive_cards.elements import Element
from adaptive_cards.strings import Locale, text
from adaptive_cards.views import ComposeRecipient, ComposeView
from adaptive_cards.welcome import notice_card
from bot import replies
from bot.compose_errors import errors_for
from bot.context import BotContext, locale, staff_of_turn
from bot.drafts import Draft, RecipientChoice
from bot.file_dialog import dialog_url
from messaging.attachments import IncomingAttachment
from messaging.directory import organisation
from messaging.errors import InvalidRequest, MessagingError
from messaging.levels import default_open_message
from messaging.lookup import RecipientDescription, describe_recipients
from messaging.model import Actor, NewMessage, RecipientInput
from messaging.policy import LEVELS
from messaging.sending import send_message
from messaging.validation import normalise_address

log = logging.getLogger(__name__)

# How people separate addresses when they type or paste them: commas, semicolons, spaces, new lines.
_SEPARATORS: Final = re.compile(r"[,;\s]+")
# The level a recipient's registration is looked up at before the sender has chosen one (registration does
# not depend on the level; the card then offers every method).
_ANY_LEVEL: Final = LEVELS[0]
_CHUNK: Final = 64 * 1024


def register(app: AgentApplication[TurnState], ctx: BotContext) -> None:
    teams = TeamsAgentExtension(app)

    @app.adaptive_card.action_execute(verbs.COMPOSE_NEW)
    async def on_new(turn_context: TurnContext, state: TurnState, data: Any) -> AdaptiveCardInvokeResponse:
        actor, lang = _caller(turn_context)
        return replies.card_response(await new_card(ctx, actor, lang))

    @app.adaptive_card.action_execute(verbs.COMPOSE_REFRESH)
    async def on_refresh(
        turn_context: TurnContext, state: TurnState, data: Any
    ) -> AdaptiveCardInvokeResponse:
        actor, lang = _caller(turn_context)
        return replies.card_response(await refresh_card(ctx, actor, lang, _mapping(data)))

    @app.adaptive_card.action_execute(verbs.COMPOSE_SEND)
    async def on_send(turn_context: TurnContext, state: TurnState, data: Any) -> AdaptiveCardInvokeResponse:
        actor, lang = _caller(turn_context)
        return replies.card_response(await send(ctx, turn_context, actor, lang, _mapping(data)))

    @teams.task_module.on_fetch(verbs.COMPOSE_FILES)
    async def on_files(turn_context: TurnContext, state: TurnState, request: Any) -> dict[str, Any]:
        actor, lang = _caller(turn_context)
        return open_file_dialog(ctx, actor, lang, _invoke_data(turn_context))

    @teams.task_module.on_submit(verbs.COMPOSE_FILES)
    async def on_files_added(turn_context: TurnContext, state: TurnState, request: Any) -> dict[str, Any]:
        actor, lang = _caller(turn_context)
        await show_files(ctx, turn_context, actor, lang, _invoke_data(turn_context))
        return replies.close_dialog()


async def compose_card(ctx: BotContext, turn_context: TurnContext, actor: Actor) -> Element:
    """A new compose card with a fresh draft (the typed command `nytt`)."""
    return await new_card(ctx, actor, locale(turn_context))


async def new_card(ctx: BotContext, actor: Actor, lang: Locale) -> Element:
    draft = ctx.drafts.new(actor.org_id, actor.user_id)
    return await _card(ctx, actor, lang, draft)


async def refresh_card(ctx: BotContext, actor: Actor, lang: Locale, data: Mapping[str, Any]) -> Element:
    """The card again with the level's methods and each link recipient's fields, everything typed kept."""
    draft = _draft(ctx, actor, data)
    if draft is None:
        return _draft_gone(lang)
    take_inputs(draft, data)
    return await _card(ctx, actor, lang, draft)


async def send(
    ctx: BotContext, turn_context: TurnContext, actor: Actor, lang: Locale, data: Mapping[str, Any]
) -> Element:
    """The Sent folder after a send; the compose card with the refusal by its field otherwise."""
    draft = _draft(ctx, actor, data)
    if draft is None:
        return _draft_gone(lang)
    take_inputs(draft, data)
    # Out of the store while it is sent, so a second press meanwhile finds no draft and sends nothing twice.
    if not ctx.drafts.take(draft):
        return _draft_gone(lang)
    try:
        await send_message(ctx.deps, actor, new_message(draft), _attachments(draft))
    except MessagingError as exc:
        ctx.drafts.put_back(draft)
        described, _ = await _lookup(ctx, actor, draft)
        return await _card(
            ctx, actor, lang, draft, errors=errors_for(exc, _inputs(draft), draft.loa, described)
        )
    except Exception:
        ctx.drafts.put_back(draft)  # a failure of ours: the sender may try again with everything kept
        raise
    from bot.folders import first_page  # the folder cards are bot/folders.py's

    sent: Element = await first_page(ctx, turn_context, actor, "sent", None)
    return sent


def open_file_dialog(ctx: BotContext, actor: Actor, lang: Locale, data: Mapping[str, Any]) -> dict[str, Any]:
    """The task module answer to "Lägg till filer": the file page, with an upload token for this draft."""
    draft = _draft(ctx, actor, data)
    if draft is None:
        return replies.dialog_response(_draft_gone(lang), text(lang, "compose.add_files"))
    # The dialog's Action.Submit brings the card's inputs too: keep them, as every other action does.
    take_inputs(draft, data)
    url = dialog_url(ctx.public_url, ctx.drafts.upload_token(draft))
    return replies.url_dialog_response(url, text(lang, "compose.add_files"))


async def show_files(
    ctx: BotContext, turn_context: TurnContext, actor: Actor, lang: Locale, data: Mapping[str, Any]
) -> None:
    """After the file dialog closes: the compose card it came from is replaced by one listing the files.

    Teams names the card's message in the submit's `replyToId`; without one (or if the update fails) the
    files still wait in the draft and the next compose card lists them.
    """
    draft = _draft(ctx, actor, data)
    message_id = turn_context.activity.reply_to_id
    if draft is None or not message_id:
        return
    card = await _card(ctx, actor, lang, draft)
    update = Activity(
        type=ActivityTypes.message, id=message_id, attachments=[CardFactory.adaptive_card(card)]
    )
    try:
        await turn_context.update_activity(update)
    except Exception as exc:  # the dialog still closes; the card catches up on the next action
        log.warning("compose card could not be updated after the file dialog: %s", type(exc).__name__)


def take_inputs(draft: Draft, data: Mapping[str, Any]) -> None:
    """The card's inputs into the draft. An input the card did not send leaves its value as it was."""
    if (value := _text(data, "recipients")) is not None:
        draft.recipients_text = value
    if (value := _text(data, "subject")) is not None:
        draft.subject = value
    # The card may show a long body cut short: the cut text coming back unchanged keeps the whole body.
    if (value := _text(data, "body")) is not None and value != draft.shown_body:
        draft.body = value
    if (value := _text(data, "loa")) is not None:
        draft.loa = int(value) if value.strip() in {str(level) for level in LEVELS} else None
    if (value := _text(data, "reply_allowed")) is not None:
        draft.reply_allowed = value.strip().lower() == "true"
    if (value := _text(data, "open_message")) is not None:
        draft.open_message = value
    for index, address in enumerate(draft.shown_addresses):
        choice = draft.choices.setdefault(address, RecipientChoice())
        if (value := _text(data, f"method_{index}")) is not None:
            choice.method = value.strip()
        if (value := _text(data, f"phone_{index}")) is not None:
            choice.phone = value
        if (value := _text(data, f"personal_number_{index}")) is not None:
            choice.personal_number = value


def typed_addresses(draft: Draft) -> list[str]:
    """The recipients as typed, split where people separate addresses."""
    return [part for part in _SEPARATORS.split(draft.recipients_text) if part]


def new_message(draft: Draft) -> NewMessage:
    return NewMessage(
        recipients=_inputs(draft),
        subject=draft.subject,
        body=draft.body,
        # No level chosen is no level: the send refuses it, next to the level's field.
        loa=draft.loa if draft.loa is not None else 0,
        reply_allowed=draft.reply_allowed,
        open_message=draft.open_message,
    )


def _inputs(draft: Draft) -> list[RecipientInput]:
    inputs = []
    for address in typed_addresses(draft):
        choice = draft.choices.get(_key(address), RecipientChoice())
        inputs.append(
            RecipientInput(
                address=address,
                method=choice.method or None,
                phone=choice.phone or None,
                personal_number=choice.personal_number or None,
            )
        )
    return inputs


def _key(address: str) -> str:
    """A typed address as the draft files its choices: canonical when it is an address at all."""
    try:
        return normalise_address(address)
    except InvalidRequest:
        return address


async def _attachments(draft: Draft) -> AsyncIterator[IncomingAttachment]:
    for item in draft.files:
        yield IncomingAttachment(item.name, item.content_type, _chunks(item.data))


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), _CHUNK):
        yield data[start : start + _CHUNK]


async def _lookup(
    ctx: BotContext, actor: Actor, draft: Draft
) -> tuple[list[RecipientDescription] | None, str | None]:
    """The typed recipients as messaging sees them; or None and why the list itself is refused."""
    addresses = typed_addresses(draft)
    if not addresses:
        return None, None
    level = draft.loa if draft.loa is not None else _ANY_LEVEL
    try:
        return await describe_recipients(ctx.deps, actor, addresses, level), None
    except InvalidRequest as exc:
        return None, exc.message_sv


async def _card(
    ctx: BotContext, actor: Actor, lang: Locale, draft: Draft, *, errors: Mapping[str, str] | None = None
) -> Element:
    described, problem = await _lookup(ctx, actor, draft)
    shown_errors = dict(errors or {})
    if problem is not None:
        shown_errors.setdefault("recipients", problem)
    recipients = [_recipient(draft, one) for one in described or []]
    org = await organisation(ctx.deps, actor)
    view = ComposeView(
        draft_id=draft.draft_id,
        recipients_text=draft.recipients_text,
        recipients=recipients,
        subject=draft.subject,
        body=draft.body,
        loa=draft.loa,
        reply_allowed=draft.reply_allowed,
        open_message=draft.open_message,
        default_open_message=default_open_message(org),
        attachment_names=[item.name for item in draft.files],
        errors=shown_errors,
    )
    card = build_compose_card(view, lang)
    # What this card shows: its inputs come back by index, and its body may be cut.
    draft.shown_addresses = [one.address for one in recipients]
    draft.shown_body = _input_value(card, "body")
    return card


def _recipient(draft: Draft, described: RecipientDescription) -> ComposeRecipient:
    choice = draft.choices.setdefault(described.address, RecipientChoice())
    method = next((m.method for m in described.methods if m.method == choice.method), None)
    return ComposeRecipient(
        address=described.address,
        registered=described.registered,
        method=method,
        phone=choice.phone,
        personal_number=choice.personal_number,
    )


def _input_value(content: Any, input_id: str) -> str:
    """The `value` of the input with `input_id` anywhere in a card ("" when there is none)."""
    if isinstance(content, dict):
        if content.get("id") == input_id and isinstance(content.get("value"), str):
            return str(content["value"])
        for value in content.values():
            if found := _input_value(value, input_id):
                return found
    elif isinstance(content, list):
        for value in content:
            if found := _input_value(value, input_id):
                return found
    return ""


def _draft(ctx: BotContext, actor: Actor, data: Mapping[str, Any]) -> Draft | None:
    draft_id = data.get("draft")
    if not isinstance(draft_id, str) or not draft_id:
        return None
    return ctx.drafts.get(draft_id, actor.org_id, actor.user_id)


def _draft_gone(lang: Locale) -> Element:
    return notice_card(lang, text(lang, "compose.title"), text(lang, "compose.draft_gone"))


def _text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _mapping(data: Any) -> Mapping[str, Any]:
    return data if isinstance(data, Mapping) else {}


def _invoke_data(turn_context: TurnContext) -> Mapping[str, Any]:
    value = turn_context.activity.value
    data = value.get("data") if isinstance(value, Mapping) else getattr(value, "data", None)
    return _mapping(data)


def _caller(turn_context: TurnContext) -> tuple[Actor, Locale]:
    actor = staff_of_turn(turn_context)
    if actor is None:  # the before-turn hook lets no unknown caller through
        raise PermissionError("a compose action without a checked caller")
    return actor, locale(turn_context)
