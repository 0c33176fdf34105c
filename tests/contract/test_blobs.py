"""The blob store contract, run unchanged against the file system and Azurite.

Tests marked `[file]` use a FileBlobStore under a temp directory; `[azurite]`
an AzureBlobStore on a real Azurite process, one fresh container per test.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import stat
import tracemalloc
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from azure.storage.blob.aio import BlobServiceClient

from store.blobs_azure import AzureBlobStore
from store.blobs_file import FileBlobStore
from store.errors import ConflictError, NotFoundError, StoreUnavailable
from store.ports import BlobStore
from tests.fixtures import free_port

if TYPE_CHECKING:
    from tests.fixtures.azurite import Azurite


MiB = 1024 * 1024

# Deliberately awkward chunk sizes: 1 byte, primes, just over a MiB, just over 4 MiB
# (both adapters' block sizes), so chunk and block boundaries never line up.
ODD_SIZES = [1, 4093, 65_537, MiB + 7, 3, 4 * MiB + 13, 333_331, 2 * MiB - 1]


class SourceBroke(Exception):
    """Raised by a test's source iterator midway through a stream."""


@pytest.fixture(params=["file", "azurite"])
async def blobs(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BlobStore]:
    store: FileBlobStore | AzureBlobStore
    if request.param == "file":
        store = FileBlobStore(tmp_path / "blobs")
        await store.open()
        yield store
        await store.close()
        return
    azurite: Azurite = request.getfixturevalue("azurite")
    container = azurite.new_container_name()
    store = AzureBlobStore(azurite.account_url, azurite.credential, container)
    await store.open()
    yield store
    await store.close()
    # Azurite keeps everything in memory: give the container's bytes back.
    async with BlobServiceClient(azurite.account_url, credential=azurite.credential) as service:
        await service.delete_container(container)


def random_bytes(size: int, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(size)


async def chunked(data: bytes, sizes: Iterable[int] = ODD_SIZES) -> AsyncIterator[bytes]:
    """Yield `data` in pieces of the given sizes (cycled), letting other tasks run between pieces."""
    sizes = list(sizes)
    offset, index = 0, 0
    while offset < len(data):
        size = sizes[index % len(sizes)]
        yield data[offset : offset + size]
        offset += size
        index += 1
        await asyncio.sleep(0)


async def read_all(blobs: BlobStore, name: str) -> bytes:
    return b"".join([chunk async for chunk in blobs.get(name)])


async def test_round_trip_of_a_multi_mib_stream_in_odd_chunks(blobs: BlobStore) -> None:
    data = random_bytes(13 * MiB + 17)

    size = await blobs.put("attachment-1", chunked(data))

    assert size == len(data)
    assert await blobs.exists("attachment-1")
    assert await read_all(blobs, "attachment-1") == data


async def test_an_empty_stream_is_stored_as_an_empty_blob(blobs: BlobStore) -> None:
    assert await blobs.put("empty", chunked(b"")) == 0

    assert await blobs.exists("empty")
    assert await read_all(blobs, "empty") == b""


async def test_put_is_create_only(blobs: BlobStore) -> None:
    first = random_bytes(2 * MiB, seed=1)
    await blobs.put("taken", chunked(first))

    with pytest.raises(ConflictError):
        await blobs.put("taken", chunked(random_bytes(2 * MiB, seed=2)))

    assert await read_all(blobs, "taken") == first


async def test_of_two_racing_puts_to_one_name_exactly_one_wins(blobs: BlobStore) -> None:
    contents = [random_bytes(6 * MiB, seed=1), random_bytes(6 * MiB, seed=2)]

    outcomes = await asyncio.gather(
        *(blobs.put("contested", chunked(data, [MiB // 2])) for data in contents),
        return_exceptions=True,
    )

    winners = [i for i, outcome in enumerate(outcomes) if outcome == 6 * MiB]
    losers = [outcome for outcome in outcomes if isinstance(outcome, ConflictError)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert await read_all(blobs, "contested") == contents[winners[0]]


async def test_get_of_an_absent_name_raises_not_found(blobs: BlobStore) -> None:
    with pytest.raises(NotFoundError):
        await read_all(blobs, "never-stored")


async def test_exists_tells_stored_from_absent(blobs: BlobStore) -> None:
    assert not await blobs.exists("blob-a")
    await blobs.put("blob-a", chunked(b"ciphertext"))
    assert await blobs.exists("blob-a")
    assert not await blobs.exists("blob-b")


async def test_delete_removes_the_blob_and_is_idempotent(blobs: BlobStore) -> None:
    await blobs.put("doomed", chunked(random_bytes(MiB)))

    await blobs.delete("doomed")

    assert not await blobs.exists("doomed")
    with pytest.raises(NotFoundError):
        await read_all(blobs, "doomed")
    await blobs.delete("doomed")
    await blobs.delete("never-stored")
    # The name is free again.
    assert await blobs.put("doomed", chunked(b"again")) == 5
    assert await read_all(blobs, "doomed") == b"again"


async def test_listing_names_every_stored_blob_with_its_time(blobs: BlobStore) -> None:
    before = datetime.now(UTC) - timedelta(minutes=1)
    for name in ("org_msg_att1", "org_msg_att2", "x"):
        await blobs.put(name, chunked(b"ciphertext"))
    await blobs.delete("org_msg_att2")

    listed = {info.name: info.modified_at async for info in blobs.list_blobs()}

    assert set(listed) == {"org_msg_att1", "x"}
    for modified in listed.values():
        assert before <= modified <= datetime.now(UTC) + timedelta(minutes=1)


async def test_a_failed_put_is_never_listed(blobs: BlobStore) -> None:
    async def broken() -> AsyncIterator[bytes]:
        yield b"half"
        raise SourceBroke()

    with pytest.raises(SourceBroke):
        await blobs.put("never", broken())
    assert [info.name async for info in blobs.list_blobs()] == []


async def test_a_source_that_fails_midway_leaves_nothing(blobs: BlobStore) -> None:
    async def breaks_after_9_mib() -> AsyncIterator[bytes]:
        # Past several blocks of either adapter, so some were written or staged.
        async for chunk in chunked(random_bytes(9 * MiB)):
            yield chunk
        raise SourceBroke

    with pytest.raises(SourceBroke):
        await blobs.put("half", breaks_after_9_mib())

    assert not await blobs.exists("half")
    with pytest.raises(NotFoundError):
        await read_all(blobs, "half")
    # Nothing half-written blocks the name either.
    assert await blobs.put("half", chunked(b"whole")) == 5
    assert await read_all(blobs, "half") == b"whole"


async def test_a_cancelled_put_leaves_nothing(blobs: BlobStore) -> None:
    sent_enough = asyncio.Event()

    async def stalls_after_6_mib() -> AsyncIterator[bytes]:
        async for chunk in chunked(random_bytes(6 * MiB)):
            yield chunk
        sent_enough.set()
        await asyncio.Event().wait()  # the rest of the upload never comes
        yield b"unreachable"

    upload = asyncio.create_task(blobs.put("abandoned", stalls_after_6_mib()))
    await asyncio.wait_for(sent_enough.wait(), timeout=30)
    upload.cancel()
    with pytest.raises(asyncio.CancelledError):
        await upload

    assert not await blobs.exists("abandoned")
    with pytest.raises(NotFoundError):
        await read_all(blobs, "abandoned")


async def test_a_64_mib_stream_goes_in_and_out_with_bounded_memory(blobs: BlobStore) -> None:
    total, chunk_size = 64 * MiB, 65_521
    rng = random.Random(64)
    written = hashlib.sha256()

    async def lazily_generated() -> AsyncIterator[bytes]:
        remaining = total
        while remaining:
            chunk = rng.randbytes(min(chunk_size, remaining))
            written.update(chunk)
            remaining -= len(chunk)
            yield chunk

    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        size = await blobs.put("big", lazily_generated())
        _, put_peak = tracemalloc.get_traced_memory()

        tracemalloc.reset_peak()
        read = hashlib.sha256()
        async for chunk in blobs.get("big"):
            read.update(chunk)
        _, get_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert size == total
    assert read.digest() == written.digest()
    # Holding the stream would take at least 64 MiB. Measured here: about 2.5 MiB for the file store,
    # 12 MiB (put) and 16 MiB (get) for Blob Storage, whose SDK copies each 4 MiB range a few times.
    assert put_peak < 24 * MiB, f"put peaked at {put_peak / MiB:.1f} MiB"
    assert get_peak < 24 * MiB, f"get peaked at {get_peak / MiB:.1f} MiB"


async def test_concurrent_puts_of_different_names_keep_their_own_bytes(blobs: BlobStore) -> None:
    contents = {f"parallel-{i}": random_bytes(MiB + 1000 * i, seed=i) for i in range(8)}

    sizes = await asyncio.gather(*(blobs.put(name, chunked(data)) for name, data in contents.items()))

    assert sizes == [len(data) for data in contents.values()]
    for name, data in contents.items():
        assert await read_all(blobs, name) == data


async def test_the_blob_root_answers_ping(blobs: BlobStore) -> None:
    await blobs.ping()


BAD_NAMES = [
    "",
    ".",
    "..",
    "../escape",
    "a/b",
    "a\\b",
    "a..b",
    ".hidden",
    "-dash-first",
    "x" * 201,
    "nul\x00",
    "å",
]


@pytest.mark.parametrize("name", BAD_NAMES)
async def test_names_outside_the_rule_are_refused_by_every_operation(blobs: BlobStore, name: str) -> None:
    consumed = False

    async def source() -> AsyncIterator[bytes]:
        nonlocal consumed
        consumed = True
        yield b"data"

    with pytest.raises(ValueError):
        await blobs.put(name, source())
    with pytest.raises(ValueError):
        await read_all(blobs, name)
    with pytest.raises(ValueError):
        await blobs.exists(name)
    with pytest.raises(ValueError):
        await blobs.delete(name)
    assert not consumed


@pytest.mark.parametrize("name", ["a", "Z9", "abc", "0_._-x", "Attachment.v2-final_1", "x" * 200])
async def test_names_inside_the_rule_work(blobs: BlobStore, name: str) -> None:
    await blobs.put(name, chunked(name.encode()))
    assert await read_all(blobs, name) == name.encode()


# --- The file system adapter -------------------------------------------------------------------------------


async def test_file_store_keeps_blobs_private_and_sharded(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path / "blobs")
    await store.open()
    await store.put("abcdef", chunked(b"secret ciphertext"))
    await store.close()

    blob = tmp_path / "blobs" / "ab" / "cd" / "abcdef"
    assert blob.read_bytes() == b"secret ciphertext"
    assert stat.S_IMODE(blob.stat().st_mode) == 0o600
    for directory in (tmp_path / "blobs", tmp_path / "blobs" / "ab", tmp_path / "blobs" / "ab" / "cd"):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700


async def test_file_store_leaves_no_temp_file_after_a_failed_put(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path / "blobs")
    await store.open()

    async def breaks() -> AsyncIterator[bytes]:
        yield random_bytes(3 * MiB)
        raise SourceBroke

    with pytest.raises(SourceBroke):
        await store.put("abcdef", breaks())
    await store.close()

    leftovers = [path for path in (tmp_path / "blobs").rglob("*") if not path.is_dir()]
    assert leftovers == []


async def test_file_store_ping_fails_when_the_root_is_gone(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path / "blobs")
    await store.open()
    os.rmdir(tmp_path / "blobs")

    with pytest.raises(StoreUnavailable):
        await store.ping()
    with pytest.raises(StoreUnavailable):
        await store.put("abcdef", chunked(b"data"))
    await store.close()


# --- The Blob Storage adapter ------------------------------------------------------------------------------


async def test_azure_store_from_a_connection_string(azurite: Azurite) -> None:
    container = azurite.new_container_name()
    store = AzureBlobStore.from_connection_string(azurite.connection_string, container)
    await store.open()
    await store.open()  # a second instance opening the same container is fine
    try:
        await store.put("via-connection-string", chunked(b"hello"))
        assert await read_all(store, "via-connection-string") == b"hello"
    finally:
        await store.close()


async def test_azure_store_ping_fails_fast_when_nothing_listens(azurite: Azurite) -> None:
    url = f"http://127.0.0.1:{free_port()}/devstoreaccount1"
    store = AzureBlobStore(url, azurite.credential, azurite.new_container_name())

    async with asyncio.timeout(10):
        with pytest.raises(StoreUnavailable):
            await store.ping()
    await store.close()


async def test_azure_store_reports_a_vanished_container_as_unavailable(azurite: Azurite) -> None:
    container = azurite.new_container_name()
    store = AzureBlobStore(azurite.account_url, azurite.credential, container)
    await store.open()
    async with BlobServiceClient(azurite.account_url, credential=azurite.credential) as service:
        await service.delete_container(container)

    with pytest.raises(StoreUnavailable):
        await store.put("orphan", chunked(b"data"))
    await store.close()
