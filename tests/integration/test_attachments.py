"""Attachments: streamed in encrypted, streamed out whole, refused over the limits with nothing kept."""

from __future__ import annotations

import hashlib
import json
import os

import aiohttp

from tests.integration.harness import ANNA, BERTIL, CECILIA, Server


def _form(message: dict, files: list[tuple[str, bytes, str]]) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("message", json.dumps(message), content_type="application/json")
    for name, content, content_type in files:
        form.add_field("attachment", content, filename=name, content_type=content_type)
    return form


def _message(**extra: object) -> dict:
    return {
        "recipients": [{"address": BERTIL}],
        "subject": "Bilagor",
        "body": "Se bifogat.",
        "loa": 1,
        "reply_allowed": True,
        **extra,
    }


async def test_attachments_round_trip_byte_for_byte(server: Server) -> None:
    big = os.urandom(3 * 1024 * 1024 + 17)
    files = [
        ("intyg.pdf", b"%PDF-1.7 intyg", "application/pdf"),
        ("röntgen bild.bin", big, "application/octet-stream"),
    ]
    sent = await server.post("/messages", ANNA, data=_form(_message(), files))
    assert sent.status == 201, sent.body

    opened = await server.get(f"/messages/{sent.body['id']}", BERTIL)
    attachments = {a["name"]: a for a in opened.body["attachments"]}
    assert attachments["intyg.pdf"]["size"] == len(b"%PDF-1.7 intyg")
    assert attachments["röntgen bild.bin"]["size"] == len(big)
    download = await server.get(
        f"/messages/{sent.body['id']}/attachments/{attachments['röntgen bild.bin']['id']}", BERTIL
    )
    assert download.status == 200
    assert hashlib.sha256(download.raw).digest() == hashlib.sha256(big).digest()
    assert "attachment" in download.headers["Content-Disposition"]
    inbox = await server.get(f"/mailboxes/{BERTIL}/inbox", BERTIL)
    assert next(i for i in inbox.body["items"] if i["message_id"] == sent.body["id"])["has_attachments"]


async def test_strangers_cannot_download(server: Server) -> None:
    sent = await server.post("/messages", ANNA, data=_form(_message(), [("a.txt", b"hemligt", "text/plain")]))
    opened = await server.get(f"/messages/{sent.body['id']}", ANNA)
    attachment_id = opened.body["attachments"][0]["id"]
    resp = await server.get(f"/messages/{sent.body['id']}/attachments/{attachment_id}", CECILIA)
    assert resp.status == 404
    assert b"hemligt" not in resp.raw
    missing = await server.get(f"/messages/{sent.body['id']}/attachments/nope", BERTIL)
    assert missing.status == 404


async def test_message_part_must_come_first(server: Server) -> None:
    form = aiohttp.FormData()
    form.add_field("attachment", b"x", filename="a.txt", content_type="text/plain")
    form.add_field("message", json.dumps(_message()), content_type="application/json")
    resp = await server.post("/messages", ANNA, data=form)
    assert resp.status == 422
    assert resp.body["code"] == "message_part_missing"


async def test_an_attachment_over_the_limit_is_refused_and_nothing_is_kept(small_server: Server) -> None:
    server = small_server
    blobs_dir = server.settings.data_dir / "blobs"
    files_before = sorted(p for p in blobs_dir.rglob("*") if p.is_file()) if blobs_dir.exists() else []
    sent_before = await server.get(f"/mailboxes/{ANNA}/sent", ANNA)
    too_big = os.urandom(1024 * 1024 + 1)
    resp = await server.post(
        "/messages",
        ANNA,
        data=_form(_message(), [("ok.txt", b"liten", "text/plain"), ("stor.bin", too_big, "x/y")]),
    )
    assert resp.status == 413
    assert resp.body["code"] == "attachment_too_large"
    files_after = sorted(p for p in blobs_dir.rglob("*") if p.is_file()) if blobs_dir.exists() else []
    assert files_after == files_before
    assert (await server.get(f"/mailboxes/{ANNA}/sent", ANNA)).body == sent_before.body


async def test_the_whole_message_over_its_limit_is_refused(small_server: Server) -> None:
    chunk = os.urandom(900 * 1024)
    files = [(f"del{i}.bin", chunk, "application/octet-stream") for i in range(3)]
    resp = await small_server.post("/messages", ANNA, data=_form(_message(), files))
    assert resp.status == 413
    assert resp.body["code"] == "message_too_large"
