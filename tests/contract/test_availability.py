"""A backend that cannot be reached is reported as StoreUnavailable, never as a driver error."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.errors import StoreUnavailable
from store.factory import cosmos_store, sqlite_store
from store.ports import Store
from tests.fixtures import free_port
from tests.fixtures.cosmos import EMULATOR_KEY


@pytest.mark.parametrize("kind", ["sqlite", "cosmos"])
async def test_opening_an_unreachable_backend_raises_store_unavailable(kind: str, tmp_path: Path) -> None:
    if kind == "sqlite":
        blocker = tmp_path / "a-file-not-a-folder"
        blocker.write_text("")
        store = sqlite_store(blocker / "records.db")
    else:
        nobody_listens = f"https://127.0.0.1:{free_port()}"
        store = cosmos_store(nobody_listens, EMULATOR_KEY, "records", verify_tls=False)
    with pytest.raises(StoreUnavailable):
        await store.open()


async def test_a_closed_store_is_unavailable(store: Store) -> None:
    await store.ping()
    await store.close()
    with pytest.raises(StoreUnavailable):
        await store.ping()
    with pytest.raises(StoreUnavailable):
        async with store.unit_of_work("org-a") as uow:
            await uow.cases.get("case-1")
