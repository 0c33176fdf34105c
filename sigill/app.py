"""The aiohttp Application that mounts every face."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from addin_backend.api import create_api
from addin_backend.auth import ActorResolver
from sigill import devroutes
from sigill.bootstrap import Components
from sigill.logs import request_id_var

log = logging.getLogger(__name__)
COMPONENTS = web.AppKey("components", Components)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def request_context(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A request id on every log line and response; security headers on every response."""
    incoming = request.headers.get("X-Request-Id", "")
    request_id = incoming if incoming.isalnum() and len(incoming) <= 64 else secrets.token_hex(8)
    token = request_id_var.set(request_id)
    started = time.perf_counter()
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _decorate(exc, request_id)
        raise
    finally:
        request_id_var.reset(token)
    _decorate(response, request_id)
    elapsed_ms = (time.perf_counter() - started) * 1000
    # The path only: ids in it are opaque, and query strings are never logged.
    log.debug("%s %s -> %s in %.1f ms", request.method, request.rel_url.path, response.status, elapsed_ms)
    return response


def _decorate(response: web.StreamResponse, request_id: str) -> None:
    response.headers["X-Request-Id"] = request_id
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Cache-Control", "no-store")


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    checks = await request.app[COMPONENTS].readiness()
    ready = all(checks.values())
    return web.json_response(
        {
            "status": "ready" if ready else "unavailable",
            "checks": {k: "ok" if v else "failing" for k, v in checks.items()},
        },
        status=200 if ready else 503,
    )


def create_app(components: Components) -> web.Application:
    app = web.Application(middlewares=[request_context])
    app[COMPONENTS] = components
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    resolver = ActorResolver(components.deps, components.validator)
    app.add_subapp("/api/v1", create_api(components.deps, resolver))
    if components.settings.mode == "development" and components.dev_issuer is not None:
        app.add_subapp("/dev", devroutes.create_dev_app(components))

    async def close(_: web.Application) -> None:
        await components.close()

    app.on_cleanup.append(close)
    return app
