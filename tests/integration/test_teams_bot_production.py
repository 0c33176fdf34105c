"""The Teams bot in production mode: Azure Bot Service tokens are required, and the bot's secret stays secret."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from sigill import config
from tests.integration.harness import ANNA, free_port, run_server, server_settings
from tests.integration.teams_harness import FakeConnector, dev_teams_user, message_activity, running_connector

BOT_APP_ID = "11111111-2222-3333-4444-555555555555"
BOT_TENANT = "66666666-7777-8888-9999-000000000000"
SECRET = "bot-secret-value-that-must-never-be-logged"
PRODUCTION: dict[str, Any] = {
    "mode": "production",
    "public_url": "https://sigill.example.se",
    "entra": {
        "tenants": {"00000000-0000-0000-0000-000000000001": "vasteras.example"},
        "audiences": ["api://x"],
    },
}


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    async for running in running_connector():
        yield running


def _forged_token() -> str:
    """A well-formed Bot Framework-looking token, signed by a key Microsoft never published."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    claims = {
        "iss": "https://api.botframework.com",
        "aud": BOT_APP_ID,
        "serviceurl": "https://smba.trafficmanager.net/emea/",
        "iat": now,
        "nbf": now,
        "exp": now + dt.timedelta(minutes=5),
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "forged"})


async def test_production_refuses_activities_without_a_valid_bot_service_token(
    tmp_path: Path, connector: FakeConnector, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = server_settings(
        "sqlite",
        tmp_path,
        free_port(),
        **PRODUCTION,
        teams={"bot_app_id": BOT_APP_ID, "tenant_id": BOT_TENANT, "bot_client_secret": SECRET},
    )
    activity = message_activity(dev_teams_user(ANNA), connector, "hjälp")
    async for running in run_server(settings):
        url = f"http://127.0.0.1:{settings.port}/api/messages"
        async with running.session.post(url, json=activity) as anonymous:
            assert anonymous.status == 401
            assert (await anonymous.json())["code"] == "unauthorized"
        async with running.session.post(
            url, json=activity, headers={"Authorization": "Bearer not.a.token"}
        ) as bad:
            assert bad.status == 401
        forged = {"Authorization": f"Bearer {_forged_token()}"}
        async with running.session.post(url, json=activity, headers=forged) as signed_by_someone_else:
            assert signed_by_someone_else.status == 401
    assert connector.activities == []
    assert SECRET not in caplog.text
    assert SECRET not in repr(settings)


async def test_production_without_a_bot_registration_has_no_bot_endpoint(tmp_path: Path) -> None:
    settings = server_settings("sqlite", tmp_path, free_port(), **PRODUCTION)
    async for running in run_server(settings):
        async with running.session.post(f"http://127.0.0.1:{settings.port}/api/messages", json={}) as resp:
            assert resp.status == 404


@pytest.mark.parametrize(
    ("teams", "problem"),
    [
        ({"bot_app_id": BOT_APP_ID, "tenant_id": BOT_TENANT}, "teams.bot_client_secret: the bot needs"),
        ({"bot_app_id": BOT_APP_ID, "bot_client_secret": SECRET}, "teams.tenant_id: the bot needs"),
        (
            {"bot_app_id": BOT_APP_ID, "tenant_id": BOT_TENANT, "bot_client_secret": SECRET,
             "bot_certificate_path": "/etc/sigill/bot.pfx"},
            "teams: bot_certificate_path: give a client secret or a certificate, not both",
        ),
        ({"bot_loa": 3}, "teams.bot_loa:"),
    ],
)  # fmt: skip
def test_bot_settings_are_checked_with_one_line_naming_the_key(
    tmp_path: Path, teams: dict[str, str], problem: str
) -> None:
    with pytest.raises(config.ConfigError) as refused:
        config.load(None, environ={}, overrides={**PRODUCTION, "data_dir": tmp_path, "teams": teams})
    assert str(refused.value).startswith(problem)
    assert SECRET not in str(refused.value)
