"""The portal's Jinja2 environment and the one function that turns a template into a response.

Autoescaping is on for every template, and undefined names raise: a page never shows a blank where a value was
forgotten, and never shows a value as HTML unless the code marked it safe after escaping it itself
(portal/text.py does that for message bodies).
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urlencode

import jinja2
from aiohttp import web

from portal.i18n import DEFAULT_LANGUAGE, FIXED_LABELS, LANGUAGES, Language, parse_language, translator
from portal.sessions import Session

LANGUAGE: Final = web.RequestKey("portal_language", str)
# Pages that must never be kept by a browser or a proxy: anything with content or a form.
NO_STORE: Final = "no-store"


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("portal", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # A global, so the macros see it without the page's context.
    env.globals["fixed_labels"] = FIXED_LABELS
    return env


def language_of(request: web.Request) -> Language:
    return parse_language(request.get(LANGUAGE)) or DEFAULT_LANGUAGE


def switch_urls(path: str) -> dict[str, str]:
    """Links to the same page in each language; they work without JavaScript (portal/app.py stores the choice)."""
    return {language: f"{path}?{urlencode({'lang': language})}" for language in LANGUAGES}


def render(
    env: jinja2.Environment,
    request: web.Request,
    template: str,
    *,
    status: int = 200,
    session: Session | None = None,
    page_path: str | None = None,
    **context: Any,
) -> web.Response:
    """Render `template` for `request` in the person's language.

    `page_path` is the address the language switch links to: by default this request's path, but a page drawn in
    answer to a POST names the GET page it belongs to (a link cannot repeat a POST).
    """
    language = language_of(request)
    path = page_path or (request.path if request.method == "GET" else "/")
    html = env.get_template(template).render(
        lang=language,
        t=translator(language),
        csrf_token=session.csrf if session is not None else "",
        switch=switch_urls(path),
        org_name=context.pop("org_name", ""),
        **context,
    )
    response = web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
    response.headers["Cache-Control"] = NO_STORE
    return response
