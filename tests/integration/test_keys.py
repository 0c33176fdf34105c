"""Key rotation: new messages use the newest key, old ones stay readable, rewrap moves them all, content intact."""

from __future__ import annotations

import os
import subprocess
import sys

from crypto.wrapped import key_id_of
from tests.integration.harness import ANNA, BERTIL, Server, environment_for


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
