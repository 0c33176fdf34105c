"""The Teams bot: a Microsoft 365 Agents SDK AgentApplication behind `POST /api/messages`.

Production: Azure Bot Service authentication. Every request carries a Bot Framework JWT that the SDK's
JwtTokenValidator checks (audience the bot's app id); the bot's own calls to the Bot Connector use an MSAL token
from the app id, tenant and a client secret or certificate. Development: anonymous (an empty service
connection), and only from this machine: a request from another peer, addressed to another host, or asking the
bot to answer a non-loopback serviceUrl is refused.

Every turn first settles who is calling (bot/identity.py); an unknown tenant or user gets the refusal card and
nothing else. Handler modules then add their routes with `register(app, ctx)`.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import pydantic
from aiohttp import web
from microsoft_agents.activity import Activity, ActivityTypes
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter, start_agent_process
from microsoft_agents.hosting.core import (
    AgentApplication,
    AgentAuthConfiguration,
    ClaimsIdentity,
    JwtTokenValidator,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.authorization import AuthTypes
from microsoft_agents.hosting.core.storage import Storage, StoreItem

from adaptive_cards.strings import text
from adaptive_cards.welcome import notice_card, refusal_card
from addin_backend.problems import problem
from bot import replies, sdk_tuning
from bot.context import ACTOR_STATE_KEY, BotContext, BotSettings, locale, optional_module
from bot.identity import TeamsIdentity
from messaging.errors import SignInRefused
from messaging.ports import Deps

log = logging.getLogger(__name__)

# Handler modules of the bot, registered in this order when they exist (each: `register(app, ctx)`).
HANDLER_MODULES = ("bot.commands", "bot.compose", "bot.folders", "bot.reading", "bot.cases", "bot.notices")
# Called on every accepted turn with the turn's staff member: `await remember(ctx, turn_context, actor)`.
REFERENCES_MODULE = "bot.references"
# The activities whose sender is checked; anything else (typing, reactions, ...) is ignored.
_CHECKED = frozenset({ActivityTypes.message, ActivityTypes.invoke, ActivityTypes.conversation_update})

StoreItemT = TypeVar("StoreItemT", bound=StoreItem)


@dataclass(frozen=True)
class BotCredentials:
    """Production only: the Azure Bot registration and its credential (a secret or a PFX certificate)."""

    app_id: str
    tenant_id: str
    client_secret: str = ""
    certificate_path: str = ""

    def __repr__(self) -> str:  # the secret stays out of every log line and traceback
        return f"BotCredentials(app_id={self.app_id!r}, tenant_id={self.tenant_id!r})"


@dataclass(frozen=True)
class Bot:
    application: AgentApplication[TurnState]
    adapter: CloudAdapter
    ctx: BotContext
    # None in development (anonymous); the SDK's token validation settings in production.
    auth_config: AgentAuthConfiguration | None


BOT = web.AppKey("bot", Bot)


class _NoState(Storage):
    """The bot keeps no conversation state in the SDK: everything lives in Sigill's store."""

    async def read(
        self, keys: list[str], *, target_cls: type[StoreItemT], **kwargs: Any
    ) -> dict[str, StoreItemT]:
        return {}

    async def write(self, changes: dict[str, StoreItem]) -> None:
        return None

    async def delete(self, keys: list[str]) -> None:
        return None

    async def _read_item(
        self, key: str, *, target_cls: type[StoreItemT], **kwargs: Any
    ) -> tuple[str | None, StoreItemT | None]:
        return None, None

    async def _write_item(self, key: str, value: StoreItem) -> None:
        return None

    async def _delete_item(self, key: str) -> None:
        return None


def build_bot(deps: Deps, settings: BotSettings, credentials: BotCredentials | None) -> Bot:
    """The application, its adapter and the handlers; `credentials` None means development (anonymous)."""
    auth_config = _auth_config(credentials) if credentials is not None else None
    sdk_tuning.remember_product_info()
    connections = connection_manager(credentials)
    adapter = CloudAdapter(connection_manager=connections)
    adapter.on_turn_error = _on_adapter_error
    application: AgentApplication[TurnState] = AgentApplication(
        storage=_NoState(),
        connection_manager=connections,
        # No typing indicators: every answer is a card that comes at once.
        start_typing_timer=False,
        remove_recipient_mention=True,
    )
    ctx = BotContext(deps=deps, settings=settings, adapter=adapter)
    identity = TeamsIdentity(deps, settings.tenants, settings.loa, development=settings.development)
    application.before_turn(_check_sender(ctx, identity))
    application.error(_on_error)
    for name in HANDLER_MODULES:
        module = optional_module(name)
        if module is not None:
            module.register(application, ctx)
    return Bot(application, adapter, ctx, auth_config)


def connection_manager(credentials: BotCredentials | None) -> MsalConnectionManager:
    """The SDK's connections: the bot's Azure Bot credential, or an empty (anonymous) one in development.

    Also used by the outbox worker's Teams channel (bot/notices.py), which sends with an adapter of its own.
    """
    if credentials is None:
        return MsalConnectionManager(CONNECTIONS={"SERVICE_CONNECTION": {"SETTINGS": {}}})
    return MsalConnectionManager(connections_configurations={"SERVICE_CONNECTION": _auth_config(credentials)})


def _auth_config(credentials: BotCredentials) -> AgentAuthConfiguration:
    if credentials.certificate_path:
        return AgentAuthConfiguration(
            auth_type=AuthTypes.certificate,
            client_id=credentials.app_id,
            tenant_id=credentials.tenant_id,
            cert_pfx_file=credentials.certificate_path,
        )
    return AgentAuthConfiguration(
        auth_type=AuthTypes.client_secret,
        client_id=credentials.app_id,
        tenant_id=credentials.tenant_id,
        client_secret=credentials.client_secret,
    )


def _check_sender(ctx: BotContext, identity: TeamsIdentity) -> Callable[[TurnContext, TurnState], Any]:
    references = optional_module(REFERENCES_MODULE)

    async def before_turn(turn_context: TurnContext, state: TurnState) -> bool:
        activity = turn_context.activity
        if activity.type not in _CHECKED:
            return False
        try:
            actor = await identity.actor(activity)
        except SignInRefused:
            await _refuse(turn_context)
            return False
        turn_context.turn_state[ACTOR_STATE_KEY] = actor
        if references is not None:
            await references.remember(ctx, turn_context, actor)
        return True

    return before_turn


async def _refuse(turn_context: TurnContext) -> None:
    """One card, nothing else: as the answer of an invoke, or as a message (on install or a typed command)."""
    activity = turn_context.activity
    if activity.type in (ActivityTypes.invoke, ActivityTypes.message) or activity.members_added:
        await replies.answer_card(turn_context, refusal_card(locale(turn_context)))


async def _on_error(turn_context: TurnContext, error: Exception) -> None:
    """An unexpected failure: logged, and the user gets a short card (never the error's text)."""
    log.error("bot turn failed: %s", type(error).__name__, exc_info=error)
    lang = locale(turn_context)
    try:
        await replies.answer_card(
            turn_context, notice_card(lang, text(lang, "error.title"), text(lang, "error.internal"))
        )
    except Exception:
        log.warning("bot: the error card could not be sent")


async def _on_adapter_error(turn_context: TurnContext, error: Exception) -> None:
    # Replaces the SDK's default, which prints the traceback and sends the exception's text to the user.
    log.error("bot adapter failed: %s", type(error).__name__, exc_info=error)


def add_bot_routes(app: web.Application, bot: Bot) -> None:
    app[BOT] = bot
    app.router.add_post("/api/messages", messages)


async def messages(request: web.Request) -> web.StreamResponse:
    """POST /api/messages: one activity from the Bot Connector (or, in development, from this machine)."""
    bot = request.app[BOT]
    if bot.auth_config is None:
        refusal = _development_refusal(request)
        if refusal is not None:
            return refusal
    else:
        claims = await _validated_claims(bot.auth_config, request.headers.get("Authorization"))
        if claims is None:
            return problem(
                401,
                "unauthorized",
                "Begäran saknar giltig inloggning.",
                "A valid Bot Service token is required.",
            )
        request["claims_identity"] = claims
    activity = await _activity(request)
    if activity is None:
        return problem(
            400,
            "activity_invalid",
            "Begäran är inte en giltig aktivitet.",
            "The body must be a Bot Framework activity (JSON) with a type and conversation.id.",
        )
    if bot.auth_config is None and not _is_loopback(
        urlsplit(activity.service_url or "").hostname or "localhost"
    ):
        return problem(
            403,
            "service_url_not_loopback",
            "Utvecklingsläget svarar bara till localhost.",
            "In development mode the bot answers only a Bot Connector on a loopback address.",
        )
    response = await start_agent_process(request, bot.application, bot.adapter)
    return response if response is not None else web.Response(status=202)


async def _activity(request: web.Request) -> Activity | None:
    """The activity, read as the SDK will read it; None for anything the SDK would choke on."""
    try:
        body = await request.json()
        activity = Activity.model_validate(body)
    except (ValueError, pydantic.ValidationError):
        return None
    if not activity.type or activity.conversation is None or not activity.conversation.id:
        return None
    return activity


async def _validated_claims(config: AgentAuthConfiguration, header: str | None) -> ClaimsIdentity | None:
    """The Bot Framework token's claims, checked by the SDK (signature, issuer, audience = the bot's app id)."""
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    try:
        return await JwtTokenValidator(config).validate_token(token.strip())
    except Exception as exc:  # any failure is the same 401; only its kind is logged, never the token
        log.warning("bot: token refused (%s)", type(exc).__name__)
        return None


def _development_refusal(request: web.Request) -> web.Response | None:
    """Anonymous development: only this machine may post, addressed to this machine."""
    if not _is_loopback(request.remote) or not _is_loopback(_host_name(request.headers.get("Host", ""))):
        return problem(
            403,
            "host_not_loopback",
            "Utvecklingsläget svarar bara på localhost.",
            "In development mode the bot answers only requests from and addressed to a loopback address.",
        )
    return None


def _host_name(host: str) -> str:
    return urlsplit(f"//{host}").hostname or ""


def _is_loopback(host: str | None) -> bool:
    name = (host or "").strip("[]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
