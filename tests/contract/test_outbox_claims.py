"""The outbox worker on every store: claims with a lease, two workers sending each item once, retries, stops.

Each test runs on SQLite and on the Cosmos DB test server. A "second worker"
opens a store of its own on the same database, as a second process would.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from notify.email_smtp import SmtpConfig, SmtpEmailSender
from notify.errors import PermanentFailure, TemporaryFailure
from notify.ports import Email, Sms
from notify.retry import RetryPolicy
from notify.worker import Channels, DailyJob, OutboxWorker, WorkerConfig
from store.errors import ConflictError
from store.factory import cosmos_store, sqlite_store
from store.ports import Store
from store.records import Delivery, OutboxItem
from tests.contract import builders as b
from tests.contract.conftest import Backend, CosmosRaw
from tests.fixtures.smtp import SmtpServer

LEASE = timedelta(minutes=5)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.now = at

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


class RecordingSender:
    """Takes mails and SMS, optionally slowly, failing, or held until released."""

    def __init__(self, log: list[str] | None = None, *, pause: float = 0.0) -> None:
        self.log: list[str] = [] if log is None else log
        self.pause = pause
        self.failures: list[Exception] = []
        self.hold: asyncio.Event | None = None
        self.started = asyncio.Event()
        self.closed = False
        self.after_send: Callable[[], None] = lambda: None

    async def send(self, notification: Email | Sms) -> None:
        self.started.set()
        if self.hold is not None:
            await self.hold.wait()
        if self.pause:
            await asyncio.sleep(self.pause)
        if self.failures:
            raise self.failures.pop(0)
        self.log.append(notification.extras["item"])
        self.after_send()

    async def close(self) -> None:
        self.closed = True


async def open_json(item: OutboxItem) -> Mapping[str, Any]:
    """The tests store payloads as plain JSON: sealing is crypto's business, tested there."""
    payload: dict[str, Any] = json.loads(item.sealed_payload)
    return payload


class TaggingRenderer:
    """Renders as the real renderer would, and tags each notification with its item id for counting."""

    def __init__(self) -> None:
        from notify.render import Renderer

        self._real = Renderer()

    def email(self, payload: Mapping[str, Any], org_name: str) -> Email:
        mail = self._real.email(payload, org_name)
        return Email(**{**_fields(mail), "extras": {"item": str(payload["item"])}})

    def sms(self, payload: Mapping[str, Any]) -> Sms:
        sms = self._real.sms(payload)
        return Sms(to=sms.to, text=sms.text, extras={"item": str(payload["item"])})


def _fields(mail: Email) -> dict[str, Any]:
    return {name: getattr(mail, name) for name in Email.__dataclass_fields__}


def link_payload(item_id: str, to: str = "asa@example.org") -> bytes:
    payload = {
        "kind": "link",
        "item": item_id,
        "to": to,
        "sender": "Anna Andersson",
        "method": "email",
        "open_message": "Hej! Här är svaret.",
        "link": f"http://127.0.0.1/r/org/{item_id}/token",
        "message_id": "msg-1",
    }
    return json.dumps(payload).encode()


def outbox_item(org_id: str, due: datetime, channel: str = "email", **changes: Any) -> OutboxItem:
    item = b.outbox_item(org_id, 0, channel=channel, next_attempt_at=due, **changes)
    if channel == "sms":
        item.sealed_payload = json.dumps(
            {"kind": "sms", "item": item.item_id, "to": "+46701234567", "text": "Din kod är 123456"}
        ).encode()
    else:
        item.sealed_payload = link_payload(item.item_id)
    return item


async def add(store: Store, org_id: str, *records: OutboxItem | Delivery) -> None:
    async with store.unit_of_work(org_id) as uow:
        for record in records:
            if isinstance(record, OutboxItem):
                uow.outbox.add(record)
            else:
                uow.deliveries.add(record)
        await uow.commit()


async def get_item(store: Store, item: OutboxItem) -> OutboxItem:
    async with store.unit_of_work(item.org_id) as uow:
        found = await uow.outbox.get(item.item_id)
    assert found is not None
    return found


def worker(
    store: Store,
    clock: Clock,
    *,
    email: RecordingSender | SmtpEmailSender | None = None,
    sms: RecordingSender | None = None,
    name: str = "worker-a",
    tagging: bool = True,
    seed: int = 1,
    daily: tuple[DailyJob, ...] = (),
    **config: Any,
) -> OutboxWorker:
    settings: dict[str, Any] = {"poll_interval": 0.02, "lease": LEASE, "stop_grace": 5.0, **config}
    return OutboxWorker(
        store,
        Channels(email=email, sms=sms),
        open_json,
        clock=clock,
        rng=random.Random(seed),
        config=WorkerConfig(**settings),
        renderer=TaggingRenderer() if tagging else None,  # type: ignore[arg-type]
        worker_id=name,
        daily=daily,
    )


@pytest.fixture
async def org(store: Store) -> str:
    organisation = b.organisation()
    await store.add_organisation(organisation)
    return organisation.org_id


@pytest.fixture
async def second_store(backend: Backend) -> AsyncIterator[Store]:
    """Another connection to the same database, as a second worker process has."""
    if isinstance(backend.raw, CosmosRaw):
        other = cosmos_store(
            backend.raw.server.endpoint, backend.raw.server.key, backend.raw.database, verify_tls=False
        )
    else:
        other = sqlite_store(backend.raw.path)
    await other.open()
    yield other
    await other.close()


async def test_two_workers_on_one_store_send_every_item_exactly_once(
    store: Store, second_store: Store, org: str
) -> None:
    now = datetime.now(UTC)
    items = [outbox_item(org, now - timedelta(seconds=n)) for n in range(30)]
    await add(store, org, *items)
    senders = [RecordingSender(pause=0.002), RecordingSender(pause=0.002)]
    all_sent = asyncio.Event()
    for sender in senders:
        sender.after_send = lambda: all_sent.set() if sum(len(s.log) for s in senders) >= len(items) else None
    workers = [
        worker(store, Clock(now), email=senders[0], name="a", concurrency=3, batch=10),
        worker(second_store, Clock(now), email=senders[1], name="b", concurrency=3, batch=10),
    ]
    runs = [asyncio.create_task(w.run()) for w in workers]
    try:
        async with asyncio.timeout(60):
            await all_sent.wait()
            await asyncio.sleep(0.2)  # time for a duplicate, were there one
    finally:
        for w in workers:
            await w.stop()
        await asyncio.gather(*runs)

    sent = senders[0].log + senders[1].log
    assert Counter(sent) == Counter(i.item_id for i in items)  # each once, none twice
    assert senders[0].log and senders[1].log  # both workers took part
    for item in items:
        stored = await get_item(store, item)
        assert (stored.status, stored.lease_owner, stored.attempts) == ("sent", "", 1)
        assert stored.sent_at == now


async def test_of_two_claims_on_the_same_read_only_one_wins(
    store: Store, second_store: Store, org: str
) -> None:
    clock = Clock(b.at(0))
    item = outbox_item(org, b.at(0))
    await add(store, org, item)
    copy_a, copy_b = await get_item(store, item), await get_item(second_store, item)

    assert await worker(store, clock, name="a").claim(copy_a) is True
    assert await worker(second_store, clock, name="b").claim(copy_b) is False

    stored = await get_item(store, item)
    assert (stored.lease_owner, stored.attempts, stored.next_attempt_at) == ("a", 1, b.at(0) + LEASE)
    async with store.unit_of_work(org) as uow:
        assert await uow.outbox.due(b.at(0) + LEASE - timedelta(seconds=1), limit=10) == []


async def test_the_claim_is_a_conditional_write_in_the_store(store: Store, org: str) -> None:
    item = outbox_item(org, b.at(0))
    await add(store, org, item)
    first, second = await get_item(store, item), await get_item(store, item)
    for copy in (first, second):
        copy.lease_owner = "someone"
    async with store.unit_of_work(org) as uow:
        uow.outbox.update(first)
        await uow.commit()
    async with store.unit_of_work(org) as uow:
        uow.outbox.update(second)
        with pytest.raises(ConflictError):
            await uow.commit()


async def test_an_expired_lease_makes_the_item_due_again_for_another_worker(
    store: Store, second_store: Store, org: str
) -> None:
    clock = Clock(b.at(0))
    item = outbox_item(org, b.at(0))
    await add(store, org, item)
    # Worker a claims and then dies: it never sends and never writes again.
    assert await worker(store, clock, name="a").claim(await get_item(store, item))

    sender = RecordingSender()
    other = worker(second_store, clock, email=sender, name="b")
    clock.advance(LEASE - timedelta(seconds=1))
    assert await other.run_once() == 0
    clock.advance(timedelta(seconds=2))
    assert await other.run_once() == 1
    await other.idle()

    assert sender.log == [item.item_id]
    stored = await get_item(store, item)
    assert (stored.status, stored.attempts, stored.lease_owner) == ("sent", 2, "")


async def test_a_stop_lets_the_send_in_flight_finish_and_marks_it_sent(store: Store, org: str) -> None:
    item = outbox_item(org, b.at(0))
    await add(store, org, item)
    sender = RecordingSender()
    sender.hold = asyncio.Event()
    w = worker(store, Clock(b.at(0)), email=sender)
    run = asyncio.create_task(w.run())
    await asyncio.wait_for(sender.started.wait(), 10)

    stopping = asyncio.create_task(w.stop())
    await asyncio.sleep(0.1)
    assert not stopping.done()  # it waits for the send
    sender.hold.set()
    await asyncio.wait_for(stopping, 10)
    await asyncio.wait_for(run, 10)

    assert sender.log == [item.item_id]
    assert (await get_item(store, item)).status == "sent"


@pytest.mark.parametrize("how", ["stop", "cancel"])
async def test_a_stop_that_cannot_wait_releases_the_lease_at_once(
    store: Store, second_store: Store, org: str, how: str
) -> None:
    clock = Clock(b.at(0))
    item = outbox_item(org, b.at(0))
    await add(store, org, item)
    stuck = RecordingSender()
    stuck.hold = asyncio.Event()  # never set: a send that hangs
    w = worker(store, clock, email=stuck, stop_grace=0.1)
    run = asyncio.create_task(w.run())
    await asyncio.wait_for(stuck.started.wait(), 10)
    assert (await get_item(store, item)).lease_owner == "worker-a"

    if how == "stop":
        await asyncio.wait_for(w.stop(), 10)
    else:
        run.cancel()
    await asyncio.gather(run, return_exceptions=True)

    released = await get_item(store, item)
    assert (released.status, released.lease_owner) == ("pending", "")
    assert released.next_attempt_at == clock.now  # due now, not after the lease
    sender = RecordingSender()
    other = worker(second_store, clock, email=sender, name="b")
    assert await other.run_once() == 1
    await other.idle()
    assert sender.log == [item.item_id]


async def test_temporary_failures_back_off_with_jitter_then_the_item_and_its_delivery_fail(
    store: Store, org: str
) -> None:
    clock = Clock(b.at(0))
    message = b.message(org, "anna@kommun.example.se")
    delivery = b.delivery(org, message, None)
    item = outbox_item(org, b.at(0), delivery_id=delivery.delivery_id)
    await add(store, org, delivery, item)
    sender = RecordingSender()
    sender.failures = [TemporaryFailure("the SMTP server answered 451")] * 3
    policy = RetryPolicy(max_attempts=3, base_delay=timedelta(seconds=30), max_delay=timedelta(hours=1))
    w = worker(store, clock, email=sender, retry=policy, seed=99)
    expected = random.Random(99)

    for attempt in (1, 2):
        assert await w.run_once() == 1
        await w.idle()
        stored = await get_item(store, item)
        backoff = policy.delay(attempt, expected)
        assert (stored.status, stored.attempts, stored.lease_owner) == ("pending", attempt, "")
        assert stored.next_attempt_at == clock.now + backoff
        assert "451" in stored.last_error
        assert (
            timedelta(seconds=15 * 2 ** (attempt - 1))
            <= backoff
            <= timedelta(seconds=30 * 2 ** (attempt - 1))
        )
        clock.advance(backoff - timedelta(seconds=1))
        assert await w.run_once() == 0  # not due before its backoff
        clock.advance(timedelta(seconds=1))

    gave_up_at = clock.now
    assert await w.run_once() == 1
    await w.idle()
    failed = await get_item(store, item)
    assert (failed.status, failed.attempts) == ("failed", 3)
    clock.advance(timedelta(days=7))
    assert await w.run_once() == 0  # failed is final
    async with store.unit_of_work(org) as uow:
        shown = await uow.deliveries.get(delivery.delivery_id)
    assert shown is not None and shown.notification_failed_at == gave_up_at
    events = [e async for e in store.audit_events(org)]
    assert [(e.action, e.target, e.actor) for e in events] == [
        ("notification.failed", f"delivery:{delivery.delivery_id}", "system:outbox")
    ]
    assert sender.log == []


async def test_a_permanent_refusal_fails_at_once(store: Store, org: str) -> None:
    item = outbox_item(org, b.at(0))
    await add(store, org, item)
    sender = RecordingSender()
    sender.failures = [PermanentFailure("the recipient was refused (550)")]
    w = worker(store, Clock(b.at(0)), email=sender)
    assert await w.run_once() == 1
    await w.idle()
    failed = await get_item(store, item)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert failed.last_error == "PermanentFailure: the recipient was refused (550)"


async def test_a_mail_refused_for_now_arrives_once_later(
    store: Store, org: str, refusing_smtp: SmtpServer
) -> None:
    clock = Clock(b.at(0))
    item = outbox_item(org, b.at(0))
    await add(store, org, item)
    smtp = SmtpEmailSender(
        SmtpConfig(
            host=refusing_smtp.host,
            port=refusing_smtp.port,
            from_address="noreply@kommun.example.se",
            starttls=False,
        ),
        clock,
    )
    w = worker(store, clock, email=smtp, tagging=False)

    for _ in range(2):  # the server answers 451 twice
        assert await w.run_once() == 1
        await w.idle()
        waiting = await get_item(store, item)
        assert waiting.status == "pending"
        assert refusing_smtp.messages == []
        clock.now = waiting.next_attempt_at
    assert await w.run_once() == 1
    await w.idle()

    [received] = await refusing_smtp.wait_for(1)
    assert received.rcpt_tos == ["asa@example.org"]
    assert received.message["X-Sigill-Message"] == "msg-1"
    sent = await get_item(store, item)
    assert (sent.status, sent.attempts) == ("sent", 3)
    assert refusing_smtp.recipient_attempts == 3
    clock.advance(timedelta(days=1))
    assert await w.run_once() == 0
    await asyncio.sleep(0.1)
    assert len(refusing_smtp.messages) == 1  # once


async def test_items_of_a_channel_without_a_sender_wait_and_do_not_hold_up_the_rest(
    store: Store, org: str
) -> None:
    clock = Clock(b.at(0))
    sms_item = outbox_item(org, b.at(-1), channel="sms")
    mail_item = outbox_item(org, b.at(0))
    await add(store, org, sms_item, mail_item)
    sender = RecordingSender()
    w = worker(store, clock, email=sender, sms=None, batch=1, concurrency=1)

    for _ in range(3):
        await w.run_once()
        await w.idle()

    assert sender.log == [mail_item.item_id]
    parked = await get_item(store, sms_item)
    assert (parked.status, parked.attempts, parked.lease_owner) == ("pending", 0, "")
    assert parked.next_attempt_at == clock.now + WorkerConfig().park

    sms = RecordingSender()
    clock.advance(WorkerConfig().park)
    later = worker(store, clock, email=sender, sms=sms)
    assert await later.run_once() == 1
    await later.idle()
    assert sms.log == [sms_item.item_id]


async def test_the_daily_job_runs_once_a_day(store: Store, org: str) -> None:
    clock = Clock(b.at(0))
    runs: list[datetime] = []

    async def sweep() -> None:
        runs.append(clock.now)

    w = worker(store, clock, email=RecordingSender(), daily=(DailyJob("sweep", sweep),))
    await w.run_once()
    clock.advance(timedelta(seconds=30))
    await w.run_once()
    await w.idle()
    assert runs == []  # not in the first minute after start
    clock.advance(timedelta(seconds=31))
    await w.run_once()
    await w.idle()
    clock.advance(timedelta(hours=23))
    await w.run_once()
    await w.idle()
    assert runs == [b.at(0) + timedelta(seconds=61)]
    clock.advance(timedelta(hours=1))
    await w.run_once()
    await w.idle()
    assert runs == [b.at(0) + timedelta(seconds=61), b.at(0) + timedelta(days=1, seconds=61)]
