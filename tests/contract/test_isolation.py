"""One organisation's records are invisible to another's units of work; the directory finds organisations."""

from __future__ import annotations

import pytest

from store.errors import ConflictError
from store.ports import AssignedFilter, Store
from tests.contract import builders as b


async def test_no_repository_shows_a_record_of_another_organisation(store: Store) -> None:
    user = b.staff("org-a")
    account = b.recipient("org-a")
    box = b.mailbox("org-a", [user.user_id])
    msg = b.message("org-a", box.address, has_links=True)
    dlv = b.delivery("org-a", msg, box.address)
    case = b.case("org-a", box.address, assignee_id=user.user_id)
    item = b.outbox_item("org-a", 0)
    chl = b.challenge("org-a")
    async with store.unit_of_work("org-a") as uow:
        uow.staff.add(user)
        uow.recipients.add(account)
        uow.mailboxes.add(box)
        uow.messages.add(msg)
        uow.deliveries.add(dlv)
        uow.cases.add(case)
        uow.outbox.add(item)
        uow.challenges.add(chl)
        uow.audit.append(b.audit_event("org-a"))
        await uow.commit()

    async with store.unit_of_work("org-b") as other:
        assert await other.staff.get(user.user_id) is None
        assert await other.staff.by_email(user.email) is None
        assert await other.staff.by_entra(user.entra_tenant_id, user.entra_object_id) is None
        assert (await other.staff.list(limit=10)).items == []
        assert await other.recipients.get(account.account_id) is None
        assert await other.recipients.by_email(account.email) is None
        assert await other.mailboxes.get(box.address) is None
        assert await other.mailboxes.for_member(user.user_id) == []
        assert await other.messages.get(msg.message_id) is None
        assert await other.messages.get_many([msg.message_id]) == []
        assert (await other.messages.sent(box.address, limit=10)).items == []
        assert (await other.messages.links(box.address, limit=10)).items == []
        assert await other.deliveries.get(dlv.delivery_id) is None
        assert await other.deliveries.for_message(msg.message_id) == []
        assert await other.deliveries.for_messages([msg.message_id]) == []
        assert (await other.deliveries.inbox(box.address, limit=10)).items == []
        assert await other.cases.get(case.case_id) is None
        filters: list[AssignedFilter | None] = [None, "me", "others", "unassigned"]
        for assigned in filters:
            page = await other.cases.list(box.address, member_id=user.user_id, assigned=assigned, limit=10)
            assert page.items == []
        assert await other.outbox.get(item.item_id) is None
        assert await other.outbox.due(b.at(60), limit=10) == []
        assert await other.challenges.get(chl.challenge_id) is None
    assert [e async for e in store.audit_events("org-b")] == []
    assert await store.audit_head("org-b") == (0, "")

    # The same records are all there for their own organisation.
    async with store.unit_of_work("org-a") as own:
        assert await own.staff.get(user.user_id) == user
        assert (await own.cases.list(box.address, member_id=user.user_id, assigned="me", limit=10)).items == [
            case
        ]


async def test_the_same_id_in_two_organisations_is_two_records(store: Store) -> None:
    ours = b.case("org-a", "box@x.se")
    theirs = b.case("org-b", "box@x.se", case_id=ours.case_id)
    for org, case in (("org-a", ours), ("org-b", theirs)):
        async with store.unit_of_work(org) as uow:
            uow.cases.add(case)
            await uow.commit()
    async with store.unit_of_work("org-b") as uow:
        theirs.status = "closed"
        uow.cases.update(theirs)
        await uow.commit()
    async with store.unit_of_work("org-a") as uow:
        stored = await uow.cases.get(ours.case_id)
        assert stored is not None and stored.status == "open"


async def test_an_update_through_another_organisation_cannot_touch_the_record(store: Store) -> None:
    case = b.case("org-a", "box@x.se")
    async with store.unit_of_work("org-a") as uow:
        uow.cases.add(case)
        await uow.commit()
    impostor = b.case("org-b", "box@x.se", case_id=case.case_id, status="deleted")
    impostor.version = case.version
    async with store.unit_of_work("org-b") as uow:
        uow.cases.update(impostor)
        with pytest.raises(ConflictError):
            await uow.commit()
    async with store.unit_of_work("org-a") as uow:
        stored = await uow.cases.get(case.case_id)
        assert stored is not None and stored.status == "open"


async def test_directory_lookups(store: Store) -> None:
    first = b.organisation("org-first", domain="Forsta.Kommun.se", entra_tenant_ids=["tenant-1", "tenant-2"])
    second = b.organisation("org-second", domain="andra.region.se", entra_tenant_ids=["tenant-3"])
    await store.add_organisation(first)
    await store.add_organisation(second)
    assert first.version and second.version

    assert await store.organisation("org-first") == first
    assert await store.organisation("org-missing") is None
    assert await store.organisation_by_tenant("tenant-2") == first
    assert await store.organisation_by_tenant("tenant-3") == second
    assert await store.organisation_by_tenant("tenant-9") is None
    assert await store.organisation_by_domain("forsta.kommun.se") == first
    assert await store.organisation_by_domain("ANDRA.region.se") == second
    assert await store.organisation_by_domain("tredje.se") is None
    assert [o.org_id for o in await store.organisations()] == ["org-first", "org-second"]

    first.entra_tenant_ids = ["tenant-2"]
    first.staff_loa = 3
    await store.update_organisation(first)
    assert await store.organisation_by_tenant("tenant-1") is None
    assert await store.organisation_by_tenant("tenant-2") == first


async def test_directory_conflicts(store: Store) -> None:
    org = b.organisation("org-one")
    await store.add_organisation(org)
    with pytest.raises(ConflictError):
        await store.add_organisation(b.organisation("org-one"))
    stale = await store.organisation("org-one")
    assert stale is not None
    org.name = "Nytt namn"
    await store.update_organisation(org)
    stale.name = "Gammalt namn"
    with pytest.raises(ConflictError):
        await store.update_organisation(stale)
    stored = await store.organisation("org-one")
    assert stored is not None and stored.name == "Nytt namn"


async def test_the_directory_is_not_an_organisation(store: Store) -> None:
    with pytest.raises(ValueError, match="cannot be an organisation id"):
        store.unit_of_work("directory")
