"""`/dev/staff` lists the demo staff to sign in as, with what a real sign-in would say about each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from identity.dev_issuer import dev_tenant_id
from sigill import demo
from tests.integration.harness import ANNA, EVA, Server, free_port, server_settings, started


async def listing(server: Server, headers: dict[str, str] | None = None) -> tuple[int, Any, dict[str, str]]:
    async with server.session.get(f"{server.base}/dev/staff", headers=headers) as resp:
        return resp.status, await resp.json(content_type=None), dict(resp.headers)


async def test_every_demo_staff_member_is_listed_and_can_sign_in(server: Server) -> None:
    status, body, headers = await listing(server)
    assert status == 200
    assert headers["Cache-Control"] == "no-store"
    staff = body["staff"]
    expected = [p.email for org in demo.DEMO_ORGANISATIONS for p in org.staff]
    assert [s["email"] for s in staff] == expected
    anna = staff[0]
    assert anna == {
        "email": ANNA,
        "name": "Anna Andersson",
        "organisation": "Västerås stad (demo)",
        "domain": "vasteras.example",
        "tenant_id": dev_tenant_id("vasteras.example"),
        "object_id": demo.dev_object_id(ANNA),
        "admin": True,
    }
    eva = next(s for s in staff if s["email"] == EVA)
    assert (eva["organisation"], eva["tenant_id"]) == (
        "Region Gävleborg (demo)",
        dev_tenant_id("regiongavleborg.example"),
    )
    assert [s["admin"] for s in staff if s["domain"] == "vasteras.example"] == [True, False, False]
    # What a sign-in page does with an entry: ask /dev/token for its address, and call the API as that person.
    for person in staff:
        async with server.session.post(f"{server.base}/dev/token", json={"email": person["email"]}) as resp:
            assert resp.status == 200
            token = (await resp.json())["access_token"]
        me = await server.session.get(
            f"{server.base}/api/v1/me", headers={"Authorization": f"Bearer {token}"}
        )
        assert me.status == 200
        assert (await me.json())["organisation"] == person["organisation"]


async def test_the_listing_answers_only_requests_to_a_loopback_host(server: Server) -> None:
    status, body, _ = await listing(server, headers={"Host": "rebound.example.org"})
    assert (status, body["code"]) == (403, "host_not_loopback")


async def test_without_demo_data_nobody_is_listed(tmp_path: Path) -> None:
    settings = server_settings("sqlite", tmp_path, free_port(), demo=False)
    async with started(settings) as running:
        status, body, _ = await listing(running)
        assert (status, body) == (200, {"staff": []})
