"""`sigill bench crypto`: throughput and memory of attachment encryption, against bare AES-256-GCM.

`encrypt_mb_s` and `decrypt_mb_s` time the streaming layer on `size_mb` MiB of generated data
held in no file: the plaintext stream is a 1 MiB random block repeated, the ciphertext a 4 MiB
stream decrypted repeatedly, so the input stays in cache as the raw reference's does. The
reference, `raw_aesgcm_mb_s`, is AES-256-GCM over the same number of bytes in 64 KiB pieces, in
memory, with no framing, measured in the same run. `ratio` = min(encrypt, decrypt) / raw.

The `file_*` figures stream a generated file of `size_mb` MiB from disk through encryption into a
ciphertext file, and that file through decryption into a sink; `file_ratio` compares them with
raw. They are reported beside the headline because on this kind of virtual machine writing fresh
pages to disk is slower than the cipher, so they measure the disk more than the format.

How the files are read and written, so that the figures show the cost of the format rather
than of hand-offs between threads: a worker thread reads ahead into reusable 8 MiB buffers
(`readinto`, so no fresh memory per block) and another writes behind in batches of about
8 MiB (one `writev`), while the event loop encrypts; AES-GCM releases the GIL as it works, so
disk, page cache and cipher overlap on two cores.

The file encryption runs twice and the second run is the one reported (`file_encrypt_mb_s`); the
first is reported as `first_file_encrypt_mb_s`. On a virtual machine that hands freed memory back to its host,
the first write of that many fresh page-cache pages is bound by the host's page faults (a few
hundred MB/s here, whatever is being written); the second run reuses the pages the deleted first
ciphertext freed, as a server that has been running does. Dirty pages are flushed (`sync`) before
each timed step so the kernel's writeback does not compete with it.

Peak RSS is `ru_maxrss` of this process; it stays flat whatever `size_mb` is.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from crypto.baseline import raw_aesgcm_seconds
from crypto.envelope import DataKey, Envelope
from crypto.keyring_file import FileKeyring

MIB = 1 << 20
READ_BLOCK = 8 * MIB  # large reads: few thread hand-offs, and most segments lie wholly inside a block
WRITE_BATCH = 8 * MIB
MEMORY_CIPHERTEXT_MB = 4
ASSOCIATED_DATA = b"sigill/1\x1fbench-org\x1fbench-message\x1fattachment:bench"


def run(size_mb: int = 256) -> dict[str, float]:
    if size_mb < 1:
        raise ValueError("size_mb must be at least 1")
    return asyncio.run(_run(size_mb))


async def _run(size_mb: int) -> dict[str, float]:
    total = size_mb * MIB
    with tempfile.TemporaryDirectory(prefix="sigill-crypto-bench-") as tmp:
        directory = Path(tmp)
        plain, sealed = directory / "plain.bin", directory / "sealed.bin"
        key = await _data_key(directory / "keys.json")
        await asyncio.to_thread(_write_random_file, plain, size_mb)
        first_encrypt_s = await _timed_encrypt(key, plain, sealed)
        sealed.unlink()
        encrypt_s = await _timed_encrypt(key, plain, sealed)
        decrypt_s = await _timed_decrypt(key, sealed, total)
    memory_encrypt_s = await _encrypt_in_memory_seconds(key, total)
    memory_decrypt_s = await _decrypt_in_memory_seconds(key, total)
    raw_s = raw_aesgcm_seconds(total)
    # The headline figures are the streaming layer itself, as an upload uses it (chunks in,
    # segments out); the file_* figures add a disk on both sides, which on this kind of machine
    # is slower than the cipher and so measures the disk rather than the format.
    speeds = {
        "encrypt_mb_s": size_mb / memory_encrypt_s,
        "decrypt_mb_s": size_mb / memory_decrypt_s,
        "raw_aesgcm_mb_s": size_mb / raw_s,
        "file_encrypt_mb_s": size_mb / encrypt_s,
        "file_decrypt_mb_s": size_mb / decrypt_s,
        "first_file_encrypt_mb_s": size_mb / first_encrypt_s,
    }
    raw = speeds["raw_aesgcm_mb_s"]
    figures = {
        "size_mb": float(size_mb),
        **speeds,
        "ratio": min(speeds["encrypt_mb_s"], speeds["decrypt_mb_s"]) / raw,
        "file_ratio": min(speeds["file_encrypt_mb_s"], speeds["file_decrypt_mb_s"]) / raw,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,  # KiB on Linux
    }
    return {name: round(value, 2) for name, value in figures.items()}


async def _data_key(key_file: Path) -> DataKey:
    envelope = Envelope(FileKeyring.open(key_file))
    key, _wrapped = await envelope.new_data_key(ASSOCIATED_DATA)
    return key


def _write_random_file(path: Path, size_mb: int) -> None:
    with path.open("wb") as file:
        for _ in range(size_mb):
            file.write(os.urandom(MIB))


async def _timed_encrypt(key: DataKey, source: Path, target: Path) -> float:
    await asyncio.to_thread(os.sync)
    started = time.perf_counter()
    await _write_file(target, key.encrypt_stream(_read_file(source), ASSOCIATED_DATA))
    return time.perf_counter() - started


async def _timed_decrypt(key: DataKey, source: Path, expected: int) -> float:
    await asyncio.to_thread(os.sync)
    started = time.perf_counter()
    count = 0
    async for piece in key.decrypt_stream(_read_file(source), ASSOCIATED_DATA):
        count += len(piece)
    elapsed = time.perf_counter() - started
    if count != expected:
        raise RuntimeError("the decrypted stream is not as long as the plaintext")
    return elapsed


async def _read_file(path: Path) -> AsyncIterator[bytes]:
    """The file in blocks, each read by a worker thread into a reused buffer while the last is used.

    A block is a view of a buffer that is filled again once the next block has been asked for;
    the decryptor copies nothing it needs beyond that point.
    """
    loop = asyncio.get_running_loop()
    buffers = [bytearray(READ_BLOCK), bytearray(READ_BLOCK)]
    with ThreadPoolExecutor(1, "bench-read") as reader, path.open("rb", buffering=0) as file:
        pending = loop.run_in_executor(reader, file.readinto, buffers[0])
        index = 0
        try:
            while count := await pending:
                block = memoryview(buffers[index])[:count]
                index ^= 1
                pending = loop.run_in_executor(reader, file.readinto, buffers[index])
                yield block  # type: ignore[misc]
        finally:
            await asyncio.wait([pending])


async def _write_file(path: Path, chunks: AsyncIterator[bytes]) -> None:
    """Write `chunks` from a worker thread, a batch at a time, while the next batch is being made."""
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(1, "bench-write") as writer, path.open("wb", buffering=0) as file:
        fd = file.fileno()
        pending: asyncio.Future[None] | None = None
        batch: list[bytes] = []
        batched = 0
        async for chunk in chunks:
            batch.append(chunk)
            batched += len(chunk)
            if batched >= WRITE_BATCH:
                if pending is not None:
                    await pending
                pending = loop.run_in_executor(writer, _write_all, fd, batch)
                batch, batched = [], 0
        if pending is not None:
            await pending
        _write_all(fd, batch)


def _write_all(fd: int, pieces: list[bytes]) -> None:
    views = [memoryview(piece) for piece in pieces if piece]
    while views:
        written = os.writev(fd, views)
        while views and written >= len(views[0]):
            written -= len(views.pop(0))
        if views and written:
            views[0] = views[0][written:]


async def _repeat(block: bytes, count: int) -> AsyncIterator[bytes]:
    for _ in range(count):
        yield block


async def _encrypt_in_memory_seconds(key: DataKey, total: int) -> float:
    started = time.perf_counter()
    async for _piece in key.encrypt_stream(_repeat(os.urandom(MIB), total // MIB), ASSOCIATED_DATA):
        pass
    return time.perf_counter() - started


async def _decrypt_in_memory_seconds(key: DataKey, total: int) -> float:
    plain_mb = min(MEMORY_CIPHERTEXT_MB, total // MIB)
    stream = key.encrypt_stream(_repeat(os.urandom(MIB), plain_mb), ASSOCIATED_DATA)
    ciphertext = b"".join([piece async for piece in stream])
    started = time.perf_counter()
    for _ in range(total // (plain_mb * MIB)):
        async for _piece in key.decrypt_stream(_chunks_of(ciphertext, READ_BLOCK), ASSOCIATED_DATA):
            pass
    return time.perf_counter() - started


async def _chunks_of(data: bytes, size: int) -> AsyncIterator[bytes]:
    view = memoryview(data)
    for start in range(0, len(data), size):
        yield view[start : start + size]  # type: ignore[misc]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Attachment encryption throughput, one JSON line.")
    parser.add_argument("--size-mb", type=int, default=256, metavar="N")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.size_mb)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
