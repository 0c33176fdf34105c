"""The outbox worker: claims due notifications with a lease, sends them, and records what happened.

A claim is one write conditioned on the version the worker read (a counter in
SQLite, the ETag in Cosmos DB): it moves the item's next attempt to the end of
the lease and names the worker. Two workers that read the same due item both
try; one write wins and the other is skipped, so an item is never sent by two
workers at once. A worker that dies mid-send leaves a lease that runs out, and
the item is due again (delivery is at least once: a crash after the provider
took the mail and before "sent" was written sends it again).

Sending runs in tasks of its own, at most `concurrency` at a time, never in a
web request. A send that fails for now is tried again after an exponential
backoff with jitter; after `max_attempts`, or at once for a permanent refusal,
the item is marked `failed` and so is the delivery it announced, which the
sender then sees. A stop lets the sends in flight finish for `stop_grace`
seconds and cancels the rest, releasing their leases so another worker can take
them at once.

Items of a channel with no sender configured are put off, not failed: they go
out once the channel is configured.

A Teams item goes to several people (every member of a function mailbox): for
each, the worker reads the conversation the bot keeps with them and sends the
card there. Someone without one (they never opened the app) is left to the
e-mail. Each part sent is recorded on the item (`sent_parts`) as it is settled,
so a retry after a failure sends only the parts that did not go; a part Teams
refuses for good (the app was removed) is given up alone, not the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from notify.errors import BadPayload, NotifyError, PermanentFailure, TemporaryFailure
from notify.ports import EmailSender, PayloadOpener, SmsSender, TeamsSender, TeamsTarget
from notify.render import Renderer
from notify.retry import RetryPolicy
from store.errors import ConflictError, StoreError
from store.ports import Store, UnitOfWork
from store.records import AuditEvent, ConversationReference, OutboxItem

log = logging.getLogger(__name__)

AUDIT_ACTOR = "system:outbox"
# Tries at marking an item failed when its delivery keeps changing under us.
SETTLE_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class DailyJob:
    """Work the worker does once a day, such as removing attachment blobs no message references."""

    name: str
    run: Callable[[], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    # Seconds between looks at the outbox while there is nothing to send.
    poll_interval: float = 1.0
    # How long a claim holds an item; longer than any send may take.
    lease: timedelta = timedelta(minutes=5)
    # Sends at once.
    concurrency: int = 4
    # Items read per organisation and look.
    batch: int = 50
    # Seconds a stop waits for the sends in flight before it cancels them.
    stop_grace: float = 10.0
    # How far an item is put off when its channel has no sender configured.
    park: timedelta = timedelta(minutes=5)
    # The first daily run comes this long after the worker starts, then every day.
    daily_first: timedelta = timedelta(minutes=1)
    retry: RetryPolicy = field(default_factory=RetryPolicy)


@dataclass(frozen=True, slots=True)
class Channels:
    email: EmailSender | None = None
    sms: SmsSender | None = None
    teams: TeamsSender | None = None


def default_worker_id() -> str:
    return f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:8]}"


class OutboxWorker:
    def __init__(
        self,
        store: Store,
        channels: Channels,
        open_payload: PayloadOpener,
        *,
        clock: Callable[[], datetime],
        rng: random.Random,
        config: WorkerConfig | None = None,
        renderer: Renderer | None = None,
        worker_id: str | None = None,
        daily: Sequence[DailyJob] = (),
    ) -> None:
        self.worker_id = worker_id or default_worker_id()
        self._store = store
        self._channels = channels
        self._open_payload = open_payload
        self._clock = clock
        self._rng = rng
        self._config = config or WorkerConfig()
        self._renderer = renderer or Renderer()
        self._daily = tuple(daily)
        self._in_flight: dict[str, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._stopping = False
        self._running = False
        self._finished = asyncio.Event()
        self._next_daily: datetime | None = None
        self._daily_task: asyncio.Task[None] | None = None
        self._warned_channels: set[str] = set()

    # -- running ---------------------------------------------------------------------------------

    async def run(self) -> None:
        """Send what is due until `stop()`, `request_stop()` or cancellation; then let go of every claim."""
        self._running = True
        self._finished.clear()
        log.info("outbox worker %s started", self.worker_id)
        try:
            while not self._stopping:
                try:
                    claimed = await self.run_once()
                except Exception as exc:
                    # The store is away, or a bug: the loop must outlive both.
                    log.warning("the outbox cannot be read now (%s)", type(exc).__name__)
                    claimed = 0
                if claimed == 0 or self._free_slots() == 0:
                    await self._nap()
        finally:
            await self._shutdown()
            self._running = False
            self._finished.set()
            log.info("outbox worker %s stopped", self.worker_id)

    def wake(self) -> None:
        """Look at the outbox now rather than at the next poll (a message was just sent)."""
        self._wake.set()

    def request_stop(self) -> None:
        """Ask `run()` to finish (safe from a signal handler); `stop()` also waits for it."""
        self._stopping = True
        self._wake.set()

    async def stop(self) -> None:
        self.request_stop()
        if self._running:
            await self._finished.wait()
        else:
            await self._shutdown()

    async def run_once(self) -> int:
        """One look at every organisation's outbox: claim what is due (as far as slots are free) and start sending it.

        Returns how many items this worker claimed; the sends go on in the background.
        """
        self._maybe_start_daily(self._clock())
        claimed = 0
        for org in await self._store.organisations():
            free = self._free_slots()
            if free <= 0 or self._stopping:
                break
            async with self._store.unit_of_work(org.org_id) as uow:
                due = await uow.outbox.due(self._clock(), limit=min(self._config.batch, free))
            for item in due:
                if self._free_slots() <= 0 or self._stopping:
                    break
                if item.item_id in self._in_flight:
                    continue
                if not self._can_send(item.channel):
                    await self._park(item)
                    continue
                if await self.claim(item):
                    self._start(item, org.name)
                    claimed += 1
        return claimed

    async def idle(self) -> None:
        """Wait until no send and no daily job is running (tests and orderly shutdowns)."""
        while True:
            tasks = list(self._in_flight.values())
            if self._daily_task is not None and not self._daily_task.done():
                tasks.append(self._daily_task)
            if not tasks:
                return
            await asyncio.gather(*tasks, return_exceptions=True)

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    def _free_slots(self) -> int:
        return self._config.concurrency - len(self._in_flight)

    async def _nap(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), self._config.poll_interval)
        self._wake.clear()

    async def _shutdown(self) -> None:
        """Let the sends in flight finish for a while; cancel the rest, which releases their leases."""
        tasks = list(self._in_flight.values())
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=self._config.stop_grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        if self._daily_task is not None and not self._daily_task.done():
            self._daily_task.cancel()
            await asyncio.gather(self._daily_task, return_exceptions=True)

    # -- claiming --------------------------------------------------------------------------------

    def _can_send(self, channel: str) -> bool:
        if self._sender_for(channel) is not None:
            return True
        if channel not in self._warned_channels:
            self._warned_channels.add(channel)
            log.warning("no %s sender is configured: those notifications wait in the outbox", channel)
        return False

    def _sender_for(self, channel: str) -> EmailSender | SmsSender | TeamsSender | None:
        if channel == "email":
            return self._channels.email
        if channel == "sms":
            return self._channels.sms
        if channel == "teams":
            return self._channels.teams
        return None

    async def claim(self, item: OutboxItem) -> bool:
        """Take the item for one lease, in a write conditioned on the version read; False if another worker won."""
        item.next_attempt_at = self._clock() + self._config.lease
        item.lease_owner = self.worker_id
        item.attempts += 1
        async with self._store.unit_of_work(item.org_id) as uow:
            uow.outbox.update(item)
            try:
                await uow.commit()
            except ConflictError:
                log.debug("outbox item %s was claimed by another worker", item.item_id)
                return False
        return True

    async def _park(self, item: OutboxItem) -> None:
        item.next_attempt_at = self._clock() + self._config.park
        await self._write(item, "put off")

    def _start(self, item: OutboxItem, org_name: str) -> None:
        task = asyncio.create_task(self._deliver(item, org_name), name=f"outbox:{item.item_id}")
        self._in_flight[item.item_id] = task

        def done(_: asyncio.Task[None]) -> None:
            self._in_flight.pop(item.item_id, None)
            self._wake.set()

        task.add_done_callback(done)

    # -- sending ---------------------------------------------------------------------------------

    async def _deliver(self, item: OutboxItem, org_name: str) -> None:
        try:
            error = await self._attempt(item, org_name)
        except asyncio.CancelledError:
            await asyncio.shield(self._release(item))
            raise
        await asyncio.shield(self._settle(item, error))

    async def _attempt(self, item: OutboxItem, org_name: str) -> NotifyError | None:
        try:
            payload = await self._open_payload(item)
            if item.channel == "email" and self._channels.email is not None:
                await self._channels.email.send(self._renderer.email(payload, org_name))
            elif item.channel == "sms" and self._channels.sms is not None:
                await self._channels.sms.send(self._renderer.sms(payload))
            elif item.channel == "teams" and self._channels.teams is not None:
                return await self._send_teams(item, self._renderer.teams(payload), self._channels.teams)
            else:
                raise BadPayload(f"no sender for the channel {item.channel!r}")
        except NotifyError as exc:
            return exc
        except Exception as exc:
            # A bug or a surprise from a client library: tried again like a temporary failure.
            return TemporaryFailure(f"unexpected {type(exc).__name__}")
        return None

    async def _send_teams(
        self, item: OutboxItem, targets: list[TeamsTarget], sender: TeamsSender
    ) -> NotifyError | None:
        """Each part not sent yet, to whoever has a conversation with the bot; stops at a temporary failure.

        Returns the temporary failure (the item is tried again for the rest), or a permanent one when
        every part that could go was refused; None otherwise.
        """
        pending = [target for target in targets if target.part not in item.sent_parts]
        references = await self._references(item.org_id, [target.user_id for target in pending])
        refused: PermanentFailure | None = None
        delivered = False
        for target in pending:
            reference = references.get(target.user_id)
            if reference is None:
                continue  # never opened the app: the e-mail is their notice
            try:
                await sender.send(reference, target.notice)
            except PermanentFailure as exc:
                log.warning("outbox item %s: Teams refused a notice (%s)", item.item_id, exc)
                refused = exc
            else:
                delivered = True
            item.sent_parts.append(target.part)
        return refused if refused is not None and not delivered else None

    async def _references(self, org_id: str, user_ids: list[str]) -> dict[str, ConversationReference]:
        if not user_ids:
            return {}
        async with self._store.unit_of_work(org_id) as uow:
            found = await uow.references.get_many(user_ids)
        return {reference.user_id: reference for reference in found}

    async def _settle(self, item: OutboxItem, error: NotifyError | None) -> None:
        now = self._clock()
        item.lease_owner = ""
        if error is None:
            item.status = "sent"
            item.sent_at = now
            item.last_error = ""
            await self._write(item, "sent")
            return
        item.last_error = f"{type(error).__name__}: {error}"
        if isinstance(error, PermanentFailure) or self._config.retry.gives_up_after(item.attempts):
            item.status = "failed"
            log.warning(
                "outbox item %s failed after %d attempts (%s)", item.item_id, item.attempts, item.last_error
            )
            await self._mark_failed(item, now)
            return
        item.next_attempt_at = now + self._config.retry.delay(item.attempts, self._rng)
        log.info("outbox item %s will be tried again (%s)", item.item_id, item.last_error)
        await self._write(item, "retry")

    async def _release(self, item: OutboxItem) -> None:
        """Give the item back at once: a stop came before its send finished."""
        item.next_attempt_at = self._clock()
        item.lease_owner = ""
        await self._write(item, "released")

    async def _write(self, item: OutboxItem, what: str) -> None:
        async with self._store.unit_of_work(item.org_id) as uow:
            uow.outbox.update(item)
            await self._commit(uow, item, what)

    async def _mark_failed(self, item: OutboxItem, now: datetime) -> None:
        """The item and the delivery it announces, failed together (the sender's view shows the delivery)."""
        for _ in range(SETTLE_ATTEMPTS):
            async with self._store.unit_of_work(item.org_id) as uow:
                uow.outbox.update(item)
                await _fail_delivery(uow, item, now)
                try:
                    await uow.commit()
                    return
                except ConflictError:
                    current = await uow.outbox.get(item.item_id)
                    if current is None or current.version != item.version:
                        log.warning("outbox item %s: the lease ran out before it was marked", item.item_id)
                        return
                except StoreError as exc:
                    log.warning(
                        "outbox item %s could not be marked failed (%s)", item.item_id, type(exc).__name__
                    )
                    return
        log.warning("outbox item %s: its delivery kept changing; marked next time", item.item_id)

    async def _commit(self, uow: UnitOfWork, item: OutboxItem, what: str) -> None:
        try:
            await uow.commit()
        except ConflictError:
            # The lease ran out and another worker claimed the item: it is theirs now.
            log.warning("outbox item %s could not be marked %s: the lease ran out", item.item_id, what)
        except StoreError as exc:
            # The lease runs out and the item is due again.
            log.warning("outbox item %s could not be marked %s (%s)", item.item_id, what, type(exc).__name__)

    # -- daily work ------------------------------------------------------------------------------

    def _maybe_start_daily(self, now: datetime) -> None:
        if not self._daily or self._stopping:
            return
        if self._next_daily is None:
            self._next_daily = now + self._config.daily_first
        if now < self._next_daily or (self._daily_task is not None and not self._daily_task.done()):
            return
        self._next_daily = now + timedelta(days=1)
        self._daily_task = asyncio.create_task(self._run_daily(), name="outbox:daily")

    async def _run_daily(self) -> None:
        for job in self._daily:
            try:
                await job.run()
            except Exception as exc:
                log.warning("daily job %s failed (%s)", job.name, type(exc).__name__)


async def _fail_delivery(uow: UnitOfWork, item: OutboxItem, now: datetime) -> None:
    target = f"outbox:{item.item_id}"
    if item.delivery_id is not None:
        delivery = await uow.deliveries.get(item.delivery_id)
        if delivery is not None:
            target = f"delivery:{delivery.delivery_id}"
            if delivery.notification_failed_at is None:
                delivery.notification_failed_at = now
                uow.deliveries.update(delivery)
    uow.audit.append(
        AuditEvent(
            org_id=item.org_id,
            at=now,
            actor=AUDIT_ACTOR,
            action="notification.failed",
            target=target,
            details={"channel": item.channel, "attempts": str(item.attempts)},
        )
    )
