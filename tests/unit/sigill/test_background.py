"""Periodic tasks keep their rhythm through failures and stop when cancelled."""

from __future__ import annotations

import asyncio
import logging

import pytest

from sigill.background import Periodic, run_periodically
from store.errors import StoreUnavailable


async def test_a_failing_run_is_logged_and_the_next_runs_on_time(caplog: pytest.LogCaptureFixture) -> None:
    runs: list[str] = []
    pauses: list[float] = []
    done = asyncio.Event()

    async def tick() -> None:
        runs.append("run")
        if len(runs) == 1:
            raise StoreUnavailable("the checkpoint container does not answer")
        if len(runs) == 2:
            raise RuntimeError("unexpected")
        if len(runs) == 3:
            done.set()

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)
        await asyncio.sleep(0)

    with caplog.at_level(logging.WARNING, logger="sigill.background"):
        task = asyncio.create_task(run_periodically(Periodic("audit checkpoints", 60.0, tick), sleep))
        await asyncio.wait_for(done.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert len(runs) >= 3 and pauses[:2] == [60.0, 60.0]
    messages = [record.getMessage() for record in caplog.records]
    assert "audit checkpoints: this run failed: the checkpoint container does not answer" in messages
    assert "audit checkpoints: this run failed" in messages


async def test_cancelling_stops_a_run_in_progress() -> None:
    started = asyncio.Event()

    async def slow() -> None:
        started.set()
        await asyncio.sleep(3600)

    task = asyncio.create_task(run_periodically(Periodic("slow", 1.0, slow)))
    await asyncio.wait_for(started.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled()
