"""Bad input and lost races are answered in problem+json with a stable code, never 500, and change nothing."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from tests.integration.harness import ANNA, BERTIL, Response, Server


def _message(**extra: Any) -> dict[str, Any]:
    return {
        "recipients": [{"address": BERTIL}],
        "subject": "Ämne",
        "body": "Text",
        "loa": 1,
        "reply_allowed": True,
        **extra,
    }


async def _sent_ids(server: Server) -> list[str]:
    page = await server.get(f"/mailboxes/{ANNA}/sent", ANNA, params={"limit": "100"})
    return [item["message_id"] for item in page.body["items"]]


def _blob_files(server: Server) -> list[str]:
    blobs = server.settings.data_dir / "blobs"
    return sorted(str(p) for p in blobs.rglob("*") if p.is_file()) if blobs.exists() else []


def _assert_problem(resp: Response, status: int, code: str) -> None:
    assert resp.status == status, (resp.status, resp.body)
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    assert resp.body["code"] == code
    assert resp.body["status"] == status
    assert resp.body["title"]


async def _raw(server: Server, body: bytes, content_type: str, **headers: str) -> Response:
    """POST /messages with exactly these bytes and headers."""
    token = await server.token(ANNA)
    async with server.session.post(
        f"{server.base}/api/v1/messages",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type, **headers},
    ) as resp:
        raw = await resp.read()
        parsed = json.loads(raw) if resp.content_type.endswith("json") else None
        return Response(resp.status, parsed, dict(resp.headers), raw)


async def test_double_clicked_replies_are_answered_409_never_500(server: Server) -> None:
    statuses: list[int] = []
    for _ in range(4):
        sent = await server.send(ANNA, recipients=[{"address": BERTIL}])
        path = f"/messages/{sent.body['id']}/replies"
        replies = await asyncio.gather(
            *(server.post(path, BERTIL, json={"subject": "Sv", "body": "Ja."}) for _ in range(4))
        )
        statuses += [r.status for r in replies]
        for lost in (r for r in replies if r.status != 201):
            _assert_problem(lost, 409, "conflict")
        # A refused reply left nothing behind: the inbox holds exactly the replies that were answered 201.
        inbox = await server.get(f"/mailboxes/{ANNA}/inbox", ANNA, params={"limit": "100"})
        arrived = {i["message_id"] for i in inbox.body["items"]}
        assert {r.body["id"] for r in replies if r.status == 201} <= arrived
        thread = [i for i in inbox.body["items"] if i["message_id"] in {r.body.get("id") for r in replies}]
        assert len(thread) == sum(r.status == 201 for r in replies)
    assert set(statuses) <= {201, 409}
    assert 201 in statuses
    assert 409 in statuses, "four parallel replies never raced; the test proves nothing"


async def test_an_open_racing_a_reply_is_never_a_500(server: Server) -> None:
    outcomes: list[tuple[int, int]] = []
    for _ in range(4):
        sent = await server.send(ANNA, recipients=[{"address": BERTIL}])
        message_id = sent.body["id"]
        opened, replied = await asyncio.gather(
            server.get(f"/messages/{message_id}", BERTIL),
            server.post(f"/messages/{message_id}/replies", BERTIL, json={"subject": "Sv", "body": "Ja."}),
        )
        assert opened.status == 200
        if replied.status != 201:
            _assert_problem(replied, 409, "conflict")
        outcomes.append((opened.status, replied.status))
        original = await server.get(f"/messages/{message_id}", ANNA)
        expected = "answered" if replied.status == 201 else "opened"
        assert original.body["deliveries"][0]["status"] == expected
    assert {reply for _, reply in outcomes} <= {201, 409}


async def test_a_cursor_no_listing_handed_out_is_400(server: Server) -> None:
    # A cursor is an opaque position; these are no position at all.
    for cursor in ("garbage", "a", "ÅÄÖ", "%00", "_" * 3):
        resp = await server.get(f"/mailboxes/{ANNA}/inbox", ANNA, params={"cursor": cursor})
        _assert_problem(resp, 400, "cursor_invalid")


async def test_malformed_json_is_400(server: Server) -> None:
    before = await _sent_ids(server)
    for body in (b"{", b"\xff\xfe", b"", b'{"subject": "x"} trailing'):
        _assert_problem(await _raw(server, body, "application/json"), 400, "malformed_json")
    assert await _sent_ids(server) == before


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"garbage", "multipart/form-data"),  # no boundary
        (b"--XX\r\n\r\nhello\r\n--XX--\r\n", "multipart/form-data; boundary=XX"),  # a part without headers
        (  # the message part, then a part without headers
            b'--XX\r\nContent-Disposition: form-data; name="message"\r\n\r\n'
            + json.dumps(_message()).encode()
            + b"\r\n--XX\r\n\r\nhello\r\n--XX--\r\n",
            "multipart/form-data; boundary=XX",
        ),
        (  # cut off in the middle of an attachment
            b'--XX\r\nContent-Disposition: form-data; name="message"\r\n\r\n'
            + json.dumps(_message()).encode()
            + b'\r\n--XX\r\nContent-Disposition: form-data; name="attachment"; filename="a.txt"\r\n\r\nhel',
            "multipart/form-data; boundary=XX",
        ),
        (b"--XX\r\nno header end", "multipart/form-data; boundary=XX"),
    ],
    ids=["no-boundary", "part-without-headers", "later-part-without-headers", "truncated", "broken-headers"],
)
async def test_malformed_multipart_is_400_and_keeps_nothing(
    server: Server, body: bytes, content_type: str
) -> None:
    files_before = _blob_files(server)
    before = await _sent_ids(server)
    _assert_problem(await _raw(server, body, content_type), 400, "malformed_multipart")
    assert await _sent_ids(server) == before
    assert _blob_files(server) == files_before


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", "image/png"]
)
async def test_a_body_that_is_neither_json_nor_multipart_is_415(server: Server, content_type: str) -> None:
    resp = await _raw(server, json.dumps(_message()).encode(), content_type)
    _assert_problem(resp, 415, "unsupported_media_type")


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "x-custom"])
async def test_a_compressed_upload_is_415(server: Server, encoding: str) -> None:
    before = await _sent_ids(server)
    resp = await _raw(
        server, b"\x1f\x8b not really gzip", "application/json", **{"Content-Encoding": encoding}
    )
    _assert_problem(resp, 415, "content_encoding_unsupported")
    # Also inside a multipart body: a part that says it is compressed.
    form = (
        b'--XX\r\nContent-Disposition: form-data; name="message"\r\nContent-Encoding: '
        + encoding.encode()
        + b"\r\n\r\n"
        + json.dumps(_message()).encode()
        + b"\r\n--XX--\r\n"
    )
    resp = await _raw(server, form, "multipart/form-data; boundary=XX")
    _assert_problem(resp, 415, "content_encoding_unsupported")
    assert await _sent_ids(server) == before


async def test_the_connection_stays_usable_after_a_refusal(server: Server) -> None:
    # Refusals answered before the body is read must not leave its bytes to be read as the next request.
    connector = aiohttp.TCPConnector(limit=1)
    token = await server.token(ANNA)
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(connector=connector) as session:
        for _ in range(3):
            async with session.post(
                f"{server.base}/api/v1/messages",
                data=b"x" * 70_000,
                headers={**headers, "Content-Type": "text/plain"},
            ) as refused:
                assert refused.status == 415
            async with session.get(f"{server.base}/api/v1/me", headers=headers) as me:
                assert me.status == 200


@pytest.mark.parametrize(
    "params",
    [
        {"assigned": ""},
        {"status": ""},
        {"limit": " 5"},
        {"limit": "+5"},
        {"limit": "5_0"},
        {"limit": "٥"},
        {"limit": "99999999999999999999"},
    ],
)
async def test_listing_parameters_outside_the_document_are_refused(
    server: Server, params: dict[str, str]
) -> None:
    # Found by schemathesis: the document's enums and integers are what the API takes, nothing looser.
    resp = await server.get(f"/mailboxes/{ANNA}/inbox", ANNA, params=params)
    assert resp.status == 422, (params, resp.body)
    assert resp.body["code"] == f"{next(iter(params))}_invalid"
