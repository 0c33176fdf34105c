"""The aiohttp Application that mounts every face."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from addin_backend import error_map
from addin_backend.api import create_api
from addin_backend.auth import ActorResolver
from addin_backend.step_up import LOA_RULES
from addin_backend.webapp_routes import add_webapp
from portal.app import add_portal
from portal.middleware import portal_pages
from portal.paths import loggable_path
from sigill import background, delivery, devroutes, headers
from sigill.addin_icons import add_icon_routes
from sigill.body_pace import body_pace
from sigill.bootstrap import Components
from sigill.logs import request_id_var
from sigill.recipient_portal import build_portal
from sigill.teams_bot import add_teams_bot
from sigill.vendor import add_vendor_routes
from sigill.webapp import build_webapp

log = logging.getLogger(__name__)
COMPONENTS = web.AppKey("components", Components)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


REQUEST_ID = web.RequestKey("request_id", str)
# A body read whole (JSON): room for the longest valid message written as escaped JSON (100 000 characters at up
# to 12 bytes each) and little more. Attachments stream in multipart and are metered apart.
JSON_BODY_MAX_BYTES = 2 * 1024 * 1024


@web.middleware
async def request_context(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A request id on every log line and response; every refusal outside a face's own seam as problem+json."""
    incoming = request.headers.get("X-Request-Id", "")
    request_id = incoming if incoming.isalnum() and len(incoming) <= 64 else headers.new_request_id()
    request[REQUEST_ID] = request_id
    token = request_id_var.set(request_id)
    started = time.perf_counter()
    try:
        response = await _handled(request, handler)
    finally:
        request_id_var.reset(token)
    elapsed_ms = (time.perf_counter() - started) * 1000
    # The path only: ids in it are opaque, a link's token is masked, and query strings are never logged.
    path = loggable_path(request.rel_url.path)
    log.debug("%s %s -> %s in %.1f ms", request.method, path, response.status, elapsed_ms)
    return response


async def _handled(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return await error_map.answer(request, exc)
    except Exception as exc:
        return await error_map.answer(request, exc)


def security_headers(production: bool) -> Callable[[web.Request, web.StreamResponse], Awaitable[None]]:
    """Headers every response carries, set as it is prepared: downloads and errors included."""

    async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
        headers.secure(
            response.headers,
            request_id=request.get(REQUEST_ID) or headers.new_request_id(),
            content_type=response.content_type,
            production=production,
        )

    return on_prepare


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
    limits = components.settings.limits
    app = web.Application(
        middlewares=[request_context, portal_pages, body_pace(limits.body_timeout_s, limits.body_min_rate)],
        client_max_size=JSON_BODY_MAX_BYTES,
    )
    app.on_response_prepare.append(security_headers(components.settings.mode == "production"))
    app[COMPONENTS] = components
    app[LOA_RULES] = components.validator.policy.loa_rules
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    resolver = ActorResolver(components.deps, components.validator)
    app.add_subapp("/api/v1", create_api(components.deps, resolver))
    # The recipient portal: /r/<org>/<delivery>/<token> (the link in every e-mail), /konto/..., /static/.
    add_portal(app, build_portal(components))
    # The Teams bot: POST /api/messages (sigill/teams_bot.py).
    add_teams_bot(app, components)
    # Browser libraries from npm (the card renderer, TeamsJS, MSAL.js), served locally: no CDN.
    add_vendor_routes(app)
    # The Outlook add-in's button icons, which its manifests name by URL (sigill/addin_icons.py).
    add_icon_routes(app)
    # The staff web app (browser, Teams tab, Outlook panes) under /app/.
    add_webapp(app, build_webapp(components.settings))
    if components.settings.mode == "development" and components.dev_issuer is not None:
        app.add_subapp("/dev", devroutes.create_dev_app(components))
    # The outbox worker runs beside the server unless [worker] run_in_serve = false.
    delivery.attach(app, components)
    # Periodic tasks (a signed audit checkpoint every minute), cancelled before the store closes.
    background.attach(app, components)

    async def close(_: web.Application) -> None:
        await components.close()

    app.on_cleanup.append(close)
    return app
