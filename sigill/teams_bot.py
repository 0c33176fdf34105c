"""The Teams bot's place in `sigill serve`: its settings from the configuration, mounted at POST /api/messages.

Development: always mounted, anonymous and loopback only. Production: mounted when [teams] bot_app_id is set
(the configuration then also requires the tenant and a client secret or certificate).
"""

from __future__ import annotations

from aiohttp import web

from bot.app import BotCredentials, add_bot_routes, build_bot
from bot.context import BotSettings
from bot.file_dialog import add_routes as add_file_dialog
from sigill.bootstrap import Components
from sigill.config import Settings


def bot_settings(settings: Settings) -> BotSettings:
    loa = settings.teams.bot_loa if settings.teams.bot_loa is not None else settings.entra.plain_loa
    return BotSettings(
        public_url=settings.base_url,
        loa=loa,
        tenants=dict(settings.entra.tenants),
        development=settings.mode == "development",
        bot_app_id=settings.teams.bot_app_id,
    )


def bot_credentials(settings: Settings) -> BotCredentials | None:
    """None in development: the bot is anonymous there, whatever the configuration names."""
    if settings.mode == "development":
        return None
    teams = settings.teams
    return BotCredentials(
        app_id=teams.bot_app_id,
        tenant_id=teams.tenant_id,
        client_secret=teams.bot_client_secret,
        certificate_path=teams.bot_certificate_path,
    )


def add_teams_bot(app: web.Application, components: Components) -> None:
    settings = components.settings
    if settings.mode == "production" and not settings.teams.bot_app_id:
        return
    bot = build_bot(components.deps, bot_settings(settings), bot_credentials(settings))
    add_bot_routes(app, bot)
    # The compose card's file dialog (GET/POST /teams/files), bound to the bot's drafts.
    add_file_dialog(app, bot.ctx)
