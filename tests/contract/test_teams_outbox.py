"""The outbox worker's Teams channel on every store: one item, a notice per person, each sent once.

The Teams sender here records what it was asked to post (the real one, over the Agents SDK and HTTP, is
tested in tests/integration/test_teams_notices.py); the store, the worker and its retries are the real ones.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from notify.errors import NotifyError, PermanentFailure, TemporaryFailure
from notify.ports import TeamsNotice
from notify.retry import RetryPolicy
from notify.worker import Channels, OutboxWorker, WorkerConfig
from store.ports import Store
from store.records import ConversationReference, OutboxItem
from tests.contract import builders as b
from tests.contract.test_outbox_claims import Clock, get_item, open_json

RETRY = RetryPolicy(max_attempts=3, base_delay=timedelta(seconds=10), max_delay=timedelta(seconds=10))


class RecordingTeams:
    """Takes notices; `failures` maps a user id to the errors its next sends raise, in turn."""

    def __init__(self) -> None:
        self.posted: list[tuple[str, str, TeamsNotice]] = []
        self.failures: dict[str, list[NotifyError]] = {}
        self.closed = False

    async def send(self, reference: ConversationReference, notice: TeamsNotice) -> None:
        pending = self.failures.get(reference.user_id)
        if pending:
            raise pending.pop(0)
        self.posted.append((reference.user_id, reference.conversation_id, notice))

    async def close(self) -> None:
        self.closed = True

    def users(self) -> list[str]:
        return [user for user, _, _ in self.posted]


def reference(org_id: str, user_id: str) -> ConversationReference:
    return ConversationReference(
        org_id=org_id,
        user_id=user_id,
        service_url="https://smba.trafficmanager.net/emea/",
        conversation_id=f"a:{user_id}",
        bot_id="28:bot",
        tenant_id="tenant-1",
        aad_object_id=f"oid-{user_id}",
    )


def teams_item(org_id: str, due: datetime, users: list[str], mailbox_kind: str = "function") -> OutboxItem:
    payload: dict[str, Any] = {
        "kind": "teams",
        "sender": "Cecilia Ceder",
        "loa": 2,
        "message_id": "msg-1",
        "notices": [
            {
                "user_id": user,
                "delivery_id": "dlv-1",
                "mailbox_kind": mailbox_kind,
                "mailbox_name": "Socialtjänsten",
            }
            for user in users
        ],
    }
    item = b.outbox_item(org_id, 0, channel="teams", next_attempt_at=due)
    item.sealed_payload = json.dumps(payload).encode()
    return item


def worker(store: Store, clock: Clock, teams: RecordingTeams | None) -> OutboxWorker:
    return OutboxWorker(
        store,
        Channels(teams=teams),
        open_json,
        clock=clock,
        rng=random.Random(1),
        config=WorkerConfig(poll_interval=0.02, retry=RETRY),
        worker_id="worker-t",
    )


@pytest.fixture
async def org(store: Store) -> str:
    organisation = b.organisation()
    await store.add_organisation(organisation)
    async with store.unit_of_work(organisation.org_id) as uow:
        for user in ("user-1", "user-3", "user-4"):
            uow.references.add(reference(organisation.org_id, user))
        await uow.commit()
    return organisation.org_id


async def run(store: Store, clock: Clock, teams: RecordingTeams) -> None:
    sending = worker(store, clock, teams)
    await sending.run_once()
    await sending.idle()


async def add(store: Store, item: OutboxItem) -> None:
    async with store.unit_of_work(item.org_id) as uow:
        uow.outbox.add(item)
        await uow.commit()


async def test_each_member_with_a_conversation_gets_the_notice_and_the_others_are_skipped(
    store: Store, org: str
) -> None:
    now = datetime.now(UTC)
    item = teams_item(org, now, ["user-1", "user-2", "user-3"])
    await add(store, item)
    teams = RecordingTeams()

    await run(store, Clock(now), teams)

    # user-2 never talked to the bot: no reference, nothing posted, and no error for it.
    assert teams.users() == ["user-1", "user-3"]
    assert [conversation for _, conversation, _ in teams.posted] == ["a:user-1", "a:user-3"]
    notice = teams.posted[0][2]
    assert notice == TeamsNotice("Cecilia Ceder", 2, "msg-1", "function", "Socialtjänsten")
    stored = await get_item(store, item)
    assert (stored.status, stored.attempts, stored.last_error) == ("sent", 1, "")


async def test_a_retry_sends_only_the_notices_that_did_not_go(store: Store, org: str) -> None:
    now = datetime.now(UTC)
    item = teams_item(org, now, ["user-1", "user-3", "user-4"])
    await add(store, item)
    teams = RecordingTeams()
    teams.failures["user-3"] = [TemporaryFailure("the Bot Connector answered 503")]
    clock = Clock(now)

    await run(store, clock, teams)
    assert teams.users() == ["user-1"]
    waiting = await get_item(store, item)
    assert waiting.status == "pending" and waiting.sent_parts == ["dlv-1/user-1"]
    assert waiting.last_error == "TemporaryFailure: the Bot Connector answered 503"

    clock.advance(timedelta(seconds=11))
    await run(store, clock, teams)

    assert teams.users() == ["user-1", "user-3", "user-4"]  # user-1 once, not again
    done = await get_item(store, item)
    assert (done.status, done.attempts) == ("sent", 2)
    assert done.sent_parts == ["dlv-1/user-1", "dlv-1/user-3", "dlv-1/user-4"]


async def test_a_person_teams_refuses_for_good_does_not_hold_back_the_others(store: Store, org: str) -> None:
    now = datetime.now(UTC)
    item = teams_item(org, now, ["user-1", "user-3"])
    await add(store, item)
    teams = RecordingTeams()
    teams.failures["user-1"] = [PermanentFailure("the Bot Connector refused the notice (403)")]

    await run(store, Clock(now), teams)

    assert teams.users() == ["user-3"]
    assert (await get_item(store, item)).status == "sent"


async def test_an_item_every_person_of_which_was_refused_fails_without_marking_a_delivery(
    store: Store, org: str
) -> None:
    now = datetime.now(UTC)
    item = teams_item(org, now, ["user-1"], mailbox_kind="personal")
    await add(store, item)
    teams = RecordingTeams()
    teams.failures["user-1"] = [PermanentFailure("the Bot Connector refused the notice (403)")]

    await run(store, Clock(now), teams)

    failed = await get_item(store, item)
    assert failed.status == "failed" and failed.delivery_id is None
    assert failed.last_error == "PermanentFailure: the Bot Connector refused the notice (403)"
    events = [event async for event in store.audit_events(org)]
    assert [(e.action, e.target, e.details["channel"]) for e in events][-1] == (
        "notification.failed",
        f"outbox:{item.item_id}",
        "teams",
    )


async def test_without_a_teams_sender_the_item_waits(store: Store, org: str) -> None:
    now = datetime.now(UTC)
    item = teams_item(org, now, ["user-1"])
    await add(store, item)

    sending = worker(store, Clock(now), None)
    assert await sending.run_once() == 0

    waiting = await get_item(store, item)
    assert waiting.status == "pending" and waiting.next_attempt_at > now
