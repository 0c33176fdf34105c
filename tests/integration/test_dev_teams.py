"""/dev/teams over real HTTP: the page, its files, and the Bot Connector stand-in the bot's replies go to."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

from identity.dev_issuer import dev_tenant_id
from sigill.demo import DEMO_ORGANISATIONS, dev_object_id
from tests.integration.harness import Server, free_port, run_server, server_settings

ANNA = "anna.andersson@vasteras.example"
CARD = "application/vnd.microsoft.card.adaptive"


def connector_url(server: Server) -> str:
    return f"{server.base}/dev/teams/connector/"


async def stored(server: Server, conversation: str, after: int = 0) -> dict[str, Any]:
    url = f"{server.base}/dev/teams/conversations/{conversation}/activities"
    async with server.session.get(url, params={"after": str(after)}) as resp:
        assert resp.status == 200, await resp.text()
        body: dict[str, Any] = await resp.json()
        return body


async def post_activity(server: Server, path: str, method: str = "POST", **kw: Any) -> tuple[int, Any]:
    async with server.session.request(method, f"{connector_url(server)}{path}", **kw) as resp:
        body = await resp.json(content_type=None) if resp.content_length != 0 else None
        return resp.status, body


def teams_activity(server: Server, email: str, conversation: str, kind: str, **fields: Any) -> dict[str, Any]:
    """An activity as the page sends it for `email`: Teams' fields, and the stand-in as serviceUrl."""
    domain = email.rpartition("@")[2]
    tenant, object_id = dev_tenant_id(domain), dev_object_id(email)
    return {
        "type": kind,
        "id": f"dev-{uuid.uuid4().hex[:16]}",
        "serviceUrl": connector_url(server),
        "channelId": "msteams",
        "from": {"id": f"29:{object_id}", "name": "Anna Andersson", "aadObjectId": object_id},
        "conversation": {"id": conversation, "conversationType": "personal", "tenantId": tenant},
        "recipient": {"id": "28:sigill-dev-bot", "name": "Sigill"},
        "locale": "sv-SE",
        "channelData": {"tenant": {"id": tenant}},
        **fields,
    }


async def test_the_page_lists_every_demo_person_with_the_ids_teams_would_send(server: Server) -> None:
    async with server.session.get(f"{server.base}/dev/teams") as resp:
        assert resp.status == 200
        assert resp.content_type == "text/html"
        csp = resp.headers["Content-Security-Policy"]
        page = await resp.text()
    for org in DEMO_ORGANISATIONS:
        for person in org.staff:
            assert person.name in page
            assert f'value="{dev_object_id(person.email)}" data-tenant="{dev_tenant_id(org.domain)}"' in page
    assert "Okänd användare" in page
    # Every script is a file of this server: the policy allows no inline script, and the page has none.
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts and all('src="/' in attributes for attributes in scripts)
    assert '<html lang="sv">' in page


async def test_the_page_files_are_served_and_nothing_else_is(server: Server) -> None:
    for name, content_type in (
        ("cards.js", "text/javascript"),
        ("dev_teams.js", "text/javascript"),
        ("dev_teams.css", "text/css"),
    ):
        async with server.session.get(f"{server.base}/dev/teams/static/{name}") as resp:
            assert (resp.status, resp.content_type) == (200, content_type), name
    for name in ("dev_teams.html", "..%2Fdev_teams.py", "missing.js"):
        async with server.session.get(f"{server.base}/dev/teams/static/{name}") as resp:
            assert resp.status == 404, name


async def test_the_bot_answers_a_message_through_the_stand_in_and_the_page_reads_it_back(
    server: Server,
) -> None:
    conversation = f"a:sigill-dev-{uuid.uuid4().hex}"
    # What the page sends when a chat is first opened: Teams telling the bot it was added.
    bot = {"id": "28:sigill-dev-bot", "name": "Sigill"}
    sent = teams_activity(server, ANNA, conversation, "conversationUpdate", membersAdded=[bot])
    async with server.session.post(f"{server.base}/api/messages", json=sent) as resp:
        assert resp.status in (200, 201, 202), await resp.text()

    answer = await stored(server, conversation)
    replies = [activity for activity in answer["activities"] if activity["type"] == "message"]
    assert len(replies) == 1
    assert replies[0]["replyToId"] == sent["id"]
    cards = [a["content"] for a in replies[0]["attachments"] if a["contentType"] == CARD]
    assert cards and cards[0]["type"] == "AdaptiveCard"
    assert answer["newest"] == replies[-1]["sequence"]
    # Asked again from the newest it has, the page gets nothing twice.
    assert (await stored(server, conversation, after=answer["newest"]))["activities"] == []


async def test_the_stand_in_keeps_updates_and_deletions_in_order(server: Server) -> None:
    conversation = f"a:sigill-dev-{uuid.uuid4().hex}"
    first_card = {"type": "message", "text": "första"}
    status, created = await post_activity(
        server, f"v3/conversations/{conversation}/activities", json=first_card
    )
    assert status == 200 and created["id"].startswith("bot-")
    activity_id = created["id"]
    path = f"v3/conversations/{conversation}/activities/{activity_id}"
    status, updated = await post_activity(server, path, "PUT", json={"type": "message", "text": "ändrad"})
    assert (status, updated) == (200, {"id": activity_id})
    status, _ = await post_activity(server, path, "DELETE")
    assert status == 200

    activities = (await stored(server, conversation))["activities"]
    assert [(a["type"], a["id"], a.get("text")) for a in activities] == [
        ("message", activity_id, "första"),
        ("message", activity_id, "ändrad"),
        ("messageDelete", activity_id, None),
    ]
    sequences = [a["sequence"] for a in activities]
    assert sequences == sorted(sequences) and len(set(sequences)) == 3
    # Another conversation sees none of it.
    assert (await stored(server, f"a:sigill-dev-{uuid.uuid4().hex}"))["activities"] == []


async def test_the_stand_in_takes_only_a_json_activity_and_stores_nothing_else(server: Server) -> None:
    conversation = f"a:sigill-dev-{uuid.uuid4().hex}"
    path = f"v3/conversations/{conversation}/activities"
    refusals: list[tuple[dict[str, Any], int, str]] = [
        ({"data": {"type": "message"}}, 415, "unsupported_media_type"),
        ({"data": "{nonsense", "headers": {"Content-Type": "application/json"}}, 400, "invalid_json"),
        ({"json": ["message"]}, 422, "invalid_activity"),
        ({"json": {"text": "ingen typ"}}, 422, "invalid_activity"),
    ]
    for kw, expected_status, code in refusals:
        status, problem = await post_activity(server, path, **kw)
        assert (status, problem["code"]) == (expected_status, code), kw
    assert (await stored(server, conversation))["activities"] == []


async def test_a_bad_read_position_is_refused(server: Server) -> None:
    for after in ("-1", "x", "1e3", "9" * 19):
        url = f"{server.base}/dev/teams/conversations/a:x/activities"
        async with server.session.get(url, params={"after": after}) as resp:
            assert resp.status == 400, after
            assert (await resp.json(content_type=None))["code"] == "invalid_query"


async def test_the_preview_answers_only_requests_addressed_to_loopback(server: Server) -> None:
    for path in ("/dev/teams", "/dev/teams/static/dev_teams.js", "/dev/teams/conversations/a:x/activities"):
        async with server.session.get(f"{server.base}{path}", headers={"Host": "evil.example"}) as resp:
            assert resp.status == 403, path
    url = f"{connector_url(server)}v3/conversations/a:x/activities"
    async with server.session.post(url, json={"type": "message"}, headers={"Host": "evil.example"}) as resp:
        assert resp.status == 403
    assert (await stored(server, "a:x"))["activities"] == []


async def test_a_production_server_has_no_preview_and_no_stand_in(tmp_path: Path) -> None:
    settings = server_settings(
        "sqlite",
        tmp_path,
        free_port(),
        mode="production",
        public_url="https://sigill.example.se",
        entra={
            "tenants": {"00000000-0000-0000-0000-000000000001": "vasteras.example"},
            "audiences": ["api://x"],
        },
    )
    async for running in run_server(settings):
        base = f"http://127.0.0.1:{settings.port}/dev/teams"
        for method, path in (
            ("GET", ""),
            ("GET", "/static/dev_teams.js"),
            ("GET", "/conversations/a:x/activities"),
            ("POST", "/connector/v3/conversations/a:x/activities"),
        ):
            async with running.session.request(method, f"{base}{path}", json={"type": "message"}) as resp:
                assert resp.status == 404, path
