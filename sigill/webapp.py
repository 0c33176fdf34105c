"""The staff web app's settings, read from configuration for addin_backend/webapp_routes.py."""

from __future__ import annotations

from urllib.parse import urlsplit

from addin_backend.webapp_routes import WebappConfig
from sigill.config import Settings


def build_webapp(settings: Settings) -> WebappConfig:
    """Browser sign-in uses the API's own app registration unless [webapp] names another."""
    client_id = settings.webapp.client_id or settings.teams.sso_app_id
    # The API's Application ID URI (Settings.sso_resource); a [webapp] client of its own names the same form.
    resource = settings.sso_resource or f"api://{urlsplit(settings.base_url).hostname}/{client_id}"
    return WebappConfig(
        production=settings.mode == "production",
        base_url=settings.base_url,
        client_id=client_id,
        authority=settings.webapp.authority,
        api_scope=settings.webapp.api_scope or f"{resource}/{settings.entra.scope}",
    )
