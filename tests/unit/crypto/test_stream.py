"""Streaming attachment encryption: any chunking round-trips, memory stays flat, and every
truncation, reordering, duplication, extension or alteration is refused with the one error."""

from __future__ import annotations

import os
import struct
from collections.abc import AsyncIterator, Callable

import pytest

from crypto.envelope import DataKey
from crypto.errors import CryptoError, DecryptionError
from crypto.stream import DEFAULT_SEGMENT_SIZE, HEADER_SIZE
from tests.unit.crypto.support import assert_opaque, chunks, collect, once, pattern

AD = b"sigill/1\x1forg-1\x1fmessage-1\x1fattachment:a1"
SEGMENT = 64
TAGGED = SEGMENT + 16


@pytest.fixture
def key() -> DataKey:
    return DataKey(os.urandom(32), segment_size=SEGMENT)


@pytest.mark.parametrize("length", [0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 2 * SEGMENT, 5 * SEGMENT + 3])
@pytest.mark.parametrize("chunking", [1, 7, SEGMENT, SEGMENT + 16, 1000, [3, 200, 1]])
async def test_round_trip_whatever_the_chunk_sizes(
    key: DataKey, length: int, chunking: int | list[int]
) -> None:
    plaintext = pattern(length)
    ciphertext = await collect(key.encrypt_stream(chunks(plaintext, chunking), AD))
    segments = max(1, -(-length // SEGMENT))
    assert len(ciphertext) == HEADER_SIZE + length + 16 * segments
    assert await collect(key.decrypt_stream(chunks(ciphertext, chunking), AD)) == plaintext


async def test_mutable_chunks_reused_by_the_producer_are_safe(key: DataKey) -> None:
    """A reader that refills one buffer after each chunk must not corrupt what was already taken."""
    plaintext = pattern(10 * SEGMENT + 5)

    async def refilled(data: bytes, size: int) -> AsyncIterator[bytes]:
        buffer = bytearray(size)
        for start in range(0, len(data), size):
            piece = data[start : start + size]
            buffer[: len(piece)] = piece
            yield memoryview(buffer)[: len(piece)]  # type: ignore[misc]
            buffer[:] = b"\xff" * size  # the producer scribbles over it once the next chunk is asked for

    ciphertext = await collect(key.encrypt_stream(refilled(plaintext, SEGMENT), AD))
    assert await collect(key.decrypt_stream(refilled(ciphertext, TAGGED), AD)) == plaintext


async def test_several_mebibytes_with_the_default_segment_size() -> None:
    key = DataKey(os.urandom(32))
    plaintext = os.urandom(3 * DEFAULT_SEGMENT_SIZE + 12345)
    ciphertext = await collect(key.encrypt_stream(chunks(plaintext, [65536, 1 << 20, 99991]), AD))
    assert len(ciphertext) == HEADER_SIZE + len(plaintext) + 16 * 4
    pieces = [piece async for piece in key.decrypt_stream(chunks(ciphertext, 1 << 20), AD)]
    assert b"".join(pieces) == plaintext
    assert max(len(piece) for piece in pieces) == DEFAULT_SEGMENT_SIZE


async def test_encryption_reads_only_as_far_as_it_must() -> None:
    """Memory stays flat: the first ciphertext segment comes out after about one segment of input."""
    key = DataKey(os.urandom(32))
    pulled = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal pulled
        block = bytes(64 << 10)
        while True:
            pulled += len(block)
            yield block

    stream = key.encrypt_stream(endless(), AD)
    assert len(await anext(stream)) == HEADER_SIZE
    assert len(await anext(stream)) == DEFAULT_SEGMENT_SIZE + 16
    assert pulled <= DEFAULT_SEGMENT_SIZE + (64 << 10)
    await stream.aclose()  # type: ignore[attr-defined]


async def test_decryption_yields_segment_by_segment() -> None:
    key = DataKey(os.urandom(32))
    ciphertext = await collect(key.encrypt_stream(once(bytes(4 * DEFAULT_SEGMENT_SIZE)), AD))
    pulled = 0

    async def counted() -> AsyncIterator[bytes]:
        nonlocal pulled
        for start in range(0, len(ciphertext), 4096):
            pulled += 4096
            yield ciphertext[start : start + 4096]

    stream = key.decrypt_stream(counted(), AD)
    assert len(await anext(stream)) == DEFAULT_SEGMENT_SIZE
    assert pulled <= 2 * (DEFAULT_SEGMENT_SIZE + 16) + HEADER_SIZE + 4096
    await stream.aclose()  # type: ignore[attr-defined]


def _split(ciphertext: bytes) -> tuple[bytes, list[bytes]]:
    body = ciphertext[HEADER_SIZE:]
    return ciphertext[:HEADER_SIZE], [body[start : start + TAGGED] for start in range(0, len(body), TAGGED)]


def _swap(ct: bytes) -> bytes:
    header, segments = _split(ct)
    return header + segments[1] + segments[0] + b"".join(segments[2:])


def _duplicate(ct: bytes) -> bytes:
    header, segments = _split(ct)
    return header + segments[0] + b"".join(segments)


def _drop_last(ct: bytes) -> bytes:
    header, segments = _split(ct)
    return header + b"".join(segments[:-1])


def _drop_first(ct: bytes) -> bytes:
    header, segments = _split(ct)
    return header + b"".join(segments[1:])


def _with_segment_size(size: int) -> Callable[[bytes], bytes]:
    return lambda ct: ct[:1] + struct.pack(">I", size) + ct[5:]


TAMPERINGS: dict[str, Callable[[bytes], bytes]] = {
    "last segment dropped (cut at a segment boundary)": _drop_last,
    "first segment dropped": _drop_first,
    "cut inside a segment": lambda ct: ct[:-5],
    "cut inside the header": lambda ct: ct[: HEADER_SIZE - 1],
    "only the header": lambda ct: ct[:HEADER_SIZE],
    "empty": lambda ct: b"",
    "segments reordered": _swap,
    "segment duplicated": _duplicate,
    "one byte appended": lambda ct: ct + b"\x00",
    "a whole segment appended": lambda ct: ct + _split(ct)[1][0],
    "the stream appended to itself": lambda ct: ct + ct,
    "unknown version": lambda ct: b"\x02" + ct[1:],
    "segment size changed": _with_segment_size(SEGMENT * 2),
    "segment size zero": _with_segment_size(0),
    "segment size beyond the limit": _with_segment_size(1 << 30),
}


@pytest.mark.parametrize("tamper", TAMPERINGS.values(), ids=TAMPERINGS.keys())
@pytest.mark.parametrize(
    "length", [3 * SEGMENT + 10, 3 * SEGMENT], ids=["short last segment", "full last segment"]
)
async def test_tampered_streams_are_refused(
    key: DataKey, tamper: Callable[[bytes], bytes], length: int
) -> None:
    ciphertext = await collect(key.encrypt_stream(once(pattern(length)), AD))
    with pytest.raises(DecryptionError) as error:
        await collect(key.decrypt_stream(chunks(tamper(ciphertext), 50), AD))
    assert_opaque(error)


async def test_every_flipped_byte_is_refused(key: DataKey) -> None:
    ciphertext = await collect(key.encrypt_stream(once(pattern(2 * SEGMENT + 9)), AD))
    for position in range(len(ciphertext)):
        tampered = bytearray(ciphertext)
        tampered[position] ^= 0x10
        with pytest.raises(DecryptionError):
            await collect(key.decrypt_stream(once(bytes(tampered)), AD))


async def test_a_segment_from_another_stream_of_the_same_key_is_refused(key: DataKey) -> None:
    first = await collect(key.encrypt_stream(once(pattern(3 * SEGMENT)), AD))
    second = await collect(key.encrypt_stream(once(pattern(3 * SEGMENT)), AD))
    header, segments = _split(first)
    _, others = _split(second)
    with pytest.raises(DecryptionError):
        await collect(key.decrypt_stream(once(header + segments[0] + others[1] + segments[2]), AD))


async def test_copied_into_another_record_it_does_not_open(key: DataKey) -> None:
    ciphertext = await collect(key.encrypt_stream(once(pattern(100)), AD))
    with pytest.raises(DecryptionError):
        await collect(key.decrypt_stream(once(ciphertext), AD.replace(b"a1", b"a2")))


async def test_another_key_does_not_open_it(key: DataKey) -> None:
    ciphertext = await collect(key.encrypt_stream(once(pattern(100)), AD))
    with pytest.raises(DecryptionError):
        await collect(DataKey(os.urandom(32)).decrypt_stream(once(ciphertext), AD))


async def test_a_sealed_value_is_not_a_stream_and_the_reverse(key: DataKey) -> None:
    sealed = key.encrypt(pattern(40), AD)
    with pytest.raises(DecryptionError):
        await collect(key.decrypt_stream(once(sealed), AD))
    stream = await collect(key.encrypt_stream(once(pattern(40)), AD))
    with pytest.raises(DecryptionError):
        key.decrypt(stream, AD)


async def test_truncation_is_only_reported_at_the_end(key: DataKey) -> None:
    """Segments before the cut are authentic and come out; the failure arrives before the stream ends."""
    plaintext = pattern(3 * SEGMENT + 10)
    ciphertext = await collect(key.encrypt_stream(once(plaintext), AD))
    received: list[bytes] = []
    with pytest.raises(DecryptionError):
        async for piece in key.decrypt_stream(once(_drop_last(ciphertext)), AD):
            received.append(piece)
    assert b"".join(received) == plaintext[: 2 * SEGMENT]


@pytest.mark.parametrize("size", [0, 15, (8 << 20) + 1])
async def test_unreasonable_segment_sizes_are_refused_when_encrypting(size: int) -> None:
    with pytest.raises(CryptoError):
        await collect(DataKey(os.urandom(32), segment_size=size).encrypt_stream(once(b"x"), AD))
