"""Create, read, update and the all-or-nothing commit, on every backend."""

from __future__ import annotations

import pytest

from store.errors import ConflictError, TooManyWrites
from store.ports import Store
from tests.contract import builders as b


async def test_every_record_kind_reads_back_as_written(store: Store) -> None:
    org = "org-a"
    user = b.staff(org)
    account = b.recipient(org)
    box = b.mailbox(org, [user.user_id])
    msg = b.message(org, box.address, has_links=True)
    dlv = b.delivery(org, msg, None)
    case = b.case(org, box.address, assignee_id=user.user_id)
    item = b.outbox_item(org, 0)
    chl = b.challenge(org)
    async with store.unit_of_work(org) as uow:
        uow.staff.add(user)
        uow.recipients.add(account)
        uow.mailboxes.add(box)
        uow.messages.add(msg)
        uow.deliveries.add(dlv)
        uow.cases.add(case)
        uow.outbox.add(item)
        uow.challenges.add(chl)
        await uow.commit()
    versions = [r.version for r in (user, account, box, msg, dlv, case, item, chl)]
    assert all(versions)

    async with store.unit_of_work(org) as uow:
        assert await uow.staff.get(user.user_id) == user
        assert await uow.recipients.get(account.account_id) == account
        assert await uow.mailboxes.get(box.address) == box
        assert await uow.messages.get(msg.message_id) == msg
        assert await uow.deliveries.get(dlv.delivery_id) == dlv
        assert await uow.cases.get(case.case_id) == case
        assert await uow.outbox.get(item.item_id) == item
        assert await uow.challenges.get(chl.challenge_id) == chl


async def test_a_missing_record_reads_as_none(store: Store) -> None:
    async with store.unit_of_work("org-a") as uow:
        assert await uow.messages.get("no-such-message") is None
        assert await uow.cases.get("no-such-case") is None
        assert await uow.staff.by_email("nobody@example.se") is None


async def test_an_update_is_stored_and_moves_the_version(store: Store) -> None:
    case = b.case("org-a", "box@example.se")
    async with store.unit_of_work("org-a") as uow:
        uow.cases.add(case)
        await uow.commit()
    async with store.unit_of_work("org-a") as uow:
        stored = await uow.cases.get(case.case_id)
        assert stored is not None
        first_version = stored.version
        stored.assignee_id = "user-7"
        stored.updated_at = b.at(10)
        uow.cases.update(stored)
        await uow.commit()
        assert stored.version != first_version
    async with store.unit_of_work("org-a") as uow:
        assert await uow.cases.get(case.case_id) == stored


async def test_lookups_by_email_and_entra_identity(store: Store) -> None:
    user = b.staff("org-a", email="Anna.Andersson@Kommun.example.se")
    account = b.recipient("org-a")
    async with store.unit_of_work("org-a") as uow:
        uow.staff.add(user)
        uow.recipients.add(account)
        await uow.commit()
    async with store.unit_of_work("org-a") as uow:
        assert await uow.staff.by_email("anna.andersson@kommun.example.se") == user
        assert await uow.staff.by_entra(user.entra_tenant_id, user.entra_object_id) == user
        assert await uow.staff.by_entra(user.entra_tenant_id, "another-object") is None
        assert await uow.recipients.by_email(account.email.upper()) == account


async def test_mailboxes_of_a_member(store: Store) -> None:
    mine = b.mailbox("org-a", ["user-1", "user-2"])
    also_mine = b.mailbox("org-a", ["user-1"], kind="personal")
    not_mine = b.mailbox("org-a", ["user-2"])
    async with store.unit_of_work("org-a") as uow:
        for box in (mine, also_mine, not_mine):
            uow.mailboxes.add(box)
        await uow.commit()
    async with store.unit_of_work("org-a") as uow:
        found = await uow.mailboxes.for_member("user-1")
        assert sorted(m.address for m in found) == sorted([mine.address, also_mine.address])
        mine.member_ids = ["user-2"]
        uow.mailboxes.update(mine)
        await uow.commit()
    async with store.unit_of_work("org-a") as uow:
        assert [m.address for m in await uow.mailboxes.for_member("user-1")] == [also_mine.address]


async def test_messages_by_ids_and_their_deliveries(store: Store) -> None:
    first, second = b.message("org-a", "box@x.se", 1), b.message("org-a", "box@x.se", 2)
    deliveries = [b.delivery("org-a", first, f"r{i}@x.se") for i in range(3)]
    deliveries.append(b.delivery("org-a", second, None))
    async with store.unit_of_work("org-a") as uow:
        uow.messages.add(first)
        uow.messages.add(second)
        for dlv in deliveries:
            uow.deliveries.add(dlv)
        await uow.commit()
    async with store.unit_of_work("org-a") as uow:
        got = await uow.messages.get_many([second.message_id, "missing", first.message_id])
        assert [m.message_id for m in got] == [second.message_id, first.message_id]
        of_first = await uow.deliveries.for_message(first.message_id)
        assert sorted(d.delivery_id for d in of_first) == sorted(d.delivery_id for d in deliveries[:3])
        of_both = await uow.deliveries.for_messages([first.message_id, second.message_id])
        assert sorted(d.delivery_id for d in of_both) == sorted(d.delivery_id for d in deliveries)


async def test_a_deleted_message_is_gone(store: Store) -> None:
    msg = b.message("org-a", "box@x.se")
    async with store.unit_of_work("org-a") as uow:
        uow.messages.add(msg)
        await uow.commit()
    async with store.unit_of_work("org-a") as uow:
        uow.messages.delete(msg)
        await uow.commit()
    async with store.unit_of_work("org-a") as uow:
        assert await uow.messages.get(msg.message_id) is None
        page = await uow.messages.sent("box@x.se", limit=10)
        assert page.items == []


async def test_a_stale_update_conflicts_and_writes_nothing(store: Store) -> None:
    case = b.case("org-a", "box@x.se")
    async with store.unit_of_work("org-a") as uow:
        uow.cases.add(case)
        await uow.commit()
    async with store.unit_of_work("org-a") as uow:
        first = await uow.cases.get(case.case_id)
        assert first is not None
    async with store.unit_of_work("org-a") as uow:
        second = await uow.cases.get(case.case_id)
        assert second is not None
        second.assignee_id = "user-2"
        uow.cases.update(second)
        await uow.commit()

    bystander = b.message("org-a", "box@x.se")
    event = b.audit_event("org-a")
    async with store.unit_of_work("org-a") as uow:
        first.assignee_id = "user-1"
        uow.messages.add(bystander)
        uow.cases.update(first)
        uow.audit.append(event)
        with pytest.raises(ConflictError):
            await uow.commit()

    async with store.unit_of_work("org-a") as uow:
        stored = await uow.cases.get(case.case_id)
        assert stored is not None and stored.assignee_id == "user-2"
        assert await uow.messages.get(bystander.message_id) is None
    assert await store.audit_head("org-a") == (0, "")


async def test_a_taken_id_conflicts_and_writes_nothing(store: Store) -> None:
    case = b.case("org-a", "box@x.se")
    async with store.unit_of_work("org-a") as uow:
        uow.cases.add(case)
        await uow.commit()
    duplicate = b.case("org-a", "other@x.se", case_id=case.case_id)
    bystander = b.case("org-a", "box@x.se")
    async with store.unit_of_work("org-a") as uow:
        uow.cases.add(bystander)
        uow.cases.add(duplicate)
        with pytest.raises(ConflictError):
            await uow.commit()
    async with store.unit_of_work("org-a") as uow:
        stored = await uow.cases.get(case.case_id)
        assert stored is not None and stored.mailbox == "box@x.se"
        assert await uow.cases.get(bystander.case_id) is None


async def test_deleting_a_record_already_deleted_conflicts(store: Store) -> None:
    msg = b.message("org-a", "box@x.se")
    async with store.unit_of_work("org-a") as uow:
        uow.messages.add(msg)
        await uow.commit()
    stale = b.message("org-a", "box@x.se")
    stale.message_id, stale.version = msg.message_id, msg.version
    async with store.unit_of_work("org-a") as uow:
        uow.messages.delete(msg)
        await uow.commit()
    async with store.unit_of_work("org-a") as uow:
        uow.messages.delete(stale)
        with pytest.raises(ConflictError):
            await uow.commit()


async def test_leaving_without_commit_discards_what_was_staged(store: Store) -> None:
    case = b.case("org-a", "box@x.se")
    async with store.unit_of_work("org-a") as uow:
        uow.cases.add(case)
        uow.audit.append(b.audit_event("org-a"))
    with pytest.raises(RuntimeError):
        async with store.unit_of_work("org-a") as uow:
            uow.cases.add(b.case("org-a", "box@x.se"))
            raise RuntimeError("the request failed half-way")
    async with store.unit_of_work("org-a") as uow:
        assert await uow.cases.get(case.case_id) is None
        assert (await uow.cases.list("box@x.se", member_id="u", limit=10)).items == []
    assert await store.audit_head("org-a") == (0, "")


async def test_a_record_of_another_organisation_cannot_be_staged(store: Store) -> None:
    async with store.unit_of_work("org-a") as uow:
        with pytest.raises(ValueError, match="another organisation"):
            uow.cases.add(b.case("org-b", "box@x.se"))
        with pytest.raises(ValueError, match="another organisation"):
            uow.audit.append(b.audit_event("org-b"))


async def test_added_then_updated_in_one_unit_of_work_is_one_create(store: Store) -> None:
    case = b.case("org-a", "box@x.se")
    async with store.unit_of_work("org-a") as uow:
        uow.cases.add(case)
        case.status = "closed"
        await uow.commit()
        assert case.version
        case.assignee_id = "user-1"
        uow.cases.update(case)
        case.updated_at = b.at(3)
        uow.cases.update(case)
        await uow.commit()
    async with store.unit_of_work("org-a") as uow:
        assert await uow.cases.get(case.case_id) == case


async def test_more_writes_than_one_batch_holds_are_refused_whole(store: Store) -> None:
    cases = [b.case("org-a", "box@x.se", i) for i in range(101)]
    async with store.unit_of_work("org-a") as uow:
        for case in cases:
            uow.cases.add(case)
        with pytest.raises(TooManyWrites):
            await uow.commit()
    async with store.unit_of_work("org-a") as uow:
        assert (await uow.cases.list("box@x.se", member_id="u", limit=10)).items == []
    async with store.unit_of_work("org-a") as uow:
        for case in cases[:98]:  # 98 cases, 1 audit entry and the chain head: 100 writes
            uow.cases.add(case)
        uow.audit.append(b.audit_event("org-a"))
        await uow.commit()
    assert (await store.audit_head("org-a"))[0] == 1


async def test_ping_answers_when_open(store: Store) -> None:
    await store.ping()


async def test_a_message_keeps_its_seal_format(store: Store) -> None:
    current = b.message("org-a", "box@example.se")
    current.seal_format = 2
    earlier = b.message("org-a", "box@example.se")  # written before the field: the default, 1
    async with store.unit_of_work("org-a") as uow:
        uow.messages.add(current)
        uow.messages.add(earlier)
        await uow.commit()
    async with store.unit_of_work("org-a") as uow:
        read = {
            m.message_id: m.seal_format
            for m in await uow.messages.get_many([current.message_id, earlier.message_id])
        }
    assert read == {current.message_id: 2, earlier.message_id: 1}


async def test_walks_reach_every_outbox_item_and_account_of_the_organisation_only(store: Store) -> None:
    items = [b.outbox_item("org-a", minutes) for minutes in (30, -5, 10)]
    accounts = [b.recipient("org-a") for _ in range(3)]
    async with store.unit_of_work("org-a") as uow:
        for item in items:
            uow.outbox.add(item)
        for account in accounts:
            uow.recipients.add(account)
        await uow.commit()
    async with store.unit_of_work("org-b") as uow:
        uow.outbox.add(b.outbox_item("org-b", 0))
        uow.recipients.add(b.recipient("org-b"))
        await uow.commit()

    async with store.unit_of_work("org-a") as uow:
        walked_items = [item.item_id async for item in uow.outbox.walk()]
        walked_accounts = {account.account_id async for account in uow.recipients.walk()}

    # Items in due order: a worker only ever moves an item later, so a walk meets it again, never misses it.
    assert walked_items == [items[1].item_id, items[2].item_id, items[0].item_id]
    assert walked_accounts == {account.account_id for account in accounts}
