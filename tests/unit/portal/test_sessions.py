"""Sealed session cookies: nobody can read or change them, and they end after 15 idle minutes."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from multidict import MultiDict

from portal import csrf
from portal.sessions import SessionCookies

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KEY = b"s" * 32


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def cookies(clock: Clock, *, secure: bool = False) -> SessionCookies:
    return SessionCookies(KEY, clock=clock, secure=secure)


def test_a_session_comes_back_whole_and_its_content_cannot_be_read() -> None:
    clock = Clock()
    jar = cookies(clock)
    session = jar.new()
    # A marker long enough that random ciphertext never holds it by chance.
    marker = "delivery-0f3c9a7e5b1d4c2a"
    session.set("delivery", marker)
    sealed = jar.seal(session, "sigill_link")
    assert marker.encode() not in base64.urlsafe_b64decode(sealed) and session.csrf not in sealed
    back = jar.open(sealed, "sigill_link")
    assert back is not None and back.get("delivery") == marker and back.csrf == session.csrf and not back.new


def test_a_changed_cookie_or_another_key_opens_nothing() -> None:
    clock = Clock()
    sealed = cookies(clock).seal(cookies(clock).new(), "sigill_link")
    raw = bytearray(base64.urlsafe_b64decode(sealed))
    raw[-1] ^= 1
    assert cookies(clock).open(base64.urlsafe_b64encode(bytes(raw)).decode(), "sigill_link") is None
    assert SessionCookies(b"o" * 32, clock=clock, secure=False).open(sealed, "sigill_link") is None
    assert cookies(clock).open("not base64 !", "sigill_link") is None
    assert cookies(clock).open("", "sigill_link") is None


def test_a_session_sealed_for_one_cookie_does_not_open_as_another() -> None:
    clock = Clock()
    sealed = cookies(clock).seal(cookies(clock).new(), "sigill_siths")
    assert cookies(clock).open(sealed, "sigill_link") is None


def test_fifteen_idle_minutes_end_a_session_and_use_keeps_it_alive() -> None:
    clock = Clock()
    jar = cookies(clock)
    session = jar.new()
    response = web.Response()
    clock.now = START + timedelta(minutes=14)
    jar.save(response, session, name="sigill_link", path="/r/o/d")  # used: seen now
    sealed = response.cookies["sigill_link"].value
    clock.now = START + timedelta(minutes=28)
    assert jar.open(sealed, "sigill_link") is not None
    clock.now = START + timedelta(minutes=29, seconds=1)
    assert jar.open(sealed, "sigill_link") is None
    assert jar.load({"sigill_link": sealed}, "sigill_link").new


def test_no_session_lasts_longer_than_eight_hours_however_busy() -> None:
    clock = Clock()
    jar = cookies(clock)
    session = jar.new()
    sealed = ""
    for minutes in range(10, 8 * 60 + 10, 10):
        clock.now = START + timedelta(minutes=minutes)
        response = web.Response()
        jar.save(response, session, name="c", path="/")
        sealed = response.cookies["c"].value
    assert jar.open(sealed, "c") is not None
    clock.now += timedelta(minutes=1)
    assert jar.open(sealed, "c") is None


@pytest.mark.parametrize("secure", [False, True])
def test_the_cookie_is_http_only_same_site_lax_and_secure_in_production(secure: bool) -> None:
    jar = cookies(Clock(), secure=secure)
    response = web.Response()
    jar.save(response, jar.new(), name="sigill_link", path="/r/o/d")
    morsel = response.cookies["sigill_link"]
    assert morsel["httponly"] is True and morsel["samesite"] == "Lax" and morsel["path"] == "/r/o/d"
    assert bool(morsel["secure"]) is secure
    assert int(morsel["max-age"]) == 15 * 60


def test_csrf_needs_the_sessions_own_token() -> None:
    jar = cookies(Clock())
    session = jar.open(jar.seal(jar.new(), "c"), "c")
    assert session is not None
    csrf.check(session, MultiDict({"csrf_token": session.csrf}))
    for form in ({}, {"csrf_token": ""}, {"csrf_token": session.csrf + "x"}, {"csrf_token": jar.new().csrf}):
        with pytest.raises(csrf.CsrfRefused):
            csrf.check(session, MultiDict(form))
    fresh = jar.new()  # no cookie came: nothing to match, whatever the form says
    with pytest.raises(csrf.CsrfRefused):
        csrf.check(fresh, MultiDict({"csrf_token": fresh.csrf}))
