"""The one mapping from every layer's errors to the API's answers: status, stable code, nothing leaked."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from addin_backend import error_map
from crypto.errors import DecryptionError, KeyringError
from identity.errors import InvalidPersonalNumber, InvalidToken
from messaging import errors as messaging_errors
from messaging.errors import (
    Conflict,
    Forbidden,
    InvalidRequest,
    MessagingError,
    NotFound,
    PayloadTooLarge,
    SignInRefused,
    StepUpRequired,
)
from store.errors import ConflictError, InvalidCursor, NotFoundError, StoreUnavailable, TooManyWrites


async def _answer(exc: Exception) -> tuple[web.Response, dict[str, Any]]:
    request = make_mocked_request("POST", "/api/v1/messages", app=web.Application())
    response = await error_map.answer(request, exc)
    assert isinstance(response, web.Response)
    assert response.content_type == "application/problem+json"
    assert response.text is not None
    return response, json.loads(response.text)


def _all_subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    return found.union(*(_all_subclasses(sub) for sub in found)) if found else found


def test_domain_errors_carry_no_http_status() -> None:
    for cls in {MessagingError, *_all_subclasses(MessagingError)}:
        assert "status" not in vars(cls), cls
        assert not hasattr(cls, "status"), cls


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (InvalidRequest("subject_missing", "Ange ett ämne."), 422, "subject_missing"),
        (PayloadTooLarge("attachment_too_large", "För stor."), 413, "attachment_too_large"),
        (Forbidden("not_a_member", "Nej."), 403, "not_a_member"),
        (NotFound("case"), 404, "case_not_found"),
        (Conflict("case_taken", "Upptaget."), 409, "case_taken"),
        (SignInRefused(), 401, "sign_in_refused"),
        (StepUpRequired(3), 401, "step_up_required"),
        (ConflictError("version 7 is stale for record abc"), 409, "conflict"),
        (InvalidCursor("bad"), 400, "cursor_invalid"),
        (TooManyWrites("101 writes"), 422, "too_many_writes"),
        (NotFoundError("blob x"), 404, "not_found"),
        (StoreUnavailable("sqlite closed"), 503, "unavailable"),
        (KeyringError("key file /var/sigill/keys.json is unreadable"), 503, "keyring_unavailable"),
        (InvalidToken("token expired"), 401, "unauthorized"),
        (InvalidPersonalNumber("wrong check digit"), 422, "personal_number_invalid"),
        (web.HTTPRequestEntityTooLarge(max_size=1, actual_size=2), 413, "payload_too_large"),
        (web.HTTPRequestTimeout(), 408, "request_timeout"),
        (
            error_map.RequestRefused(415, "unsupported_media_type", "Fel format."),
            415,
            "unsupported_media_type",
        ),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
async def test_each_error_has_its_status_and_stable_code(exc: Exception, status: int, code: str) -> None:
    response, body = await _answer(exc)
    assert response.status == status
    assert body["status"] == status
    assert body["code"] == code
    assert body["title"]


def _instance(cls: type[MessagingError]) -> MessagingError:
    """An instance of any domain error, whatever its constructor asks for."""
    for args in ((), ("some_code", "En mening."), (2,), (datetime.now(UTC),)):
        try:
            return cls(*args)
        except TypeError:
            continue
    raise AssertionError(f"cannot make a {cls.__name__}")


async def test_every_domain_error_is_mapped_below_500() -> None:
    for cls in _all_subclasses(MessagingError):
        exc = _instance(cls)
        response, body = await _answer(exc)
        assert 400 <= response.status < 500, cls
        assert body["code"] == exc.code, cls
        # Explicitly mapped: the fallback (422) is for a subclass nobody has thought about yet.
        explicit = any(isinstance(exc, kind) for kind, _ in error_map.MESSAGING_STATUS)
        assert explicit or isinstance(exc, StepUpRequired), cls


async def test_refusals_name_no_internals() -> None:
    for exc in (
        KeyringError("key file /var/sigill/keys.json is unreadable"),
        StoreUnavailable("database /var/sigill/sigill.db is locked"),
        ConflictError("record 1234 version 7"),
        RuntimeError("secret 19121212-1212"),
        DecryptionError(),
    ):
        response, body = await _answer(exc)
        text = json.dumps(body)
        assert "/var/sigill" not in text and "1234" not in text and "19121212" not in text, exc
        assert response.status in (409, 500, 503)


async def test_an_unexpected_error_is_a_500_without_details() -> None:
    response, body = await _answer(ZeroDivisionError("division by zero in secret place"))
    assert response.status == 500
    assert body["code"] == "internal_error"
    assert "secret" not in json.dumps(body)


async def test_405_names_the_allowed_methods() -> None:
    response, body = await _answer(web.HTTPMethodNotAllowed("PUT", ["GET", "POST"]))
    assert response.status == 405
    assert response.headers["Allow"] == "GET, POST"
    assert body["code"] == "method_not_allowed"


async def test_the_step_up_problem_carries_the_rfc_9470_challenge() -> None:
    response, body = await _answer(StepUpRequired(3))
    assert body["required_loa"] == 3
    assert 'error="insufficient_user_authentication"' in response.headers["WWW-Authenticate"]


def test_every_status_the_map_answers_has_a_swedish_title() -> None:
    for status in (400, 401, 403, 404, 405, 408, 413, 415, 422, 500, 503):
        response = error_map.status_problem(status)
        assert response.text is not None
        body = json.loads(response.text)
        assert body["code"] != "http_error", status
        assert body["title"].endswith("."), status


def test_messaging_errors_module_draws_no_status_in_its_tree() -> None:
    assert messaging_errors.__doc__ is not None
    assert "(4" not in messaging_errors.__doc__
