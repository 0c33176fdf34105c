"""Envelope encryption: a fresh data key per message, wrapped by the keyring's newest KEK.

The data key never leaves memory unwrapped; the record stores only the wrapped key. Everything
sealed for the message (subject, body, names, attachments) is encrypted under subkeys of its
data key, each with associated data naming its record, so a ciphertext moved to another record
does not open. Destroying a wrapped key destroys the message.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterable, AsyncIterator

from crypto import stream
from crypto.aead import KEY_SIZE, AesGcmAead, RandomBytes
from crypto.errors import CryptoError
from crypto.keyring import Keyring
from crypto.subkeys import SEALED_VALUE_INFO, derive_key
from crypto.wrapped import key_id_of


class DataKey:
    """One message's data key: seals small values and encrypts attachment streams."""

    __slots__ = ("_key", "_random_bytes", "_sealer", "_segment_size")

    def __init__(
        self,
        key: bytes,
        *,
        random_bytes: RandomBytes = os.urandom,
        segment_size: int = stream.DEFAULT_SEGMENT_SIZE,
    ) -> None:
        if len(key) != KEY_SIZE:
            raise CryptoError("a data key must be 32 bytes")
        self._key = key
        self._random_bytes = random_bytes
        self._segment_size = segment_size
        self._sealer = AesGcmAead(
            derive_key(key, salt=None, info=SEALED_VALUE_INFO), random_bytes=random_bytes
        )

    def __repr__(self) -> str:
        return "DataKey(<secret>)"

    def encrypt(self, plaintext: bytes, associated_data: bytes) -> bytes:
        return self._sealer.encrypt(plaintext, associated_data)

    def decrypt(self, ciphertext: bytes, associated_data: bytes) -> bytes:
        return self._sealer.decrypt(ciphertext, associated_data)

    def encrypt_stream(self, chunks: AsyncIterable[bytes], associated_data: bytes) -> AsyncIterator[bytes]:
        """The ciphertext of `chunks` (any sizes) as a stream; memory stays at about two segments."""
        return stream.encrypt_stream(
            self._key,
            chunks,
            associated_data,
            random_bytes=self._random_bytes,
            segment_size=self._segment_size,
        )

    def decrypt_stream(self, chunks: AsyncIterable[bytes], associated_data: bytes) -> AsyncIterator[bytes]:
        """The plaintext of a stream; see `crypto.stream.decrypt_stream` for when to trust it."""
        return stream.decrypt_stream(self._key, chunks, associated_data)


class Envelope:
    def __init__(
        self,
        keyring: Keyring,
        *,
        random_bytes: RandomBytes = os.urandom,
        segment_size: int = stream.DEFAULT_SEGMENT_SIZE,
    ) -> None:
        self._keyring = keyring
        self._random_bytes = random_bytes
        self._segment_size = segment_size

    async def new_data_key(self, associated_data: bytes) -> tuple[DataKey, bytes]:
        """A fresh data key and its wrapped form (to store with the record)."""
        key = self._random_bytes(KEY_SIZE)
        wrapped = await self._keyring.wrap(key, associated_data)
        return self._data_key(key), wrapped

    async def open_data_key(self, wrapped_key: bytes, associated_data: bytes) -> DataKey:
        return self._data_key(await self._keyring.unwrap(wrapped_key, associated_data))

    async def rewrap(self, wrapped_key: bytes, associated_data: bytes) -> bytes | None:
        """`wrapped_key` wrapped again under the newest KEK, or None when it already is.

        The data key, and so every ciphertext made with it, stays the same.
        """
        old_key_id = key_id_of(wrapped_key)
        if old_key_id == self._keyring.current_key_id():
            return None
        key = await self._keyring.unwrap(wrapped_key, associated_data)
        rewrapped = await self._keyring.wrap(key, associated_data)
        # A keyring that only learns its newest KEK while wrapping (Key Vault) may find it unchanged.
        return None if key_id_of(rewrapped) == old_key_id else rewrapped

    def _data_key(self, key: bytes) -> DataKey:
        return DataKey(key, random_bytes=self._random_bytes, segment_size=self._segment_size)
