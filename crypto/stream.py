"""Streaming encryption of attachments: the STREAM construction over AES-256-GCM.

Stream, format version 1 (docs/crypto-format.md):

    header:   version (1, 0x01) | segment size (4, big-endian) | salt (16) | nonce prefix (7)
    segments: AES-256-GCM(segment plaintext) | tag (16), one after another

Every segment is `segment size` plaintext bytes except the last, which holds 0..segment size.
The segment key is HKDF-SHA256(data key, salt, "sigill/1 stream"), fresh for every stream.
Segment i's nonce is `nonce prefix | i (4 bytes, big-endian) | last flag (1 byte)` and its
associated data is the whole header followed by the caller's associated data. So a segment
moved, repeated or dropped fails (wrong counter), a stream cut at a segment boundary or
extended fails (wrong last flag), and a stream copied into another record fails (wrong
associated data). Memory stays at about two segments whatever the stream's length.
"""

from __future__ import annotations

import contextlib
import struct
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator
from typing import Final

from cryptography.exceptions import InvalidTag

from crypto.aead import TAG_SIZE, RandomBytes, aes_gcm
from crypto.errors import CryptoError, DecryptionError
from crypto.segments import Segment, cut_segments
from crypto.subkeys import STREAM_INFO, derive_key

STREAM_VERSION: Final = 1
SALT_SIZE: Final = 16
NONCE_PREFIX_SIZE: Final = 7

# 256 KiB: the fixed Python cost of a segment (1-2 us) is under a tenth of encrypting it (about
# 16 us at 16 GB/s), and a segment and its ciphertext still fit the per-core L2 cache; larger
# segments measured no faster, and each stream holds about three segments in memory.
DEFAULT_SEGMENT_SIZE: Final = 256 << 10
MIN_SEGMENT_SIZE: Final = 16
# A decryptor buffers one segment before it can check it, so an untrusted header must not ask for more.
MAX_SEGMENT_SIZE: Final = 8 << 20
MAX_SEGMENTS: Final = 1 << 32  # the counter is 32 bits

_HEADER: Final = struct.Struct(f">BI{SALT_SIZE}s{NONCE_PREFIX_SIZE}s")
HEADER_SIZE: Final = _HEADER.size
_NONCE: Final = struct.Struct(f">{NONCE_PREFIX_SIZE}sIB")


async def encrypt_stream(
    data_key: bytes,
    chunks: AsyncIterable[bytes],
    associated_data: bytes,
    *,
    random_bytes: RandomBytes,
    segment_size: int = DEFAULT_SEGMENT_SIZE,
) -> AsyncGenerator[bytes, None]:
    """Yield the header, then one ciphertext segment per `segment_size` bytes of plaintext."""
    if not MIN_SEGMENT_SIZE <= segment_size <= MAX_SEGMENT_SIZE:
        raise CryptoError("segment size out of range")
    salt = random_bytes(SALT_SIZE)
    prefix = random_bytes(NONCE_PREFIX_SIZE)
    header = _HEADER.pack(STREAM_VERSION, segment_size, salt, prefix)
    aesgcm = aes_gcm(derive_key(data_key, salt=salt, info=STREAM_INFO))
    aad = header + associated_data
    nonce = _NONCE.pack
    yield header
    async with contextlib.aclosing(cut_segments(chunks, segment_size)) as segments:
        counter = 0
        async for segment, last in segments:
            if counter == MAX_SEGMENTS:
                raise CryptoError("stream too long for its segment size")
            yield aesgcm.encrypt(nonce(prefix, counter, last), segment, aad)
            counter += 1


async def decrypt_stream(
    data_key: bytes, chunks: AsyncIterable[bytes], associated_data: bytes
) -> AsyncGenerator[bytes, None]:
    """Yield the plaintext segment by segment, each only after its tag has been checked.

    A failure raises `DecryptionError` where it is found: segments before it have already been
    yielded, so a consumer must not act on the plaintext until the iteration has ended cleanly
    (a truncated stream is only detectable at its end).
    """
    iterator = aiter(chunks)
    header, rest = await _read_header(iterator)
    version, segment_size, salt, prefix = _HEADER.unpack(header)
    if version != STREAM_VERSION or not MIN_SEGMENT_SIZE <= segment_size <= MAX_SEGMENT_SIZE:
        raise DecryptionError()
    aesgcm = aes_gcm(derive_key(data_key, salt=salt, info=STREAM_INFO))
    aad = header + associated_data
    nonce = _NONCE.pack
    async with (
        contextlib.aclosing(_prepend(rest, iterator)) as body,
        contextlib.aclosing(cut_segments(body, segment_size + TAG_SIZE)) as segments,
    ):
        counter = 0
        async for segment, last in segments:
            if counter == MAX_SEGMENTS:
                raise DecryptionError()
            try:
                plaintext = aesgcm.decrypt(nonce(prefix, counter, last), segment, aad)
            except (InvalidTag, ValueError):
                raise DecryptionError() from None
            counter += 1
            if plaintext:
                yield plaintext


async def _read_header(iterator: AsyncIterator[bytes]) -> tuple[bytes, Segment]:
    """The stream's header and whatever followed it in the chunk that completed it."""
    header = bytearray()
    rest: Segment = b""
    while len(header) < HEADER_SIZE:
        try:
            chunk = await anext(iterator)
        except StopAsyncIteration:
            raise DecryptionError() from None
        needed = HEADER_SIZE - len(header)
        view = memoryview(chunk).cast("B")
        header += view[:needed]
        rest = view[needed:]
    return bytes(header), rest


async def _prepend(first: Segment, iterator: AsyncIterator[bytes]) -> AsyncGenerator[Segment, None]:
    if first:
        yield first
    async for chunk in iterator:
        yield chunk
