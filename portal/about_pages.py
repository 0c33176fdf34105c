"""Pages about the service itself: privacy and terms (the Teams app's developer links), and the root address.

    GET /          the staff web app (/app/): people who type the server's address are almost always staff
    GET /privacy   how Sigill handles personal data, in the words a recipient or member of staff needs
    GET /terms     the terms of use

The texts are the same for every organisation: what differs (who is the controller) is named as "the
organisation that sent the message" rather than by name, since these pages are reached without a message.
"""

from __future__ import annotations

from typing import Final

from aiohttp import web

from portal.context import PORTAL
from portal.templating import render

PRIVACY: Final = "/privacy"
TERMS: Final = "/terms"
STAFF_APP: Final = "/app/"


async def root(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound(STAFF_APP)


async def privacy(request: web.Request) -> web.Response:
    return render(request.app[PORTAL].templates, request, "about_privacy.html")


async def terms(request: web.Request) -> web.Response:
    return render(request.app[PORTAL].templates, request, "about_terms.html")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", root)
    app.router.add_get(PRIVACY, privacy)
    app.router.add_get(TERMS, terms)
