"""Reading an audit chain from a given entry on, as the checkpoint writer does, on every backend."""

from __future__ import annotations

from store.ports import Store
from tests.contract import builders as b


async def test_events_after_an_entry_come_in_chain_order(store: Store) -> None:
    for batch in range(3):
        async with store.unit_of_work("org-a") as uow:
            for i in range(4):
                uow.audit.append(b.audit_event("org-a", f"action-{batch}-{i}", minutes=batch * 4 + i))
            await uow.commit()
    async with store.unit_of_work("org-b") as uow:
        uow.audit.append(b.audit_event("org-b", "elsewhere"))
        await uow.commit()

    assert [e.seq async for e in store.audit_events("org-a", after_seq=9)] == [10, 11, 12]
    assert [e.seq async for e in store.audit_events("org-a", after_seq=0)] == list(range(1, 13))
    assert [e.seq async for e in store.audit_events("org-a", after_seq=12)] == []
    assert [e.action async for e in store.audit_events("org-b", after_seq=0)] == ["elsewhere"]
