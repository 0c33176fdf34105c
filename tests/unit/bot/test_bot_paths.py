"""Typed commands and the folder cards' page trail: pure functions of bot/, from what a user types or a card holds."""

from __future__ import annotations

import base64

import pytest

from bot.commands import command_of
from bot.errors import ForgedData
from bot.folders import MAX_TRAIL, decode_trail, encode_trail


@pytest.mark.parametrize(
    ("typed", "command"),
    [
        ("hjälp", "help"),
        ("  Inkorg ", "inbox"),
        ("SKICKADE", "sent"),
        ("länkar", "links"),
        ("la\u0308nkar", "links"),  # "ä" typed as a with a combining diaeresis
        ("Funktionsbrevlåda", "mailbox"),
        ("function  mailbox", "mailbox"),
        ("nytt", "compose"),
        ("new message", "compose"),
        ("/inbox", "inbox"),
        ("inkorg?", "inbox"),
        ("radera allt", "help"),
        ("", "help"),
        (None, "help"),
    ],
)
def test_typed_commands(typed: str | None, command: str) -> None:
    assert command_of(typed) == command


def test_the_trail_round_trips_and_the_first_page_has_none() -> None:
    trail = ["c1", "cursor/with+odd=chars", "ÅÄÖ"]
    assert encode_trail([]) is None
    assert decode_trail(None) == []
    assert decode_trail(encode_trail(trail)) == trail


@pytest.mark.parametrize(
    "value",
    [
        "not base64 at all!",
        base64.urlsafe_b64encode(b"{}").decode(),
        base64.urlsafe_b64encode(b"[]").decode(),
        base64.urlsafe_b64encode(b"[1, 2]").decode(),
        base64.urlsafe_b64encode(b'[""]').decode(),
        base64.urlsafe_b64encode(b"not json").decode(),
        encode_trail(["c"] * (MAX_TRAIL + 1)),
    ],
)
def test_a_trail_no_card_could_carry_is_forged(value: str) -> None:
    with pytest.raises(ForgedData):
        decode_trail(value)
