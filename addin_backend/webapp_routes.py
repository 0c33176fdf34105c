"""Serving the staff web app: its static files under /app/, its runtime configuration, and its page policy.

One single-page app (addin_backend/webapp/) serves three hosts: a plain browser (/app/), the Teams tab
(/app/teams/) and the Outlook panes (/app/outlook/). Teams and Outlook on the web frame it from their own origins,
so the pages carry a Content-Security-Policy whose `frame-ancestors` names exactly those origins; the browser page
may be framed by no one. No page has inline script, and the app talks only to this server.

Files under webapp/dev/ (the scripted host pages the browser tests drive, the Office.js stand-in) exist only in
development mode.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from aiohttp import web


@dataclass(frozen=True, slots=True)
class WebappConfig:
    """What the composition root tells the web app (from [webapp], [teams] and [entra] settings)."""

    production: bool
    base_url: str
    client_id: str
    authority: str
    api_scope: str


WEBAPP_DIR: Final = Path(__file__).resolve().parent / "webapp"
WEBAPP_CONFIG: Final = web.AppKey("webapp_config", WebappConfig)

# The origins Teams and Outlook (on the web, in the new Outlook and in Microsoft 365) frame tabs and panes from.
HOST_FRAME_ANCESTORS: Final = (
    "https://teams.microsoft.com",
    "https://*.teams.microsoft.com",
    "https://*.cloud.microsoft",
    "https://outlook.office.com",
    "https://outlook.office365.com",
    "https://*.outlook.com",
    "https://*.office.com",
    "https://*.office365.com",
)
OFFICE_JS_CDN: Final = "https://appsforoffice.microsoft.com/lib/1/hosted/office.js"
OFFICE_JS_STANDIN: Final = "/app/dev/office-standin.js"
# What the Outlook panes' <head> loads: Office.js from wherever this deployment takes it (office_js below).
OFFICE_JS_PATH: Final = "/app/outlook/office.js"
CONTENT_TYPES: Final[dict[str, str]] = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
# Revalidated on every load (ETag / Last-Modified): a deployment is seen at once, an unchanged file costs a 304.
CACHE_CONTROL: Final = "no-cache"
NO_ONE: Final = "'none'"


def page_policy(path: str, config: WebappConfig) -> str:
    """The Content-Security-Policy of one page under /app/, by the host that shows it."""
    production = config.production
    framed_by_hosts = path.startswith(("/app/teams/", "/app/outlook/"))
    ancestors = list(HOST_FRAME_ANCESTORS) if framed_by_hosts else []
    if not production:
        # The scripted host pages of development and tests frame the app from this same origin.
        ancestors.append("'self'")
    scripts, connect, frames = ["'self'"], ["'self'"], ["'self'"]
    if production:
        # MSAL.js redeems and renews tokens at the Entra authority (by fetch, or in a hidden frame).
        connect.append(_origin(config.authority))
        frames.append(_origin(config.authority))
        if path.startswith("/app/outlook/"):
            scripts.append(_origin(OFFICE_JS_CDN))
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {' '.join(scripts)}",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            f"connect-src {' '.join(connect)}",
            f"frame-src {' '.join(frames)}",
            "base-uri 'none'",
            "object-src 'none'",
            "form-action 'self'",
            f"frame-ancestors {' '.join(ancestors) or NO_ONE}",
        ]
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def runtime_config(config: WebappConfig) -> dict[str, object]:
    """What the pages need to know at run time: where Office.js comes from and how to sign in with Entra ID."""
    return {
        "mode": "production" if config.production else "development",
        "office_js": OFFICE_JS_CDN if config.production else OFFICE_JS_STANDIN,
        "entra": {
            "client_id": config.client_id,
            "authority": config.authority,
            "scopes": [config.api_scope],
            "redirect_uri": f"{config.base_url}/app/",
        },
        "portal_url": config.base_url,
    }


async def config_json(request: web.Request) -> web.Response:
    body = runtime_config(request.app[WEBAPP_CONFIG])
    return web.Response(
        text=json.dumps(body, ensure_ascii=False),
        content_type="application/json",
        headers={"Cache-Control": CACHE_CONTROL},
    )


def _resolve(relative: str, config: WebappConfig) -> Path | None:
    """The file under WEBAPP_DIR a request names, or None: no traversal, no hidden files, dev/ only in development."""
    parts = [p for p in relative.split("/") if p]
    if any(p.startswith(".") or "\\" in p for p in parts):
        return None
    if parts[:1] == ["dev"] and config.production:
        return None
    path = WEBAPP_DIR.joinpath(*parts)
    if path.is_dir():
        path = path / "index.html"
    try:
        path.resolve().relative_to(WEBAPP_DIR)
    except ValueError:
        return None
    if not path.is_file() or path.suffix not in CONTENT_TYPES:
        return None
    return path


async def webapp_file(request: web.Request) -> web.StreamResponse:
    config = request.app[WEBAPP_CONFIG]
    relative = request.match_info["path"]
    path = _resolve(relative, config)
    if path is None:
        raise web.HTTPNotFound()
    if path.name == "index.html" and relative and not relative.endswith(("/", ".html")):
        # /app/teams -> /app/teams/, so the page's relative addresses resolve as written.
        raise web.HTTPPermanentRedirect(f"/app/{relative}/")
    response = web.FileResponse(path, headers={"Cache-Control": CACHE_CONTROL})
    response.content_type = CONTENT_TYPES[path.suffix]
    if path.suffix in (".html", ".js", ".css", ".json", ".svg"):
        response.charset = "utf-8"
    if path.suffix == ".html":
        response.headers["Content-Security-Policy"] = page_policy(request.path, config)
    return response


async def office_js(request: web.Request) -> web.StreamResponse:
    """Office.js for the Outlook panes' <head>, as Microsoft asks it to be loaded (before the page's own script):
    in production a redirect to Microsoft's CDN (the panes' policy allows that origin), in development the stand-in.
    """
    config = request.app[WEBAPP_CONFIG]
    if config.production:
        raise web.HTTPFound(OFFICE_JS_CDN)
    path = _resolve(OFFICE_JS_STANDIN.removeprefix("/app/"), config)
    if path is None:
        raise web.HTTPNotFound()
    response = web.FileResponse(path, headers={"Cache-Control": CACHE_CONTROL})
    response.content_type = CONTENT_TYPES[".js"]
    response.charset = "utf-8"
    return response


async def app_root(request: web.Request) -> web.StreamResponse:
    raise web.HTTPPermanentRedirect("/app/")


def add_webapp(app: web.Application, config: WebappConfig) -> None:
    app[WEBAPP_CONFIG] = config
    app.router.add_get("/app", app_root)
    app.router.add_get("/app/config.json", config_json)
    app.router.add_get(OFFICE_JS_PATH, office_js)
    app.router.add_get("/app/{path:.*}", webapp_file)
