"""Delivery through the real server: the worker inside `sigill serve`, alone as `sigill worker`, and over SMTP.

In development mode both channels write to the development sink, read back at
/dev/outbox (JSON) and /dev/outbox.html (a page for a person).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from sigill import delivery
from tests.fixtures.smtp import SmtpServer
from tests.integration.conftest import BACKENDS, _cosmos
from tests.integration.harness import (
    ANNA,
    JAN,
    SOCIAL,
    Server,
    environment_for,
    free_port,
    run_server,
    server_settings,
)

ORG_NAME = "Västerås stad (demo)"
WITHIN = 5.0


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@example.org"


async def dev_outbox(server: Server, to: str | None = None) -> list[dict[str, Any]]:
    params = {"to": to} if to else None
    async with server.session.get(f"{server.base}/dev/outbox", params=params) as resp:
        assert resp.status == 200
        assert resp.headers["Cache-Control"] == "no-store"
        items: list[dict[str, Any]] = (await resp.json())["items"]
        return items


async def wait_for_items(
    server: Server, to: str, count: int = 1, within: float = WITHIN
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + within
    while True:
        items = await dev_outbox(server, to)
        if len(items) >= count:
            return items
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(items)} of {count} items to {to} in /dev/outbox after {within} s")
        await asyncio.sleep(0.1)


async def test_a_sent_message_reaches_the_dev_outbox_with_its_link_within_five_seconds(
    server: Server,
) -> None:
    to = unique("asa")
    started, sent_after = time.monotonic(), datetime.now(UTC)
    resp = await server.send(
        ANNA, recipients=[{"address": to}], open_message="Hej Åsa! Här är beslutet om bygglov."
    )
    assert resp.status == 201, resp.body

    [item] = await wait_for_items(server, to)
    assert time.monotonic() - started < WITHIN
    assert item["channel"] == "email"
    assert item["to"] == to
    assert item["subject"] == f"Säkert meddelande från {ORG_NAME}"
    assert item["headers"] == {"X-Sigill-Message": resp.body["id"]}
    body = item["body"]
    assert f"Anna Andersson på {ORG_NAME} har skickat ett säkert meddelande till dig." in body
    assert "Hej Åsa! Här är beslutet om bygglov." in body
    delivery_id = resp.body["deliveries"][0]["id"]
    links = re.findall(rf"{re.escape(server.base)}/r/[0-9a-f]+/{delivery_id}/[A-Za-z0-9_-]+", body)
    assert len(links) == 1
    assert item["link"] == links[0]
    sent_at = datetime.fromisoformat(item["sent_at"])
    assert timedelta(0) <= sent_at - sent_after < timedelta(seconds=WITHIN)


async def test_notices_say_that_a_message_waits_and_never_its_content(server: Server) -> None:
    subject, text = f"Ämne {uuid.uuid4().hex}", f"Hemlig text {uuid.uuid4().hex}"
    before = {who: len(await dev_outbox(server, who)) for who in (JAN, SOCIAL)}
    resp = await server.send(
        ANNA, subject=subject, body=text, loa=2, recipients=[{"address": JAN}, {"address": SOCIAL}]
    )
    assert resp.status == 201, resp.body

    for who in (JAN, SOCIAL):
        newest = (await wait_for_items(server, who, before[who] + 1))[0]
        assert newest["headers"] == {"X-Sigill-Message": resp.body["id"]}
        assert newest["subject"] == "Nytt säkert meddelande från Anna Andersson"
        assert "Logga in i Sigill för att läsa det." in newest["body"]
        raw = json.dumps(newest, ensure_ascii=False)
        assert subject not in raw
        assert text not in raw
        assert "/r/" not in raw
    social = (await dev_outbox(server, SOCIAL))[0]
    assert f"till funktionsbrevlådan {SOCIAL}" in social["body"]
    # Staff open the message in the web app (the Outlook add-in also finds it by this link); a recipient
    # account holder signs in to the portal.
    assert f"Öppna meddelandet: {server.base}/app/#/message/{resp.body['id']}" in social["body"]
    jan = (await dev_outbox(server, JAN))[0]
    assert f"Öppna meddelandet: {server.base}/konto/logga-in" in jan["body"]
    assert "/app/" not in jan["body"]


async def test_the_outbox_lists_newest_first_and_filters_by_recipient(server: Server) -> None:
    to, other = unique("first"), unique("other")
    for n in (1, 2):
        resp = await server.send(ANNA, recipients=[{"address": to}], open_message=f"Utskick nummer {n}")
        assert resp.status == 201
        await wait_for_items(server, to, n)
    assert (await server.send(ANNA, recipients=[{"address": other}])).status == 201
    await wait_for_items(server, other)

    mine = await dev_outbox(server, to.upper())
    assert [i["to"] for i in mine] == [to, to]
    assert "Utskick nummer 2" in mine[0]["body"]
    assert "Utskick nummer 1" in mine[1]["body"]
    everything = await dev_outbox(server)
    assert everything[0]["to"] == other
    times = [i["sent_at"] for i in everything]
    assert times == sorted(times, reverse=True)


async def test_the_outbox_page_shows_the_sends_to_a_person(server: Server) -> None:
    to = unique("sida")
    assert (
        await server.send(ANNA, recipients=[{"address": to}], open_message="Hej <b>där</b>")
    ).status == 201
    [item] = await wait_for_items(server, to)

    async with server.session.get(f"{server.base}/dev/outbox.html", params={"to": to}) as resp:
        assert resp.status == 200
        assert resp.content_type == "text/html"
        assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
        page = await resp.text()
    assert '<html lang="sv">' in page
    assert "<title>Utkorg för utveckling – Sigill</title>" in page
    assert '<label for="to">' in page
    assert f"E-post till {to}: Säkert meddelande från {ORG_NAME}" in page
    assert f'<a href="{item["link"]}">' in page
    assert "Hej &lt;b&gt;där&lt;/b&gt;" in page  # the sender's text is text, never markup
    assert "<b>där</b>" not in page


async def test_the_outbox_pages_answer_only_loopback_hosts(server: Server) -> None:
    for path in ("/dev/outbox", "/dev/outbox.html"):
        async with server.session.get(f"{server.base}{path}", headers={"Host": "evil.example"}) as resp:
            assert resp.status == 403, path


async def test_sigill_worker_sends_apart_from_the_server_and_stops_on_sigterm(
    web_only_server: Server,
) -> None:
    server = web_only_server
    to = unique("separat")
    assert (await server.send(ANNA, recipients=[{"address": to}])).status == 201
    await asyncio.sleep(1.5)
    assert await dev_outbox(server, to) == []  # the server itself does not send

    env = {**os.environ, **environment_for(server.settings)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sigill", "worker",
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        [item] = await wait_for_items(server, to, within=30)
        assert item["channel"] == "email"
        # Sends made while it runs come within the usual time too.
        later = unique("separat-igen")
        assert (await server.send(ANNA, recipients=[{"address": later}])).status == 201
        await wait_for_items(server, later)
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0, stderr.decode()
    out = stdout.decode()
    assert "Sigill outbox worker running (e-mail, SMS, Teams)." in out
    assert out.rstrip().endswith("Sigill outbox worker stopped.")
    assert "Traceback" not in stderr.decode()


@pytest.fixture(params=BACKENDS)
async def smtp_server_of_sigill(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, rejecting_smtp: SmtpServer
) -> AsyncIterator[Server]:
    """A development server whose e-mail goes over SMTP to `rejecting_smtp`, giving up after one attempt."""
    backend = request.param
    settings = server_settings(
        backend,
        tmp_path_factory.mktemp(f"smtp-{backend}"),
        free_port(),
        _cosmos(request, backend),
        smtp={
            "host": rejecting_smtp.host,
            "port": rejecting_smtp.port,
            "starttls": False,
            "from_address": "noreply@vasteras.example",
        },
        worker={"max_attempts": 1},
    )
    async for running in run_server(settings):
        yield running


async def test_mail_goes_over_smtp_and_a_refused_notification_shows_on_the_delivery(
    smtp_server_of_sigill: Server, rejecting_smtp: SmtpServer
) -> None:
    server = smtp_server_of_sigill
    resp = await server.send(
        ANNA, recipients=[{"address": "okand@example.org"}, {"address": "kund@example.org"}]
    )
    assert resp.status == 201
    message_id = resp.body["id"]

    [received] = await rejecting_smtp.wait_for(1)
    assert received.rcpt_tos == ["kund@example.org"]
    assert received.message["X-Sigill-Message"] == message_id
    assert received.message["Subject"] == f"Säkert meddelande från {ORG_NAME}"
    assert await dev_outbox(server) == []  # with [smtp] set, nothing goes to the sink

    deadline = time.monotonic() + WITHIN
    while True:
        shown = await server.get(f"/messages/{message_id}", ANNA)
        assert shown.status == 200
        by_address = {d["address"]: d for d in shown.body["deliveries"]}
        if by_address["okand@example.org"]["notification_failed_at"] or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    assert by_address["okand@example.org"]["notification_failed_at"] is not None
    assert by_address["kund@example.org"]["notification_failed_at"] is None
    assert len(rejecting_smtp.messages) == 1


async def test_the_daily_job_removes_only_attachment_blobs_no_message_references(server: Server) -> None:
    form = aiohttp.FormData()
    message = {
        "recipients": [{"address": unique("bilaga")}],
        "subject": "Bilaga",
        "body": "Se bifogat.",
        "loa": 1,
    }
    form.add_field("message", json.dumps({**message, "reply_allowed": True}), content_type="application/json")
    form.add_field("attachment", b"%PDF-1.7 intyg", filename="intyg.pdf", content_type="application/pdf")
    sent = await server.post("/messages", ANNA, data=form)
    assert sent.status == 201, sent.body
    org = await server.components.store.organisation_by_domain("vasteras.example")
    assert org is not None
    # What a send that crashed before its commit leaves behind: a blob of a message that never was.
    orphan = f"{org.org_id}_{uuid.uuid4().hex}_{uuid.uuid4().hex}"

    async def chunks() -> AsyncIterator[bytes]:
        yield b"ciphertext of nothing"

    await server.components.blobs.put(orphan, chunks())
    blobs = server.components.blobs

    [job] = delivery.daily_jobs(server.components, clock=lambda: datetime.now(UTC) + timedelta(hours=1))
    await job.run()
    assert await blobs.exists(orphan)  # younger than a day: a send may still be under way

    [job] = delivery.daily_jobs(
        server.components, clock=lambda: datetime.now(UTC) + timedelta(days=1, minutes=1)
    )
    await job.run()
    assert not await blobs.exists(orphan)
    opened = await server.get(f"/messages/{sent.body['id']}", ANNA)
    attachment = opened.body["attachments"][0]
    download = await server.get(f"/messages/{sent.body['id']}/attachments/{attachment['id']}", ANNA)
    assert (download.status, download.raw) == (200, b"%PDF-1.7 intyg")
