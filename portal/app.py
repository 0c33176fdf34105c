"""The portal mounted on the root application: its middleware's headers, its static files and its pages.

The pages keep the addresses the product promises (/r/<org>/<delivery>/<token> in every e-mail, /konto/... for
registered recipients), so they are routes of the root application rather than a sub-application under one
prefix; `portal.middleware.portal_pages` (installed by sigill/app.py) gives them their error pages and language.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from aiohttp import web

from portal import about_pages, account_pages, link_pages
from portal.context import PORTAL, Portal
from portal.middleware import portal_headers

STATIC_DIR: Final = Path(__file__).parent / "static"


def add_portal(app: web.Application, portal: Portal) -> None:
    app[PORTAL] = portal
    app.on_response_prepare.append(portal_headers)
    app.router.add_static("/static/", STATIC_DIR, follow_symlinks=False, append_version=False)
    link_pages.add_routes(app)
    # Registered recipients' pages (/konto/...).
    account_pages.add_routes(app)
    # The root address, and the privacy and terms pages the Teams app package links to.
    about_pages.add_routes(app)
