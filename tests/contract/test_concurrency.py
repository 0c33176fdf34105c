"""Optimistic concurrency under real contention: exactly one of many racing writers wins."""

from __future__ import annotations

import asyncio

from store.errors import ConflictError
from store.ports import Store
from tests.contract import builders as b

RACERS = 50


async def test_50_concurrent_updates_of_one_record_have_exactly_one_winner(store: Store) -> None:
    case = b.case("org-a", "box@x.se")
    async with store.unit_of_work("org-a") as uow:
        uow.cases.add(case)
        await uow.commit()
    # Everyone reads before anyone commits, as when 50 members click "take" at once.
    all_have_read = asyncio.Barrier(RACERS)

    async def take(member: str) -> str:
        async with store.unit_of_work("org-a") as uow:
            current = await uow.cases.get(case.case_id)
            assert current is not None
            await all_have_read.wait()
            current.assignee_id = member
            uow.cases.update(current)
            uow.messages.add(b.message("org-a", f"{member}@x.se"))
            try:
                await uow.commit()
            except ConflictError:
                return "lost"
            return member

    outcomes = await asyncio.gather(*(take(f"member-{i}") for i in range(RACERS)))
    winners = [o for o in outcomes if o != "lost"]
    assert len(winners) == 1
    assert outcomes.count("lost") == RACERS - 1
    async with store.unit_of_work("org-a") as uow:
        stored = await uow.cases.get(case.case_id)
        assert stored is not None and stored.assignee_id == winners[0]
        # The losers' other staged writes did not land either.
        for i in range(RACERS):
            page = await uow.messages.sent(f"member-{i}@x.se", limit=5)
            assert len(page.items) == (1 if f"member-{i}" == winners[0] else 0)
