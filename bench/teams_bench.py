"""`sigill bench teams`: card actions per second of the Teams bot, beside `/healthz` of the same run.

The function mailbox socialtjanst@ is filled with `cases` cases through the store before the server starts (the
seeding of `sigill bench api`); the server then runs in its own process (`sigill serve` in development mode:
SQLite, the bot anonymous on loopback), the load from this one. One card action is what Teams posts when
Anna presses **Inkorg** on the function mailbox's card: an `invoke` activity named `adaptiveCard/action`
with the verb `folder.open`, to `POST /api/messages`, answered in the HTTP response by the inbox card (a page
of 10, newest first). An action counts only when the answer is that card with 10 rows. The turn includes all
a real one does: identity from the tenant and object id, the conversation reference kept, the listing
through messaging/, the card built. `/healthz` is measured with the same number of clients on the same server.

A small Bot Connector stand-in runs in this process on loopback as the activities' serviceUrl (the bot
answers an invoke in its HTTP response and posts nothing there, but it must be a loopback address in
development).
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import uuid
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bench import api_bench, link_bench
from identity.dev_issuer import dev_tenant_id
from sigill import demo

MEMBER = "anna.andersson@vasteras.example"
MAILBOX = "socialtjanst@vasteras.example"
BOT_ID = "28:sigill-bench-bot"
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
PAGE = 10
WARM_UP = 20


def run(
    *, cases: int = 100_000, actions: int = 2000, clients: int = 8, health_requests: int = 2000
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sigill-teams-bench-") as tmp:
        data_dir = Path(tmp)
        port = link_bench._free_port()
        seed_s = asyncio.run(api_bench._seed(data_dir, port, cases))
        server = link_bench._start_server(data_dir, port)
        try:
            figures = asyncio.run(_measure(f"http://127.0.0.1:{port}", actions, clients, health_requests))
        finally:
            server.terminate()
            server.wait(timeout=30)
    return {"bench": "teams", "cases": cases, "seed_s": round(seed_s, 1), **figures}


async def _measure(base: str, actions: int, clients: int, health_requests: int) -> dict[str, Any]:
    connector = _Connector()
    service_url = await connector.start()
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=clients * 2)) as session:
            for _ in range(WARM_UP):
                await _folder_open(session, base, service_url)
            cards = await link_bench._load(
                clients, range(actions), lambda _: _folder_open(session, base, service_url)
            )
            health = await link_bench._load(
                clients, [base] * health_requests, lambda url: link_bench._healthz(session, url)
            )
    finally:
        await connector.close()
    return {
        "actions": actions,
        "clients": clients,
        "page": PAGE,
        "card_actions_per_s": round(cards.per_second, 1),
        "card_action_p50_ms": cards.pct(50),
        "card_action_p99_ms": cards.pct(99),
        "healthz_requests": health_requests,
        "healthz_requests_per_s": round(health.per_second, 1),
        "healthz_p99_ms": health.pct(99),
        # What the bot posted to the connector meanwhile (an invoke is answered in its response: 0).
        "connector_posts": connector.posts,
    }


def folder_open_activity(service_url: str) -> dict[str, Any]:
    """Anna pressing **Inkorg** on the function mailbox's card, as Teams posts it."""
    tenant_id, object_id = dev_tenant_id(demo.VASTERAS.domain), demo.dev_object_id(MEMBER)
    return {
        "type": "invoke",
        "name": "adaptiveCard/action",
        "id": f"f:{uuid.uuid4().hex}",
        "timestamp": "2026-11-25T08:00:00.000Z",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": f"29:{object_id}", "name": "Anna Andersson", "aadObjectId": object_id},
        "conversation": {"conversationType": "personal", "tenantId": tenant_id, "id": f"a:bench-{object_id}"},
        "recipient": {"id": BOT_ID, "name": "Sigill"},
        "channelData": {"tenant": {"id": tenant_id}},
        "locale": "sv-SE",
        "value": {
            "action": {
                "type": "Action.Execute",
                "verb": "folder.open",
                "data": {"folder": "inbox", "mailbox": MAILBOX},
            },
            "trigger": "manual",
        },
    }


async def _folder_open(session: aiohttp.ClientSession, base: str, service_url: str) -> None:
    async with session.post(f"{base}/api/messages", json=folder_open_activity(service_url)) as resp:
        raw = await resp.read()
        if resp.status != 200:
            raise RuntimeError(f"/api/messages answered {resp.status}: {raw[:300]!r}")
    answer = json.loads(raw)
    if answer.get("statusCode") != 200 or answer.get("type") != ADAPTIVE_CARD:
        raise RuntimeError(f"the invoke was not answered with a card: {raw[:300]!r}")
    rows = _opened_messages(answer["value"])
    if len(rows) != PAGE:
        raise RuntimeError(f"the inbox card shows {len(rows)} rows, not {PAGE}")


def _opened_messages(card: Any) -> list[str]:
    """The message ids of the card's rows (each row opens its message in a dialog: verb message.open)."""
    found: list[str] = []
    if isinstance(card, dict):
        data = card.get("data")
        if isinstance(data, dict) and data.get("verb") == "message.open":
            found.append(str(data.get("message")))
        for value in card.values():
            found.extend(_opened_messages(value))
    elif isinstance(card, list):
        for value in card:
            found.extend(_opened_messages(value))
    return found


class _Connector:
    """A Bot Connector stand-in on loopback that takes and counts whatever the bot posts."""

    def __init__(self) -> None:
        self.posts = 0
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities", self._take)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self._take)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        port = link_bench._free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        return f"http://127.0.0.1:{port}/"

    async def _take(self, request: web.Request) -> web.Response:
        self.posts += 1
        await request.read()
        return web.json_response({"id": uuid.uuid4().hex}, status=201)

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


def main() -> None:
    print(json.dumps(run()))


if __name__ == "__main__":
    main()
