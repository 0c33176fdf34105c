"""A registered recipient below a message's level is asked to step up (RFC 9470); everyone else sees nothing."""

from __future__ import annotations

import base64
import json
import re
import uuid
from typing import Any

import aiohttp

from tests.integration.harness import ANNA, BERTIL, CECILIA, EVA, SOCIAL, Response, Server

ENTRA_CLAIMS_C1 = {"access_token": {"acrs": {"essential": True, "value": "c1"}}}


async def token_at(server: Server, email: str, loa: int) -> str:
    async with server.session.post(f"{server.base}/dev/token", json={"email": email, "loa": loa}) as resp:
        assert resp.status == 200, await resp.text()
        return str((await resp.json())["access_token"])


async def call(server: Server, method: str, path: str, token: str, **kw: Any) -> Response:
    headers = {"Authorization": f"Bearer {token}"}
    async with server.session.request(method, f"{server.base}/api/v1{path}", headers=headers, **kw) as resp:
        raw = await resp.read()
        body = json.loads(raw) if raw and resp.content_type.endswith("json") else None
        return Response(resp.status, body, dict(resp.headers), raw)


def challenge(header: str) -> dict[str, str]:
    scheme, _, rest = header.partition(" ")
    assert scheme == "Bearer"
    return dict(re.findall(r'(\w+)="([^"]*)"', rest))


async def send_with_attachment(server: Server, loa: int, *recipients: str) -> tuple[str, str]:
    form = aiohttp.FormData()
    message = {
        "recipients": [{"address": r} for r in recipients],
        "subject": f"Känsligt {uuid.uuid4().hex[:6]}",
        "body": "Endast för rätt nivå",
        "loa": loa,
        "reply_allowed": True,
    }
    form.add_field("message", json.dumps(message), content_type="application/json")
    form.add_field("attachment", b"bilaga", filename="a.txt", content_type="text/plain")
    sent = await server.post("/messages", ANNA, data=form)
    assert sent.status == 201, sent.body
    opened = await server.get(f"/messages/{sent.body['id']}", ANNA)
    return sent.body["id"], opened.body["attachments"][0]["id"]


def assert_step_up(resp: Response, loa: int) -> dict[str, str]:
    assert resp.status == 401, resp.body
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    assert resp.body["code"] == "step_up_required"
    assert resp.body["required_loa"] == loa
    assert "Endast" not in resp.raw.decode()
    params = challenge(resp.headers["WWW-Authenticate"])
    assert params["error"] == "insufficient_user_authentication"
    return params


async def test_a_recipient_below_the_level_is_challenged_to_step_up(server: Server) -> None:
    message_id, attachment_id = await send_with_attachment(server, 3, BERTIL)
    plain = await server.token(BERTIL)
    for method, path, extra in (
        ("GET", f"/messages/{message_id}", {}),
        ("GET", f"/messages/{message_id}/attachments/{attachment_id}", {}),
        ("POST", f"/messages/{message_id}/replies", {"json": {"subject": "Sv", "body": "x"}}),
    ):
        params = assert_step_up(await call(server, method, path, plain, **extra), 3)
        # Entra: the authentication context bound to LoA3, and the claims challenge MSAL passes on.
        assert params["acr_values"] == "c1"
        assert json.loads(base64.b64decode(params["claims"])) == ENTRA_CLAIMS_C1

    stepped_up = await token_at(server, BERTIL, 3)
    opened = await call(server, "GET", f"/messages/{message_id}", stepped_up)
    assert opened.status == 200
    assert opened.body["body"] == "Endast för rätt nivå"
    download = await call(server, "GET", f"/messages/{message_id}/attachments/{attachment_id}", stepped_up)
    assert (download.status, download.raw) == (200, b"bilaga")
    assert (await call(server, "GET", "/me", stepped_up)).body["loa"] == 3


async def test_a_level_without_an_authentication_context_is_named_by_its_assurance_uri(
    server: Server,
) -> None:
    message_id, _ = await send_with_attachment(server, 2, BERTIL)
    params = assert_step_up(
        await call(server, "GET", f"/messages/{message_id}", await token_at(server, BERTIL, 1)), 2
    )
    assert params["acr_values"] == "http://id.elegnamnden.se/loa/1.0/loa2"
    assert "claims" not in params
    assert (await server.get(f"/messages/{message_id}", BERTIL)).status == 200


async def test_everyone_else_keeps_getting_not_found(server: Server) -> None:
    message_id, attachment_id = await send_with_attachment(server, 3, BERTIL)
    unknown = await server.get(f"/messages/{uuid.uuid4().hex}", CECILIA)
    assert unknown.status == 404
    for user, loa in ((CECILIA, 2), (CECILIA, 3), (EVA, 3)):
        token = await token_at(server, user, loa)
        for path in (f"/messages/{message_id}", f"/messages/{message_id}/attachments/{attachment_id}"):
            resp = await call(server, "GET", path, token)
            assert resp.status == 404, (user, loa, path)
            assert "WWW-Authenticate" not in resp.headers
        refused = await call(server, "GET", f"/messages/{message_id}", token)
        assert refused.body["code"] == unknown.body["code"] == "message_not_found"


async def test_a_recalled_delivery_is_not_found_not_a_step_up(server: Server) -> None:
    message_id, _ = await send_with_attachment(server, 3, BERTIL)
    sent = await server.get(f"/messages/{message_id}", ANNA)
    delivery_id = sent.body["deliveries"][0]["id"]
    assert (await server.post(f"/messages/{message_id}/deliveries/{delivery_id}/recall", ANNA)).status == 200
    assert (await server.get(f"/messages/{message_id}", BERTIL)).status == 404


async def test_listings_lock_what_is_above_the_sign_in(server: Server) -> None:
    high, _ = await send_with_attachment(server, 3, BERTIL, SOCIAL)
    low, _ = await send_with_attachment(server, 2, BERTIL, SOCIAL)

    def items(listing: Response) -> dict[str, dict[str, Any]]:
        assert listing.status == 200, listing.body
        return {item["message_id"]: item for item in listing.body["items"]}

    plain = await server.token(BERTIL)
    stepped_up = await token_at(server, BERTIL, 3)
    for box in (BERTIL, SOCIAL):
        at_two = items(await call(server, "GET", f"/mailboxes/{box}/inbox", plain, params={"limit": "100"}))
        assert (at_two[high]["subject"], at_two[high]["locked"]) == (None, True)
        assert at_two[high]["loa"] == 3
        assert at_two[low]["subject"].startswith("Känsligt") and at_two[low]["locked"] is False
        at_three = items(
            await call(server, "GET", f"/mailboxes/{box}/inbox", stepped_up, params={"limit": "100"})
        )
        assert at_three[high]["subject"].startswith("Känsligt") and at_three[high]["locked"] is False
    # The sender's side reads what it sent at any level.
    sent = items(await server.get(f"/mailboxes/{ANNA}/sent", ANNA, params={"limit": "100"}))
    assert sent[high]["subject"].startswith("Känsligt") and sent[high]["locked"] is False
