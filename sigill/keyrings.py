"""Opening the keys at start: the keyring that wraps data keys, and the lookup (HMAC) key.

File mode: both come from the key file in the data directory. Key Vault mode: the keyring is the
Key Vault key, and the lookup key is a Key Vault secret (crypto.lookup_keyvault); nothing is kept
on local disk.

New keys are made only for an empty store (a first start) or by `sigill keys init`. A store that
holds data was written under keys that must exist already: if they are missing, the start stops
rather than make new ones, which would lock that data away for good (and silently, until someone
tried to read it).
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crypto.keyring import Keyring
from crypto.keyring_file import FileKeyring
from sigill.config import Settings
from sigill.data_dir import KEY_FILE

if TYPE_CHECKING:
    from azure.core.credentials_async import AsyncTokenCredential

    from crypto.keyring_keyvault import Transport


@dataclass(frozen=True, slots=True)
class KeyVaultAccess:
    """How to reach Key Vault: a credential, and (in tests) the transport of a fake vault."""

    credential: AsyncTokenCredential
    transport: Transport | None = None


@dataclass
class Keys:
    keyring: Keyring
    # The key file's keyring in file mode (rotate and retire work on it); None in Key Vault mode.
    file_keyring: FileKeyring | None
    lookup_key: bytes
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def close(self) -> None:
        """Close the Key Vault clients, then the credential they share."""
        closers, self.closers = self.closers, []
        await _close_all(closers)


async def _close_all(closers: list[Callable[[], Awaitable[None]]]) -> None:
    for close in closers:
        with contextlib.suppress(Exception):
            await close()


async def open_keys(settings: Settings, *, create: bool, key_vault: KeyVaultAccess | None = None) -> Keys:
    """The keys, made first when missing and `create` is set (an empty store's first start).

    crypto's KeyringError when they are missing (and may not be made), unreadable or unreachable.
    """
    if settings.keys.backend == "keyvault":
        return await _key_vault_keys(settings, create=create, access=key_vault)
    return Keys(*_file_keys(settings, create=create))


def _file_keys(settings: Settings, *, create: bool) -> tuple[FileKeyring, FileKeyring, bytes]:
    from crypto.errors import KeyringError

    path = settings.data_dir / KEY_FILE
    if not create and not path.exists():
        raise KeyringError(
            f"the key file {path} is missing, but the store holds data sealed under its keys; "
            "restore it from a backup (`sigill keys init` makes new keys, which cannot open that data)"
        )
    keyring = FileKeyring.open(path, create=create)
    return keyring, keyring, keyring.lookup_key()


async def _key_vault_keys(settings: Settings, *, create: bool, access: KeyVaultAccess | None) -> Keys:
    from crypto.keyring_keyvault import KeyVaultKeyring
    from crypto.lookup_keyvault import lookup_key_from_vault, vault_of

    access = access or _default_access()
    closers: list[Callable[[], Awaitable[None]]] = [access.credential.close]
    try:
        keyring = KeyVaultKeyring(settings.keys.keyvault_key_id, access.credential, access.transport)
        closers.insert(0, keyring.close)
        await keyring.ping()  # an unreachable vault or a missing key stops the start, not the first send
        lookup_key, _ = await lookup_key_from_vault(
            vault_of(settings.keys.keyvault_key_id),
            settings.keys.keyvault_lookup_secret,
            access.credential,
            access.transport,
            create=create,
        )
    except BaseException:
        await _close_all(closers)
        raise
    return Keys(keyring, None, lookup_key, closers)


async def init_keys(settings: Settings, access: KeyVaultAccess | None = None) -> str:
    """Make the keys of a new installation (`sigill keys init`); crypto's KeyringError when they exist.

    Returns what was made, for the operator.
    """
    if settings.keys.backend != "keyvault":
        keyring = FileKeyring.create(settings.data_dir / KEY_FILE)
        return f"created key file {keyring.path} with key-encryption key {keyring.current_key_id()}"
    from crypto.errors import KeyringError
    from crypto.lookup_keyvault import lookup_key_from_vault, vault_of

    access = access or _default_access()
    name = settings.keys.keyvault_lookup_secret
    try:
        _, made = await lookup_key_from_vault(
            vault_of(settings.keys.keyvault_key_id), name, access.credential, access.transport, create=True
        )
    finally:
        await access.credential.close()
    if not made:
        raise KeyringError(f"Key Vault secret {name} (the lookup key) already exists")
    return f"created Key Vault secret {name} (the lookup key)"


def _default_access() -> KeyVaultAccess:
    from azure.identity.aio import DefaultAzureCredential

    return KeyVaultAccess(DefaultAzureCredential())
