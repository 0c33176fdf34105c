"""What a keyring is: the key-encryption keys (KEKs) that wrap every message's data key.

Two keyrings implement it: `FileKeyring` (a local key file, the embedded default) and
`KeyVaultKeyring` (Azure Key Vault, for production). A wrapped key names the KEK that wrapped
it (see `crypto.wrapped`), so after a rotation new data keys are wrapped under the newest KEK
while older wrapped keys keep opening under theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class KekInfo:
    """One key-encryption key as `sigill keys list` shows it."""

    key_id: str
    created_at: datetime | None  # None when the keyring does not know
    current: bool


class Keyring(Protocol):
    def current_key_id(self) -> str:
        """The id of the KEK that new data keys are wrapped under."""
        ...

    async def wrap(self, data_key: bytes, associated_data: bytes) -> bytes:
        """Wrap `data_key` under the current KEK; the result contains the KEK's id."""
        ...

    async def unwrap(self, wrapped: bytes, associated_data: bytes) -> bytes:
        """The data key; DecryptionError for a wrong, altered or unknown wrapped key."""
        ...

    async def ping(self) -> None:
        """Return when the keyring can be used; KeyringError when it cannot (used by /readyz)."""
        ...


@runtime_checkable
class KeyListing(Protocol):
    async def key_infos(self) -> list[KekInfo]:
        """Every KEK the keyring holds, oldest first (`sigill keys list`)."""
        ...
