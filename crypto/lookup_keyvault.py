"""The lookup (HMAC) key as a secret in Azure Key Vault, so production keeps no key on local disk.

Lookup digests (link tokens, one-time codes, phone numbers, personal identity numbers) are HMACs
computed in the process, so the key itself has to be in memory: Key Vault's keys never leave the
vault, but its secrets do, to an identity allowed to read them. The secret's value is the key in
standard base64 (32 random bytes when Sigill makes it).

The lookup key is never rotated (a new one would orphan every stored digest), so Sigill reads the
*oldest* enabled version of the secret, not the newest. Two instances that find the secret
missing and both create it therefore agree on the same version, and a version added by mistake
later changes nothing. A new secret is only made when the caller says so (an empty store, or
`sigill keys init`).

The identity needs secrets/get and secrets/list (the built-in role "Key Vault Secrets User"), and
secrets/set for the first creation ("Key Vault Secrets Officer", for `sigill keys init`).
"""

from __future__ import annotations

import base64
import binascii
import os
from datetime import UTC, datetime
from typing import Final
from urllib.parse import urlsplit

from azure.core.credentials_async import AsyncTokenCredential
from azure.core.exceptions import AzureError, ResourceNotFoundError
from azure.keyvault.secrets import SecretProperties
from azure.keyvault.secrets.aio import SecretClient

from crypto.aead import KEY_SIZE, RandomBytes
from crypto.errors import KeyringError
from crypto.hashing import MIN_LOOKUP_KEY_SIZE
from crypto.keyring_keyvault import Transport

CONTENT_TYPE: Final = "application/octet-stream; encoding=base64"
_EPOCH: Final = datetime.min.replace(tzinfo=UTC)


def vault_of(key_id: str) -> str:
    """The vault URL of a Key Vault key id (`https://<vault>/keys/...`)."""
    parts = urlsplit(key_id)
    if parts.scheme != "https" or not parts.netloc:
        raise KeyringError("a Key Vault key id looks like https://<vault>/keys/<name>[/<version>]")
    return f"https://{parts.netloc}"


async def lookup_key_from_vault(
    vault_url: str,
    name: str,
    credential: AsyncTokenCredential,
    transport: Transport | None = None,
    *,
    create: bool,
    random_bytes: RandomBytes = os.urandom,
) -> tuple[bytes, bool]:
    """The lookup key held in secret `name`, and whether it was made now (only when missing and `create`).

    KeyringError when the secret is missing (and may not be made), malformed, or the vault
    cannot be used. The client is closed before returning; the credential is the caller's.
    """
    options = {"transport": transport} if transport is not None else {}
    client = SecretClient(vault_url, credential, **options)
    made = False
    try:
        version = await _oldest_version(client, name)
        if version is None:
            if not create:
                raise KeyringError(
                    f"Key Vault secret {name} (the lookup key) does not exist, but the store holds data; "
                    "restore it (`sigill keys init` makes a new one, which cannot find that data)"
                )
            await client.set_secret(
                name, base64.b64encode(random_bytes(KEY_SIZE)).decode(), content_type=CONTENT_TYPE
            )
            made = True
            version = await _oldest_version(client, name)  # another instance may have made one first
            if version is None:
                raise KeyringError(f"Key Vault secret {name} was made but cannot be found")
        secret = await client.get_secret(name, version)
    except AzureError as exc:
        raise KeyringError(f"Key Vault secret {name} (the lookup key) cannot be read") from exc
    finally:
        await client.close()
    return _decode(name, secret.value), made


async def _oldest_version(client: SecretClient, name: str) -> str | None:
    versions: list[SecretProperties] = []
    try:
        async for properties in client.list_properties_of_secret_versions(name):
            if properties.enabled and properties.version:
                versions.append(properties)
    except ResourceNotFoundError:
        return None
    if not versions:
        return None
    oldest = min(versions, key=lambda p: (p.created_on or _EPOCH, p.version or ""))
    return oldest.version


def _decode(name: str, value: str | None) -> bytes:
    try:
        key = base64.b64decode(value or "", validate=True)
    except binascii.Error:
        key = b""
    if len(key) < MIN_LOOKUP_KEY_SIZE:
        raise KeyringError(f"Key Vault secret {name} does not hold a base64 lookup key of 32 bytes or more")
    return key
