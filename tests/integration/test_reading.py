"""Folders, opening, status, recall and replies, as staff see them over HTTP."""

from __future__ import annotations

import asyncio

import aiohttp

from tests.integration.harness import ANNA, BERTIL, CECILIA, EVA, JAN, Server


async def _send_to(server: Server, sender: str, recipient: str, **extra: object) -> dict:
    resp = await server.send(sender, recipients=[{"address": recipient}], **extra)
    assert resp.status == 201, resp.body
    return resp.body


async def test_me_lists_own_and_function_mailboxes(server: Server) -> None:
    anna = await server.get("/me", ANNA)
    assert anna.status == 200
    assert anna.body["email"] == ANNA
    assert anna.body["organisation"] == "Västerås stad (demo)"
    assert anna.body["mailboxes"] == [
        {"address": ANNA, "name": "Anna Andersson", "kind": "personal"},
        {"address": "socialtjanst@vasteras.example", "name": "Socialtjänsten", "kind": "function"},
    ]
    cecilia = await server.get("/me", CECILIA)
    assert [m["kind"] for m in cecilia.body["mailboxes"]] == ["personal"]


async def test_requests_without_a_valid_token_are_refused(server: Server) -> None:
    assert (await server.get("/me", None)).status == 401
    resp = await server.session.get(
        f"{server.base}/api/v1/me", headers={"Authorization": "Bearer abc.def.ghi"}
    )
    assert resp.status == 401
    assert resp.content_type == "application/problem+json"


async def test_recipient_opens_message_and_sender_sees_when(server: Server) -> None:
    sent = await _send_to(server, ANNA, BERTIL, subject="Möte", body="Välkommen på tisdag.")
    inbox = await server.get(f"/mailboxes/{BERTIL}/inbox", BERTIL)
    item = next(i for i in inbox.body["items"] if i["message_id"] == sent["id"])
    assert item["subject"] == "Möte"
    assert item["status"] == "unopened"
    assert item["from"] == ANNA

    opened = await server.get(f"/messages/{sent['id']}", BERTIL)
    assert opened.status == 200
    assert opened.body["body"] == "Välkommen på tisdag."
    assert [d["address"] for d in opened.body["deliveries"]] == [BERTIL]

    seen_by_sender = await server.get(f"/messages/{sent['id']}", ANNA)
    delivery = seen_by_sender.body["deliveries"][0]
    assert delivery["status"] == "opened"
    assert delivery["opened_at"] is not None
    assert delivery["opened_method"] == "entra"
    sent_folder = await server.get(f"/mailboxes/{ANNA}/sent", ANNA)
    listed = next(i for i in sent_folder.body["items"] if i["message_id"] == sent["id"])
    assert listed["deliveries"][0]["status"] == "opened"


async def test_strangers_and_other_organisations_see_nothing(server: Server) -> None:
    sent = await _send_to(server, ANNA, BERTIL)
    assert (await server.get(f"/messages/{sent['id']}", CECILIA)).status == 404
    assert (await server.get(f"/messages/{sent['id']}", EVA)).status == 404
    assert (await server.get(f"/mailboxes/{ANNA}/sent", EVA)).status == 404
    assert (await server.get(f"/mailboxes/{ANNA}/sent", CECILIA)).status == 404
    assert (await server.get("/mailboxes/socialtjanst@vasteras.example/inbox", CECILIA)).status == 404
    eva_inbox = await server.get(f"/mailboxes/{EVA}/inbox", EVA)
    eva_sent = await server.get(f"/mailboxes/{EVA}/sent", EVA)
    assert eva_inbox.body["items"] == [] and eva_sent.body["items"] == []


async def test_a_message_above_the_sign_in_level_cannot_be_opened(server: Server) -> None:
    # Staff sign in through Entra ID at LoA2 by default; the recipient is asked to step up (test_step_up.py).
    high = await server.send(
        ANNA, loa=3, recipients=[{"address": BERTIL}], subject="Känsligt", body="Endast LoA3"
    )
    low = await server.send(ANNA, loa=2, recipients=[{"address": BERTIL}])
    refused = await server.get(f"/messages/{high.body['id']}", BERTIL)
    assert (refused.status, refused.body["code"]) == (401, "step_up_required")
    assert "Endast LoA3" not in refused.raw.decode()
    assert (await server.get(f"/messages/{low.body['id']}", BERTIL)).status == 200
    me = await server.get("/me", BERTIL)
    assert me.body["loa"] == 2


async def test_listing_pages_with_a_cursor_newest_first(server: Server) -> None:
    ids = [(await _send_to(server, CECILIA, f"page{i}@example.org"))["id"] for i in range(12)]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": "5", **({"cursor": cursor} if cursor else {})}
        page = await server.get(f"/mailboxes/{CECILIA}/links", CECILIA, params=params)
        assert page.status == 200
        assert len(page.body["items"]) <= 5
        seen += [i["message_id"] for i in page.body["items"]]
        cursor = page.body["next_cursor"]
        if cursor is None:
            break
    assert seen[:12] == list(reversed(ids))
    assert len(seen) == len(set(seen))
    first = await server.get(f"/mailboxes/{CECILIA}/links", CECILIA, params={"limit": "1"})
    assert first.body["items"][0]["deliveries"][0]["method"] == "email"


async def test_bad_listing_parameters_are_refused(server: Server) -> None:
    for params in ({"limit": "0"}, {"limit": "101"}, {"limit": "x"}, {"assigned": "all"}):
        resp = await server.get(f"/mailboxes/{ANNA}/inbox", ANNA, params=params)
        assert resp.status == 422, params


async def test_recall_before_opening_and_not_after(server: Server) -> None:
    sent = await server.send(ANNA, recipients=[{"address": BERTIL}, {"address": JAN}])
    by_address = {d["address"]: d["id"] for d in sent.body["deliveries"]}
    message_id = sent.body["id"]
    assert (await server.get(f"/messages/{message_id}", BERTIL)).status == 200

    refused = await server.post(f"/messages/{message_id}/deliveries/{by_address[BERTIL]}/recall", ANNA)
    assert refused.status == 409
    assert refused.body["code"] == "delivery_opened"

    recalled = await server.post(f"/messages/{message_id}/deliveries/{by_address[JAN]}/recall", ANNA)
    assert recalled.status == 200
    assert recalled.body["status"] == "recalled"
    assert recalled.body["recalled_at"] is not None
    again = await server.post(f"/messages/{message_id}/deliveries/{by_address[JAN]}/recall", ANNA)
    assert again.status == 409


async def test_a_recalled_message_can_never_be_opened(server: Server) -> None:
    sent = await _send_to(server, ANNA, BERTIL, subject="Fel mottagare")
    delivery = sent["deliveries"][0]["id"]
    assert (await server.post(f"/messages/{sent['id']}/deliveries/{delivery}/recall", ANNA)).status == 200
    assert (await server.get(f"/messages/{sent['id']}", BERTIL)).status == 404
    inbox = await server.get(f"/mailboxes/{BERTIL}/inbox", BERTIL)
    item = next(i for i in inbox.body["items"] if i["message_id"] == sent["id"])
    assert item["status"] == "recalled"
    assert item["subject"] is None


async def test_only_the_sender_side_can_recall(server: Server) -> None:
    sent = await _send_to(server, ANNA, BERTIL)
    delivery = sent["deliveries"][0]["id"]
    assert (await server.post(f"/messages/{sent['id']}/deliveries/{delivery}/recall", BERTIL)).status == 404
    assert (await server.post(f"/messages/{sent['id']}/deliveries/{delivery}/recall", CECILIA)).status == 404


async def test_reply_goes_back_in_the_thread_and_marks_answered(server: Server) -> None:
    sent = await _send_to(server, ANNA, BERTIL, loa=2, reply_allowed=True, subject="Fråga")
    reply = await server.post(
        f"/messages/{sent['id']}/replies", BERTIL, json={"subject": "Sv: Fråga", "body": "Ja."}
    )
    assert reply.status == 201, reply.body
    assert reply.body["deliveries"][0]["address"] == ANNA

    original = await server.get(f"/messages/{sent['id']}", ANNA)
    assert original.body["deliveries"][0]["status"] == "answered"
    assert original.body["deliveries"][0]["answered_at"] is not None
    answer = await server.get(f"/messages/{reply.body['id']}", ANNA)
    assert answer.body["thread_id"] == original.body["thread_id"]
    assert answer.body["loa"] == 2
    assert answer.body["from"] == BERTIL
    inbox = await server.get(f"/mailboxes/{ANNA}/inbox", ANNA)
    assert any(i["message_id"] == reply.body["id"] for i in inbox.body["items"])


async def test_reply_refused_when_not_allowed_or_not_a_recipient(server: Server) -> None:
    closed = await _send_to(server, ANNA, BERTIL, reply_allowed=False)
    resp = await server.post(f"/messages/{closed['id']}/replies", BERTIL, json={"subject": "Sv", "body": "x"})
    assert resp.status == 403
    assert resp.body["code"] == "reply_not_allowed"
    open_ = await _send_to(server, ANNA, BERTIL, reply_allowed=True)
    own = await server.post(f"/messages/{open_['id']}/replies", ANNA, json={"subject": "Sv", "body": "x"})
    assert own.status == 403
    stranger = await server.post(
        f"/messages/{open_['id']}/replies", CECILIA, json={"subject": "Sv", "body": "x"}
    )
    assert stranger.status == 404


async def test_parallel_first_opens_record_one_open(server: Server) -> None:
    sent = await _send_to(server, ANNA, BERTIL)
    results = await asyncio.gather(*(server.get(f"/messages/{sent['id']}", BERTIL) for _ in range(10)))
    assert {r.status for r in results} == {200}
    seen = await server.get(f"/messages/{sent['id']}", ANNA)
    assert seen.body["deliveries"][0]["status"] == "opened"


async def test_unknown_routes_and_oversized_bodies_answer_in_problem_json(server: Server) -> None:
    missing = await server.get("/no-such-thing", ANNA)
    assert missing.status == 404
    assert missing.body["code"] == "not_found"
    wrong_method = await server.call("PUT", "/messages", ANNA, json={})
    assert wrong_method.status == 405
    assert wrong_method.body["code"] == "method_not_allowed"
    too_large = b"{" + b" " * (2 * 1024 * 1024) + b"}"
    huge = await server.call(
        "POST", "/messages", ANNA, data=aiohttp.BytesPayload(too_large, content_type="application/json")
    )
    assert huge.status == 413
    assert huge.body["code"] == "payload_too_large"
