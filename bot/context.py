"""What every bot handler module gets: the messaging dependencies, the bot's settings, and who is calling.

A handler module exposes `register(app: AgentApplication, ctx: BotContext) -> None` and adds its routes there.
Identity is settled before any route runs (bot/app.py's before-turn hook): a handler calls `ctx.staff_of(turn)`
and gets the staff member of the turn; an unknown tenant or user never reaches a handler.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import ModuleType

from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import TurnContext

from adaptive_cards.strings import Locale, locale_of
from bot.drafts import DraftStore
from messaging.model import Actor
from messaging.ports import Deps

# Where the before-turn hook leaves the turn's staff member (TurnContext.turn_state).
ACTOR_STATE_KEY = "sigill.actor"


@dataclass(frozen=True, slots=True)
class BotSettings:
    """The plain values the bot needs from the configuration (bot/ does not import sigill/)."""

    # The address people reach the server at: links on cards (the staff web app, the recipient portal) start here.
    public_url: str
    # The level of assurance a Teams turn counts as ([teams] bot_loa, else [entra] plain_loa).
    loa: int
    # Allowed Entra tenants -> organisation domain ([entra] tenants; development adds the demo tenants).
    tenants: Mapping[str, str] = field(default_factory=dict)
    development: bool = False
    # The Azure Bot registration's app id (empty in development: anonymous).
    bot_app_id: str = ""


@dataclass(frozen=True)
class BotContext:
    deps: Deps
    settings: BotSettings
    adapter: CloudAdapter

    @property
    def public_url(self) -> str:
        return self.settings.public_url.rstrip("/")

    @cached_property
    def drafts(self) -> DraftStore:
        """The compose drafts (bot/drafts.py): shared by the compose verbs and the file dialog's page."""
        return DraftStore(self.deps.clock)

    async def staff_of(self, turn_context: TurnContext) -> Actor | None:
        """The staff member of this turn, as the before-turn hook found them (None only outside a checked turn)."""
        return staff_of_turn(turn_context)


def staff_of_turn(turn_context: TurnContext) -> Actor | None:
    actor = turn_context.turn_state.get(ACTOR_STATE_KEY)
    return actor if isinstance(actor, Actor) else None


async def staff_of(turn_context: TurnContext) -> Actor | None:
    """Module-level form of `BotContext.staff_of`, for handlers that hold no context."""
    return staff_of_turn(turn_context)


def locale(turn_context: TurnContext) -> Locale:
    """Swedish unless Teams reports another language for the user."""
    return locale_of(turn_context.activity.locale)


def optional_module(name: str) -> ModuleType | None:
    """The bot module `name` if it exists; an import error inside an existing module is raised, not hidden."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise
