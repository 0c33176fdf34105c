"""Sending: who is registered, how link recipients identify, and every rule that refuses a message."""

from __future__ import annotations

import uuid

import aiohttp
import pytest

from tests.integration.harness import ANNA, BERTIL, CECILIA, JAN, SOCIAL, Server


async def test_registered_and_link_recipients_get_the_right_deliveries(server: Server) -> None:
    resp = await server.send(
        ANNA,
        loa=2,
        recipients=[
            {"address": JAN},
            {"address": "Kund@Example.org", "method": "sms", "phone": "070-123 45 67"},
            {"address": "patient@example.org", "method": "eid", "personal_number": "19121212-1212"},
            {"address": SOCIAL},
        ],
    )
    assert resp.status == 201, resp.body
    by_address = {d["address"]: d for d in resp.body["deliveries"]}
    assert by_address[JAN]["kind"] == "registered"
    assert by_address[SOCIAL]["kind"] == "registered"
    assert by_address["kund@example.org"] == {
        **by_address["kund@example.org"],
        "kind": "link",
        "method": "sms",
    }
    assert by_address["patient@example.org"]["method"] == "eid"
    assert {d["status"] for d in resp.body["deliveries"]} == {"unopened"}


async def test_outbox_holds_one_notification_per_recipient(server: Server) -> None:
    external = f"extern-{uuid.uuid4().hex[:8]}@example.org"
    before = len(await server.outbox(BERTIL))
    resp = await server.send(
        ANNA,
        recipients=[{"address": BERTIL}, {"address": external}],
        open_message="Hej! Här kommer svaret på din fråga.",
    )
    assert resp.status == 201
    [link] = await server.wait_for_outbox(external)
    assert link["kind"] == "link"
    assert link["link"].startswith(f"{server.base}/r/")
    assert link["link"] in link["body"]
    assert "Hej! Här kommer svaret på din fråga." in link["body"]
    notice = (await server.wait_for_outbox(BERTIL, before + 1))[0]
    assert notice["kind"] == "notice"
    # A staff notice carries no access token: its link opens the web app, which asks Bertil to sign in.
    assert notice["link"] == f"{server.base}/app/#/message/{resp.body['id']}"


async def test_empty_open_message_sends_the_default_text(server: Server) -> None:
    to = f"a-{uuid.uuid4().hex[:8]}@example.org"
    assert (await server.send(ANNA, recipients=[{"address": to}])).status == 201
    [link] = await server.wait_for_outbox(to)
    assert "krypterat meddelande" in link["body"]


async def test_loa1_message_may_use_eid(server: Server) -> None:
    resp = await server.send(
        ANNA,
        loa=1,
        recipients=[{"address": "x@example.org", "method": "eid", "personal_number": "198112189876"}],
    )
    assert resp.status == 201
    assert resp.body["deliveries"][0]["method"] == "eid"


@pytest.mark.parametrize(
    ("message", "code"),
    [
        (
            {"loa": 3, "recipients": [{"address": "x@example.org", "method": "sms", "phone": "0701234567"}]},
            "method_below_loa",
        ),
        ({"loa": 2, "recipients": [{"address": "x@example.org", "method": "email"}]}, "method_below_loa"),
        ({"loa": 2, "recipients": [{"address": "x@example.org"}]}, "method_required"),
        ({"loa": 2, "recipients": [{"address": "x@example.org", "method": "sms"}]}, "phone_required"),
        (
            {
                "loa": 2,
                "recipients": [{"address": "x@example.org", "method": "sms", "phone": "08-123 456 78"}],
            },
            "phone_not_mobile",
        ),
        (
            {"loa": 2, "recipients": [{"address": "x@example.org", "method": "sms", "phone": "12"}]},
            "phone_invalid",
        ),
        (
            {"loa": 3, "recipients": [{"address": "x@example.org", "method": "eid"}]},
            "personal_number_required",
        ),
        (
            {
                "loa": 3,
                "recipients": [
                    {"address": "x@example.org", "method": "eid", "personal_number": "19121212-1213"}
                ],
            },
            "personal_number_invalid",
        ),
        (
            {
                "loa": 3,
                "recipients": [
                    {"address": "x@example.org", "method": "eid", "personal_number": "19990230-1234"}
                ],
            },
            "personal_number_invalid",
        ),
        ({"loa": 4, "recipients": [{"address": "x@example.org"}]}, "loa_invalid"),
        ({"recipients": [{"address": "not-an-address"}]}, "recipient_address_invalid"),
        ({"recipients": [{"address": "a@example.org"}, {"address": "A@example.org"}]}, "recipient_duplicate"),
        ({"recipients": [{"address": "a@example.org"}], "subject": "  "}, "subject_missing"),
        ({"recipients": [{"address": "a@example.org"}], "open_message": "x" * 1001}, "open_message_too_long"),
        (
            {"recipients": [{"address": "a@example.org"}], "open_message": "Gäller 19121212-1212."},
            "open_message_has_personal_number",
        ),
        ({"recipients": []}, "invalid_body"),
        ({"recipients": [{"address": "a@example.org", "method": "fax"}]}, "invalid_body"),
    ],
)
async def test_each_broken_rule_is_refused_with_its_own_code(
    server: Server, message: dict, code: str
) -> None:
    sent_before = await server.get(f"/mailboxes/{ANNA}/sent", ANNA, params={"limit": "100"})
    resp = await server.send(ANNA, **message)
    assert resp.status == 422, resp.body
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    assert resp.body["code"] == code
    assert resp.body["title"]  # a Swedish sentence for people
    sent_after = await server.get(f"/mailboxes/{ANNA}/sent", ANNA, params={"limit": "100"})
    assert sent_after.body["items"] == sent_before.body["items"]


async def test_too_many_recipients_is_refused(server: Server) -> None:
    resp = await server.send(ANNA, recipients=[{"address": f"r{i}@example.org"} for i in range(26)])
    assert resp.status == 422
    assert resp.body["code"] == "too_many_recipients"


async def test_malformed_json_is_a_problem_not_a_crash(server: Server) -> None:
    body = aiohttp.BytesPayload(b"{not json", content_type="application/json")
    resp = await server.call("POST", "/messages", ANNA, data=body)
    assert resp.status == 400
    assert resp.body["code"] == "malformed_json"


async def test_sending_from_a_mailbox_one_does_not_belong_to_is_forbidden(server: Server) -> None:
    resp = await server.send(CECILIA, **{"from": SOCIAL}, recipients=[{"address": "a@example.org"}])
    assert resp.status == 403
    assert resp.body["code"] == "not_a_member"


async def test_a_member_sends_from_the_function_mailbox(server: Server) -> None:
    resp = await server.send(BERTIL, **{"from": SOCIAL}, recipients=[{"address": "a@example.org"}])
    assert resp.status == 201
    sent = await server.get(f"/mailboxes/{SOCIAL}/sent", ANNA)
    assert sent.body["items"][0]["message_id"] == resp.body["id"]
    assert sent.body["items"][0]["from"] == SOCIAL
