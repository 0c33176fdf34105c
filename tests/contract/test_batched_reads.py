"""Reading many records by id at once: what exists, in the order asked, never across organisations."""

from __future__ import annotations

from store.ports import Store
from store.repositories import IN_CHUNK
from tests.contract import builders as b


async def test_staff_users_are_read_together_in_the_order_asked(store: Store) -> None:
    users = [b.staff("org-a", minutes) for minutes in range(3)]
    async with store.unit_of_work("org-a") as uow:
        for user in users:
            uow.staff.add(user)
        await uow.commit()

    asked = [users[2].user_id, "no-such-user", users[0].user_id, users[2].user_id]
    async with store.unit_of_work("org-a") as uow:
        found = await uow.staff.get_many(asked)
    assert [u.user_id for u in found] == [users[2].user_id, users[0].user_id]
    assert found[0] == users[2]


async def test_no_ids_read_nothing(store: Store) -> None:
    async with store.unit_of_work("org-a") as uow:
        assert await uow.staff.get_many([]) == []


async def test_another_organisations_staff_are_not_read(store: Store) -> None:
    theirs = b.staff("org-b")
    async with store.unit_of_work("org-b") as uow:
        uow.staff.add(theirs)
        await uow.commit()
    async with store.unit_of_work("org-a") as uow:
        assert await uow.staff.get_many([theirs.user_id]) == []


async def test_more_ids_than_one_query_carries_are_all_read(store: Store) -> None:
    users = [b.staff("org-a", n / 100) for n in range(IN_CHUNK + 5)]
    for start in range(0, len(users), 50):
        async with store.unit_of_work("org-a") as uow:
            for user in users[start : start + 50]:
                uow.staff.add(user)
            await uow.commit()
    wanted = [u.user_id for u in reversed(users)]
    async with store.unit_of_work("org-a") as uow:
        assert [u.user_id for u in await uow.staff.get_many(wanted)] == wanted
