"""The wrapped data key: self-describing, so the keyring knows which key-encryption key opens it.

Wrapped key, format version 1 (docs/crypto-format.md):

    version (1, 0x01) | key id length (2, big-endian) | key id (UTF-8) | keyring-specific body

The prefix (version, length, key id) is part of the associated data of the body, so a wrapped
key whose key id was altered does not open. `seal_data_key`/`open_data_key` are the AES-256-GCM
step both keyrings use to bind the caller's associated data:

    body = nonce (12) | AES-256-GCM(data key) | tag (16)
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidTag

from crypto.aead import KEY_SIZE, NONCE_SIZE, TAG_SIZE, aes_gcm
from crypto.errors import CryptoError, DecryptionError

WRAPPED_VERSION: Final = 1
_PREFIX: Final = struct.Struct(">BH")
SEALED_KEY_SIZE: Final = NONCE_SIZE + KEY_SIZE + TAG_SIZE


@dataclass(frozen=True, slots=True)
class WrappedKey:
    key_id: str
    prefix: bytes  # version, key id length and key id: authenticated with the body
    body: bytes


def prefix_for(key_id: str) -> bytes:
    encoded = key_id.encode()
    if not 0 < len(encoded) <= 0xFFFF:
        raise CryptoError("a key id must be 1 to 65535 bytes")
    return _PREFIX.pack(WRAPPED_VERSION, len(encoded)) + encoded


def parse(wrapped: bytes) -> WrappedKey:
    """Split a wrapped key; DecryptionError when it is malformed or of an unknown version."""
    if len(wrapped) < _PREFIX.size:
        raise DecryptionError()
    version, length = _PREFIX.unpack_from(wrapped)
    end = _PREFIX.size + length
    if version != WRAPPED_VERSION or length == 0 or len(wrapped) < end:
        raise DecryptionError()
    try:
        key_id = wrapped[_PREFIX.size : end].decode()
    except UnicodeDecodeError:
        raise DecryptionError() from None
    return WrappedKey(key_id=key_id, prefix=wrapped[:end], body=wrapped[end:])


def key_id_of(wrapped: bytes) -> str:
    """The id of the key-encryption key that wrapped this data key, read without unwrapping."""
    return parse(wrapped).key_id


def seal_data_key(wrapping_key: bytes, data_key: bytes, associated_data: bytes, nonce: bytes) -> bytes:
    if len(data_key) != KEY_SIZE:
        raise CryptoError("a data key must be 32 bytes")
    return nonce + aes_gcm(wrapping_key).encrypt(nonce, data_key, associated_data)


def open_data_key(wrapping_key: bytes, sealed: bytes, associated_data: bytes) -> bytes:
    if len(sealed) != SEALED_KEY_SIZE:
        raise DecryptionError()
    try:
        return aes_gcm(wrapping_key).decrypt(sealed[:NONCE_SIZE], sealed[NONCE_SIZE:], associated_data)
    except (InvalidTag, ValueError):
        raise DecryptionError() from None
