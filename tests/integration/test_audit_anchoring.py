"""An intruder with write access to the database cannot quietly rewrite the audit trail.

The real server runs on SQLite and on Cosmos DB; `sigill audit checkpoint` and `sigill audit
verify` run as subprocesses against the same data, as an operator would run them; the
database is changed behind Sigill's back (audit_tampering.py), including a full re-link of
the chain with recomputed hashes, which the chain's own links cannot show.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from crypto.checkpoint_signing import Signature, verify_signature
from sigill import demo
from sigill.audit_anchor import CHECKPOINT_FILE, SIGNING_KEY_FILE, open_anchor
from sigill.bootstrap import utc_now
from sigill.config import load
from sigill.keyrings import KeyVaultAccess
from store import factory
from store.checkpoints import Checkpoint
from store.records import AuditEvent, Organisation
from tests.fixtures.azurite import Azurite
from tests.integration.audit_tampering import (
    delete_organisation,
    org_id_of,
    rewrite_relinked,
    truncate,
    wipe,
)
from tests.integration.harness import (
    ANNA,
    BERTIL,
    EVA,
    CosmosTarget,
    Server,
    environment_for,
    free_port,
    run_server,
    server_settings,
)
from tests.integration.tampering import all_stored_bytes
from tests.unit.crypto.fake_keyvault import FakeCredential, FakeKeyVault

VASTERAS = demo.VASTERAS.name
GAVLEBORG = demo.GAVLEBORG.name


@pytest.fixture(params=["sqlite", "cosmos"])
async def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Server]:
    """A server of its own for each test: every test here damages its audit trail."""
    async for running in _start(request, tmp_path, request.param):
        yield running


async def _start(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str, **extra: Any
) -> AsyncIterator[Server]:
    cosmos = None
    if backend == "cosmos":
        server = request.getfixturevalue("cosmos_server")
        cosmos = CosmosTarget(server.endpoint, server.key)
    settings = server_settings(backend, tmp_path / "var", free_port(), cosmos, **extra)
    async for running in run_server(settings):
        yield running


async def _audit(
    server: Server, action: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`sigill audit ACTION` in a process of its own, against the server's store and data directory."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SIGILL_")}
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "sigill", "audit", action],
        env={**clean, **environment_for(server.settings), **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def _activity(server: Server) -> None:
    for _ in range(3):
        sent = await server.send(ANNA, recipients=[{"address": BERTIL}])
        assert sent.status == 201, sent.body
        assert (await server.get(f"/messages/{sent.body['id']}", BERTIL)).status == 200
    assert (await server.send(EVA, recipients=[{"address": ANNA}])).status == 201


def _checkpoints(server: Server) -> list[Checkpoint]:
    path = server.settings.data_dir / CHECKPOINT_FILE
    return [Checkpoint.from_json(line) for line in path.read_text().splitlines()]


def _lines_about(result: subprocess.CompletedProcess[str], subject: str) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith(f"{subject}: ")]


async def _anchored(server: Server) -> int:
    """Activity, then a checkpoint and a clean check (in the server's process); return Västerås' anchored entry.

    The command line of both is tested above; here only the `verify` after the damage runs as one.
    """
    await _activity(server)
    anchor = server.components.audit_anchor
    assert anchor is not None
    assert all(outcome.written is not None for outcome in await anchor.checkpoint())
    findings = await anchor.verify()
    assert all(finding.ok for finding in findings), findings
    seq, _ = await server.components.store.audit_head(await org_id_of(server))
    [line] = [finding.line() for finding in findings if finding.subject == VASTERAS]
    assert line.endswith(f"at entry {seq}") and "chain whole, matches the checkpoint of" in line
    return seq


async def test_checkpoint_signs_each_head_with_a_key_outside_the_database(fresh: Server) -> None:
    await _activity(fresh)
    result = await _audit(fresh, "checkpoint")
    assert result.returncode == 0, result.stdout + result.stderr
    store = fresh.components.store
    organisations = await store.organisations()
    assert len(result.stdout.splitlines()) == len(organisations) >= 2
    for org in organisations:
        seq, head_hash = await store.audit_head(org.org_id)
        [line] = _lines_about(result, org.name)
        assert line.startswith(f"{org.name}: checkpoint at entry {seq} ({head_hash[:12]}),")
    whole = await _audit(fresh, "verify")
    assert whole.returncode == 0, whole.stdout + whole.stderr
    for org in organisations:
        seq, _ = await store.audit_head(org.org_id)
        [line] = _lines_about(whole, org.name)
        assert line.startswith(f"{org.name}: {seq} entries, chain whole, matches the checkpoint of ")
        assert line.endswith(f" at entry {seq}")

    key_file = fresh.settings.data_dir / SIGNING_KEY_FILE
    assert key_file.stat().st_mode & 0o777 == 0o600
    private = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    vasteras = await org_id_of(fresh)
    mine = [cp for cp in _checkpoints(fresh) if cp.org_id == vasteras]
    newest = mine[-1]
    assert (newest.seq, newest.head_hash) == await store.audit_head(vasteras)
    signature = Signature(newest.key_id, newest.algorithm, newest.signature)
    assert verify_signature(public, signature, newest.payload)  # the public key alone

    raw_private = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    stored = await all_stored_bytes(fresh)
    assert raw_private not in stored and raw_private.hex().encode() not in stored
    assert key_file.read_bytes() not in stored


async def test_verify_finds_a_rewrite_even_when_the_whole_chain_is_relinked(fresh: Server) -> None:
    anchored = await _anchored(fresh)
    changed = await rewrite_relinked(fresh, await org_id_of(fresh))
    assert changed < anchored

    result = await _audit(fresh, "verify")
    assert result.returncode == 1, result.stdout + result.stderr
    [line] = _lines_about(result, VASTERAS)  # the links are whole: the checkpoint alone tells
    assert line.startswith(
        f"{VASTERAS}: rewritten: entry {anchored} is not the entry a signed checkpoint recorded (checkpoint of "
    )
    assert _lines_about(result, GAVLEBORG)[0].startswith(f"{GAVLEBORG}: ") and "chain whole" in result.stdout

    refused = await _audit(fresh, "checkpoint")  # and no new checkpoint vouches for the rewrite
    assert refused.returncode == 1
    assert f"{VASTERAS}: no checkpoint written: rewritten: entry {anchored}" in refused.stdout
    assert (await _audit(fresh, "verify")).returncode == 1


async def test_verify_finds_a_truncated_chain(fresh: Server) -> None:
    anchored = await _anchored(fresh)
    await truncate(fresh, await org_id_of(fresh), keep=anchored - 2)

    result = await _audit(fresh, "verify")
    assert result.returncode == 1, result.stdout + result.stderr
    [line] = _lines_about(result, VASTERAS)
    assert line.startswith(
        f"{VASTERAS}: truncated: the chain ends at entry {anchored - 2},"
        f" but a signed checkpoint covers entries 1 to {anchored} (checkpoint of "
    )


async def test_verify_finds_a_wiped_chain(fresh: Server) -> None:
    anchored = await _anchored(fresh)
    await wipe(fresh, await org_id_of(fresh))

    result = await _audit(fresh, "verify")
    assert result.returncode == 1, result.stdout + result.stderr
    [line] = _lines_about(result, VASTERAS)
    assert line.startswith(
        f"{VASTERAS}: wiped: the chain has no entries, but a signed checkpoint covers entries 1 to {anchored}"
    )


async def test_verify_finds_an_organisation_the_store_no_longer_has(fresh: Server) -> None:
    anchored = await _anchored(fresh)
    org_id = await org_id_of(fresh)
    await delete_organisation(fresh, org_id)

    result = await _audit(fresh, "verify")
    assert result.returncode == 1, result.stdout + result.stderr
    assert not _lines_about(result, VASTERAS)
    [line] = _lines_about(result, f"organisation {org_id}")
    assert line.startswith(f"organisation {org_id}: missing: the store has no such organisation,")
    assert line.endswith(f"covers {anchored} entries of its audit trail")


async def test_verify_refuses_a_checkpoint_whose_signature_does_not_verify(fresh: Server) -> None:
    anchored = await _anchored(fresh)
    org_id = await org_id_of(fresh)
    path = fresh.settings.data_dir / CHECKPOINT_FILE
    lines = path.read_text().splitlines()
    index = max(i for i, line in enumerate(lines) if json.loads(line)["org_id"] == org_id)
    document = json.loads(lines[index])
    document["seq"] = anchored - 1  # what a forger would want it to say, with the old signature
    lines[index] = json.dumps(document)
    path.write_text("\n".join(lines) + "\n")

    result = await _audit(fresh, "verify")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{VASTERAS}: the checkpoint of " in result.stdout
    assert "does not verify: its signature does not match what it states" in _lines_about(result, VASTERAS)[0]


async def test_serve_checkpoints_every_interval_and_never_signs_a_rewrite(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    async for server in _start(request, tmp_path, "sqlite", audit={"checkpoint_interval_s": 0.1}):
        org_id = await org_id_of(server)
        await _activity(server)
        head = await server.components.store.audit_head(org_id)
        newest = await _wait_for_checkpoint(server, org_id, head)
        assert [task for task in asyncio.all_tasks() if task.get_name() == "audit checkpoints"]

        await rewrite_relinked(server, org_id)
        rewritten_head = await server.components.store.audit_head(org_id)
        assert rewritten_head != head
        await asyncio.sleep(0.5)  # several intervals
        mine = [cp for cp in _checkpoints(server) if cp.org_id == org_id]
        assert mine[-1] == newest  # the rewritten head was never signed
        assert (await server.get("/me", ANNA)).status == 200  # and the server kept serving
    assert not [task for task in asyncio.all_tasks() if task.get_name() == "audit checkpoints"]


async def _wait_for_checkpoint(server: Server, org_id: str, head: tuple[int, str]) -> Checkpoint:
    for _ in range(100):
        if (server.settings.data_dir / CHECKPOINT_FILE).exists():
            mine = [cp for cp in _checkpoints(server) if cp.org_id == org_id]
            if mine and (mine[-1].seq, mine[-1].head_hash) == head:
                # Once the head is anchored, a quiet chain gets no more checkpoints.
                await asyncio.sleep(0.3)
                assert [cp for cp in _checkpoints(server) if cp.org_id == org_id][-1] == mine[-1]
                return mine[-1]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no checkpoint of {head} was written in the background")


async def test_checkpoints_in_an_immutable_blob_container(
    request: pytest.FixtureRequest, tmp_path: Path, azurite: Azurite
) -> None:
    container = azurite.new_container_name()
    audit = {
        "checkpoint_sink": "blob",
        "checkpoint_connection_string": azurite.connection_string,
        "checkpoint_container": container,
    }
    env = {
        "SIGILL_AUDIT_CHECKPOINT_SINK": "blob",
        "SIGILL_AUDIT_CHECKPOINT_CONNECTION_STRING": azurite.connection_string,
        "SIGILL_AUDIT_CHECKPOINT_CONTAINER": container,
    }
    async for server in _start(request, tmp_path, "sqlite", audit=audit):
        await _activity(server)
        written = await _audit(server, "checkpoint", env)
        assert written.returncode == 0, written.stdout + written.stderr
        assert not (server.settings.data_dir / CHECKPOINT_FILE).exists()
        whole = await _audit(server, "verify", env)
        assert whole.returncode == 0, whole.stdout + whole.stderr
        seq, _ = await server.components.store.audit_head(await org_id_of(server))

        await truncate(server, await org_id_of(server), keep=seq - 1)
        result = await _audit(server, "verify", env)
        assert result.returncode == 1, result.stdout + result.stderr
        assert _lines_about(result, VASTERAS)[0].startswith(
            f"{VASTERAS}: truncated: the chain ends at entry {seq - 1}, but a signed checkpoint covers"
        )


async def test_in_key_vault_mode_a_vault_key_signs_and_no_local_key_is_made(tmp_path: Path) -> None:
    vault = FakeKeyVault()
    kek = vault.add_rsa_version("sigill-kek")
    signing_version = vault.add_ec_version("sigill-audit-signing")
    settings = load(
        None,
        environ={},
        overrides={"data_dir": tmp_path, "keys": {"backend": "keyvault", "keyvault_key_id": kek}},
    )
    store = factory.sqlite_store(tmp_path / "sigill.db")
    await store.open()
    await store.add_organisation(Organisation(org_id="org-1", name="Kommun", domain="kommun.example"))
    async with store.unit_of_work("org-1") as uow:
        uow.audit.append(AuditEvent("org-1", utc_now(), "staff:u1", "message.sent", "m1"))
        await uow.commit()
    access = KeyVaultAccess(FakeCredential(), vault.transport())  # type: ignore[arg-type]
    anchor = await open_anchor(settings, store, utc_now, key_vault=access)
    try:
        [outcome] = await anchor.checkpoint()
        assert outcome.written is not None
        assert (outcome.written.key_id, outcome.written.algorithm) == (signing_version, "ES256")
        assert vault.operations("sign") == 1
        [finding] = await anchor.verify()
        assert finding.ok and "matches the checkpoint" in finding.text
    finally:
        await anchor.close()
        await store.close()
    assert not (tmp_path / SIGNING_KEY_FILE).exists()


async def test_a_lost_signing_key_stops_the_start_instead_of_being_replaced(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    async for server in _start(request, tmp_path, "sqlite"):
        await _anchored(server)
    key_file = server.settings.data_dir / SIGNING_KEY_FILE
    key_file.unlink()

    result = await _audit(server, "verify")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line == (
        f"sigill: the audit checkpoints cannot be opened: audit signing key {key_file} is missing,"
        " but checkpoints signed with it exist; restore it"
    )
    assert not key_file.exists()
