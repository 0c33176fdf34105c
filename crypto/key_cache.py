"""A short memory of unwrapped data keys, so listing a page does not ask the keyring 25 times.

Every listed message has its own data key, wrapped by a key-encryption key that may live in
Azure Key Vault: one network round trip per unwrap. `CachingEnvelope` remembers each key it
unwrapped for a few minutes, keyed by the wrapped key *and* the associated data it was
unwrapped with, so a hit is only ever served for exactly the pair the keyring accepted. It
also lets concurrent requests for one key share a single keyring call.

Bounds: a key stays at most `ttl` seconds after its unwrap (a hit does not extend it), and at
most `max_keys` keys are held; the oldest leaves first. Evicted key bytes are overwritten.

What Python cannot promise: the cache holds each key in a `bytearray` it overwrites with zeros
on eviction, but copies it does not own cannot be wiped. The keyring hands the key over as
immutable `bytes`; every `DataKey` given to a caller holds its own `bytes` copy and derived
subkeys (inside cryptography's and OpenSSL's objects); all of these are only released to the
allocator when no longer referenced, not cleared, and the operating system may have swapped
any of them to disk. Zeroising narrows the window in which a memory dump finds a key; it
does not close it.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from crypto import stream
from crypto.aead import RandomBytes
from crypto.envelope import DataKey, Envelope
from crypto.keyring import Keyring

# Long enough that paging through a mailbox and opening from it reuses keys; short enough that a
# key disabled in Key Vault stops opening messages within minutes on every instance.
DEFAULT_TTL_SECONDS: Final = 300.0
# About 1 MiB of keys and their wrapped forms: a few hundred busy mailboxes' worth of pages.
DEFAULT_MAX_KEYS: Final = 4096

type CacheKey = tuple[bytes, bytes]


@dataclass(slots=True)
class _Entry:
    key: bytearray
    expires_at: float


class KeyCache:
    """Unwrapped keys by (wrapped key, associated data), oldest first; not thread-safe (one event loop)."""

    def __init__(
        self,
        *,
        ttl: float = DEFAULT_TTL_SECONDS,
        max_keys: int = DEFAULT_MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl <= 0 or max_keys < 1:
            raise ValueError("a key cache needs a positive lifetime and room for one key")
        self._ttl = ttl
        self._max_keys = max_keys
        self._clock = clock
        # Insertion order is expiry order, since every entry lives exactly `ttl`.
        self._entries: OrderedDict[CacheKey, _Entry] = OrderedDict()

    def __len__(self) -> int:
        self._drop_expired()
        return len(self._entries)

    def get(self, cache_key: CacheKey) -> bytes | None:
        """A copy of the key, or None when it was never held, has expired or was pushed out."""
        self._drop_expired()
        entry = self._entries.get(cache_key)
        return None if entry is None else bytes(entry.key)

    def put(self, cache_key: CacheKey, key: bytes) -> None:
        self._drop_expired()
        old = self._entries.pop(cache_key, None)
        if old is not None:
            _zeroise(old.key)
        self._entries[cache_key] = _Entry(bytearray(key), self._clock() + self._ttl)
        while len(self._entries) > self._max_keys:
            _, evicted = self._entries.popitem(last=False)
            _zeroise(evicted.key)

    def clear(self) -> None:
        while self._entries:
            _, entry = self._entries.popitem(last=False)
            _zeroise(entry.key)

    def _drop_expired(self) -> None:
        now = self._clock()
        while self._entries:
            cache_key, entry = next(iter(self._entries.items()))
            if entry.expires_at > now:
                return
            del self._entries[cache_key]
            _zeroise(entry.key)


def _zeroise(buffer: bytearray) -> None:
    # Same-length slice assignment writes into the existing buffer; it does not allocate a new one.
    buffer[:] = bytes(len(buffer))


class CachingEnvelope(Envelope):
    """An `Envelope` whose unwrap step goes through a `KeyCache`; everything else is Envelope's own.

    Built on `Envelope` rather than beside it, so every envelope operation (re-wrapping, sealing)
    keeps working unchanged and only `open_data_key` learns to remember. New data keys are not
    remembered: a key enters memory again only when someone reads its message.
    """

    def __init__(
        self,
        keyring: Keyring,
        *,
        cache: KeyCache | None = None,
        random_bytes: RandomBytes = os.urandom,
        segment_size: int = stream.DEFAULT_SEGMENT_SIZE,
    ) -> None:
        super().__init__(keyring, random_bytes=random_bytes, segment_size=segment_size)
        self._cache = cache if cache is not None else KeyCache()
        # Unwraps under way, so concurrent requests for one key make one keyring call.
        self._pending: dict[CacheKey, asyncio.Future[bytes]] = {}

    async def open_data_key(self, wrapped_key: bytes, associated_data: bytes) -> DataKey:
        cache_key = (bytes(wrapped_key), bytes(associated_data))
        key = self._cache.get(cache_key)
        if key is None:
            key = await self._unwrap_once(cache_key)
        return self._data_key(key)

    def forget_all(self) -> None:
        """Overwrite and drop every remembered key (for shutdown, or after a key is revoked)."""
        self._cache.clear()

    async def _unwrap_once(self, cache_key: CacheKey) -> bytes:
        pending = self._pending.get(cache_key)
        if pending is None:
            pending = asyncio.ensure_future(self._keyring.unwrap(*cache_key))
            self._pending[cache_key] = pending
            pending.add_done_callback(lambda done: self._settle(cache_key, done))
        # Shielded: a cancelled request must not cancel the unwrap others are waiting for.
        return await asyncio.shield(pending)

    def _settle(self, cache_key: CacheKey, done: asyncio.Future[bytes]) -> None:
        self._pending.pop(cache_key, None)
        # Reading the outcome here also marks a failure as seen when every waiter has gone.
        if not done.cancelled() and done.exception() is None:
            self._cache.put(cache_key, done.result())
