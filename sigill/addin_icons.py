"""The Outlook add-in's icons, served at /icons/: both add-in manifests name them by URL, and Outlook fetches them.

Only the sizes sigill.manifest_icons draws are served, from manifests/icons/; any other name is 404.
"""

from __future__ import annotations

from typing import Final

from aiohttp import web

from sigill.manifest_icons import ADDIN_SIZES, addin_icon_name
from sigill.manifests import ICONS_DIR, ICONS_PATH

ICON_NAMES: Final = frozenset(addin_icon_name(size) for size in ADDIN_SIZES)
# Outlook caches icons itself; a day here spares the server the same request from every client.
CACHE_CONTROL: Final = "public, max-age=86400"


async def icon_file(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    if name not in ICON_NAMES:
        raise web.HTTPNotFound()
    response = web.FileResponse(ICONS_DIR / name, headers={"Cache-Control": CACHE_CONTROL})
    response.content_type = "image/png"
    return response


def add_icon_routes(app: web.Application) -> None:
    app.router.add_get(ICONS_PATH + "{name}", icon_file)
