"""The audit trail: linked at commit into one hash chain per organisation, and tampering shows."""

from __future__ import annotations

import asyncio
from datetime import timedelta, timezone

from store.audit_chain import GENESIS, verify
from store.ports import Store
from tests.contract import builders as b
from tests.contract.conftest import Backend


async def _commit_events(store: Store, org: str, count: int, start: int = 0) -> None:
    async with store.unit_of_work(org) as uow:
        for i in range(count):
            uow.audit.append(b.audit_event(org, f"action-{start + i}", minutes=start + i))
        await uow.commit()


async def test_commits_extend_one_chain_that_verifies(store: Store) -> None:
    await _commit_events(store, "org-a", 3)
    case = b.case("org-a", "box@x.se")
    async with store.unit_of_work("org-a") as uow:
        uow.cases.add(case)
        event = b.audit_event("org-a", "case.created")
        uow.audit.append(event)
        await uow.commit()
    assert (event.seq, event.prev_hash != "", event.hash != "") == (4, True, True)
    await _commit_events(store, "org-a", 2, start=10)

    events = [e async for e in store.audit_events("org-a")]
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6]
    assert [e.action for e in events] == [
        "action-0",
        "action-1",
        "action-2",
        "case.created",
        "action-10",
        "action-11",
    ]
    assert events[0].prev_hash == GENESIS
    assert await store.audit_head("org-a") == (6, events[-1].hash)
    report = await verify(store.audit_events("org-a"), await store.audit_head("org-a"))
    assert report.ok and report.entries == 6


async def test_each_organisation_has_its_own_chain(store: Store) -> None:
    await _commit_events(store, "org-a", 2)
    await _commit_events(store, "org-b", 3)
    assert [e.seq async for e in store.audit_events("org-b")] == [1, 2, 3]
    assert (await store.audit_head("org-a"))[0] == 2
    for org in ("org-a", "org-b"):
        assert (await verify(store.audit_events(org), await store.audit_head(org))).ok


async def test_an_event_time_in_another_zone_still_verifies(store: Store) -> None:
    stockholm_summer = timezone(timedelta(hours=2))
    async with store.unit_of_work("org-a") as uow:
        event = b.audit_event("org-a")
        event.at = event.at.astimezone(stockholm_summer)
        uow.audit.append(event)
        await uow.commit()
    assert (await verify(store.audit_events("org-a"), await store.audit_head("org-a"))).ok


async def test_a_changed_entry_is_reported_by_its_seq(backend: Backend) -> None:
    store = backend.store
    await _commit_events(store, "org-a", 5)
    await backend.raw.change_audit_entry("org-a", 3, "nothing.happened")
    report = await verify(store.audit_events("org-a"), await store.audit_head("org-a"))
    assert report.broken_at == 3
    assert "changed" in report.reason


async def test_a_removed_last_entry_is_reported(backend: Backend) -> None:
    store = backend.store
    await _commit_events(store, "org-a", 4)
    await backend.raw.delete_audit_entry("org-a", 4)
    report = await verify(store.audit_events("org-a"), await store.audit_head("org-a"))
    assert report.broken_at == 4
    assert "removed" in report.reason


async def test_a_removed_middle_entry_is_reported(backend: Backend) -> None:
    store = backend.store
    await _commit_events(store, "org-a", 4)
    await backend.raw.delete_audit_entry("org-a", 2)
    report = await verify(store.audit_events("org-a"), await store.audit_head("org-a"))
    assert report.broken_at == 2


async def test_50_concurrent_appends_all_land_in_one_continuous_chain(store: Store) -> None:
    async def append(i: int) -> None:
        async with store.unit_of_work("org-a") as uow:
            uow.cases.add(b.case("org-a", "box@x.se", i))
            uow.audit.append(b.audit_event("org-a", f"concurrent-{i}"))
            await uow.commit()

    await asyncio.gather(*(append(i) for i in range(50)))
    events = [e async for e in store.audit_events("org-a")]
    assert [e.seq for e in events] == list(range(1, 51))
    assert sorted(e.action for e in events) == sorted(f"concurrent-{i}" for i in range(50))
    assert (await verify(store.audit_events("org-a"), await store.audit_head("org-a"))).ok
    async with store.unit_of_work("org-a") as uow:
        assert len((await uow.cases.list("box@x.se", member_id="u", limit=100)).items) == 50
