"""Strict input: no type is coerced, no control or bidi character gets into a subject or a file name, and the
open message's personal-number check reads the text the way a person would."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from tests.integration.harness import ANNA, BERTIL, Server


def _message(**extra: Any) -> dict[str, Any]:
    return {
        "recipients": [{"address": BERTIL}],
        "subject": "Ämne",
        "body": "Text",
        "loa": 1,
        "reply_allowed": True,
        **extra,
    }


async def _sent_count(server: Server) -> int:
    page = await server.get(f"/mailboxes/{ANNA}/sent", ANNA, params={"limit": "100"})
    return len(page.body["items"])


@pytest.mark.parametrize(
    "field",
    [
        {"loa": True},
        {"loa": "1"},
        {"loa": 1.0},
        {"reply_allowed": "yes"},
        {"reply_allowed": 1},
        {"subject": 42},
        {"recipients": [{"address": BERTIL, "method": 1}]},
    ],
    ids=["loa-true", "loa-string", "loa-float", "reply-yes", "reply-one", "subject-number", "method-number"],
)
async def test_values_of_the_wrong_type_are_refused_not_coerced(
    server: Server, field: dict[str, Any]
) -> None:
    before = await _sent_count(server)
    resp = await server.post("/messages", ANNA, json=_message(**field))
    assert resp.status == 422, resp.body
    assert resp.body["code"] == "invalid_body"
    assert await _sent_count(server) == before


@pytest.mark.parametrize(
    "subject",
    [
        "Rad\r\nBcc: x@example.org",
        "Nul\x00tecken",
        "Tab\tbar",
        "Klocka\x07",
        "C1\x85tecken",
        "Bidi \u202efdp.exe",
        "Isolat \u2066x\u2069",
        "Inbäddat \u202bx\u202c",
        "DEL\x7f",
    ],
)
async def test_control_and_bidi_characters_in_the_subject_are_refused(server: Server, subject: str) -> None:
    before = await _sent_count(server)
    resp = await server.send(ANNA, recipients=[{"address": BERTIL}], subject=subject)
    assert resp.status == 422, resp.body
    assert resp.body["code"] == "subject_invalid_characters"
    assert await _sent_count(server) == before
    sent = await server.send(ANNA, recipients=[{"address": BERTIL}], subject="Tack!")
    reply = await server.post(
        f"/messages/{sent.body['id']}/replies", BERTIL, json={"subject": subject, "body": "x"}
    )
    assert reply.status == 422
    assert reply.body["code"] == "subject_invalid_characters"


async def test_ordinary_unicode_in_the_subject_is_kept(server: Server) -> None:
    subject = "Återbesök – läkarintyg för Åsa Öberg (ärende 12/2026) ✓"
    resp = await server.send(ANNA, recipients=[{"address": BERTIL}], subject=subject)
    assert resp.status == 201, resp.body
    assert (await server.get(f"/messages/{resp.body['id']}", BERTIL)).body["subject"] == subject


@pytest.mark.parametrize(
    "disposition",
    [
        'filename="faktura\u202efdp.exe"',  # raw UTF-8, as browsers send it
        'filename="faktura%E2%80%AEfdp.exe"',  # percent-encoded, as aiohttp and others send it
        'filename="rad%0D%0Abrytning.txt"',
        'filename="nul%00.pdf"',
        'filename="isolat\u2066.pdf\u2069.exe"',
        "filename*=UTF-8''tab%09.txt",
        "filename*=UTF-8''c1%C2%85.txt",
    ],
    ids=["bidi-raw", "bidi-quoted", "crlf", "nul", "isolate", "tab-rfc5987", "c1-rfc5987"],
)
async def test_control_and_bidi_characters_in_file_names_are_refused(
    server: Server, disposition: str
) -> None:
    blobs = server.settings.data_dir / "blobs"
    files_before = sorted(p for p in blobs.rglob("*") if p.is_file()) if blobs.exists() else []
    before = await _sent_count(server)
    body = (
        b'--XX\r\nContent-Disposition: form-data; name="message"\r\nContent-Type: application/json\r\n\r\n'
        + json.dumps(_message()).encode()
        + b'\r\n--XX\r\nContent-Disposition: form-data; name="attachment"; filename="ok.txt"\r\n\r\nok'
        + b'\r\n--XX\r\nContent-Disposition: form-data; name="attachment"; '
        + disposition.encode()
        + b"\r\n\r\n%PDF\r\n--XX--\r\n"
    )
    resp = await server.post(
        "/messages", ANNA, data=aiohttp.BytesPayload(body, content_type="multipart/form-data; boundary=XX")
    )
    assert resp.status == 422, resp.body
    assert resp.body["code"] == "attachment_name_invalid_characters"
    assert await _sent_count(server) == before
    files_after = sorted(p for p in blobs.rglob("*") if p.is_file()) if blobs.exists() else []
    assert files_after == files_before


@pytest.mark.parametrize(
    "open_message",
    [
        "Gäller 19121212 - 1212.",
        "Gäller １９１２１２１２－１２１２.",
        "Gäller 1912 12 12-1212.",
        "Gäller 19121212\u00ad-\u200b1212.",
        "Gäller 121212\u2009-\u20091212.",
        "Gäller １２１２１２－１２１２.",
    ],
    ids=["spaced-dash", "full-width", "spaced-date", "format-characters", "thin-spaces", "full-width-short"],
)
async def test_a_personal_number_in_disguise_is_caught_in_the_open_message(
    server: Server, open_message: str
) -> None:
    before = await _sent_count(server)
    resp = await server.send(ANNA, recipients=[{"address": "kund@example.org"}], open_message=open_message)
    assert resp.status == 422, resp.body
    assert resp.body["code"] == "open_message_has_personal_number"
    assert await _sent_count(server) == before


async def test_an_open_message_with_other_numbers_is_sent(server: Server) -> None:
    text = "Ring 070-123 45 67 eller besök oss 2026-11-24 kl. 10, rum 1212."
    resp = await server.send(ANNA, recipients=[{"address": "kund@example.org"}], open_message=text)
    assert resp.status == 201, resp.body
