"""A chain checked against a signed checkpoint's (seq, hash): truncation, rewrite and wipe show, even relinked."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta

from store.audit_chain import GENESIS, Anchor, extension_problem, link, verify
from store.records import AuditEvent

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def _chain(actions: Iterable[str]) -> list[AuditEvent]:
    events: list[AuditEvent] = []
    for i, action in enumerate(actions):
        event = AuditEvent("org-a", T0 + timedelta(minutes=i), "staff:u1", action, f"target-{i}")
        prev_seq, prev_hash = (events[-1].seq, events[-1].hash) if events else (0, GENESIS)
        link(event, prev_seq, prev_hash)
        events.append(event)
    return events


def _relinked(events: list[AuditEvent]) -> list[AuditEvent]:
    """The chain rebuilt from its contents, as an intruder who recomputes every hash would."""
    rebuilt: list[AuditEvent] = []
    for event in events:
        copy = dataclasses.replace(event)
        prev_seq, prev_hash = (rebuilt[-1].seq, rebuilt[-1].hash) if rebuilt else (0, GENESIS)
        link(copy, prev_seq, prev_hash)
        rebuilt.append(copy)
    return rebuilt


async def _iter(events: list[AuditEvent]) -> AsyncIterator[AuditEvent]:
    for event in events:
        yield event


def _head(events: list[AuditEvent]) -> tuple[int, str]:
    return (events[-1].seq, events[-1].hash) if events else (0, "")


ORIGINAL = _chain(f"action-{i}" for i in range(10))
ANCHOR = Anchor(8, ORIGINAL[7].hash)


async def test_a_chain_that_grew_past_its_checkpoint_verifies() -> None:
    report = await verify(_iter(ORIGINAL), _head(ORIGINAL), ANCHOR)
    assert report.ok and report.entries == 10
    assert await extension_problem(_iter(ORIGINAL[7:]), ANCHOR, _head(ORIGINAL)) == ""
    assert await extension_problem(_iter(ORIGINAL), None, _head(ORIGINAL)) == ""


async def test_a_relinked_rewrite_links_whole_but_departs_from_the_checkpoint() -> None:
    changed = [dataclasses.replace(e) for e in ORIGINAL]
    changed[2].action = "message.deleted"
    forged = _relinked(changed)
    assert (await verify(_iter(forged), _head(forged))).ok  # the links alone cannot tell

    report = await verify(_iter(forged), _head(forged), ANCHOR)
    assert report.broken_at is None and not report.ok
    assert report.anchor_problem.startswith("rewritten: entry 8")
    problem = await extension_problem(_iter(forged[7:]), ANCHOR, _head(forged))
    assert problem.startswith("rewritten: entry 8")


async def test_a_truncated_chain_relinked_to_its_new_end_departs_from_the_checkpoint() -> None:
    short = ORIGINAL[:5]
    assert (await verify(_iter(short), _head(short))).ok  # head moved back with it
    report = await verify(_iter(short), _head(short), ANCHOR)
    assert report.anchor_problem == (
        "truncated: the chain ends at entry 5, but a signed checkpoint covers entries 1 to 8"
    )
    assert (await extension_problem(_iter([]), ANCHOR, _head(short))).startswith("truncated: the chain ends")


async def test_a_wiped_chain_departs_from_the_checkpoint() -> None:
    report = await verify(_iter([]), (0, ""), ANCHOR)
    assert report.anchor_problem.startswith("wiped: the chain has no entries")
    assert (await extension_problem(_iter([]), ANCHOR, (0, ""))).startswith("wiped:")


async def test_a_truncated_and_regrown_chain_is_a_rewrite() -> None:
    regrown = _relinked([*ORIGINAL[:5], *_chain(f"other-{i}" for i in range(6))])
    report = await verify(_iter(regrown), _head(regrown), ANCHOR)
    assert report.broken_at is None
    assert report.anchor_problem.startswith("rewritten: entry 8")


async def test_a_missing_anchored_entry_is_truncation_and_a_break() -> None:
    gapped = [e for e in ORIGINAL if e.seq != 8]
    report = await verify(_iter(gapped), _head(ORIGINAL), ANCHOR)
    assert report.broken_at == 8
    assert report.anchor_problem == "truncated: entry 8, which a signed checkpoint covers, is missing"
    problem = await extension_problem(_iter(gapped[7:]), ANCHOR, _head(ORIGINAL))
    assert problem == "truncated: entry 8, which a signed checkpoint covers, is missing"


async def test_an_edit_after_the_checkpoint_is_caught_by_the_links() -> None:
    edited = [dataclasses.replace(e) for e in ORIGINAL]
    edited[8].action = "nothing.happened"
    report = await verify(_iter(edited), _head(edited), ANCHOR)
    assert (report.broken_at, report.anchor_problem) == (9, "")
    assert await extension_problem(_iter(edited[7:]), ANCHOR, _head(edited)) == "entry 9 was changed"


async def test_the_anchored_entry_edited_in_place_is_caught() -> None:
    edited = [dataclasses.replace(e) for e in ORIGINAL]
    edited[7].actor = "staff:someone-else"  # hash field left as it was
    assert await extension_problem(_iter(edited[7:]), ANCHOR, _head(edited)) == "entry 8 was changed"


async def test_entries_committed_after_the_head_was_read_are_not_judged() -> None:
    later = _chain([*(f"action-{i}" for i in range(10)), "late"])
    assert await extension_problem(_iter(ORIGINAL[7:] + later[10:]), ANCHOR, _head(ORIGINAL)) == ""


async def test_a_head_that_names_removed_entries_is_refused() -> None:
    assert (
        await extension_problem(_iter(ORIGINAL[7:9]), ANCHOR, _head(ORIGINAL))
        == "entries after 9 were removed"
    )


async def test_an_empty_checkpoint_vouches_for_nothing() -> None:
    assert (await verify(_iter(ORIGINAL), _head(ORIGINAL), Anchor(0, ""))).ok
    assert await extension_problem(_iter([]), Anchor(0, ""), (0, "")) == ""
