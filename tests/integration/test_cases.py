"""Function mailboxes: cases taken, released, closed, reopened and deleted, and their filters."""

from __future__ import annotations

import asyncio

from tests.integration.harness import ANNA, BERTIL, CECILIA, EVA, SOCIAL, Server


async def _new_case(server: Server, subject: str = "Ansökan") -> tuple[str, str]:
    sent = await server.send(CECILIA, recipients=[{"address": SOCIAL}], subject=subject)
    assert sent.status == 201, sent.body
    inbox = await server.get(f"/mailboxes/{SOCIAL}/inbox", ANNA, params={"limit": "100"})
    item = next(i for i in inbox.body["items"] if i["message_id"] == sent.body["id"])
    assert item["case"]["status"] == "open"
    assert item["case"]["assignee"] is None
    return sent.body["id"], item["case"]["id"]


def _case_path(case_id: str, action: str = "") -> str:
    return f"/mailboxes/{SOCIAL}/cases/{case_id}" + (f"/{action}" if action else "")


async def test_take_release_close_reopen_delete(server: Server) -> None:
    message_id, case_id = await _new_case(server)
    taken = await server.post(_case_path(case_id, "take"), ANNA)
    assert taken.status == 200
    assert taken.body["assignee"] == ANNA
    assert taken.body["assignee_name"] == "Anna Andersson"

    clash = await server.post(_case_path(case_id, "take"), BERTIL)
    assert clash.status == 409
    assert clash.body["code"] == "case_taken"
    assert clash.body["holder"] == ANNA
    assert clash.body["holder_name"] == "Anna Andersson"
    assert f"(Anna Andersson, {ANNA})" in clash.body["title"]

    released = await server.post(_case_path(case_id, "release"), ANNA)
    assert released.status == 200 and released.body["assignee"] is None
    assert (await server.post(_case_path(case_id, "take"), BERTIL)).status == 200
    closed = await server.post(_case_path(case_id, "close"), BERTIL)
    assert closed.body["status"] == "closed"
    assert (await server.post(_case_path(case_id, "take"), ANNA)).status == 409
    reopened = await server.post(_case_path(case_id, "reopen"), ANNA)
    assert reopened.body["status"] == "open"

    deleted = await server.call("DELETE", _case_path(case_id), BERTIL)
    assert deleted.status == 200
    inbox = await server.get(f"/mailboxes/{SOCIAL}/inbox", ANNA, params={"limit": "100"})
    assert message_id not in [i["message_id"] for i in inbox.body["items"]]
    assert (await server.post(_case_path(case_id, "take"), ANNA)).status == 404


async def test_filters_by_assignment_and_status(server: Server) -> None:
    _, mine = await _new_case(server, "Mitt")
    _, theirs = await _new_case(server, "Bertils")
    _, nobodys = await _new_case(server, "Ingens")
    _, done = await _new_case(server, "Klart")
    await server.post(_case_path(mine, "take"), ANNA)
    await server.post(_case_path(theirs, "take"), BERTIL)
    await server.post(_case_path(done, "close"), ANNA)

    async def listed(**params: str) -> set[str]:
        resp = await server.get(f"/mailboxes/{SOCIAL}/inbox", ANNA, params={"limit": "100", **params})
        assert resp.status == 200
        return {i["case"]["id"] for i in resp.body["items"]}

    assert mine in await listed(assigned="me")
    assert not {theirs, nobodys} & await listed(assigned="me")
    assert theirs in await listed(assigned="others")
    assert mine not in await listed(assigned="others")
    assert nobodys in await listed(assigned="unassigned", status="open")
    assert {mine, theirs} & await listed(assigned="unassigned") == set()
    assert done in await listed(status="closed")
    assert done not in await listed(status="open")
    assert {mine, theirs, nobodys, done} <= await listed()


async def test_non_members_see_nothing_of_the_mailbox(server: Server) -> None:
    _, case_id = await _new_case(server)
    for user in (CECILIA, EVA):
        assert (await server.get(f"/mailboxes/{SOCIAL}/inbox", user)).status == 404
        assert (await server.post(_case_path(case_id, "take"), user)).status == 404
        assert (await server.call("DELETE", _case_path(case_id), user)).status == 404


async def test_fifty_concurrent_takes_exactly_one_wins(server: Server) -> None:
    _, case_id = await _new_case(server)
    for user in (ANNA, BERTIL):
        await server.token(user)
    results = await asyncio.gather(
        *(server.post(_case_path(case_id, "take"), ANNA if i % 2 else BERTIL) for i in range(50))
    )
    assert sorted(r.status for r in results) == [200] + [409] * 49
    winner = next(r for r in results if r.status == 200).body["assignee"]
    inbox = await server.get(f"/mailboxes/{SOCIAL}/inbox", ANNA, params={"limit": "100"})
    assert next(i for i in inbox.body["items"] if i["case"]["id"] == case_id)["case"]["assignee"] == winner


async def test_fifty_concurrent_takes_by_one_member_exactly_one_wins(server: Server) -> None:
    _, case_id = await _new_case(server)
    results = await asyncio.gather(*(server.post(_case_path(case_id, "take"), BERTIL) for _ in range(50)))
    assert sorted(r.status for r in results) == [200] + [409] * 49
