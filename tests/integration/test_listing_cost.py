"""What listing a function mailbox costs, over real HTTP: keyring calls and reads of case holders.

The server is the real one, built by `bootstrap.build`, with two parts seen through counters:
the keyring (so the test sees every unwrap Key Vault would be asked for) and the records
backend (so it sees how the holders of a page's cases are read).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

import aiohttp
import pytest
from aiohttp import web

from crypto.key_cache import CachingEnvelope
from sigill import bootstrap
from sigill.app import create_app
from sigill.config import Settings
from store.backend import Backend
from store.cosmos.backend import CosmosBackend
from store.record_store import RecordStore
from store.sqlite.backend import SqliteBackend
from tests.fakes.backends import CountingBackend
from tests.fakes.keyrings import CountingKeyring
from tests.integration.conftest import BACKENDS, _cosmos
from tests.integration.harness import ANNA, BERTIL, CECILIA, SOCIAL, Server, free_port, server_settings

PAGE = 25


@dataclass
class Counted:
    server: Server
    keyring: CountingKeyring
    envelope: CachingEnvelope
    backend: CountingBackend


def _same_records(settings: Settings) -> Backend:
    """A second backend over the server's own records (the file, or the Cosmos DB database)."""
    if settings.store.backend == "cosmos":
        store = settings.store
        return CosmosBackend(store.cosmos_endpoint, store.cosmos_key, store.cosmos_database, verify_tls=False)
    return SqliteBackend(settings.data_dir / "sigill.db")


@pytest.fixture(scope="module", params=BACKENDS)
async def counted(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Counted]:
    backend = request.param
    settings = server_settings(
        backend, tmp_path_factory.mktemp(f"cost-{backend}"), free_port(), _cosmos(request, backend)
    )
    components = await bootstrap.build(settings)
    # The wiring under test: the server opens data keys through the cache.
    assert isinstance(components.deps.envelope, CachingEnvelope)
    keyring = CountingKeyring(components.keyring)
    records = CountingBackend(_same_records(settings))
    store = RecordStore(records)
    await store.open()
    envelope = CachingEnvelope(keyring)
    components.deps = replace(components.deps, envelope=envelope, store=store)
    runner = web.AppRunner(create_app(components), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.host, settings.port).start()
    try:
        async with aiohttp.ClientSession() as session:
            server = Server(settings, components, session, settings.base_url, runner.app)
            yield Counted(server, keyring, envelope, records)
    finally:
        await runner.cleanup()
        await store.close()


async def _fill_function_mailbox(server: Server) -> list[str]:
    """A page's worth of new cases, some taken by Anna and some by Bertil; their message ids, newest first."""
    sent = []
    for n in range(PAGE):
        response = await server.send(CECILIA, recipients=[{"address": SOCIAL}], subject=f"Ansökan {n}")
        assert response.status == 201, response.body
        sent.append(response.body["id"])
    inbox = await server.get(f"/mailboxes/{SOCIAL}/inbox", ANNA, params={"limit": str(PAGE)})
    for index, item in enumerate(inbox.body["items"][:6]):
        holder = ANNA if index % 2 else BERTIL
        taken = await server.post(f"/mailboxes/{SOCIAL}/cases/{item['case']['id']}/take", holder)
        assert taken.status == 200, taken.body
    return list(reversed(sent))


async def test_a_page_unwraps_each_new_key_once_and_then_none(counted: Counted) -> None:
    server, keyring = counted.server, counted.keyring
    await _fill_function_mailbox(server)
    await server.token(ANNA)
    # A fresh cache: nothing listed so far may count.
    counted.envelope.forget_all()

    keyring.unwraps = 0
    first = await server.get(f"/mailboxes/{SOCIAL}/inbox", ANNA, params={"limit": str(PAGE)})
    assert first.status == 200
    assert len(first.body["items"]) == PAGE
    assert all(item["subject"].startswith("Ansökan") for item in first.body["items"])
    assert keyring.unwraps <= PAGE

    keyring.unwraps = 0
    again = await server.get(f"/mailboxes/{SOCIAL}/inbox", ANNA, params={"limit": str(PAGE)})
    assert again.body == first.body
    assert keyring.unwraps == 0


async def test_the_holders_of_a_page_are_read_in_one_batch(counted: Counted) -> None:
    server, records = counted.server, counted.backend
    await _fill_function_mailbox(server)
    await server.token(ANNA)

    records.calls.clear()
    page = await server.get(f"/mailboxes/{SOCIAL}/inbox", ANNA, params={"limit": str(PAGE)})
    holders = {item["case"]["assignee"] for item in page.body["items"]} - {None}
    assert holders == {ANNA, BERTIL}
    assert records.calls["get", "staff"] == 0
    assert records.calls["get_many", "staff"] == 1
