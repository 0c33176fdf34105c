"""The directory's recipient-account index and throttles, on every backend."""

from __future__ import annotations

import asyncio

import pytest

from store.errors import ConflictError
from store.ports import Store
from store.records import Throttle
from tests.contract import builders as b


async def test_an_index_entry_collects_accounts_once_each(store: Store) -> None:
    key = b.new_id("digest")
    assert await store.account_index(key) is None
    await store.index_account(key, "org-a/acct-1")
    await store.index_account(key, "org-a/acct-1")
    await store.index_account(key, "org-b/acct-2")
    entry = await store.account_index(key)
    assert entry is not None and entry.accounts == ["org-a/acct-1", "org-b/acct-2"]
    assert await store.account_index(b.new_id("other")) is None


async def test_concurrent_indexing_loses_no_account(store: Store) -> None:
    key = b.new_id("digest")
    refs = [f"org-{i}/acct-{i}" for i in range(6)]
    await asyncio.gather(*(store.index_account(key, ref) for ref in refs))
    entry = await store.account_index(key)
    assert entry is not None and sorted(entry.accounts) == sorted(refs)


async def test_an_index_entry_names_an_organisation_and_an_account(store: Store) -> None:
    for bad in ("org-a", "directory/acct", "/acct"):
        with pytest.raises(ValueError):
            await store.index_account(b.new_id("digest"), bad)


async def test_a_throttle_is_created_then_replaced_only_from_its_version(store: Store) -> None:
    throttle_id = b.new_id("throttle")
    assert await store.throttle(throttle_id) is None
    first = Throttle(throttle_id)
    first.tries.failures = 1
    first.tries.window_started_at = b.T0
    await store.save_throttle(first)
    read = await store.throttle(throttle_id)
    assert read is not None and read.tries.failures == 1 and read.tries.window_started_at == b.T0
    stale = await store.throttle(throttle_id)
    assert stale is not None
    read.tries.failures = 2
    read.tries.locked_until = b.T0
    await store.save_throttle(read)
    stale.tries.failures = 5
    with pytest.raises(ConflictError):
        await store.save_throttle(stale)
    with pytest.raises(ConflictError):
        await store.save_throttle(Throttle(throttle_id))  # a second create of the same id
    final = await store.throttle(throttle_id)
    assert final is not None and (final.tries.failures, final.tries.locked_until) == (2, b.T0)
