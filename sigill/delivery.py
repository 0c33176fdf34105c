"""Wiring the outbox worker: its channels from the settings, inside `sigill serve` or alone as `sigill worker`.

E-mail goes over SMTP when `[smtp] host` is set and SMS through Azure
Communication Services when `[sms]` names a resource; otherwise, in development
mode only, both go to the development sink (`dev-outbox.jsonl` in the data
directory, shown at /dev/outbox). In production an unconfigured channel has no
sender: its notifications wait in the outbox until one is configured.

Teams notices go through the bot's Azure Bot registration when `[teams]
bot_app_id` is set, and anonymously to the loopback connector of each stored
conversation in development; without a bot no Teams item is written at all
(`Deps.teams_notices`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import signal
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

from crypto.errors import DecryptionError, KeyringError
from messaging.blob_sweep import DEFAULT_AGE as ORPHAN_BLOB_AGE
from messaging.blob_sweep import sweep_orphan_blobs
from messaging.sealing import open_box
from notify.dev_sink import FILE_NAME, DevEmailSender, DevSink, DevSmsSender
from notify.email_smtp import SmtpConfig, SmtpEmailSender
from notify.errors import BadPayload, TemporaryFailure
from notify.ports import EmailSender, PayloadOpener, SmsSender, TeamsSender
from notify.retry import RetryPolicy
from notify.sms_acs import AcsConfig, AcsSmsSender
from notify.worker import Channels, DailyJob, OutboxWorker, WorkerConfig
from sigill.config import Settings
from store.records import OutboxItem

if TYPE_CHECKING:
    from sigill.bootstrap import Components

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

DEV_POLL_SECONDS = 0.5
PRODUCTION_POLL_SECONDS = 5.0


def dev_sink(settings: Settings, clock: Callable[[], datetime]) -> DevSink:
    return DevSink(settings.data_dir / FILE_NAME, clock)


def email_sender(settings: Settings, sink: DevSink) -> EmailSender | None:
    smtp = settings.smtp
    if smtp.configured:
        config = SmtpConfig(
            host=smtp.host,
            port=smtp.port,
            from_address=smtp.from_address,
            username=smtp.username,
            password=smtp.password,
            starttls=smtp.starttls,
            timeout=smtp.timeout,
        )
        return SmtpEmailSender(config, sink.clock)
    if settings.mode == "development":
        return DevEmailSender(sink)
    return None


def sms_sender(settings: Settings, sink: DevSink) -> SmsSender | None:
    sms = settings.sms
    if sms.configured:
        config = AcsConfig(
            from_number=sms.from_number,
            connection_string=sms.connection_string,
            endpoint=sms.endpoint,
            access_key=sms.access_key,
            timeout=sms.timeout,
        )
        return AcsSmsSender(config)
    if settings.mode == "development":
        return DevSmsSender(sink)
    return None


def teams_enabled(settings: Settings) -> bool:
    """Whether messages to staff are also announced in Teams: a bot is registered, or development mode."""
    return settings.mode == "development" or bool(settings.teams.bot_app_id)


def teams_sender(settings: Settings) -> TeamsSender | None:
    if not teams_enabled(settings):
        return None
    from bot.notices import notice_sender
    from sigill.teams_bot import bot_credentials

    return notice_sender(bot_credentials(settings))


def payload_opener(components: Components) -> PayloadOpener:
    async def open_payload(item: OutboxItem) -> Mapping[str, Any]:
        try:
            plain = await open_box(
                components.envelope, item.org_id, item.item_id, "outbox", item.sealed_payload
            )
        except DecryptionError as exc:
            raise BadPayload("the payload does not open") from exc
        except KeyringError as exc:
            raise TemporaryFailure("the keyring cannot be used now") from exc
        try:
            payload = json.loads(plain)
        except ValueError as exc:
            raise BadPayload("the payload is not JSON") from exc
        if not isinstance(payload, dict):
            raise BadPayload("the payload is not a JSON object")
        return payload

    return open_payload


def daily_jobs(components: Components, clock: Callable[[], datetime] | None = None) -> list[DailyJob]:
    """The worker's daily work: removing attachment blobs that no message references and older than a day."""
    now = clock or components.clock

    async def sweep() -> None:
        removed = await sweep_orphan_blobs(
            components.store, components.blobs, written_before=now() - ORPHAN_BLOB_AGE
        )
        log.info("removed %d attachment blobs that no message references", removed)

    return [DailyJob("orphan blob sweep", sweep)]


@dataclass
class Delivery:
    """The worker and the channels it owns (closed with it)."""

    worker: OutboxWorker
    channels: Channels

    async def close(self) -> None:
        for sender in (self.channels.email, self.channels.sms, self.channels.teams):
            if sender is not None:
                await sender.close()


def build(components: Components) -> Delivery:
    settings = components.settings
    sink = dev_sink(settings, components.clock)
    channels = Channels(
        email=email_sender(settings, sink), sms=sms_sender(settings, sink), teams=teams_sender(settings)
    )
    development = settings.mode == "development"
    poll = settings.worker.poll_interval or (DEV_POLL_SECONDS if development else PRODUCTION_POLL_SECONDS)
    config = WorkerConfig(
        poll_interval=poll,
        concurrency=settings.worker.concurrency,
        retry=RetryPolicy(
            max_attempts=settings.worker.max_attempts,
            base_delay=timedelta(seconds=settings.worker.retry_delay),
            max_delay=max(timedelta(hours=1), timedelta(seconds=settings.worker.retry_delay)),
        ),
    )
    worker = OutboxWorker(
        components.store,
        channels,
        payload_opener(components),
        clock=components.clock,
        rng=random.Random(),  # noqa: S311 - spreads retries, not a secret
        config=config,
        daily=daily_jobs(components),
    )
    return Delivery(worker, channels)


def attach(app: web.Application, components: Components) -> None:
    """Run the worker beside the web server: started with the app, stopped before the store closes."""
    if not components.settings.worker.run_in_serve:
        return
    delivery = build(components)
    tasks: list[asyncio.Task[None]] = []

    async def start(_: web.Application) -> None:
        tasks.append(asyncio.create_task(delivery.worker.run(), name="outbox-worker"))

    async def stop(_: web.Application) -> None:
        await delivery.worker.stop()
        for task in tasks:
            await asyncio.gather(task, return_exceptions=True)
        await delivery.close()

    @web.middleware
    async def wake_after_writes(request: web.Request, handler: Handler) -> web.StreamResponse:
        # A message sent in this process goes out at once, not at the next poll.
        response = await handler(request)
        if request.method == "POST" and response.status < 300:
            delivery.worker.wake()
        return response

    app.middlewares.append(wake_after_writes)
    app.on_startup.append(start)
    # on_shutdown runs before on_cleanup, where the store closes.
    app.on_shutdown.append(stop)


async def run_worker(components: Components) -> int:
    """`sigill worker`: only the worker, until SIGTERM or SIGINT; the sends in flight finish first."""
    delivery = build(components)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, delivery.worker.request_stop)
    channels = [
        name
        for name, sender in (
            ("e-mail", delivery.channels.email),
            ("SMS", delivery.channels.sms),
            ("Teams", delivery.channels.teams),
        )
        if sender
    ]
    print(f"Sigill outbox worker running ({', '.join(channels) or 'no channels configured'}).", flush=True)
    try:
        await delivery.worker.run()
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        await delivery.close()
    print("Sigill outbox worker stopped.", flush=True)
    return 0


async def worker_command(settings: Settings) -> int:
    from sigill import bootstrap

    components = await bootstrap.build(settings.model_copy(update={"demo": False}))
    try:
        return await run_worker(components)
    finally:
        await components.close()
