"""`sigill bench api`: send throughput and listing latency of the REST API on the embedded default.

The server runs in its own process (`sigill serve`, SQLite + files + key file), the load from this one, so the two
do not share an interpreter. The function mailbox is filled with `cases` cases directly through the store before
the server starts, since sending that many over HTTP would measure nothing new.

Then the listing is measured again on a server whose keyring answers like Azure Key Vault (`bench.keyvault_like`:
every unwrap waits `UNWRAP_MS`), once opening every data key through the keyring and once through the data-key
cache, so the figures show what a page of 25 would cost with a remote keyring and what the cache saves.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from messaging.model import Content
from messaging.sealing import associated_data, seal_content
from sigill import bootstrap, config, demo
from store.records import Case, Delivery, Message

CLIENTS = 32
# The simulated round trip of one unwrap on the Key Vault-like server.
UNWRAP_MS = 5
# Listings per Key Vault-like run: without the cache each one costs 25 unwraps.
KEYVAULT_LISTINGS = 100
INBOX = "/api/v1/mailboxes/socialtjanst@vasteras.example/inbox"
BODY = ("Hej! Här kommer beslutet i ärendet, med motivering och hänvisningar. " * 150)[:10_000]
LISTINGS = 300


def run(*, cases: int = 100_000, sends: int = 3000) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sigill-bench-") as tmp:
        data_dir = Path(tmp)
        port = _free_port()
        seed_s = asyncio.run(_seed(data_dir, port, cases))
        base = f"http://127.0.0.1:{port}"
        server = _start_server(data_dir, port)
        try:
            result = asyncio.run(_measure(base, sends))
        finally:
            _stop(server)
        for cached in (False, True):
            server = _start_server(data_dir, port, keyvault_like=("cache" if cached else "no-cache"))
            try:
                result |= asyncio.run(_keyvault_listing(base, cached=cached))
            finally:
                _stop(server)
    return {"cases": cases, "seed_s": round(seed_s, 1), **result}


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    server.wait(timeout=30)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _settings(data_dir: Path, port: int) -> config.Settings:
    return config.load(None, environ={}, overrides={"data_dir": data_dir, "port": port})


async def _seed(data_dir: Path, port: int, cases: int) -> float:
    started = time.perf_counter()
    components = await bootstrap.build(_settings(data_dir, port))
    try:
        org = await components.store.organisation_by_domain(demo.VASTERAS.domain)
        assert org is not None
        async with components.store.unit_of_work(org.org_id) as uow:
            anna = await uow.staff.by_email("anna.andersson@vasteras.example")
            bertil = await uow.staff.by_email("bertil.berg@vasteras.example")
        assert anna and bertil
        key, wrapped = None, b""
        base = datetime.now(UTC) - timedelta(days=365)
        rng = random.Random(7)
        for start in range(0, cases, 30):
            async with components.store.unit_of_work(org.org_id) as uow:
                for n in range(start, min(start + 30, cases)):
                    message_id = bootstrap.new_id()
                    ad = associated_data(org.org_id, message_id, "key")
                    key, wrapped = await components.envelope.new_data_key(ad)
                    at = base + timedelta(seconds=n * 300)
                    sealed = seal_content(key, org.org_id, message_id, Content(f"Ärende {n}", "Text"))
                    uow.messages.add(
                        Message(
                            org.org_id,
                            message_id,
                            message_id,
                            "cecilia.ceder@vasteras.example",
                            "bench",
                            at,
                            2,
                            True,
                            sealed,
                            wrapped,
                        )
                    )
                    delivery = Delivery(
                        org.org_id,
                        bootstrap.new_id(),
                        message_id,
                        "cecilia.ceder@vasteras.example",
                        "socialtjanst@vasteras.example",
                        "registered",
                        at,
                        recipient_mailbox="socialtjanst@vasteras.example",
                    )
                    uow.deliveries.add(delivery)
                    roll = rng.random()
                    uow.cases.add(
                        Case(
                            org.org_id,
                            bootstrap.new_id(),
                            "socialtjanst@vasteras.example",
                            message_id,
                            delivery.delivery_id,
                            at,
                            status="closed" if roll < 0.1 else "open",
                            assignee_id=anna.user_id
                            if roll > 0.9
                            else bertil.user_id
                            if roll > 0.8
                            else None,
                            updated_at=at,
                        )
                    )
                await uow.commit()
    finally:
        await components.close()
    return time.perf_counter() - started


def _start_server(data_dir: Path, port: int, keyvault_like: str | None = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SIGILL_LOG_LEVEL": "WARNING"}
    where = ["--data-dir", str(data_dir), "--port", str(port)]
    command = [sys.executable, "-m", "sigill", "serve", *where]
    if keyvault_like is not None:
        command = [sys.executable, "-m", "bench.keyvault_like", *where, "--unwrap-ms", str(UNWRAP_MS)]
        command += ["--no-cache"] if keyvault_like == "no-cache" else []
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    import urllib.request

    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("the server did not start")


async def _measure(base: str, sends: int) -> dict[str, Any]:
    connector = aiohttp.TCPConnector(limit=CLIENTS * 2)
    async with aiohttp.ClientSession(connector=connector) as session:
        token = await _token(session, base, "anna.andersson@vasteras.example")
        headers = {"Authorization": f"Bearer {token}"}
        await _send_once(session, base, headers)  # warm-up: JWKS fetch, caches
        send_latencies, elapsed = await _sends(session, base, headers, sends)
        listing = await _listings(session, base, headers)
    return {
        "sends": sends,
        "clients": CLIENTS,
        "sends_per_s": round(sends / elapsed, 1),
        "send_p50_ms": _pct(send_latencies, 50),
        "send_p99_ms": _pct(send_latencies, 99),
        **listing,
    }


async def _token(session: aiohttp.ClientSession, base: str, email: str) -> str:
    async with session.post(f"{base}/dev/token", json={"email": email}) as resp:
        return str((await resp.json())["access_token"])


async def _send_once(session: aiohttp.ClientSession, base: str, headers: dict[str, str]) -> float:
    body = {
        "recipients": [
            {"address": "bertil.berg@vasteras.example"},
            {"address": "jan.dahl@dentalklinik.example"},
            {"address": "extern@example.org", "method": "sms", "phone": "0701234567"},
        ],
        "subject": "Beslut",
        "body": BODY,
        "loa": 2,
        "reply_allowed": True,
    }
    started = time.perf_counter()
    async with session.post(f"{base}/api/v1/messages", json=body, headers=headers) as resp:
        await resp.read()
        if resp.status != 201:
            raise RuntimeError(f"send failed: {resp.status}")
    return (time.perf_counter() - started) * 1000


async def _sends(
    session: aiohttp.ClientSession, base: str, headers: dict[str, str], sends: int
) -> tuple[list[float], float]:
    latencies: list[float] = []
    remaining = iter(range(sends))

    async def client() -> None:
        for _ in remaining:
            latencies.append(await _send_once(session, base, headers))

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return latencies, time.perf_counter() - started


async def _listings(session: aiohttp.ClientSession, base: str, headers: dict[str, str]) -> dict[str, float]:
    url = f"{base}/api/v1/mailboxes/socialtjanst@vasteras.example/inbox"
    variants = {
        "list_p99_ms": {},
        "list_unassigned_open_p99_ms": {"assigned": "unassigned", "status": "open"},
        "list_me_p99_ms": {"assigned": "me"},
        "list_others_open_p99_ms": {"assigned": "others", "status": "open"},
        "list_closed_p99_ms": {"status": "closed"},
    }
    results: dict[str, float] = {}
    for name, params in variants.items():
        latencies = []
        for _ in range(LISTINGS):
            started = time.perf_counter()
            async with session.get(url, params=params, headers=headers) as resp:
                body = await resp.json()
                if resp.status != 200 or len(body["items"]) != 25:
                    raise RuntimeError(f"listing failed: {resp.status}")
            latencies.append((time.perf_counter() - started) * 1000)
        results[name] = _pct(latencies, 99)
    return results


async def _keyvault_listing(base: str, *, cached: bool) -> dict[str, float]:
    """The first listing (every key unwrapped) and the p99 of the listings after it."""
    async with aiohttp.ClientSession() as session:
        token = await _token(session, base, "anna.andersson@vasteras.example")
        headers = {"Authorization": f"Bearer {token}"}
        async with session.get(f"{base}/api/v1/me", headers=headers) as resp:  # warm-up: JWKS fetch
            await resp.read()
        latencies = [await _list_once(session, f"{base}{INBOX}", headers) for _ in range(KEYVAULT_LISTINGS)]
    name = f"list_keyvault_{UNWRAP_MS}ms_{'cached' if cached else 'uncached'}"
    return {f"{name}_first_ms": round(latencies[0], 2), f"{name}_p99_ms": _pct(latencies[1:], 99)}


async def _list_once(session: aiohttp.ClientSession, url: str, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    async with session.get(url, headers=headers) as resp:
        body = await resp.json()
        if resp.status != 200 or len(body["items"]) != 25:
            raise RuntimeError(f"listing failed: {resp.status}")
    return (time.perf_counter() - started) * 1000


def _pct(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    if pct == 50:
        return round(statistics.median(ordered), 2)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))], 2)


def main() -> None:
    import json

    print(json.dumps(run()))


if __name__ == "__main__":
    main()
