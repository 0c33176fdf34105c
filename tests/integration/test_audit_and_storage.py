"""The audit trail is whole and tamper-evident; nothing secret is stored or logged in plain text."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys

import aiohttp

from sigill import logs
from tests.integration.harness import ANNA, BERTIL, SOCIAL, Server, environment_for
from tests.integration.tampering import all_stored_bytes, tamper_one_audit_entry

MARK_SUBJECT = "MARKÖR-ÄMNE-7f3a"
MARK_BODY = "MARKÖR-TEXT-91c2"
MARK_FILE = b"MARKOR-BILAGA-55d0"
MARK_PHONE = "0701112233"
MARK_PHONE_E164 = "+46701112233"
MARK_PNR = "198112189876"


def _verify(server: Server) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **environment_for(server.settings)}
    return subprocess.run(
        [sys.executable, "-m", "sigill", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def _activity(server: Server) -> str:
    sent = await server.send(ANNA, recipients=[{"address": BERTIL}, {"address": SOCIAL}], reply_allowed=True)
    await server.get(f"/messages/{sent.body['id']}", BERTIL)
    await server.post(f"/messages/{sent.body['id']}/replies", BERTIL, json={"subject": "Sv", "body": "Tack"})
    inbox = await server.get(f"/mailboxes/{SOCIAL}/inbox", ANNA)
    case_id = inbox.body["items"][0]["case"]["id"]
    await server.post(f"/mailboxes/{SOCIAL}/cases/{case_id}/take", ANNA)
    other = await server.send(ANNA, recipients=[{"address": "x@example.org"}])
    await server.post(
        f"/messages/{other.body['id']}/deliveries/{other.body['deliveries'][0]['id']}/recall", ANNA
    )
    return str(sent.body["id"])


async def test_audit_chain_verifies_and_tampering_is_found(server: Server) -> None:
    await _activity(server)
    whole = _verify(server)
    assert whole.returncode == 0, whole.stdout + whole.stderr
    assert "chain whole" in whole.stdout

    seq = await tamper_one_audit_entry(server)
    broken = _verify(server)
    assert broken.returncode != 0
    assert f"broken at entry {seq}" in broken.stdout


async def test_markers_never_reach_the_database_in_plain_text(server: Server) -> None:
    form = aiohttp.FormData()
    message = {
        "recipients": [
            {"address": "sms@example.org", "method": "sms", "phone": MARK_PHONE},
            {"address": "eid@example.org", "method": "eid", "personal_number": MARK_PNR},
            {"address": BERTIL},
        ],
        "subject": MARK_SUBJECT,
        "body": MARK_BODY,
        "loa": 2,
        "reply_allowed": True,
    }
    form.add_field("message", json.dumps(message), content_type="application/json")
    form.add_field("attachment", MARK_FILE * 100, filename="fil.txt", content_type="text/plain")
    sent = await server.post("/messages", ANNA, data=form)
    assert sent.status == 201, sent.body
    opened = await server.get(f"/messages/{sent.body['id']}", ANNA)
    assert opened.body["subject"] == MARK_SUBJECT  # it is there, only never in plain text

    stored = await all_stored_bytes(server)
    assert len(stored) > 1000
    for marker in (MARK_SUBJECT, MARK_BODY, MARK_PHONE, MARK_PHONE_E164, MARK_PNR, "19811218-9876"):
        assert marker.encode() not in stored, marker
        assert marker.encode("utf-8").hex().encode() not in stored
    assert MARK_FILE not in stored


async def test_nothing_secret_is_logged(server: Server) -> None:
    stream = io.StringIO()
    logs.configure(structured=True, level="DEBUG", stream=stream)
    try:
        token = await server.token(ANNA)
        before = {to: len(await server.outbox(to)) for to in ("a@example.org", "b@example.org")}
        await server.send(
            ANNA,
            loa=2,
            recipients=[
                {"address": "a@example.org", "method": "sms", "phone": MARK_PHONE},
                {"address": "b@example.org", "method": "eid", "personal_number": MARK_PNR},
            ],
            subject=MARK_SUBJECT,
            body=MARK_BODY,
        )
        await server.send(
            ANNA, recipients=[{"address": "c@example.org", "method": "sms", "phone": "08-123 456 78"}]
        )
        await server.session.get(f"{server.base}/api/v1/me", headers={"Authorization": f"Bearer {token}x"})
        # The worker sends in the background: what it logs is captured too.
        for to, count in before.items():
            await server.wait_for_outbox(to, count + 1)
        logging.getLogger("sigill.test").info("probe %s", "line")
    finally:
        logs.configure(structured=False, level="INFO")
    text = stream.getvalue()
    assert "probe line" in text  # the capture works
    for secret in (token, MARK_SUBJECT, MARK_BODY, MARK_PHONE, MARK_PHONE_E164, MARK_PNR, "08-123 456 78"):
        assert secret not in text, secret
    outbox_links = [i["link"] for i in await server.outbox() if i.get("link")]
    assert outbox_links
    for link in outbox_links:
        assert link.rsplit("/", 1)[1] not in text


def test_redaction_masks_what_slips_through() -> None:
    assert "19121212-1212" not in logs.redact("pnr 19121212-1212 here")
    assert "+46701234567" not in logs.redact("ring +46701234567")
    assert "eyJhbGciOi" not in logs.redact("Bearer eyJhbGciOi.eyJzdWIi.sig")
    assert "123456" not in logs.redact("code=123456")


async def test_every_action_leaves_an_audit_entry_without_content(server: Server) -> None:
    org = await server.components.store.organisation_by_domain("vasteras.example")
    assert org is not None
    before = [e async for e in server.components.store.audit_events(org.org_id)]
    await _activity(server)
    form = aiohttp.FormData()
    form.add_field(
        "message",
        json.dumps(
            {
                "recipients": [{"address": BERTIL}],
                "subject": MARK_SUBJECT,
                "body": MARK_BODY,
                "loa": 1,
                "reply_allowed": False,
            }
        ),
        content_type="application/json",
    )
    form.add_field("attachment", b"data", filename="a.txt", content_type="text/plain")
    sent = await server.post("/messages", ANNA, data=form)
    opened = await server.get(f"/messages/{sent.body['id']}", BERTIL)
    await server.get(f"/messages/{sent.body['id']}/attachments/{opened.body['attachments'][0]['id']}", BERTIL)

    after = [e async for e in server.components.store.audit_events(org.org_id)][len(before) :]
    actions = {e.action for e in after}
    assert {
        "message.sent",
        "message.opened",
        "message.replied",
        "delivery.recalled",
        "attachment.downloaded",
        "case.taken",
    } <= actions
    assert all(e.actor.startswith("staff:") for e in after)
    dumped = repr(after)
    assert MARK_SUBJECT not in dumped and MARK_BODY not in dumped
