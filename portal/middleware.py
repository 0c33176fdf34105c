"""What every portal response goes through: the language, the error pages, and the portal's headers.

The portal's routes live on the root application beside the API (their addresses, /r/... and /konto/..., are part
of the product), so this middleware acts only on the portal's paths and leaves every other request to its face.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final

from aiohttp import web

from portal.context import PORTAL
from portal.errors import ErrorPage, page_for
from portal.i18n import DEFAULT_LANGUAGE, TEXTS, parse_language, translator
from portal.templating import LANGUAGE, language_of, render

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

PORTAL_PREFIXES: Final = ("/r/", "/konto", "/static/", "/privacy", "/terms")
LANGUAGE_COOKIE: Final = "sigill_lang"
_YEAR: Final = 365 * 24 * 3600
# Set once a portal response is prepared: from then on an error must end the connection, not answer again.
STARTED: Final = web.RequestKey("portal_response_started", bool)


def is_portal_path(path: str) -> bool:
    return path.startswith(PORTAL_PREFIXES) or path == "/r"


def get_page_of(request: web.Request) -> str:
    """The GET page a request belongs to, for the language switch: a POST's page is the link it came from."""
    if request.method == "GET":
        return request.path
    parts = request.path.split("/")
    if request.path.startswith("/r/") and len(parts) >= 5:
        return "/".join(parts[:5])
    return request.path


def content_security_policy(form_targets: tuple[str, ...]) -> str:
    """Scripts and styles from this server only, never inline; no framing; forms only here (and the provider)."""
    forms = " ".join(("'self'", *form_targets))
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        f"form-action {forms}; frame-ancestors 'none'; base-uri 'none'"
    )


@web.middleware
async def portal_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not is_portal_path(request.path):
        return await handler(request)
    chosen = parse_language(request.query.get("lang"))
    request[LANGUAGE] = chosen or parse_language(request.cookies.get(LANGUAGE_COOKIE)) or DEFAULT_LANGUAGE
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        response = _error_response(request, page_for(request, exc), exc)
    except Exception as exc:
        if request.get(STARTED):
            # The status line is on the wire (a download broke off): the client must see a broken transfer.
            if request.transport is not None:
                request.transport.abort()
            raise
        response = _error_response(request, page_for(request, exc), exc)
    if chosen is not None and not response.prepared:
        portal = request.app[PORTAL]
        response.set_cookie(
            LANGUAGE_COOKIE,
            chosen,
            max_age=_YEAR,
            path="/",
            secure=portal.production,
            httponly=True,
            samesite="Lax",
        )
    return response


def _error_response(request: web.Request, page: ErrorPage, exc: BaseException) -> web.Response:
    portal = request.app[PORTAL]
    t = translator(language_of(request))
    if page.sentence_sv and language_of(request) == "sv":
        sentence = page.sentence_sv
    elif page.key:
        sentence = t(page.key)
    else:
        # A sentence from a layer below is Swedish only: in English the status's own sentence stands in.
        sentence = t(f"error_{page.status}" if f"error_{page.status}" in TEXTS else "error_400")
    response = render(
        portal.templates,
        request,
        page.template,
        status=page.status,
        title=t(page.title_key),
        sentence=sentence,
        page_path=get_page_of(request),
    )
    if isinstance(exc, web.HTTPMethodNotAllowed):
        response.headers["Allow"] = ", ".join(sorted(exc.allowed_methods))
    if page.status == 408:
        response.force_close()
    return response


async def portal_headers(request: web.Request, response: web.StreamResponse) -> None:
    """The portal's own policy, over the defaults every response gets (sigill/headers.py)."""
    if not is_portal_path(request.path):
        return
    request[STARTED] = True
    portal = request.app[PORTAL]
    if "Content-Disposition" in response.headers:
        # A download is never a page: nothing in it may run, even if a browser were talked into showing it.
        response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'; sandbox"
    else:
        response.headers["Content-Security-Policy"] = content_security_policy(portal.form_targets)
    response.headers["X-Frame-Options"] = "DENY"
    if request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "public, max-age=600"
    else:
        response.headers["Cache-Control"] = "no-store"
