"""Reading leaves a trace, and only a recipient's own reading opens a delivery, and only once it was readable."""

from __future__ import annotations

import json
import uuid

import aiohttp

from store.records import AuditEvent
from tests.integration.harness import ANNA, BERTIL, CECILIA, EVA, SOCIAL, Server


async def org_id(server: Server, domain: str = "vasteras.example") -> str:
    org = await server.components.store.organisation_by_domain(domain)
    assert org is not None
    return org.org_id


async def trail(server: Server, domain: str = "vasteras.example") -> list[AuditEvent]:
    return [e async for e in server.components.store.audit_events(await org_id(server, domain))]


async def staff_actor(server: Server, email: str, domain: str = "vasteras.example") -> str:
    async with server.components.store.unit_of_work(await org_id(server, domain)) as uow:
        user = await uow.staff.by_email(email)
    assert user is not None
    return f"staff:{user.user_id}"


async def test_a_sender_in_the_receiving_mailbox_never_opens_it(server: Server) -> None:
    # Anna belongs to the function mailbox she writes to: looking at what she sent opens nothing.
    sent = await server.send(ANNA, recipients=[{"address": SOCIAL}])
    message_id = sent.body["id"]
    for _ in range(2):
        seen = await server.get(f"/messages/{message_id}", ANNA)
        assert seen.status == 200
        assert seen.body["deliveries"][0]["status"] == "unopened"
    inbox = await server.get(f"/mailboxes/{SOCIAL}/inbox", ANNA, params={"limit": "100"})
    assert next(i for i in inbox.body["items"] if i["message_id"] == message_id)["status"] == "unopened"
    # Her colleague's reading does open it.
    assert (await server.get(f"/messages/{message_id}", BERTIL)).status == 200
    after = await server.get(f"/messages/{message_id}", ANNA)
    assert after.body["deliveries"][0]["status"] == "opened"


async def test_a_message_that_cannot_be_decrypted_stays_unopened(server: Server) -> None:
    sent = await server.send(ANNA, recipients=[{"address": BERTIL}])
    message_id = sent.body["id"]
    store = server.components.store
    async with store.unit_of_work(await org_id(server)) as uow:
        message = await uow.messages.get(message_id)
        assert message is not None
        original = message.sealed_content
        message.sealed_content = original[:-1] + bytes([original[-1] ^ 1])
        uow.messages.update(message)
        await uow.commit()

    failed = await server.get(f"/messages/{message_id}", BERTIL)
    assert failed.status >= 500
    assert "opened" not in json.dumps(failed.body)

    async with store.unit_of_work(await org_id(server)) as uow:
        message = await uow.messages.get(message_id)
        assert message is not None
        message.sealed_content = original
        uow.messages.update(message)
        await uow.commit()
    seen_by_sender = await server.get(f"/messages/{message_id}", ANNA)
    assert seen_by_sender.body["deliveries"][0]["status"] == "unopened"
    assert seen_by_sender.body["deliveries"][0]["opened_at"] is None


async def test_every_content_read_is_audited_with_its_actor(server: Server) -> None:
    form = aiohttp.FormData()
    body = {
        "recipients": [{"address": BERTIL}],
        "subject": "Läs",
        "body": "x",
        "loa": 2,
        "reply_allowed": False,
    }
    form.add_field("message", json.dumps(body), content_type="application/json")
    form.add_field("attachment", b"fil", filename="f.txt", content_type="text/plain")
    before = len(await trail(server))
    sent = await server.post("/messages", ANNA, data=form)
    message_id = sent.body["id"]
    first = await server.get(f"/messages/{message_id}", BERTIL)
    await server.get(f"/messages/{message_id}", BERTIL)
    await server.get(f"/messages/{message_id}", ANNA)
    attachment_id = first.body["attachments"][0]["id"]
    download = await server.get(f"/messages/{message_id}/attachments/{attachment_id}", BERTIL)
    assert download.raw == b"fil"

    anna, bertil = await staff_actor(server, ANNA), await staff_actor(server, BERTIL)
    events = [
        (e.action, e.actor, e.details.get("side"))
        for e in (await trail(server))[before:]
        if e.target == f"message:{message_id}" or e.details.get("message_id") == message_id
    ]
    assert events == [
        ("message.sent", anna, None),
        ("message.opened", bertil, None),
        ("message.read", bertil, "recipient"),
        ("message.read", bertil, "recipient"),
        ("message.read", anna, "sender"),
        ("attachment.downloaded", bertil, "recipient"),
    ]


async def test_refused_access_is_audited_and_the_caller_learns_nothing(server: Server) -> None:
    sent = await server.send(ANNA, recipients=[{"address": BERTIL}])
    message_id = sent.body["id"]
    missing = await server.get(f"/messages/{uuid.uuid4().hex}", CECILIA)
    before_vasteras, before_gavle = (
        len(await trail(server)),
        len(await trail(server, "regiongavleborg.example")),
    )

    stranger = await server.get(f"/messages/{message_id}", CECILIA)
    outsider = await server.get(f"/messages/{message_id}", EVA)
    malformed = await server.get(f"/messages/{'x' * 40}%20{'y' * 40}", CECILIA)
    for refused in (stranger, outsider, malformed):
        assert refused.status == 404
        assert refused.body == missing.body

    vasteras = [e for e in (await trail(server))[before_vasteras:] if e.action == "access.refused"]
    assert [(e.actor, e.target) for e in vasteras] == [
        (await staff_actor(server, CECILIA), f"message:{message_id}"),
        (await staff_actor(server, CECILIA), "message:(malformed)"),
    ]
    assert vasteras[0].details["reason"] == "not_visible"
    gavle = [
        e
        for e in (await trail(server, "regiongavleborg.example"))[before_gavle:]
        if e.action == "access.refused"
    ]
    assert [(e.actor, e.target) for e in gavle] == [
        (await staff_actor(server, EVA, "regiongavleborg.example"), f"message:{message_id}")
    ]
