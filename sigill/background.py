"""Periodic tasks inside `sigill serve`: started with the app, cancelled before its parts close.

Each task runs its tick at start and then every interval, as an asyncio task of the
server's own event loop: a tick awaits I/O like any request and never holds the loop,
so requests keep being served while it runs. A tick that fails is logged (one line,
no traceback for the expected failures) and the next one runs on time; one task's
failure never stops another. At shutdown every task is cancelled and awaited in
`on_shutdown`, which runs before `on_cleanup` closes the store.

Today's task: a signed checkpoint of every audit chain that moved, every
`[audit] checkpoint_interval_s` seconds (sigill.audit_anchor).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from crypto.errors import CryptoError
from store.errors import StoreError

if TYPE_CHECKING:
    from sigill.audit_anchor import AuditAnchor
    from sigill.bootstrap import Components

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Periodic:
    name: str
    interval_s: float
    tick: Callable[[], Awaitable[None]]


async def run_periodically(task: Periodic, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
    """Run `task.tick` now and then every `task.interval_s` seconds, until cancelled."""
    while True:
        try:
            await task.tick()
        except (StoreError, CryptoError, OSError) as exc:
            log.warning("%s: this run failed: %s", task.name, exc)
        except Exception:
            log.exception("%s: this run failed", task.name)
        await sleep(task.interval_s)


def audit_checkpoints(anchor: AuditAnchor, interval_s: float) -> Periodic:
    async def tick() -> None:
        for outcome in await anchor.checkpoint(only_moved=True):
            if outcome.written is not None:
                log.debug("audit checkpoint of %s at entry %s", outcome.org.org_id, outcome.written.seq)

    return Periodic("audit checkpoints", interval_s, tick)


def tasks_for(components: Components) -> list[Periodic]:
    tasks = []
    if components.audit_anchor is not None:
        interval = components.settings.audit.checkpoint_interval_s
        tasks.append(audit_checkpoints(components.audit_anchor, interval))
    return tasks


def attach(app: web.Application, components: Components) -> None:
    """Run the periodic tasks of `components` while `app` runs."""
    periodic = tasks_for(components)
    running: list[asyncio.Task[None]] = []

    async def start(_: web.Application) -> None:
        running.extend(asyncio.create_task(run_periodically(task), name=task.name) for task in periodic)

    async def stop(_: web.Application) -> None:
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        running.clear()

    app.on_startup.append(start)
    app.on_shutdown.append(stop)
