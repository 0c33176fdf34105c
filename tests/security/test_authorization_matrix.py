"""Who may do what: every endpoint against the sender, a recipient, a colleague, another organisation, nobody."""

from __future__ import annotations

import json

import aiohttp

from tests.integration.harness import ANNA, BERTIL, CECILIA, EVA, JAN, SOCIAL, Server

ACTORS = (ANNA, BERTIL, CECILIA, EVA, None)


async def _statuses(server: Server, method: str, path: str) -> list[int]:
    return [(await server.call(method, path, actor)).status for actor in ACTORS]


async def _setup(server: Server) -> tuple[str, str, str]:
    form = aiohttp.FormData()
    message = {
        "recipients": [{"address": BERTIL}, {"address": SOCIAL}, {"address": JAN}],
        "subject": "Matris",
        "body": "x",
        "loa": 1,
        "reply_allowed": True,
    }
    form.add_field("message", json.dumps(message), content_type="application/json")
    form.add_field("attachment", b"bilaga", filename="a.txt", content_type="text/plain")
    sent = await server.post("/messages", ANNA, data=form)
    assert sent.status == 201
    message_id = sent.body["id"]
    attachment_id = (await server.get(f"/messages/{message_id}", ANNA)).body["attachments"][0]["id"]
    inbox = await server.get(f"/mailboxes/{SOCIAL}/inbox", ANNA, params={"limit": "100"})
    case_id = next(i for i in inbox.body["items"] if i["message_id"] == message_id)["case"]["id"]
    return message_id, attachment_id, case_id


async def test_reading_matrix(server: Server) -> None:
    message_id, attachment_id, _ = await _setup(server)
    #                      ANNA BERTIL CECILIA EVA none
    expected = {
        f"/messages/{message_id}": [200, 200, 404, 404, 401],
        f"/messages/{message_id}/attachments/{attachment_id}": [200, 200, 404, 404, 401],
        f"/mailboxes/{ANNA}/sent": [200, 404, 404, 404, 401],
        f"/mailboxes/{ANNA}/inbox": [200, 404, 404, 404, 401],
        f"/mailboxes/{BERTIL}/inbox": [404, 200, 404, 404, 401],
        f"/mailboxes/{SOCIAL}/inbox": [200, 200, 404, 404, 401],
        f"/mailboxes/{SOCIAL}/links": [200, 200, 404, 404, 401],
        f"/mailboxes/{EVA}/inbox": [404, 404, 404, 200, 401],
        "/me": [200, 200, 200, 200, 401],
        "/levels": [200, 200, 200, 200, 401],
    }
    for path, statuses in expected.items():
        assert await _statuses(server, "GET", path) == statuses, path


async def test_changing_matrix(server: Server) -> None:
    message_id, _, case_id = await _setup(server)
    sent = await server.get(f"/messages/{message_id}", ANNA)
    jan = next(d["id"] for d in sent.body["deliveries"] if d["address"] == JAN)
    recall = f"/messages/{message_id}/deliveries/{jan}/recall"
    take = f"/mailboxes/{SOCIAL}/cases/{case_id}/take"
    for actor, status in ((BERTIL, 404), (CECILIA, 404), (EVA, 404), (None, 401)):
        assert (await server.post(recall, actor)).status == status
    for actor, status in ((CECILIA, 404), (EVA, 404), (None, 401)):
        assert (await server.post(take, actor)).status == status
    assert (await server.post(recall, ANNA)).status == 200
    assert (await server.post(take, BERTIL)).status == 200
    reply = f"/messages/{message_id}/replies"
    body = {"subject": "Sv", "body": "x"}
    assert (await server.post(reply, CECILIA, json=body)).status == 404
    assert (await server.post(reply, EVA, json=body)).status == 404
    assert (await server.post(reply, None, json=body)).status == 401
    assert (await server.post(reply, BERTIL, json=body)).status == 201
    # A lookup is any staff member's, about their own organisation: Jan's account is Västerås', not Gävleborg's.
    lookup = {"addresses": [JAN], "loa": 1}
    registered = {}
    for actor in ACTORS:
        found = await server.post("/recipients/lookup", actor, json=lookup)
        registered[actor] = found.body["recipients"][0]["registered"] if found.status == 200 else found.status
    assert registered == {ANNA: True, BERTIL: True, CECILIA: True, EVA: False, None: 401}
