"""A loopback server that speaks the Azure Communication Services SMS REST API and checks its HMAC signature.

`POST /sms?api-version=2021-03-07` with a JSON body `{"from", "smsRecipients": [{"to", ...}], "message",
"smsSendOptions"}`, signed as ACS requires for access-key authentication:

    x-ms-date:            an HTTP date, at most 15 minutes off
    x-ms-content-sha256:  base64(SHA-256(body))
    Authorization:        HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<base64>

where the signature is HMAC-SHA256, keyed with the base64-decoded access key,
over "POST\\n<path and query>\\n<x-ms-date>;<host>;<content hash>". A request
that fails any check gets 401 and is kept in `refused` with the reason; an
accepted one gets 202 with one result per recipient and is kept in `sent`.
`respond_with` queues statuses for the next requests (429, 400, 500, or 202
with an unsuccessful recipient result) to exercise the sender's error paths.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import ssl
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from aiohttp import web

from tests.fixtures import LOOPBACK, free_port

API_VERSION = "2021-03-07"
# Any valid base64 works as an access key; this one is 32 random-looking bytes.
ACCESS_KEY = base64.b64encode(hashlib.sha256(b"sigill fake acs key").digest()).decode()
MAX_CLOCK_SKEW = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class SentSms:
    sender: str
    to: str
    message: str


@dataclass
class FakeAcs:
    endpoint: str
    access_key: str = ACCESS_KEY
    sent: list[SentSms] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    queued: list[int | str] = field(default_factory=list)

    @property
    def connection_string(self) -> str:
        return f"endpoint={self.endpoint}/;accesskey={self.access_key}"

    def respond_with(self, *statuses: int | str) -> None:
        """Answer the next requests with these: an HTTP status, or "unsuccessful" (202, recipient failed)."""
        self.queued.extend(statuses)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        problem = self._authentication_problem(request, body)
        if problem is not None:
            self.refused.append(problem)
            return web.json_response({"error": {"code": "Denied", "message": problem}}, status=401)
        if request.query.get("api-version") != API_VERSION:
            return _error(400, "the api-version is missing or unknown")
        try:
            data = json.loads(body)
            sender, message = str(data["from"]), str(data["message"])
            recipients = [str(r["to"]) for r in data["smsRecipients"]]
        except (ValueError, KeyError, TypeError):
            return _error(400, "the body is not a send request")
        answer = self.queued.pop(0) if self.queued else 202
        if isinstance(answer, int) and answer != 202:
            return _error(answer, "as the test asked")
        results = []
        for to in recipients:
            ok = answer != "unsuccessful"
            if ok:
                self.sent.append(SentSms(sender, to, message))
            results.append(
                {
                    "to": to,
                    "messageId": f"Outgoing_{uuid.uuid4().hex}_noam" if ok else None,
                    "httpStatusCode": 202 if ok else 400,
                    "successful": ok,
                    "errorMessage": None if ok else "Invalid To phone number format.",
                }
            )
        return web.json_response({"value": results}, status=202)

    def _authentication_problem(self, request: web.Request, body: bytes) -> str | None:
        date = request.headers.get("x-ms-date", "")
        content_hash = request.headers.get("x-ms-content-sha256", "")
        authorization = request.headers.get("Authorization", "")
        host = request.headers.get("Host", "")
        try:
            sent_at = parsedate_to_datetime(date)
        except (TypeError, ValueError):
            return "x-ms-date is missing or not an HTTP date"
        if sent_at.tzinfo is None or abs(datetime.now(UTC) - sent_at) > MAX_CLOCK_SKEW:
            return "x-ms-date is too far from now"
        if content_hash != base64.b64encode(hashlib.sha256(body).digest()).decode():
            return "x-ms-content-sha256 is not the hash of the body"
        prefix = "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature="
        if not authorization.startswith(prefix):
            return (
                "the Authorization header is not an HMAC-SHA256 one over x-ms-date;host;x-ms-content-sha256"
            )
        signed = f"{request.method}\n{request.rel_url.raw_path_qs}\n{date};{host};{content_hash}"
        key = base64.b64decode(self.access_key)
        expected = base64.b64encode(hmac.new(key, signed.encode(), hashlib.sha256).digest()).decode()
        if not hmac.compare_digest(authorization.removeprefix(prefix), expected):
            return "the signature does not match"
        return None


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": {"code": str(status), "message": message}}, status=status)


@asynccontextmanager
async def fake_acs(
    *, tls: ssl.SSLContext | None = None, access_key: str = ACCESS_KEY
) -> AsyncIterator[FakeAcs]:
    """The fake on a free loopback port; over HTTPS when given a server TLS context."""
    port = free_port()
    scheme = "https" if tls else "http"
    fake = FakeAcs(endpoint=f"{scheme}://{LOOPBACK}:{port}", access_key=access_key)
    app = web.Application()
    app.router.add_post("/sms", fake.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, LOOPBACK, port, ssl_context=tls)
    await site.start()
    try:
        yield fake
    finally:
        await runner.cleanup()


__all__ = ["ACCESS_KEY", "FakeAcs", "SentSms", "fake_acs"]
