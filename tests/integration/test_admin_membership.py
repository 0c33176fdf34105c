"""Function-mailbox membership changes only through administration, over the API or the CLI, and is audited."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from store.records import AuditEvent
from tests.integration.harness import ANNA, BERTIL, CECILIA, EVA, SOCIAL, Response, Server, environment_for

MEMBERS = f"/admin/mailboxes/{SOCIAL}/members"


async def token(server: Server, email: str, **claims: Any) -> str:
    async with server.session.post(f"{server.base}/dev/token", json={"email": email, **claims}) as resp:
        assert resp.status == 200, await resp.text()
        return str((await resp.json())["access_token"])


async def call(server: Server, method: str, path: str, bearer: str, **kw: Any) -> Response:
    headers = {"Authorization": f"Bearer {bearer}"}
    async with server.session.request(method, f"{server.base}/api/v1{path}", headers=headers, **kw) as resp:
        body = await resp.json(content_type=None)
        return Response(resp.status, body, dict(resp.headers))


async def trail(server: Server) -> list[AuditEvent]:
    org = await server.components.store.organisation_by_domain("vasteras.example")
    assert org is not None
    return [e async for e in server.components.store.audit_events(org.org_id)]


def emails(resp: Response) -> list[str]:
    assert resp.status in (200, 201), resp.body
    return [m["email"] for m in resp.body["members"]]


async def test_only_the_organisations_administrators_may_administer(server: Server) -> None:
    # Anna holds the administrator app role in the development tenant; Bertil does not.
    listed = await server.get(MEMBERS, ANNA)
    assert listed.body["mailbox"] == SOCIAL
    assert emails(listed) == [ANNA, BERTIL]
    for bearer in (
        await token(server, BERTIL),
        await token(server, ANNA, admin=False),
    ):
        for method, path, body in (
            ("GET", MEMBERS, None),
            ("POST", MEMBERS, {"email": CECILIA}),
            ("DELETE", f"{MEMBERS}/{BERTIL}", None),
        ):
            refused = await call(server, method, path, bearer, json=body)
            assert refused.status == 403, (method, refused.body)
            assert refused.body["code"] == "admin_required"
    # An administrator of another organisation does not even see the mailbox.
    assert (await server.get(MEMBERS, EVA)).status == 404
    # Bertil given the role (by the tenant) may.
    assert emails(await call(server, "GET", MEMBERS, await token(server, BERTIL, admin=True))) == [
        ANNA,
        BERTIL,
    ]


async def test_an_administrator_adds_and_removes_a_member_and_both_are_audited(server: Server) -> None:
    before = len(await trail(server))
    added = await server.post(MEMBERS, ANNA, json={"email": CECILIA.upper()})
    assert added.status == 201, added.body
    assert emails(added) == [ANNA, BERTIL, CECILIA]
    assert added.headers["Location"] == f"/api/v1{MEMBERS}/{CECILIA}"
    cecilia = await server.get("/me", CECILIA)
    assert SOCIAL in [m["address"] for m in cecilia.body["mailboxes"]]
    assert (await server.get(f"/mailboxes/{SOCIAL}/inbox", CECILIA)).status == 200

    removed = await server.call("DELETE", f"{MEMBERS}/{CECILIA}", ANNA)
    assert emails(removed) == [ANNA, BERTIL]
    assert (await server.get(f"/mailboxes/{SOCIAL}/inbox", CECILIA)).status == 404

    changes = [
        (e.action, e.target) for e in (await trail(server))[before:] if e.action.startswith("mailbox.")
    ]
    assert changes == [
        ("mailbox.member_added", f"mailbox:{SOCIAL}"),
        ("mailbox.member_removed", f"mailbox:{SOCIAL}"),
    ]


async def test_membership_rules_refuse_and_change_nothing(server: Server) -> None:
    cases = [
        ("POST", MEMBERS, {"email": BERTIL}, 409, "already_member"),
        ("POST", MEMBERS, {"email": "ingen@vasteras.example"}, 422, "staff_unknown"),
        ("POST", MEMBERS, {"email": "inte en adress"}, 422, "staff_unknown"),
        ("POST", MEMBERS, {"email": EVA}, 422, "staff_unknown"),
        ("POST", f"/admin/mailboxes/{BERTIL}/members", {"email": CECILIA}, 422, "not_a_function_mailbox"),
        (
            "POST",
            "/admin/mailboxes/ingen@vasteras.example/members",
            {"email": CECILIA},
            404,
            "mailbox_not_found",
        ),
        ("DELETE", f"{MEMBERS}/{CECILIA}", None, 404, "member_not_found"),
    ]
    before = len(await trail(server))
    for method, path, body, status, code in cases:
        resp = await server.call(method, path, ANNA, json=body)
        assert (resp.status, resp.body["code"]) == (status, code), (method, path, body)
    assert emails(await server.get(MEMBERS, ANNA)) == [ANNA, BERTIL]
    assert not [e for e in (await trail(server))[before:] if e.action.startswith("mailbox.")]


async def test_the_last_member_stays(server: Server) -> None:
    assert emails(await server.call("DELETE", f"{MEMBERS}/{BERTIL}", ANNA)) == [ANNA]
    last = await server.call("DELETE", f"{MEMBERS}/{ANNA}", ANNA)
    assert (last.status, last.body["code"]) == (409, "last_member")
    assert emails(await server.post(MEMBERS, ANNA, json={"email": BERTIL})) == [ANNA, BERTIL]


def sigill(server: Server, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sigill", "mailbox", *args],
        env={**os.environ, **environment_for(server.settings)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_an_operator_changes_membership_with_the_cli(server: Server) -> None:
    listed = sigill(server, "members", SOCIAL)
    assert listed.returncode == 0, listed.stderr
    assert f"{ANNA}  Anna Andersson" in listed.stdout and CECILIA not in listed.stdout

    before = len(await trail(server))
    added = sigill(server, "add-member", SOCIAL, CECILIA)
    assert added.returncode == 0, added.stderr
    assert f"added {CECILIA} to {SOCIAL}" in added.stdout
    assert (await server.get(f"/mailboxes/{SOCIAL}/inbox", CECILIA)).status == 200

    again = sigill(server, "add-member", SOCIAL, CECILIA)
    assert again.returncode == 2
    assert again.stderr.startswith("sigill: already_member") and again.stderr.count("\n") == 1

    removed = sigill(server, "remove-member", SOCIAL, CECILIA)
    assert removed.returncode == 0, removed.stderr
    assert (await server.get(f"/mailboxes/{SOCIAL}/inbox", CECILIA)).status == 404

    changes = [e for e in (await trail(server))[before:] if e.action.startswith("mailbox.")]
    assert [e.action for e in changes] == ["mailbox.member_added", "mailbox.member_removed"]
    assert all(e.actor.startswith("operator:cli:") for e in changes)

    unknown = sigill(server, "members", "ingen@vasteras.example")
    assert unknown.returncode == 2
    assert "no organisation has a mailbox" in unknown.stderr
