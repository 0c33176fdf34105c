"""HTTP as a careful client or an attacker meets it: headers on every response, 405 with Allow, problem+json
everywhere, Location on 201, downloads that fail loudly, slow bodies and connection floods refused."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from sigill.app import security_headers
from tests.integration.harness import ANNA, BERTIL, Server, free_port, server_settings, started
from tests.integration.tampering import tamper_attachment_blob

SECURITY_HEADERS = ("X-Request-Id", "X-Content-Type-Options", "Referrer-Policy", "Content-Security-Policy")


@pytest.fixture(scope="module")
async def guarded(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Server]:
    """A server that gives a request body half a second to make progress."""
    settings = server_settings(
        "sqlite",
        tmp_path_factory.mktemp("guarded"),
        free_port(),
        limits={"body_timeout_s": 0.5, "body_min_rate": 1024},
    )
    async with started(settings) as running:
        yield running


async def _raw_request(port: int, request: bytes, *, within_s: float = 10) -> bytes:
    """Send raw bytes, read everything the server sends until it closes the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        return await asyncio.wait_for(reader.read(), within_s)
    finally:
        writer.close()


def _head_and_body(raw: bytes) -> tuple[str, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return status_line, headers, body


def _assert_secured(headers: dict[str, str], where: str) -> None:
    lowered = {k.lower(): v for k, v in headers.items()}
    for name in SECURITY_HEADERS:
        assert name.lower() in lowered, (where, name, headers)
    assert lowered["x-content-type-options"] == "nosniff", where
    server = lowered.get("server", "")
    assert "aiohttp" not in server.lower() and "python" not in server.lower(), (where, server)


async def test_405_carries_allow_inside_and_outside_the_api(server: Server) -> None:
    wrong = await server.call("PUT", "/messages", ANNA, json={})
    assert wrong.status == 405
    assert wrong.body["code"] == "method_not_allowed"
    assert "POST" in wrong.headers["Allow"]
    me = await server.call("DELETE", "/me", ANNA)
    assert me.status == 405
    assert "GET" in me.headers["Allow"]
    # Found by schemathesis: `/accounts/{account_id}` also matched `/accounts/invitations`, so Allow named GET.
    invitations = await server.call("GET", "/accounts/invitations", ANNA)
    assert invitations.status == 405
    assert invitations.headers["Allow"] == "POST"
    async with server.session.post(f"{server.base}/healthz") as resp:
        assert resp.status == 405
        assert resp.content_type == "application/problem+json"
        assert "GET" in resp.headers["Allow"]
        assert (await resp.json(content_type=None))["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/nope", 404, "not_found"),
        ("POST", "/healthz", 405, "method_not_allowed"),
        ("GET", "/dev/nope", 404, "not_found"),
        ("GET", "/api/v2/me", 404, "not_found"),
    ],
)
async def test_errors_outside_the_api_are_problem_json(
    server: Server, method: str, path: str, status: int, code: str
) -> None:
    async with server.session.request(method, f"{server.base}{path}") as resp:
        assert resp.status == status
        assert resp.content_type == "application/problem+json"
        body = await resp.json(content_type=None)
    assert body["code"] == code
    assert body["status"] == status
    assert body["title"]
    _assert_secured(dict(resp.headers), path)


async def test_every_response_carries_the_request_id_and_security_headers(server: Server) -> None:
    sent = await server.post("/messages", ANNA, data=_form([("intyg.pdf", b"%PDF-1.7 x")]))
    assert sent.status == 201
    opened = await server.get(f"/messages/{sent.body['id']}", BERTIL)
    attachment = opened.body["attachments"][0]["id"]
    responses: dict[str, dict[str, str]] = {}
    for name, method, path in [
        ("health", "GET", "/healthz"),
        ("ready", "GET", "/readyz"),
        ("openapi", "GET", "/api/v1/openapi.json"),
        ("not found", "GET", "/nope"),
    ]:
        async with server.session.request(method, f"{server.base}{path}") as resp:
            responses[name] = dict(resp.headers)
    responses["me"] = (await server.get("/me", ANNA)).headers
    responses["401"] = (await server.get("/me", None)).headers
    responses["201"] = sent.headers
    responses["download"] = (
        await server.get(f"/messages/{sent.body['id']}/attachments/{attachment}", BERTIL)
    ).headers
    responses["422"] = (await server.send(ANNA, recipients=[])).headers
    # Refused by the connection itself, before the app: a body in an encoding aiohttp cannot decode.
    token = await server.token(ANNA)
    raw = await _raw_request(
        server.settings.port,
        b"POST /api/v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token.encode() + b"\r\n"
        b"Content-Type: application/json\r\nContent-Encoding: br\r\nContent-Length: 2\r\n\r\n{}",
    )
    status_line, protocol_headers, body = _head_and_body(raw)
    assert status_line.split()[1] == "415", status_line
    assert json.loads(body)["code"] == "content_encoding_unsupported"
    responses["protocol"] = protocol_headers
    for name, headers in responses.items():
        _assert_secured(headers, name)
        assert "strict-transport-security" not in {k.lower() for k in headers}, name
    ids = {next(v for k, v in h.items() if k.lower() == "x-request-id") for h in responses.values()}
    assert len(ids) == len(responses), "every response has its own request id"
    async with server.session.get(f"{server.base}/healthz", headers={"X-Request-Id": "abc123"}) as resp:
        assert resp.headers["X-Request-Id"] == "abc123"


async def test_production_adds_hsts(tmp_path: Path) -> None:
    settings = server_settings(
        "sqlite",
        tmp_path,
        free_port(),
        mode="production",
        public_url="https://sigill.example.se",
        entra={
            "tenants": {"00000000-0000-0000-0000-000000000001": "vasteras.example"},
            "audiences": ["api://x"],
        },
    )
    async with started(settings) as running:
        for path in ("/healthz", "/api/v1/me", "/nope"):
            async with running.session.get(f"http://127.0.0.1:{settings.port}{path}") as resp:
                assert resp.headers["Strict-Transport-Security"].startswith("max-age="), path
                _assert_secured(dict(resp.headers), path)


async def test_html_without_its_own_policy_gets_a_strict_csp() -> None:
    async def page(request: web.Request) -> web.Response:
        return web.Response(text="<h1>Hej</h1>", content_type="text/html")

    async def own_policy(request: web.Request) -> web.Response:
        return web.Response(
            text="<p>x</p>", content_type="text/html", headers={"Content-Security-Policy": "x"}
        )

    app = web.Application()
    app.on_response_prepare.append(security_headers(production=False))
    app.router.add_get("/page", page)
    app.router.add_get("/own", own_policy)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/page") as resp:
                csp = resp.headers["Content-Security-Policy"]
            async with session.get(f"http://127.0.0.1:{port}/own") as resp:
                assert resp.headers["Content-Security-Policy"] == "x"
    finally:
        await runner.cleanup()
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp


async def test_created_carries_location_and_replies_record_in_reply_to(server: Server) -> None:
    sent = await server.send(ANNA, recipients=[{"address": BERTIL}], subject="Fråga")
    assert sent.status == 201
    assert sent.headers["Location"] == f"/api/v1/messages/{sent.body['id']}"
    async with server.session.get(
        f"{server.base}{sent.headers['Location']}",
        headers={"Authorization": f"Bearer {await server.token(ANNA)}"},
    ) as resp:
        assert resp.status == 200
        assert (await resp.json())["id"] == sent.body["id"]
    reply = await server.post(
        f"/messages/{sent.body['id']}/replies", BERTIL, json={"subject": "Sv", "body": "Ja"}
    )
    assert reply.status == 201
    assert reply.headers["Location"] == f"/api/v1/messages/{reply.body['id']}"
    answer = await server.get(f"/messages/{reply.body['id']}", ANNA)
    assert answer.body["in_reply_to"] == sent.body["id"]
    assert (await server.get(f"/messages/{sent.body['id']}", ANNA)).body["in_reply_to"] is None


def _form(files: list[tuple[str, bytes]]) -> aiohttp.FormData:
    message = {
        "recipients": [{"address": BERTIL}],
        "subject": "Bilaga",
        "body": "x",
        "loa": 1,
        "reply_allowed": True,
    }
    form = aiohttp.FormData()
    form.add_field("message", json.dumps(message), content_type="application/json")
    for name, content in files:
        form.add_field("attachment", content, filename=name, content_type="application/octet-stream")
    return form


async def test_a_download_that_fails_midway_aborts_the_connection(server: Server) -> None:
    content = os.urandom(3 * 1024 * 1024)
    sent = await server.post("/messages", ANNA, data=_form([("röntgen.bin", content)]))
    assert sent.status == 201
    message_id = sent.body["id"]
    attachment = (await server.get(f"/messages/{message_id}", BERTIL)).body["attachments"][0]["id"]
    tamper_attachment_blob(server, message_id)
    path = f"/api/v1/messages/{message_id}/attachments/{attachment}"
    token = await server.token(BERTIL)

    # As a client library sees it: the transfer breaks, it does not end as a success.
    with pytest.raises(aiohttp.ClientPayloadError):
        async with server.session.get(
            f"{server.base}{path}", headers={"Authorization": f"Bearer {token}"}
        ) as r:
            assert r.status == 200
            await r.read()

    # On the wire: one response, cut short, and nothing written after it.
    raw = await _raw_request(
        server.settings.port,
        f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n".encode(),
    )
    status_line, headers, body = _head_and_body(raw)
    assert status_line.startswith("HTTP/1.1 200")
    assert int(headers["content-length"]) == len(content)
    assert 0 < len(body) < len(content)
    assert b"HTTP/1.1" not in body
    assert b"problem" not in body
    assert content.startswith(body[: 256 * 1024])  # what came before the damage was genuine
    # The server itself is fine.
    assert (await server.get("/me", BERTIL)).status == 200


def _post_head(token: str, length: int) -> bytes:
    return (
        f"POST /api/v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


def _message_body(size: int) -> bytes:
    body: dict[str, Any] = {
        "recipients": [{"address": BERTIL}],
        "subject": "Långsam",
        "body": "",
        "loa": 1,
        "reply_allowed": True,
    }
    body["body"] = "x" * (size - len(json.dumps(body)))
    return json.dumps(body).encode()


async def test_a_stalled_body_is_answered_408_and_closed(guarded: Server) -> None:
    token = await guarded.token(ANNA)
    started = asyncio.get_running_loop().time()
    raw = await _raw_request(guarded.settings.port, _post_head(token, 1000) + b'{"recipients": [')
    elapsed = asyncio.get_running_loop().time() - started
    status_line, headers, body = _head_and_body(raw)
    assert status_line.startswith("HTTP/1.1 408"), raw[:200]
    assert headers["content-type"].startswith("application/problem+json")
    assert json.loads(body)["code"] == "request_timeout"
    assert elapsed < 5


async def test_a_trickling_body_is_answered_408(guarded: Server) -> None:
    token = await guarded.token(ANNA)
    body = _message_body(3000)
    reader, writer = await asyncio.open_connection("127.0.0.1", guarded.settings.port)
    answer = asyncio.create_task(reader.read())
    try:
        writer.write(_post_head(token, len(body)))
        for i in range(60):  # 20 bytes a second: far below 1024
            if answer.done():
                break
            writer.write(body[i : i + 1])
            with contextlib.suppress(ConnectionError):
                await writer.drain()
            await asyncio.sleep(0.05)
        raw = await asyncio.wait_for(answer, 10)
    finally:
        writer.close()
    assert raw.startswith(b"HTTP/1.1 408"), raw[:200]


async def test_a_body_that_keeps_coming_is_accepted_however_long_it_takes(guarded: Server) -> None:
    token = await guarded.token(ANNA)
    body = _message_body(8000)
    reader, writer = await asyncio.open_connection("127.0.0.1", guarded.settings.port)
    try:
        writer.write(_post_head(token, len(body)))
        for i in range(0, len(body), 1000):  # 1000 bytes every 0.2 s, for 1.6 s: three windows
            writer.write(body[i : i + 1000])
            await writer.drain()
            await asyncio.sleep(0.2)
        status = await asyncio.wait_for(reader.readline(), 10)
    finally:
        writer.close()
    assert status.startswith(b"HTTP/1.1 201"), status


async def test_connections_beyond_the_cap_are_refused_503(tmp_path: Path) -> None:
    settings = server_settings("sqlite", tmp_path, free_port(), limits={"max_connections": 3})
    async with started(settings) as running:
        await running.session.close()  # no pooled connection of the harness counts against the cap
        held = [await asyncio.open_connection("127.0.0.1", settings.port) for _ in range(3)]
        await asyncio.sleep(0.1)
        reader, writer = await asyncio.open_connection("127.0.0.1", settings.port)
        refused = await asyncio.wait_for(reader.read(), 5)
        writer.close()
        status_line, headers, body = _head_and_body(refused)
        assert status_line.startswith("HTTP/1.1 503")
        assert headers["retry-after"] == "1"
        assert json.loads(body)["code"] == "too_many_connections"
        _assert_secured(headers, "busy")
        # The held connections still work, and a freed slot is usable again.
        held_reader, held_writer = held[0]
        held_writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert (await asyncio.wait_for(held_reader.read(), 5)).startswith(b"HTTP/1.1 200")
        held_writer.close()
        await asyncio.sleep(0.2)
        raw = await _raw_request(
            settings.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        assert raw.startswith(b"HTTP/1.1 200"), raw[:100]
        for _, held_writer in held[1:]:
            held_writer.close()
