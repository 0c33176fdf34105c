"""A send whose outcome is unknown keeps its attachments; only a send that certainly wrote nothing removes them.

What such a send may leave behind (blobs no message references) `sigill blobs sweep` removes a day later.

The send runs through the messaging service with the server's own parts, except that the store's
commits pass through a hook (tests/fakes/stores.py): the commit applies and the caller is then
cancelled, or the store reports a failure after applying the batch, or refuses the batch. What
the recipient sees is then checked through the REST API.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator

import pytest

from messaging.attachments import IncomingAttachment
from messaging.model import Actor, NewMessage, RecipientInput, SentMessage
from messaging.sending import send_message
from store.errors import ConflictError, StoreUnavailable
from tests.fakes.stores import Commit, CommitHook, CommitHookStore
from tests.integration.harness import ANNA, BERTIL, Server, environment_for

CONTENT = os.urandom(300_000)


async def _anna(server: Server) -> Actor:
    org = await server.components.store.organisation_by_domain("vasteras.example")
    assert org is not None
    async with server.components.store.unit_of_work(org.org_id) as uow:
        user = await uow.staff.by_email(ANNA)
    assert user is not None
    return Actor(org_id=org.org_id, user_id=user.user_id, email=ANNA, name=user.name, loa=2)


async def _attachment() -> AsyncIterator[IncomingAttachment]:
    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(CONTENT), 65_536):
            yield CONTENT[start : start + 65_536]

    yield IncomingAttachment("beslut.pdf", "application/pdf", chunks())


async def _send(server: Server, hook: CommitHook, subject: str) -> SentMessage:
    deps = dataclasses.replace(server.components.deps, store=CommitHookStore(server.components.store, hook))
    new = NewMessage(
        recipients=[RecipientInput(address=BERTIL)],
        subject=subject,
        body="Se bilagan.",
        loa=1,
        reply_allowed=True,
    )
    return await send_message(deps, await _anna(server), new, _attachment())


async def _sent_id(server: Server, subject: str) -> str | None:
    sent = await server.get(f"/mailboxes/{ANNA}/sent", ANNA)
    assert sent.status == 200
    return next((item["message_id"] for item in sent.body["items"] if item["subject"] == subject), None)


async def _assert_attachment_downloads(server: Server, message_id: str) -> None:
    opened = await server.get(f"/messages/{message_id}", BERTIL)
    assert opened.status == 200, opened.body
    (attachment,) = opened.body["attachments"]
    download = await server.get(f"/messages/{message_id}/attachments/{attachment['id']}", BERTIL)
    assert download.status == 200
    assert hashlib.sha256(download.raw).digest() == hashlib.sha256(CONTENT).digest()


def _blob_files(server: Server) -> set[str]:
    return {path.name for path in (server.settings.data_dir / "blobs").rglob("*") if path.is_file()}


async def test_a_send_cancelled_after_its_commit_applied_keeps_its_attachment(server: Server) -> None:
    subject = f"Avbruten {uuid.uuid4().hex[:8]}"
    applied = asyncio.Event()

    async def apply_then_linger(commit: Commit) -> None:
        # As SQLite's writer thread does: the batch is written whatever happens to the caller meanwhile.
        await commit()
        applied.set()
        await asyncio.sleep(0.2)

    sending = asyncio.create_task(_send(server, apply_then_linger, subject))
    await applied.wait()
    sending.cancel()  # the client went away, or the server is shutting down
    with pytest.raises(asyncio.CancelledError):
        await sending

    message_id = await _sent_id(server, subject)
    assert message_id is not None
    await _assert_attachment_downloads(server, message_id)


async def test_a_store_failing_after_it_applied_the_batch_keeps_the_attachment(server: Server) -> None:
    subject = f"Tvetydig {uuid.uuid4().hex[:8]}"

    async def apply_then_report_unavailable(commit: Commit) -> None:
        await commit()
        raise StoreUnavailable("Cosmos DB is unavailable (status 503)")

    with pytest.raises(StoreUnavailable):
        await _send(server, apply_then_report_unavailable, subject)

    message_id = await _sent_id(server, subject)
    assert message_id is not None
    await _assert_attachment_downloads(server, message_id)


async def test_a_refused_commit_removes_the_attachment_it_stored(server: Server) -> None:
    subject = f"Krock {uuid.uuid4().hex[:8]}"
    before = _blob_files(server)

    async def refuse(commit: Commit) -> None:
        raise ConflictError("the mailbox changed since it was read")

    with pytest.raises(ConflictError):
        await _send(server, refuse, subject)

    assert await _sent_id(server, subject) is None
    assert _blob_files(server) == before


def _sigill(server: Server, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sigill", *args],
        env={**os.environ, **environment_for(server.settings)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def _orphan(server: Server) -> str:
    """A send whose store failed before applying anything: its blob stays, referenced by nothing."""
    before = _blob_files(server)

    async def unavailable(commit: Commit) -> None:
        raise StoreUnavailable("Cosmos DB cannot be reached")

    with pytest.raises(StoreUnavailable):
        await _send(server, unavailable, f"Förlorad {uuid.uuid4().hex[:8]}")
    (name,) = _blob_files(server) - before
    return name


def _age_every_blob(server: Server, days: float) -> None:
    then = time.time() - days * 86_400
    for path in (server.settings.data_dir / "blobs").rglob("*"):
        if path.is_file():
            os.utime(path, (then, then))


async def test_blobs_sweep_removes_old_unreferenced_blobs_only(server: Server) -> None:
    old_orphan = await _orphan(server)

    async def commit(real: Commit) -> None:
        await real()

    kept = await _send(server, commit, f"Kvar {uuid.uuid4().hex[:8]}")
    _age_every_blob(server, days=2)
    young_orphan = await _orphan(server)

    swept = _sigill(server, "blobs", "sweep")

    assert swept.returncode == 0, swept.stderr
    assert swept.stdout.strip() == "removed 1 unreferenced attachment blob"
    remaining = _blob_files(server)
    assert old_orphan not in remaining
    assert young_orphan in remaining  # a day has not passed: it may belong to a send still under way
    await _assert_attachment_downloads(server, kept.message.message_id)

    swept_now = _sigill(server, "blobs", "sweep", "--older-than", "0")
    assert swept_now.stdout.strip() == "removed 1 unreferenced attachment blob"
    assert young_orphan not in _blob_files(server)
    await _assert_attachment_downloads(server, kept.message.message_id)
