"""Keyrings that stand in for Key Vault in tests: they count (and may hold up) every unwrap."""

from __future__ import annotations

import asyncio

from crypto.keyring import Keyring


class CountingKeyring(Keyring):
    """A real keyring underneath; counts its calls, and can hold unwraps until released."""

    def __init__(self, inner: Keyring) -> None:
        self._inner = inner
        self.unwraps = 0
        self.wraps = 0
        # Set by default; a test clears it to keep unwraps waiting (concurrent callers).
        self.release = asyncio.Event()
        self.release.set()

    def current_key_id(self) -> str:
        return self._inner.current_key_id()

    async def wrap(self, data_key: bytes, associated_data: bytes) -> bytes:
        self.wraps += 1
        return await self._inner.wrap(data_key, associated_data)

    async def unwrap(self, wrapped: bytes, associated_data: bytes) -> bytes:
        self.unwraps += 1
        await self.release.wait()
        return await self._inner.unwrap(wrapped, associated_data)

    async def ping(self) -> None:
        await self._inner.ping()
