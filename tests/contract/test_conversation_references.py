"""Conversation references (where the Teams bot reaches a staff user unasked), on every backend."""

from __future__ import annotations

import pytest

from store.errors import ConflictError
from store.ports import Store
from store.records import ConversationReference, OutboxItem
from tests.contract import builders as b


def reference(org_id: str, user_id: str, conversation: str = "a:1Personal") -> ConversationReference:
    return ConversationReference(
        org_id=org_id,
        user_id=user_id,
        service_url="https://smba.trafficmanager.net/emea/",
        conversation_id=conversation,
        bot_id="28:0b6a1c52-1111-4c2e-9d8e-5a2b1c3d4e5f",
        tenant_id="tenant-1",
        aad_object_id="5f2c7a9e-0d1b-4c3a-8e7f-6a5b4c3d2e1f",
        updated_at=b.at(0),
    )


async def test_a_reference_reads_back_by_the_staff_users_id(store: Store) -> None:
    saved = reference("org-a", "user-1")
    async with store.unit_of_work("org-a") as uow:
        uow.references.add(saved)
        await uow.commit()
    assert saved.version

    async with store.unit_of_work("org-a") as uow:
        assert await uow.references.get("user-1") == saved
        assert await uow.references.get("user-2") is None


async def test_a_reference_is_kept_per_organisation(store: Store) -> None:
    async with store.unit_of_work("org-a") as uow:
        uow.references.add(reference("org-a", "user-1"))
        await uow.commit()
    async with store.unit_of_work("org-b") as uow:
        assert await uow.references.get("user-1") is None
        # The same user id in another organisation is another reference, not a clash.
        uow.references.add(reference("org-b", "user-1", conversation="a:other"))
        await uow.commit()
    async with store.unit_of_work("org-a") as uow:
        found = await uow.references.get("user-1")
        assert found is not None and found.conversation_id == "a:1Personal"


async def test_get_many_returns_those_that_exist_in_the_order_asked(store: Store) -> None:
    async with store.unit_of_work("org-a") as uow:
        for user_id in ("user-1", "user-2", "user-3"):
            uow.references.add(reference("org-a", user_id, conversation=f"a:{user_id}"))
        await uow.commit()
    async with store.unit_of_work("org-a") as uow:
        found = await uow.references.get_many(["user-3", "nobody", "user-1"])
    assert [r.conversation_id for r in found] == ["a:user-3", "a:user-1"]


async def test_an_update_replaces_the_reference_and_a_stale_one_conflicts(store: Store) -> None:
    async with store.unit_of_work("org-a") as uow:
        uow.references.add(reference("org-a", "user-1"))
        await uow.commit()
    async with store.unit_of_work("org-a") as uow:
        first = await uow.references.get("user-1")
        stale = await uow.references.get("user-1")
    assert first is not None and stale is not None
    first.conversation_id = "a:moved"
    async with store.unit_of_work("org-a") as uow:
        uow.references.update(first)
        await uow.commit()
    stale.service_url = "https://elsewhere.example/"
    async with store.unit_of_work("org-a") as uow:
        uow.references.update(stale)
        with pytest.raises(ConflictError):
            await uow.commit()
    async with store.unit_of_work("org-a") as uow:
        assert await uow.references.get("user-1") == first


async def test_a_second_create_for_one_user_conflicts(store: Store) -> None:
    """Two turns that both saw no reference: the second create fails and the first stays."""
    async with store.unit_of_work("org-a") as uow:
        uow.references.add(reference("org-a", "user-1"))
        await uow.commit()
    async with store.unit_of_work("org-a") as uow:
        uow.references.add(reference("org-a", "user-1", conversation="a:second"))
        with pytest.raises(ConflictError):
            await uow.commit()
    async with store.unit_of_work("org-a") as uow:
        found = await uow.references.get("user-1")
        assert found is not None and found.conversation_id == "a:1Personal"


async def test_an_outbox_items_sent_parts_are_kept_across_updates(store: Store) -> None:
    item: OutboxItem = b.outbox_item("org-a", 0, channel="teams")
    async with store.unit_of_work("org-a") as uow:
        uow.outbox.add(item)
        await uow.commit()
    item.sent_parts.append("dlv-1/user-1")
    async with store.unit_of_work("org-a") as uow:
        uow.outbox.update(item)
        await uow.commit()
    async with store.unit_of_work("org-a") as uow:
        found = await uow.outbox.get(item.item_id)
    assert found is not None and found.sent_parts == ["dlv-1/user-1"] and found.channel == "teams"
