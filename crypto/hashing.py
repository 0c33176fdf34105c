"""Hashing secrets: argon2id for passwords, HMAC-SHA256 under the server's lookup key for lookups.

Passwords are slow-hashed so a stolen database does not give them up. Values that must be
found again (link tokens, one-time codes, e-mail addresses, personal identity numbers) are
stored as keyed digests: without the lookup key, which lives outside the database, a digest
cannot be tested against guesses. Callers normalise values (case, spaces) before hashing.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import struct

import argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from crypto.errors import CryptoError

MIN_LOOKUP_KEY_SIZE = 32


def constant_time_equals(left: str | bytes, right: str | bytes) -> bool:
    """Equality that takes the same time wherever the first difference is."""
    left_bytes = left.encode() if isinstance(left, str) else left
    right_bytes = right.encode() if isinstance(right, str) else right
    return hmac.compare_digest(left_bytes, right_bytes)


class PasswordHasher:
    """argon2id; the defaults are RFC 9106's second recommendation (t=3, 64 MiB, p=4).

    Hashing takes tens of milliseconds of CPU: code on the event loop uses the `_async` variants,
    which run it in a worker thread.
    """

    def __init__(self, *, time_cost: int = 3, memory_cost_kib: int = 65536, parallelism: int = 4) -> None:
        self._hasher = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_cost_kib,
            parallelism=parallelism,
            hash_len=32,
            salt_len=16,
            type=argon2.Type.ID,
        )

    def hash(self, password: str) -> str:
        """An encoded argon2id hash (`$argon2id$v=19$...`) with its own random salt."""
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        """True when `password` matches; False when it does not. A malformed hash raises CryptoError."""
        try:
            return self._hasher.verify(password_hash, password)
        except VerifyMismatchError:
            return False
        except (InvalidHashError, VerificationError):
            # Any other verification error means the stored hash could not be decoded.
            raise CryptoError("stored password hash is malformed") from None

    def needs_rehash(self, password_hash: str) -> bool:
        """True when the hash was made with other parameters than ours: rehash after a successful verify."""
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except (InvalidHashError, ValueError):
            raise CryptoError("stored password hash is malformed") from None

    async def hash_async(self, password: str) -> str:
        return await asyncio.to_thread(self.hash, password)

    async def verify_async(self, password_hash: str, password: str) -> bool:
        return await asyncio.to_thread(self.verify, password_hash, password)


class LookupHasher:
    """Keyed digests for finding records by a secret value, separated by purpose."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_LOOKUP_KEY_SIZE:
            raise CryptoError("a lookup key must be at least 32 bytes")
        self._key = key

    def __repr__(self) -> str:
        return "LookupHasher(<secret>)"

    def digest(self, purpose: str, value: str) -> str:
        """Hex HMAC-SHA256 of `value` under the lookup key, for `purpose` only."""
        if not purpose:
            raise CryptoError("a lookup digest needs a purpose")
        encoded_purpose = purpose.encode()
        # Length-prefixing the purpose keeps ("ab", "c") and ("a", "bc") apart.
        message = struct.pack(">H", len(encoded_purpose)) + encoded_purpose + value.encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def matches(self, digest: str, purpose: str, value: str) -> bool:
        return constant_time_equals(self.digest(purpose, value), digest)
