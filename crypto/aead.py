"""The AEAD interface, and the sealed-value format every small ciphertext uses.

Callers see two methods and never choose a nonce, an algorithm or a key size:

    encrypt(plaintext, associated_data) -> ciphertext
    decrypt(ciphertext, associated_data) -> plaintext

Sealed value, format version 1 (docs/crypto-format.md):

    version (1 byte, 0x01) | nonce (12 bytes) | AES-256-GCM ciphertext | tag (16 bytes)

The version byte is authenticated too: the AAD given to AES-GCM is the version byte
followed by the caller's associated data.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Final, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from crypto.errors import CryptoError, DecryptionError

RandomBytes = Callable[[int], bytes]
"""Where nonces, salts and keys come from: `os.urandom` in production, a script in tests."""

KEY_SIZE: Final = 32
NONCE_SIZE: Final = 12
TAG_SIZE: Final = 16

SEALED_VERSION: Final = 1
_VERSION_BYTE: Final = bytes([SEALED_VERSION])
_OVERHEAD: Final = 1 + NONCE_SIZE + TAG_SIZE


class Aead(Protocol):
    def encrypt(self, plaintext: bytes, associated_data: bytes) -> bytes: ...
    def decrypt(self, ciphertext: bytes, associated_data: bytes) -> bytes: ...


def aes_gcm(key: bytes) -> AESGCM:
    """AES-256-GCM under `key`; refuses any other key size so no caller can pick a weaker one."""
    if len(key) != KEY_SIZE:
        raise CryptoError("an AES-256-GCM key must be 32 bytes")
    return AESGCM(key)


class AesGcmAead:
    """The `Aead` of sealed values: a fresh random nonce per message, stored in front."""

    __slots__ = ("_aesgcm", "_random_bytes")

    def __init__(self, key: bytes, *, random_bytes: RandomBytes = os.urandom) -> None:
        self._aesgcm = aes_gcm(key)
        self._random_bytes = random_bytes

    def __repr__(self) -> str:
        return "AesGcmAead(<secret>)"

    def encrypt(self, plaintext: bytes, associated_data: bytes) -> bytes:
        # Random 96-bit nonces are safe here: each data key seals only one message's few values.
        nonce = self._random_bytes(NONCE_SIZE)
        sealed = self._aesgcm.encrypt(nonce, plaintext, _VERSION_BYTE + associated_data)
        return _VERSION_BYTE + nonce + sealed

    def decrypt(self, ciphertext: bytes, associated_data: bytes) -> bytes:
        if len(ciphertext) < _OVERHEAD or ciphertext[0] != SEALED_VERSION:
            raise DecryptionError()
        view = memoryview(ciphertext)
        try:
            return self._aesgcm.decrypt(
                view[1 : 1 + NONCE_SIZE], view[1 + NONCE_SIZE :], _VERSION_BYTE + associated_data
            )
        except (InvalidTag, ValueError, TypeError):
            raise DecryptionError() from None
