"""A staff user is a tenant id and an object id: an e-mail claim never lets a token become someone else."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from identity.dev_issuer import dev_tenant_id
from sigill import demo
from sigill.bootstrap import DEV_AUDIENCE
from store.records import AuditEvent, RecipientAccount
from tests.integration.harness import ANNA, BERTIL, JAN, SOCIAL, Response, Server

VASTERAS = "vasteras.example"


def mint(server: Server, email: str, *, object_id: str | None = None, name: str = "Ny Person") -> str:
    """A token as the organisation's tenant would issue it: valid, for a person of the caller's choosing."""
    issuer = server.components.dev_issuer
    assert issuer is not None
    return issuer.mint(
        email=email,
        name=name,
        tenant_id=dev_tenant_id(VASTERAS),
        object_id=object_id or str(uuid.uuid4()),
        audience=DEV_AUDIENCE,
    )


async def call(server: Server, path: str, token: str) -> Response:
    async with server.session.get(
        f"{server.base}/api/v1{path}", headers={"Authorization": f"Bearer {token}"}
    ) as resp:
        body: Any = await resp.json(content_type=None) if resp.content_length != 0 else None
        return Response(resp.status, body, dict(resp.headers))


async def org_id(server: Server) -> str:
    org = await server.components.store.organisation_by_domain(VASTERAS)
    assert org is not None
    return org.org_id


async def audit_trail(server: Server) -> list[AuditEvent]:
    return [e async for e in server.components.store.audit_events(await org_id(server))]


async def assert_refused(server: Server, token: str, reason: str) -> None:
    before = len(await audit_trail(server))
    me = await call(server, "/me", token)
    assert me.status == 401, me.body
    assert me.headers["Content-Type"].startswith("application/problem+json")
    assert me.body["code"] == "sign_in_refused"
    assert me.headers["WWW-Authenticate"].startswith("Bearer")
    new = (await audit_trail(server))[before:]
    assert [e.action for e in new] == ["signin.refused"]
    assert new[0].details["reason"] == reason
    assert new[0].details["email_hash"]
    assert new[0].actor.startswith("entra:")


async def test_a_new_object_id_with_a_colleagues_address_is_refused(server: Server) -> None:
    intruder = mint(server, ANNA.upper(), name="Anna Andersson")
    await assert_refused(server, intruder, "address_of_another_user")
    # Nothing of Anna's is reachable with it, and her address is never written in plain text.
    assert (await call(server, f"/mailboxes/{ANNA}/inbox", intruder)).status == 401
    assert ANNA not in repr((await audit_trail(server))[-1])


async def test_an_address_of_a_function_mailbox_does_not_join_it(server: Server) -> None:
    intruder = mint(server, SOCIAL)
    await assert_refused(server, intruder, "address_of_a_mailbox")
    assert (await call(server, f"/mailboxes/{SOCIAL}/inbox", intruder)).status == 401
    members = await server.get(f"/admin/mailboxes/{SOCIAL}/members", ANNA)
    assert [m["email"] for m in members.body["members"]] == [ANNA, BERTIL]


async def test_an_address_of_a_registered_recipient_is_refused(server: Server) -> None:
    address = f"mottagare-{uuid.uuid4().hex[:8]}@{VASTERAS}"
    async with server.components.store.unit_of_work(await org_id(server)) as uow:
        uow.recipients.add(RecipientAccount(await org_id(server), uuid.uuid4().hex, address, "Mottagare"))
        await uow.commit()
    await assert_refused(server, mint(server, address), "address_of_a_recipient")


async def test_an_address_outside_the_organisations_domain_is_refused(server: Server) -> None:
    # Another organisation's address, the clinic's, and a look-alike domain: none can be squatted.
    await assert_refused(server, mint(server, "ny@regiongavleborg.example"), "domain_not_verified")
    await assert_refused(server, mint(server, JAN), "domain_not_verified")
    await assert_refused(server, mint(server, f"ny@sub.{VASTERAS}"), "domain_not_verified")
    await assert_refused(server, mint(server, f"ny@{VASTERAS}.evil.example"), "domain_not_verified")


async def test_a_free_address_makes_a_staff_user_once_and_audits_it(server: Server) -> None:
    address = f"david-{uuid.uuid4().hex[:8]}@{VASTERAS}"
    object_id = str(uuid.uuid4())
    before = len(await audit_trail(server))
    me = await call(server, "/me", mint(server, address, object_id=object_id, name="David Dahl"))
    assert me.status == 200, me.body
    assert me.body["email"] == address
    assert me.body["mailboxes"] == [{"address": address, "name": "David Dahl", "kind": "personal"}]
    created = [e for e in (await audit_trail(server))[before:] if e.action == "staff.created"]
    assert len(created) == 1
    assert created[0].details["object_id"] == object_id
    # The same person, now with another e-mail claim (renamed in the directory), is still the same user.
    again = await call(server, "/me", mint(server, f"other-{address}", object_id=object_id))
    assert again.status == 200
    assert again.body["email"] == address
    assert [e.action for e in (await audit_trail(server))[before:]].count("staff.created") == 1
    # A colleague can write to the new address: it is a registered recipient now.
    sent = await server.send(ANNA, recipients=[{"address": address}])
    assert sent.body["deliveries"][0]["kind"] == "registered"


async def test_a_known_object_id_is_the_person_whatever_its_email_claim_says(server: Server) -> None:
    renamed = mint(server, BERTIL, object_id=demo.dev_object_id(ANNA))
    me = await call(server, "/me", renamed)
    assert me.status == 200
    assert me.body["email"] == ANNA


async def test_two_first_sign_ins_for_one_address_make_one_user(server: Server) -> None:
    address = f"tvilling-{uuid.uuid4().hex[:8]}@{VASTERAS}"
    first, second = mint(server, address), mint(server, address)
    results = await asyncio.gather(call(server, "/me", first), call(server, "/me", second))
    assert sorted(r.status for r in results) == [200, 401]
