"""Keys from the command line: rotate (under a lock), list, rewrap (every wrapped key, wherever it sits), retire."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import fcntl
import json
import os
import re
import struct
import subprocess
import sys
from collections import Counter
from pathlib import Path

from crypto.sealed_box import box_key_id
from crypto.wrapped import key_id_of
from messaging import accounts
from messaging.sealing import associated_data, open_box
from tests.integration.harness import ANNA, BERTIL, JAN, Server, environment_for


def _sigill(server: Server, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sigill", *args],
        env={**os.environ, **environment_for(server.settings)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def _key_ids(server: Server, message_ids: list[str]) -> set[str]:
    org = await server.components.store.organisation_by_domain("vasteras.example")
    assert org is not None
    async with server.components.store.unit_of_work(org.org_id) as uow:
        return {key_id_of(m.wrapped_key) for m in await uow.messages.get_many(message_ids)}


async def test_rotate_then_rewrap_keeps_every_message_readable(server: Server) -> None:
    old = (await server.send(ANNA, recipients=[{"address": BERTIL}], subject="Före", body="gammal")).body[
        "id"
    ]
    (old_key,) = await _key_ids(server, [old])

    rotated = _sigill(server, "keys", "rotate")
    assert rotated.returncode == 0, rotated.stderr
    new = (await server.send(ANNA, recipients=[{"address": BERTIL}], subject="Efter", body="ny")).body["id"]
    (new_key,) = await _key_ids(server, [new])
    assert new_key != old_key
    assert (await server.get(f"/messages/{old}", BERTIL)).body["body"] == "gammal"

    rewrapped = _sigill(server, "keys", "rewrap")
    assert rewrapped.returncode == 0, rewrapped.stderr
    assert "re-wrapped" in rewrapped.stdout
    assert await _key_ids(server, [old, new]) == {new_key}
    assert (await server.get(f"/messages/{old}", BERTIL)).body["body"] == "gammal"
    assert (await server.get(f"/messages/{new}", ANNA)).body["subject"] == "Efter"


KEK_LINE = re.compile(
    r"^(?P<id>\S+)  made (?P<made>\S+)  (?P<state>current|old)  (?P<count>\d+) wrapped keys?$"
)


def _listed(server: Server) -> dict[str, tuple[str, int]]:
    """`sigill keys list` as {KEK id: (current|old, wrapped keys)}; every line must be a KEK line."""
    listed = _sigill(server, "keys", "list")
    assert listed.returncode == 0, listed.stderr
    found = {}
    for line in listed.stdout.splitlines():
        match = KEK_LINE.match(line)
        assert match is not None, line
        found[match["id"]] = (match["state"], int(match["count"]))
    assert [state for state, _ in found.values()].count("current") == 1
    return found


def _counts(listed: dict[str, tuple[str, int]]) -> dict[str, int]:
    return {key_id: count for key_id, (_, count) in listed.items() if count}


async def _stored_key_ids(server: Server) -> Counter[str]:
    """The KEK of every wrapped data key, read through the store: messages, outbox items, phone numbers."""
    store = server.components.store
    found: Counter[str] = Counter()
    for org in await store.organisations():
        async with store.unit_of_work(org.org_id) as uow:
            cursor: str | None = None
            while True:
                page = await uow.messages.all(limit=100, cursor=cursor)
                found.update(key_id_of(message.wrapped_key) for message in page.items)
                if (cursor := page.next_cursor) is None:
                    break
            found.update([box_key_id(item.sealed_payload) async for item in uow.outbox.walk()])
            found.update([key_id_of(a.wrapped_key) async for a in uow.recipients.walk() if a.wrapped_key])
    return found


async def test_list_counts_rewrap_moves_and_retire_refuses_until_nothing_is_left(server: Server) -> None:
    before = _listed(server)
    (old,) = [key_id for key_id, (state, _) in before.items() if state == "current"]
    assert _counts(before) == await _stored_key_ids(server)

    rotated = _sigill(server, "keys", "rotate")
    assert rotated.returncode == 0, rotated.stderr
    new = rotated.stdout.strip().rsplit(" ", 1)[-1]
    sent = await server.send(ANNA, recipients=[{"address": BERTIL}], subject="Efter rotation", body="ny")
    assert sent.status == 201
    after_rotation = _listed(server)
    assert after_rotation[new][0] == "current" and after_rotation[old][0] == "old"
    assert _counts(after_rotation) == await _stored_key_ids(server)
    assert after_rotation[new][1] >= 2  # the new message's key and its notification's
    old_count = after_rotation[old][1]
    assert old_count > 0

    refused = _sigill(server, "keys", "retire", old)
    assert refused.returncode == 1
    keys = f"{old_count} data key{'' if old_count == 1 else 's'}"
    assert refused.stderr.strip() == f"sigill: {old} still wraps {keys}; run `sigill keys rewrap` first"
    assert old in _listed(server)

    rewrapped = _sigill(server, "keys", "rewrap")
    assert rewrapped.returncode == 0, rewrapped.stderr
    assert rewrapped.stdout.strip() == f"re-wrapped {keys}"
    moved = _listed(server)
    assert moved[old] == ("old", 0)
    assert moved[new][1] == sum((await _stored_key_ids(server)).values())

    retired = _sigill(server, "keys", "retire", old)
    assert retired.returncode == 0, retired.stderr
    assert old not in _listed(server)
    assert (await server.get(f"/messages/{sent.body['id']}", BERTIL)).body["body"] == "ny"
    current = _sigill(server, "keys", "retire", new)
    assert current.returncode == 1 and len(current.stderr.splitlines()) == 1
    assert _listed(server)[new][0] == "current"


async def test_rewrap_reaches_notifications_and_phone_numbers_and_renews_old_boxes(server: Server) -> None:
    sent = await server.send(
        ANNA,
        recipients=[{"address": "kund@example.org", "method": "sms", "phone": "070-123 45 67"}],
        subject="Länk",
        body="via sms",
    )
    assert sent.status == 201
    org = await server.components.store.organisation_by_domain("vasteras.example")
    assert org is not None
    envelope = server.components.envelope
    # A notification sealed as an earlier version sealed boxes: without a version byte.
    await server.wait_for_outbox("kund@example.org")
    async with server.components.store.unit_of_work(org.org_id) as uow:
        [old_item] = [i async for i in uow.outbox.walk() if i.delivery_id == sent.body["deliveries"][0]["id"]]
        plain = await open_box(envelope, org.org_id, old_item.item_id, "outbox", old_item.sealed_payload)
        ad = associated_data(org.org_id, old_item.item_id, "outbox")
        key, wrapped = await envelope.new_data_key(ad)
        old_item.sealed_payload = struct.pack(">H", len(wrapped)) + wrapped + key.encrypt(plain, ad)
        uow.outbox.update(old_item)
        await uow.commit()

    rotated = _sigill(server, "keys", "rotate")
    new = rotated.stdout.strip().rsplit(" ", 1)[-1]
    rewrapped = _sigill(server, "keys", "rewrap")
    assert rewrapped.returncode == 0, rewrapped.stderr

    assert set(await _stored_key_ids(server)) == {new}
    async with server.components.store.unit_of_work(org.org_id) as uow:
        clinic = await uow.recipients.by_email(JAN)
        renewed = await uow.outbox.get(old_item.item_id)
        items = [item async for item in uow.outbox.walk()]
    assert renewed is not None and renewed.sealed_payload[0] == 0x02  # sealed again in the current format
    assert await open_box(envelope, org.org_id, renewed.item_id, "outbox", renewed.sealed_payload) == plain
    # The clinic's account key moved to the new key, and what is sealed under it still opens.
    assert clinic is not None and clinic.wrapped_key is not None and key_id_of(clinic.wrapped_key) == new
    method = accounts.sms_method(clinic)
    assert method is not None
    assert await accounts.phone_of(server.components.deps, clinic, method) == "+46701234567"
    for item in items:
        payload = await open_box(envelope, org.org_id, item.item_id, "outbox", item.sealed_payload)
        # Whatever the outbox holds (e-mail links and notices, Teams notices) opens after the rewrap.
        assert json.loads(payload)["kind"] in ("link", "notice", "teams")


def _holds_open(pid: int, path: Path) -> bool:
    fds = Path(f"/proc/{pid}/fd")
    with contextlib.suppress(OSError):
        return any(os.path.realpath(fd) == str(path) for fd in fds.iterdir())
    return False


def _add_key_as_another_rotation_would(path: Path, key_id: str) -> None:
    document = json.loads(path.read_text())
    document["keys"][key_id] = base64.b64encode(os.urandom(32)).decode()
    temp = path.with_name(".keys.json.test")
    temp.write_text(json.dumps(document))
    temp.chmod(0o600)
    os.replace(temp, path)


async def _rotation(server: Server) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sigill",
        "keys",
        "rotate",
        env={**os.environ, **environment_for(server.settings)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _new_key_of(rotation: asyncio.subprocess.Process) -> str:
    out, err = await asyncio.wait_for(rotation.communicate(), timeout=120)
    assert rotation.returncode == 0, err.decode()
    return out.decode().strip().rsplit(" ", 1)[-1]


async def test_a_rotation_waits_while_another_holds_the_key_file(server: Server) -> None:
    path = server.settings.data_dir / "keys.json"
    lock_path = path.with_name("keys.json.lock")
    lock = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)  # another `sigill keys rotate`, between its read and its write
    try:
        rotating = await _rotation(server)
        async with asyncio.timeout(60):
            while not _holds_open(rotating.pid, lock_path):
                assert rotating.returncode is None, "the rotation did not wait for the lock"
                await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        assert rotating.returncode is None  # waiting on the lock
        _add_key_as_another_rotation_would(path, "kek-90-0badcafe")
    finally:
        os.close(lock)
    added = await _new_key_of(rotating)

    assert {"kek-90-0badcafe", added} <= set(json.loads(path.read_text())["keys"])


async def test_concurrent_rotations_keep_every_key(server: Server) -> None:
    rotations = [await _rotation(server) for _ in range(3)]
    made = [await _new_key_of(rotation) for rotation in rotations]

    keys = json.loads((server.settings.data_dir / "keys.json").read_text())["keys"]
    assert len(set(made)) == 3 and set(made) <= set(keys)
    sent = await server.send(ANNA, recipients=[{"address": BERTIL}], subject="Efter tre", body="öppnas")
    assert (await server.get(f"/messages/{sent.body['id']}", BERTIL)).body["body"] == "öppnas"
