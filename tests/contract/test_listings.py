"""Newest-first listings with keyset cursors, every filter of the case list, and the outbox."""

from __future__ import annotations

from typing import Any

import pytest

from store.errors import InvalidCursor
from store.ports import Page, Store
from tests.contract import builders as b

BOX = "socialtjansten@kommun.example.se"


async def _pages(fetch: Any, limit: int) -> list[Page[Any]]:
    pages, cursor = [], None
    while True:
        page = await fetch(limit=limit, cursor=cursor)
        pages.append(page)
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


async def _add_all(store: Store, org: str, repository: str, records: list[Any]) -> None:
    for start in range(0, len(records), 50):
        async with store.unit_of_work(org) as uow:
            for record in records[start : start + 50]:
                getattr(uow, repository).add(record)
            await uow.commit()


async def test_55_cases_page_by_20_newest_first_without_gaps_or_repeats(store: Store) -> None:
    cases = [b.case("org-a", BOX, minutes) for minutes in range(55)]
    await _add_all(store, "org-a", "cases", cases)
    async with store.unit_of_work("org-a") as uow:
        pages = await _pages(lambda **kw: uow.cases.list(BOX, member_id="u", **kw), 20)
    assert [len(p.items) for p in pages] == [20, 20, 15]
    listed = [c.case_id for p in pages for c in p.items]
    assert listed == [c.case_id for c in reversed(cases)]


async def test_records_with_the_same_time_are_neither_lost_nor_repeated(store: Store) -> None:
    cases = [b.case("org-a", BOX, 0) for _ in range(7)]
    await _add_all(store, "org-a", "cases", cases)
    async with store.unit_of_work("org-a") as uow:
        pages = await _pages(lambda **kw: uow.cases.list(BOX, member_id="u", **kw), 3)
    assert [len(p.items) for p in pages] == [3, 3, 1]
    assert sorted(c.case_id for p in pages for c in p.items) == sorted(c.case_id for c in cases)


async def test_a_page_that_ends_exactly_at_the_last_record_has_no_cursor(store: Store) -> None:
    await _add_all(store, "org-a", "cases", [b.case("org-a", BOX, m) for m in range(4)])
    async with store.unit_of_work("org-a") as uow:
        page = await uow.cases.list(BOX, member_id="u", limit=4)
        assert len(page.items) == 4 and page.next_cursor is None
        first = await uow.cases.list(BOX, member_id="u", limit=2)
        assert first.next_cursor is not None
        second = await uow.cases.list(BOX, member_id="u", limit=2, cursor=first.next_cursor)
        assert len(second.items) == 2 and second.next_cursor is None


async def test_a_forged_cursor_is_refused(store: Store) -> None:
    async with store.unit_of_work("org-a") as uow:
        with pytest.raises(InvalidCursor):
            await uow.cases.list(BOX, member_id="u", limit=5, cursor="%%% not a cursor %%%")


async def test_every_filter_of_the_case_list(store: Store) -> None:
    me, colleague = "user-me", "user-colleague"
    mine_open = b.case("org-a", BOX, 1, assignee_id=me)
    mine_closed = b.case("org-a", BOX, 2, assignee_id=me, status="closed")
    theirs_open = b.case("org-a", BOX, 3, assignee_id=colleague)
    theirs_closed = b.case("org-a", BOX, 4, assignee_id=colleague, status="closed")
    nobodys_open = b.case("org-a", BOX, 5)
    nobodys_closed = b.case("org-a", BOX, 6, status="closed")
    deleted = [
        b.case("org-a", BOX, 7, status="deleted"),
        b.case("org-a", BOX, 8, status="deleted", assignee_id=me),
    ]
    other_box = b.case("org-a", "ekonomi@kommun.example.se", 9, assignee_id=me)
    everything = [
        mine_open,
        mine_closed,
        theirs_open,
        theirs_closed,
        nobodys_open,
        nobodys_closed,
        *deleted,
        other_box,
    ]
    await _add_all(store, "org-a", "cases", everything)

    async def listed(**filters: Any) -> list[str]:
        async with store.unit_of_work("org-a") as uow:
            page = await uow.cases.list(BOX, member_id=me, limit=50, **filters)
            return [c.case_id for c in page.items]

    def ids(*cases: Any) -> list[str]:
        return [c.case_id for c in sorted(cases, key=lambda c: c.created_at, reverse=True)]

    assert await listed() == ids(
        mine_open, mine_closed, theirs_open, theirs_closed, nobodys_open, nobodys_closed
    )
    assert await listed(status="open") == ids(mine_open, theirs_open, nobodys_open)
    assert await listed(status="closed") == ids(mine_closed, theirs_closed, nobodys_closed)
    assert await listed(status="deleted") == []
    assert await listed(assigned="me") == ids(mine_open, mine_closed)
    assert await listed(assigned="others") == ids(theirs_open, theirs_closed)
    assert await listed(assigned="unassigned") == ids(nobodys_open, nobodys_closed)
    assert await listed(assigned="me", status="open") == ids(mine_open)
    assert await listed(assigned="me", status="closed") == ids(mine_closed)
    assert await listed(assigned="others", status="open") == ids(theirs_open)
    assert await listed(assigned="others", status="closed") == ids(theirs_closed)
    assert await listed(assigned="unassigned", status="open") == ids(nobodys_open)
    assert await listed(assigned="unassigned", status="closed") == ids(nobodys_closed)


async def test_a_filtered_case_list_pages_through_its_own_matches(store: Store) -> None:
    cases = [b.case("org-a", BOX, m, assignee_id="me" if m % 3 == 0 else None) for m in range(30)]
    await _add_all(store, "org-a", "cases", cases)
    async with store.unit_of_work("org-a") as uow:
        pages = await _pages(lambda **kw: uow.cases.list(BOX, member_id="me", assigned="me", **kw), 4)
    assert [len(p.items) for p in pages] == [4, 4, 2]
    assert [c.case_id for p in pages for c in p.items] == [
        c.case_id for c in reversed(cases) if c.assignee_id
    ]


async def test_sent_messages_and_link_messages_of_a_mailbox(store: Store) -> None:
    plain = [b.message("org-a", BOX, m) for m in range(0, 20, 2)]
    with_links = [b.message("org-a", BOX, m, has_links=True) for m in range(1, 20, 2)]
    elsewhere = b.message("org-a", "ekonomi@kommun.example.se", 30, has_links=True)
    await _add_all(store, "org-a", "messages", [*plain, *with_links, elsewhere])
    async with store.unit_of_work("org-a") as uow:
        sent = await _pages(lambda **kw: uow.messages.sent(BOX, **kw), 6)
        links = await _pages(lambda **kw: uow.messages.links(BOX, **kw), 6)
    everything = sorted([*plain, *with_links], key=lambda m: m.sent_at, reverse=True)
    assert [m.message_id for p in sent for m in p.items] == [m.message_id for m in everything]
    assert [m.message_id for p in links for m in p.items] == [m.message_id for m in reversed(with_links)]


async def test_the_inbox_of_a_registered_mailbox(store: Store) -> None:
    msg = b.message("org-a", "sender@kommun.example.se")
    to_box = [b.delivery("org-a", msg, BOX, m) for m in range(12)]
    to_others = [b.delivery("org-a", msg, "other@kommun.example.se", 3), b.delivery("org-a", msg, None, 4)]
    await _add_all(store, "org-a", "deliveries", [*to_box, *to_others])
    async with store.unit_of_work("org-a") as uow:
        pages = await _pages(lambda **kw: uow.deliveries.inbox(BOX, **kw), 5)
    assert [len(p.items) for p in pages] == [5, 5, 2]
    assert [d.delivery_id for p in pages for d in p.items] == [d.delivery_id for d in reversed(to_box)]


async def test_the_staff_list(store: Store) -> None:
    users = [b.staff("org-a", m) for m in range(9)]
    await _add_all(store, "org-a", "staff", users)
    async with store.unit_of_work("org-a") as uow:
        pages = await _pages(lambda **kw: uow.staff.list(**kw), 4)
    assert [u.user_id for p in pages for u in p.items] == [u.user_id for u in reversed(users)]


async def test_outbox_due_returns_pending_items_due_by_now_oldest_first(store: Store) -> None:
    due = [b.outbox_item("org-a", m) for m in (5, 1, 3, 10)]
    later = b.outbox_item("org-a", 10.5)
    sent = b.outbox_item("org-a", 0, status="sent")
    failed = b.outbox_item("org-a", 0, status="failed")
    await _add_all(store, "org-a", "outbox", [*due, later, sent, failed])
    now = b.at(10)
    async with store.unit_of_work("org-a") as uow:
        found = await uow.outbox.due(now, limit=10)
        assert [i.item_id for i in found] == [i.item_id for i in sorted(due, key=lambda i: i.next_attempt_at)]
        assert [i.item_id for i in await uow.outbox.due(now, limit=2)] == [due[1].item_id, due[2].item_id]

        retried = found[0]
        retried.attempts, retried.next_attempt_at = 1, b.at(20)
        uow.outbox.update(retried)
        await uow.commit()
        assert retried.item_id not in [i.item_id for i in await uow.outbox.due(now, limit=10)]
        assert retried.item_id in [i.item_id for i in await uow.outbox.due(b.at(20), limit=10)]


async def test_a_page_size_outside_1_to_1000_is_refused(store: Store) -> None:
    async with store.unit_of_work("org-a") as uow:
        with pytest.raises(ValueError, match="page"):
            await uow.cases.list(BOX, member_id="u", limit=0)
        with pytest.raises(ValueError, match="page"):
            await uow.staff.list(limit=1001)
