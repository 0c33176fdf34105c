"""The one place where the REST API turns an exception into an answer.

Domain (messaging), identity, crypto and store errors carry no HTTP status; this module gives them one, as
`application/problem+json` (RFC 9457) with a stable `code`:

    messaging  InvalidRequest 422 · PayloadTooLarge 413 · Forbidden 403 · NotFound 404 · Conflict 409
               StepUpRequired 401 + RFC 9470 challenge · SignInRefused 401 · LinkUnavailable 404
               IdentificationFailed 403 · AccountSignInFailed 401 (TooManyTries 429, IdentityMismatch 403)
    identity   InvalidContactDetail 422 · any other IdentityError 401 (the token was refused)
    store      ConflictError 409 (a write lost a race) · InvalidCursor 400 · TooManyWrites 422
               NotFoundError 404 · StoreUnavailable 503
    crypto     KeyringError 503 · DecryptionError 500 (stored data failed its integrity check)
    the face   RequestRefused (its own status: 400 malformed, 415 media type, ...) · aiohttp's own refusals
               (404, 405 with `Allow`, 408, 413, ...) · a request body that cannot be decoded 400
    anything else: 500, logged with its traceback, never shown.

A response whose headers are already on the wire (a download that fails midway) cannot become a problem: the
connection is aborted instead, so the client sees a broken transfer and never a second response in the body.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus

from aiohttp import web

from addin_backend.auth import InvalidCredentials
from addin_backend.problems import problem, unauthorized
from addin_backend.step_up import step_up_problem
from crypto.errors import DecryptionError, KeyringError
from identity.errors import IdentityError, InvalidContactDetail
from messaging.errors import (
    AccountSignInFailed,
    Conflict,
    Forbidden,
    IdentificationFailed,
    IdentityMismatch,
    InvalidRequest,
    LinkUnavailable,
    MessagingError,
    NotFound,
    PayloadTooLarge,
    SignInRefused,
    StepUpRequired,
    TooManyTries,
)
from store.errors import ConflictError, InvalidCursor, NotFoundError, StoreUnavailable, TooManyWrites

log = logging.getLogger(__name__)

# Set by the API's on_response_prepare: once a response is prepared, its status line is on the wire.
STARTED = web.RequestKey("started_response", web.StreamResponse)

UNAVAILABLE_SV = "Tjänsten är inte tillgänglig just nu. Försök igen om en stund."


class RequestRefused(Exception):
    """The API cannot read the request as sent: malformed JSON or multipart, an unsupported media type, ...

    The face's own refusal, raised by its parsers; unlike domain errors it names its HTTP status.
    """

    def __init__(self, status: int, code: str, title: str, detail: str = "", **extra: str) -> None:
        super().__init__(code)
        self.status, self.code, self.title, self.detail = status, code, title, detail
        # Further members of the problem, such as `pointer`: where in the body the fault is (RFC 9457).
        self.extra = extra


# Most specific first: the first class the exception is an instance of decides.
MESSAGING_STATUS: tuple[tuple[type[MessagingError], int], ...] = (
    (InvalidRequest, 422),
    (PayloadTooLarge, 413),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (SignInRefused, 401),
    # The recipient side's errors (the portal answers them with pages; here for completeness).
    (LinkUnavailable, 404),
    (IdentificationFailed, 403),
    (TooManyTries, 429),
    (IdentityMismatch, 403),
    (AccountSignInFailed, 401),
)

_HTTP_CODES = {
    400: ("bad_request", "Förfrågan går inte att läsa."),
    401: ("unauthorized", "Du behöver logga in."),
    403: ("forbidden", "Du får inte göra det här."),
    404: ("not_found", "Det finns inget sådant i tjänsten."),
    405: ("method_not_allowed", "Den metoden går inte att använda här."),
    408: ("request_timeout", "Förfrågan kom för långsamt. Försök igen."),
    411: ("length_required", "Förfrågan saknar längd."),
    413: ("payload_too_large", "Förfrågan är för stor."),
    414: ("uri_too_long", "Adressen är för lång."),
    415: ("unsupported_media_type", "Förfrågan har ett format som tjänsten inte tar emot."),
    422: ("invalid_request", "Förfrågan är inte korrekt ifylld."),
    429: ("too_many_requests", "För många förfrågningar. Vänta en stund och försök igen."),
    431: ("headers_too_large", "Förfrågans huvuden är för stora."),
    500: ("internal_error", "Något gick fel hos oss. Försök igen."),
    503: ("unavailable", UNAVAILABLE_SV),
    504: ("timeout", "Det tog för lång tid. Försök igen."),
}


async def answer(request: web.Request, exc: Exception) -> web.StreamResponse:
    """The response for an exception raised while handling `request`."""
    started = request.get(STARTED)
    if started is not None:
        return _abort(request, started, exc)
    response = _problem_for(request, exc)
    if response.keep_alive is False:  # None: not decided, the usual keep-alive rules apply
        await _send_then_close(request, response)
    return response


def _problem_for(request: web.Request, exc: Exception) -> web.Response:
    if isinstance(exc, web.HTTPException):
        return http_problem(exc)
    for kind, render in _RENDERERS:
        if isinstance(exc, kind):
            return render(request, exc)
    log.exception("unexpected error in %s %s", request.method, request.rel_url.path)
    return problem(500, "internal_error", "Något gick fel hos oss. Försök igen.")


def status_problem(status: int, detail: str = "") -> web.Response:
    """A problem for a bare HTTP status, with the API's code and Swedish title for it."""
    code, title = _HTTP_CODES.get(status, ("http_error", HTTPStatus(status).phrase))
    return problem(status, code, title, detail)


def compressed_upload() -> RequestRefused:
    # A compressed upload could inflate far past every limit before a byte of it is checked.
    return RequestRefused(
        415,
        "content_encoding_unsupported",
        "Förfrågan får inte vara komprimerad.",
        "Content-Encoding is not accepted on uploads; send the body uncompressed.",
    )


def http_problem(exc: web.HTTPException) -> web.Response:
    """aiohttp's own refusals (no such route, wrong method, body too large or too slow) as problem+json."""
    response = status_problem(exc.status, exc.reason)
    if isinstance(exc, web.HTTPMethodNotAllowed):
        response.headers["Allow"] = ", ".join(sorted(exc.allowed_methods))
    if exc.status == 408:
        # The rest of the body may still trickle in: waiting for it is what the timeout refuses.
        response.force_close()
    return response


def messaging_problem(request: web.Request, exc: MessagingError) -> web.Response:
    if isinstance(exc, StepUpRequired):
        return step_up_problem(request, exc)
    status = next((s for kind, s in MESSAGING_STATUS if isinstance(exc, kind)), 422)
    response = problem(status, exc.code, exc.message_sv, exc.detail, **exc.extra)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


def _refused(request: web.Request, exc: Exception) -> web.Response:
    assert isinstance(exc, RequestRefused)
    return problem(exc.status, exc.code, exc.title, exc.detail, **exc.extra)


def _messaging(request: web.Request, exc: Exception) -> web.Response:
    assert isinstance(exc, MessagingError)
    return messaging_problem(request, exc)


def _identity(request: web.Request, exc: Exception) -> web.Response:
    if isinstance(exc, InvalidContactDetail):
        return problem(422, exc.code, exc.message_sv, exc.detail)
    return unauthorized(str(exc) or "The token was refused.")


def _store_conflict(request: web.Request, exc: Exception) -> web.Response:
    return problem(
        409,
        "conflict",
        "Någon annan ändrade samma sak samtidigt. Läs in på nytt och försök igen.",
        "A concurrent request changed the same record; nothing was written by this one.",
    )


def _bad_cursor(request: web.Request, exc: Exception) -> web.Response:
    return problem(
        400,
        "cursor_invalid",
        "Sidmarkören är ogiltig. Börja om från första sidan.",
        "cursor is not a next_cursor this listing handed out.",
    )


def _too_many_writes(request: web.Request, exc: Exception) -> web.Response:
    return problem(
        422,
        "too_many_writes",
        "Förfrågan ändrar för mycket på en gång. Dela upp den i mindre delar.",
        "The request would change more records than one atomic commit can hold; nothing was written.",
    )


def _store_not_found(request: web.Request, exc: Exception) -> web.Response:
    log.warning("a stored record or blob is missing for %s %s", request.method, request.rel_url.path)
    return problem(404, "not_found", "Det finns inget sådant i tjänsten.")


def _store_unavailable(request: web.Request, exc: Exception) -> web.Response:
    log.error("store unavailable: %s", exc)
    return problem(503, "unavailable", UNAVAILABLE_SV)


def _keyring_unavailable(request: web.Request, exc: Exception) -> web.Response:
    # KeyringError messages name what to fix (a file, a vault), never a key.
    log.error("keyring unavailable: %s", exc)
    return problem(503, "keyring_unavailable", UNAVAILABLE_SV, "The keyring cannot be used right now.")


def _undecryptable(request: web.Request, exc: Exception) -> web.Response:
    log.error("stored ciphertext failed to open for %s %s", request.method, request.rel_url.path)
    return problem(500, "unreadable", "Innehållet kunde inte läsas. Kontakta supporten.")


def _undecodable_body(request: web.Request, exc: Exception) -> web.Response:
    response = problem(
        400, "malformed_body", "Förfrågan går inte att läsa.", "The request body is malformed."
    )
    # The HTTP framing itself broke (chunks, compression): nothing after it on this connection can be read.
    response.force_close()
    return response


_Renderer = Callable[[web.Request, Exception], web.Response]
_RENDERERS: tuple[tuple[type[Exception], _Renderer], ...] = (
    (RequestRefused, _refused),
    (MessagingError, _messaging),
    (InvalidCredentials, lambda request, exc: unauthorized(str(exc) or "The token was refused.")),
    (IdentityError, _identity),
    (ConflictError, _store_conflict),
    (InvalidCursor, _bad_cursor),
    (TooManyWrites, _too_many_writes),
    (NotFoundError, _store_not_found),
    (StoreUnavailable, _store_unavailable),
    (KeyringError, _keyring_unavailable),
    (DecryptionError, _undecryptable),
    (web.RequestPayloadError, _undecodable_body),
)


async def _send_then_close(request: web.Request, response: web.StreamResponse) -> None:
    """Write the answer now and close the connection, instead of draining a body that will not come."""
    await response.prepare(request)
    await response.write_eof()
    request.protocol.force_close()


def _abort(request: web.Request, started: web.StreamResponse, exc: Exception) -> web.StreamResponse:
    """The status line is sent: end the connection, so the client sees a broken transfer, not a success."""
    log.warning(
        "%s %s failed after its response started (%s); connection aborted",
        request.method,
        request.rel_url.path,
        type(exc).__name__,
    )
    transport = request.transport
    if transport is not None:
        transport.abort()
    return started
