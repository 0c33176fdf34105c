"""A token from Teams SSO (or Outlook's) names the app registration as its audience: the API accepts it."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from identity.dev_issuer import dev_tenant_id
from sigill import demo
from sigill.bootstrap import DEV_AUDIENCE
from tests.integration.harness import ANNA, Server, free_port, server_settings, started

SSO_APP_ID = "5a0c2f1e-7b3d-4e8a-9c6f-1d2e3f4a5b6c"


def mint(server: Server, audience: str) -> str:
    issuer = server.components.dev_issuer
    assert issuer is not None
    return issuer.mint(
        email=ANNA,
        name="Anna Andersson",
        tenant_id=dev_tenant_id("vasteras.example"),
        object_id=demo.dev_object_id(ANNA),
        audience=audience,
    )


async def me(server: Server, token: str) -> tuple[int, Any]:
    async with server.session.get(
        f"{server.base}/api/v1/me", headers={"Authorization": f"Bearer {token}"}
    ) as resp:
        return resp.status, await resp.json(content_type=None)


@pytest.mark.parametrize(
    ("teams", "accepted"),
    [
        # The Application ID URI by default: api://<public host>/<app id>, as the Teams app package names it.
        ({"sso_app_id": SSO_APP_ID}, ["api://{host}/" + SSO_APP_ID, SSO_APP_ID]),
        # A configured Application ID URI instead.
        (
            {"sso_app_id": SSO_APP_ID, "sso_resource": "api://sigill.vasteras.example/" + SSO_APP_ID},
            ["api://sigill.vasteras.example/" + SSO_APP_ID, SSO_APP_ID],
        ),
    ],
)
async def test_a_token_for_the_sso_registration_is_accepted(
    tmp_path: Path, teams: dict[str, str], accepted: list[str]
) -> None:
    port = free_port()
    settings = server_settings("sqlite", tmp_path, port, teams=teams)
    async with started(settings) as server:
        for audience in [a.format(host=f"127.0.0.1:{port}") for a in accepted] + [DEV_AUDIENCE]:
            status, body = await me(server, mint(server, audience))
            assert status == 200, (audience, body)
            assert body["email"] == ANNA
        for audience in (
            f"api://elsewhere.example/{SSO_APP_ID}",
            str(uuid.uuid4()),
            f"api://127.0.0.1:{port}/{uuid.uuid4()}",
        ):
            status, body = await me(server, mint(server, audience))
            assert (status, body["code"]) == (401, "unauthorized"), audience
            assert "audience" in body["detail"]


async def test_without_an_sso_registration_only_the_configured_audiences_are(tmp_path: Path) -> None:
    port = free_port()
    settings = server_settings("sqlite", tmp_path, port, entra={"audiences": ["api://sigill-extra"]})
    async with started(settings) as server:
        assert (await me(server, mint(server, "api://sigill-extra")))[0] == 200
        status, _ = await me(server, mint(server, f"api://127.0.0.1:{port}/{SSO_APP_ID}"))
        assert status == 401
        assert (await me(server, mint(server, SSO_APP_ID)))[0] == 401
