"""Proactive notices: the outbox worker's Teams channel, a card posted into a staff user's chat with the bot.

The worker (notify/worker.py) hands over a stored conversation reference and a notice; the card
(adaptive_cards/notice.py) goes out through the Agents SDK's proactive path, `continue_conversation` on a
CloudAdapter of its own: with the bot's app id in production (the SDK fetches a Bot Service token), anonymous
in development. The adapter is the channel's own, not the web face's, so `sigill worker` sends without a web
server, and the failure of a send reaches the worker instead of a turn-error handler.

Bot Connector answers become the worker's two kinds of failure: a refusal for good (403: the user removed the
app or blocked the bot; 404: the conversation is gone; another 4xx) is permanent, anything that may pass (429,
5xx, 401 while a credential is being put right, no connection, a timeout) is temporary and tried again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Final

import aiohttp
from microsoft_agents.activity import Activity, ChannelAccount, ConversationAccount
from microsoft_agents.activity import ConversationReference as SdkReference
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import (
    AgentApplication,
    CardFactory,
    ClaimsIdentity,
    MessageFactory,
    TurnContext,
    TurnState,
)

from adaptive_cards.notice import ArrivalView, arrival_card
from adaptive_cards.strings import locale_of
from bot.app import BotCredentials, connection_manager
from bot.context import BotContext
from notify.errors import NotifyError, PermanentFailure, TemporaryFailure
from notify.ports import TeamsNotice
from store.records import ConversationReference

log = logging.getLogger(__name__)

# Bot Connector statuses worth another try later; every other refusal is final for that person.
RETRY_STATUSES: Final = frozenset({401, 408, 409, 412, 429})
# How long one post to the Bot Connector may take.
SEND_TIMEOUT_S: Final = 30.0


def register(app: AgentApplication[TurnState], ctx: BotContext) -> None:
    """Notices need no route of the bot: they are sent by the outbox worker (see `notice_sender`)."""


def notice_sender(credentials: BotCredentials | None) -> TeamsNoticeSender:
    """The worker's Teams channel: the bot's Azure Bot credential, or None for development (anonymous)."""
    adapter = CloudAdapter(connection_manager=connection_manager(credentials))
    # The SDK's default handler would post the exception's text into the user's chat; here it goes to the worker.
    adapter.on_turn_error = None
    return TeamsNoticeSender(adapter, credentials.app_id if credentials is not None else "")


class TeamsNoticeSender:
    """Sends notice cards into stored conversations; raises notify's TemporaryFailure or PermanentFailure."""

    def __init__(self, adapter: CloudAdapter, bot_app_id: str = "") -> None:
        self._adapter = adapter
        self._bot_app_id = bot_app_id

    async def send(self, reference: ConversationReference, notice: TeamsNotice) -> None:
        locale = locale_of(reference.locale)
        view = ArrivalView(
            message_id=notice.message_id,
            sender=notice.sender,
            loa=notice.loa,
            function_mailbox=notice.mailbox_name if notice.mailbox_kind == "function" else None,
        )
        activity = MessageFactory.attachment(CardFactory.adaptive_card(arrival_card(view, locale)))
        failures: list[BaseException] = []

        async def post(turn_context: TurnContext) -> None:
            try:
                await turn_context.send_activity(activity)
            except Exception as exc:
                # Kept here too: an adapter with a turn-error handler would swallow it.
                failures.append(exc)
                raise

        try:
            async with asyncio.timeout(SEND_TIMEOUT_S):
                await self._continue(continuation(reference), post)
        except Exception as exc:
            raise failure(failures[0] if failures else exc) from None
        if failures:
            raise failure(failures[0]) from None

    async def _continue(self, activity: Activity, post: Callable[[TurnContext], Awaitable[None]]) -> None:
        if self._bot_app_id:
            await self._adapter.continue_conversation(self._bot_app_id, activity, post)
        else:
            # Development: an identity without claims is anonymous, so no token is asked for.
            anonymous = ClaimsIdentity({}, authentication_type="anonymous")
            await self._adapter.continue_conversation_with_claims(anonymous, activity, post)

    async def close(self) -> None:
        return None


def continuation(reference: ConversationReference) -> Activity:
    """The SDK's continuation activity for a stored reference: the user's personal chat with the bot."""
    sdk_reference = SdkReference(
        channel_id=reference.channel_id,
        service_url=reference.service_url,
        agent=ChannelAccount(id=reference.bot_id),
        user=ChannelAccount(id=reference.aad_object_id, aad_object_id=reference.aad_object_id),
        conversation=ConversationAccount(
            id=reference.conversation_id, tenant_id=reference.tenant_id, conversation_type="personal"
        ),
        locale=reference.locale or None,
    )
    activity = sdk_reference.get_continuation_activity()
    # Without an id to answer, the card is a new message in the chat (POST .../activities), not a reply.
    activity.id = None
    return activity


def failure(exc: BaseException) -> NotifyError:
    """The worker's view of a failed send: only a status or the kind of error, never an id or a text."""
    if isinstance(exc, aiohttp.ClientResponseError):
        if exc.status >= 500 or exc.status in RETRY_STATUSES:
            return TemporaryFailure(f"the Bot Connector answered {exc.status}")
        return PermanentFailure(f"the Bot Connector refused the notice ({exc.status})")
    if isinstance(exc, (aiohttp.ClientError, TimeoutError, OSError)):
        return TemporaryFailure(f"the Bot Connector cannot be reached ({type(exc).__name__})")
    # A token that cannot be had now, or a surprise from the SDK: tried again later.
    log.warning("a Teams notice failed unexpectedly (%s)", type(exc).__name__)
    return TemporaryFailure(f"unexpected {type(exc).__name__}")
