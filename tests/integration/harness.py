"""The real Sigill server on 127.0.0.1, and a small client that speaks its REST API."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from sigill import bootstrap, config, serving
from sigill.app import create_app
from sigill.config import Settings
from tests.fixtures import free_port

__all__ = ["free_port"]

ANNA = "anna.andersson@vasteras.example"
BERTIL = "bertil.berg@vasteras.example"
CECILIA = "cecilia.ceder@vasteras.example"
SOCIAL = "socialtjanst@vasteras.example"
JAN = "jan.dahl@dentalklinik.example"
EVA = "eva.ek@regiongavleborg.example"


@dataclass
class CosmosTarget:
    endpoint: str
    key: str


def server_settings(
    backend: str, data_dir: Path, port: int, cosmos: CosmosTarget | None = None, **extra: Any
) -> Settings:
    overrides: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "data_dir": data_dir,
        "mode": "development",
    }
    if backend == "cosmos":
        assert cosmos is not None
        overrides["store"] = {
            "backend": "cosmos",
            "cosmos_endpoint": cosmos.endpoint,
            "cosmos_key": cosmos.key,
            "cosmos_database": f"it-{uuid.uuid4().hex[:12]}",
            "cosmos_verify_tls": False,
        }
    overrides.update(extra)
    return config.load(None, environ={}, overrides=overrides)


def environment_for(settings: Settings) -> dict[str, str]:
    """The same settings as SIGILL_* variables, for running the CLI against a test server's data."""
    env = {"SIGILL_DATA_DIR": str(settings.data_dir), "SIGILL_DEMO": "false"}
    if settings.store.backend == "cosmos":
        env |= {
            "SIGILL_STORE_BACKEND": "cosmos",
            "SIGILL_STORE_COSMOS_ENDPOINT": settings.store.cosmos_endpoint,
            "SIGILL_STORE_COSMOS_KEY": settings.store.cosmos_key,
            "SIGILL_STORE_COSMOS_DATABASE": settings.store.cosmos_database,
            "SIGILL_STORE_COSMOS_VERIFY_TLS": "false",
        }
    return env


@dataclass
class Response:
    status: int
    body: Any
    headers: dict[str, str]
    raw: bytes = b""


@dataclass
class Server:
    settings: Settings
    components: bootstrap.Components
    session: aiohttp.ClientSession
    base: str
    app: web.Application
    tokens: dict[str, str] = field(default_factory=dict)

    async def token(self, email: str) -> str:
        if email not in self.tokens:
            async with self.session.post(f"{self.base}/dev/token", json={"email": email}) as resp:
                assert resp.status == 200, await resp.text()
                self.tokens[email] = (await resp.json())["access_token"]
        return self.tokens[email]

    async def call(
        self,
        method: str,
        path: str,
        as_user: str | None,
        *,
        json: Any = None,
        data: Any = None,
        params: dict[str, str] | None = None,
    ) -> Response:
        headers = {"Authorization": f"Bearer {await self.token(as_user)}"} if as_user else {}
        url = f"{self.base}/api/v1{path}"
        async with self.session.request(
            method, url, json=json, data=data, params=params, headers=headers
        ) as resp:
            raw = await resp.read()
            body: Any = None
            if resp.content_type in ("application/json", "application/problem+json"):
                body = await resp.json(content_type=None)
            return Response(resp.status, body, dict(resp.headers), raw)

    async def get(self, path: str, as_user: str | None, **kw: Any) -> Response:
        return await self.call("GET", path, as_user, **kw)

    async def post(self, path: str, as_user: str | None, **kw: Any) -> Response:
        return await self.call("POST", path, as_user, **kw)

    async def send(self, as_user: str, **message: Any) -> Response:
        body = {"subject": "Ämne", "body": "Text", "loa": 1, "reply_allowed": True, **message}
        return await self.post("/messages", as_user, json=body)

    async def outbox(self, to: str | None = None) -> list[dict[str, Any]]:
        """What the worker has sent to the development sink, newest first (only to `to` when given)."""
        params = {"to": to} if to else None
        async with self.session.get(f"{self.base}/dev/outbox", params=params) as resp:
            assert resp.status == 200
            items: list[dict[str, Any]] = (await resp.json())["items"]
            return items

    async def wait_for_outbox(self, to: str, count: int = 1, *, within: float = 5.0) -> list[dict[str, Any]]:
        """The sends to `to`, newest first, once there are at least `count` (the worker sends in the background)."""
        deadline = asyncio.get_running_loop().time() + within
        while True:
            items = await self.outbox(to)
            if len(items) >= count:
                return items
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{len(items)} of {count} sends to {to} within {within} s")
            await asyncio.sleep(0.1)


async def run_server(settings: Settings) -> AsyncIterator[Server]:
    components = await bootstrap.build(settings)
    app = create_app(components)
    # The listener `sigill serve` uses, with its connection cap.
    listening = await serving.listen(app, settings)
    try:
        async with aiohttp.ClientSession() as session:
            yield Server(settings, components, session, settings.base_url, app)
    finally:
        # Also when the caller fails inside its `async for`: an open store keeps the process from exiting.
        await listening.close()


@contextlib.asynccontextmanager
async def started(settings: Settings) -> AsyncIterator[Server]:
    """One server for a `with` block, stopped however the block ends."""
    async with contextlib.aclosing(run_server(settings)) as servers:
        yield await anext(servers)
