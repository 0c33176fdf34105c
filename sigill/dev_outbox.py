"""`/dev/outbox` and `/dev/outbox.html`: what the development sink received, newest first.

Development data only (mounted with the other /dev routes, in development mode
on loopback). The sink is a file in the data directory, so a `sigill worker`
running in another process shows up here too.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any

from aiohttp import web
from jinja2 import Environment
from markupsafe import Markup, escape

from notify.dev_sink import FILE_NAME, DevSink
from notify.render import environment
from sigill.config import Settings

_URL = re.compile(r"https?://[^\s<>\"']+")
# The page loads nothing and runs nothing; it may only be framed by nobody.
HTML_CSP = "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
SINK: web.AppKey[DevSink] = web.AppKey("dev_sink", DevSink)


def linkify(text: str) -> Markup:
    """The text, escaped, with its http(s) addresses made into links."""
    parts: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        parts.append(escape(text[last : match.start()]))
        url = escape(match.group())
        parts.append(Markup('<a href="{0}">{0}</a>').format(url))
        last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


@cache
def _environment() -> Environment:
    env = environment()
    env.filters["linkify"] = linkify
    return env


def install(app: web.Application, settings: Settings, clock: Callable[[], datetime]) -> None:
    app[SINK] = DevSink(settings.data_dir / FILE_NAME, clock)
    app.router.add_get("/outbox", outbox_json)
    app.router.add_get("/outbox.html", outbox_html)


async def _items(request: web.Request) -> tuple[str, list[dict[str, Any]]]:
    to = request.query.get("to", "").strip()
    items = await asyncio.to_thread(request.app[SINK].read, to=to or None)
    return to, items


async def outbox_json(request: web.Request) -> web.Response:
    _, items = await _items(request)
    return web.json_response({"items": items}, headers={"Cache-Control": "no-store"})


async def outbox_html(request: web.Request) -> web.Response:
    to, items = await _items(request)
    view = [{**item, "message_id": (item.get("headers") or {}).get("X-Sigill-Message")} for item in items]
    page = _environment().get_template("dev_outbox.html").render(items=view, to=to)
    return web.Response(
        text=page,
        content_type="text/html",
        charset="utf-8",
        headers={"Content-Security-Policy": HTML_CSP, "Cache-Control": "no-store"},
    )
