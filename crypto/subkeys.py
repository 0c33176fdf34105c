"""Subkeys derived from one data key, so each use of it has its own AES key.

A message's data key seals small values and encrypts attachment streams. Deriving a separate
key for each purpose (and a fresh one per stream, from a random salt) keeps the nonce spaces of
those uses apart: a random sealed-value nonce can never collide with a stream segment nonce.
"""

from __future__ import annotations

from typing import Final

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from crypto.aead import KEY_SIZE

SEALED_VALUE_INFO: Final = b"sigill/1 sealed value"
STREAM_INFO: Final = b"sigill/1 stream"


def derive_key(data_key: bytes, *, salt: bytes | None, info: bytes) -> bytes:
    """HKDF-SHA256 (RFC 5869) of `data_key`, 32 bytes."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_SIZE, salt=salt, info=info).derive(data_key)
