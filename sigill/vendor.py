"""Browser libraries from npm, served by `sigill serve` itself under /vendor/: no page loads script from a CDN.

Only the files named here are served, each from its package in node_modules (installed by `npm ci`, which
`make run` and `make test` do). A missing package answers 404 with a hint in the log, not a crash.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Final

from aiohttp import web

log = logging.getLogger(__name__)

PROJECT_ROOT: Final = Path(__file__).resolve().parent.parent
NODE_MODULES: Final = PROJECT_ROOT / "node_modules"

# URL name under /vendor/ -> file inside node_modules.
VENDOR_FILES: Final[dict[str, str]] = {
    "adaptivecards.min.js": "adaptivecards/dist/adaptivecards.min.js",
    "teams-js.min.js": "@microsoft/teams-js/dist/umd/MicrosoftTeams.min.js",
    "msal-browser.min.js": "@azure/msal-browser/lib/msal-browser.min.js",
}
# Versioned by the package lock, so a day's caching is safe; a new `npm ci` changes nothing a page must re-read
# within a working day.
CACHE_CONTROL: Final = "public, max-age=86400"


def vendor_url(name: str) -> str:
    """The path a page uses for one of VENDOR_FILES."""
    if name not in VENDOR_FILES:
        raise KeyError(name)
    return f"/vendor/{name}"


async def vendor_file(request: web.Request) -> web.StreamResponse:
    relative = VENDOR_FILES.get(request.match_info["name"])
    if relative is None:
        raise web.HTTPNotFound()
    path = NODE_MODULES / relative
    if not path.is_file():
        log.warning("vendor file %s is missing: run `npm ci` in %s", relative, PROJECT_ROOT)
        raise web.HTTPNotFound()
    response = web.FileResponse(path, headers={"Cache-Control": CACHE_CONTROL})
    response.content_type = "text/javascript"
    return response


def add_vendor_routes(app: web.Application) -> None:
    app.router.add_get("/vendor/{name}", vendor_file)
