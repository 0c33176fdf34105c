"""The portal's own refusals, and the one place where any error becomes a page.

    PortalError          a refusal with a status and a sentence for the person (a key in portal/i18n.py)

A recalled, expired or unknown link (messaging's LinkUnavailable, or any address under /r/ that leads nowhere)
gets one neutral page with status 404, whichever it was.

Errors from the layers below (messaging, identity, store, crypto) carry no status: `page_for` gives them one and
a plain sentence, in the person's language, the way addin_backend/error_map.py does for the REST API. No stack
trace, code, personal number or message content ever reaches a page or a log line.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

from aiohttp import web

from crypto.errors import DecryptionError, KeyringError
from identity.errors import CodeLocked, EidError, OneTimeCodeRefused
from messaging.errors import (
    Conflict,
    Forbidden,
    IdentificationFailed,
    InvalidRequest,
    LinkUnavailable,
    MessagingError,
    NotFound,
    PayloadTooLarge,
)
from portal.csrf import CsrfRefused
from portal.paths import loggable_path
from store.errors import ConflictError, NotFoundError, StoreUnavailable

log = logging.getLogger(__name__)


class PortalError(Exception):
    """A refusal of the portal's own: `status`, and the key of the sentence shown."""

    def __init__(self, status: int, key: str, *, title_key: str = "error_title") -> None:
        super().__init__(key)
        self.status, self.key, self.title_key = status, key, title_key


@dataclass(frozen=True, slots=True)
class ErrorPage:
    status: int
    title_key: str
    # A key in portal/i18n.py, or a sentence already in Swedish from the layer that refused.
    key: str = ""
    sentence_sv: str = ""
    template: str = "error.html"


NEUTRAL_LINK_PAGE: Final = ErrorPage(
    404, "link_unavailable_title", "link_unavailable", template="link_gone.html"
)

_STATUS_KEYS: Final = {400, 403, 404, 405, 408, 413, 429, 500, 503}


def status_page(status: int) -> ErrorPage:
    key = f"error_{status}" if status in _STATUS_KEYS else ("error_400" if status < 500 else "error_500")
    title = {404: "error_404_title", 429: "error_429_title"}.get(status, "error_title")
    return ErrorPage(status, title, key)


def page_for(request: web.Request, exc: BaseException) -> ErrorPage:
    """The page an exception raised while handling `request` becomes."""
    if isinstance(exc, LinkUnavailable):
        return NEUTRAL_LINK_PAGE
    if isinstance(exc, IdentificationFailed):
        return ErrorPage(403, "eid_failed_title", "eid_failed")
    if isinstance(exc, PortalError):
        return ErrorPage(exc.status, exc.title_key, exc.key)
    if isinstance(exc, web.HTTPException):
        if exc.status == 404 and request.path.startswith("/r/"):
            return NEUTRAL_LINK_PAGE
        return status_page(exc.status)
    if isinstance(exc, CsrfRefused):
        return status_page(403)
    if isinstance(exc, CodeLocked):
        return ErrorPage(429, "error_429_title", "code_locked")
    if isinstance(exc, OneTimeCodeRefused):
        return ErrorPage(429, "error_429_title", "code_rate_limited")
    if isinstance(exc, EidError):
        log.warning("e-identification failed: %s", exc.code)
        return ErrorPage(503 if exc.code == "eid_unavailable" else 400, "error_title", "eid_failed")
    if isinstance(exc, MessagingError):
        return _messaging_page(request, exc)
    if isinstance(exc, ConflictError):
        return ErrorPage(409, "error_title", "error_conflict")
    if isinstance(exc, NotFoundError):
        log.warning(
            "a stored record or blob is missing for %s %s",
            request.method,
            loggable_path(request.rel_url.path),
        )
        return status_page(404)
    if isinstance(exc, StoreUnavailable | KeyringError):
        log.error("%s unavailable: %s", "store" if isinstance(exc, StoreUnavailable) else "keyring", exc)
        return status_page(503)
    if isinstance(exc, DecryptionError):
        log.error(
            "stored ciphertext failed to open for %s %s", request.method, loggable_path(request.rel_url.path)
        )
        return ErrorPage(500, "error_title", "error_unreadable")
    if isinstance(exc, web.RequestPayloadError):
        return status_page(400)
    log.exception(
        "unexpected error in %s %s", request.method, loggable_path(request.rel_url.path), exc_info=exc
    )
    return status_page(500)


def _messaging_page(request: web.Request, exc: MessagingError) -> ErrorPage:
    if isinstance(exc, NotFound):
        return NEUTRAL_LINK_PAGE if request.path.startswith("/r/") else status_page(404)
    status = 422
    for kind, code in ((PayloadTooLarge, 413), (Forbidden, 403), (Conflict, 409), (InvalidRequest, 422)):
        if isinstance(exc, kind):
            status = code
            break
    return ErrorPage(status, "error_title", sentence_sv=exc.message_sv)
