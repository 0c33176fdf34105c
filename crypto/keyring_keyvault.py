"""A keyring in Azure Key Vault: the production choice.

The KEK never leaves the vault. Each wrap draws a fresh 32-byte wrapping key, has Key Vault
wrap it (RSA-OAEP-256 with an RSA key, or A256KW with a Managed HSM AES key) and seals the
data key under it with AES-256-GCM, because Key Vault's wrap has no associated data of its
own: the local AES-GCM step binds the caller's associated data and the key id.

    body = algorithm (1) | length (2, big-endian) | wrapping key as wrapped by Key Vault
           | nonce (12) | AES-256-GCM(data key) | tag (16)

The KEK id is the Key Vault key id with its version. Configured without a version, the keyring
wraps under the newest enabled version and looks again every `refresh_seconds` (and on every
`ping`), so rotating the key in Key Vault (a new version) is the whole rotation; configured
with a version, it is pinned to it. Wrapped keys of any version of the configured key unwrap;
a wrapped key naming another vault or key is refused without a request, so a forged record
cannot send our token elsewhere.

The identity needs the keys/get, keys/wrapKey and keys/unwrapKey permissions (the built-in
role "Key Vault Crypto Service Encryption User" grants exactly these).
"""

from __future__ import annotations

import math
import os
import struct
import time
from collections.abc import Callable
from typing import Final

from azure.core.credentials_async import AsyncTokenCredential
from azure.core.exceptions import AzureError, HttpResponseError
from azure.core.pipeline.transport import AsyncHttpTransport
from azure.core.rest import AsyncHttpResponse, HttpRequest
from azure.keyvault.keys import KeyVaultKey, KeyVaultKeyIdentifier
from azure.keyvault.keys.aio import KeyClient
from azure.keyvault.keys.crypto import KeyWrapAlgorithm
from azure.keyvault.keys.crypto.aio import CryptographyClient

from crypto.aead import KEY_SIZE, NONCE_SIZE, RandomBytes
from crypto.errors import DecryptionError, KeyringError
from crypto.wrapped import SEALED_KEY_SIZE, open_data_key, parse, prefix_for, seal_data_key

# The algorithm byte of the body: a wrapped key says how it was wrapped, whatever the configuration says now.
ALGORITHMS: Final = {1: KeyWrapAlgorithm.rsa_oaep_256, 2: KeyWrapAlgorithm.aes_256}
_ALGORITHM_CODES: Final = {algorithm: code for code, algorithm in ALGORITHMS.items()}
_BODY_HEAD: Final = struct.Struct(">BH")
# A status that means "this wrapped key does not open", as opposed to "the vault is not usable".
_REFUSED_CIPHERTEXT: Final = frozenset({400, 404})


class KeyVaultKeyring:
    def __init__(
        self,
        key_id: str,
        credential: AsyncTokenCredential,
        transport: AsyncHttpTransport[HttpRequest, AsyncHttpResponse] | None = None,
        *,
        algorithm: str = "RSA-OAEP-256",
        random_bytes: RandomBytes = os.urandom,
        refresh_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        try:
            identifier = KeyVaultKeyIdentifier(key_id)
            self._algorithm = KeyWrapAlgorithm(algorithm)
        except ValueError as exc:
            raise KeyringError(
                "Key Vault key must be named as https://<vault>/keys/<name>[/<version>]"
                " and wrapped with RSA-OAEP-256 or A256KW"
            ) from exc
        if self._algorithm not in _ALGORITHM_CODES:
            raise KeyringError("Key Vault keys wrap with RSA-OAEP-256 or A256KW here")
        self._vault_url = identifier.vault_url.rstrip("/")
        self._name = identifier.name
        self._pinned_version = identifier.version or None
        self._credential = credential
        # One transport for every client of this keyring; the keyring's close() closes them.
        self._options = {"transport": transport} if transport is not None else {}
        self._key_client = KeyClient(self._vault_url, credential, **self._options)
        self._clients: dict[str, CryptographyClient] = {}
        self._random_bytes = random_bytes
        self._refresh_seconds = refresh_seconds
        self._clock = clock
        self._current: str | None = self._key_id(self._pinned_version) if self._pinned_version else None
        self._checked_at = -math.inf

    def __repr__(self) -> str:
        return f"KeyVaultKeyring({self._key_id(self._pinned_version)!r})"

    def current_key_id(self) -> str:
        """The versioned id last seen; before the first look, the id as configured."""
        return self._current or self._key_id(self._pinned_version)

    async def wrap(self, data_key: bytes, associated_data: bytes) -> bytes:
        key_id = await self._current_key_id()
        wrapping_key = self._random_bytes(KEY_SIZE)
        try:
            result = await self._client(key_id).wrap_key(self._algorithm, wrapping_key)
        except AzureError as exc:
            raise KeyringError(f"Key Vault did not wrap a data key under {key_id}") from exc
        encrypted: bytes = result.encrypted_key
        head = (
            prefix_for(key_id)
            + _BODY_HEAD.pack(_ALGORITHM_CODES[self._algorithm], len(encrypted))
            + encrypted
        )
        nonce = self._random_bytes(NONCE_SIZE)
        return head + seal_data_key(wrapping_key, data_key, head + associated_data, nonce)

    async def unwrap(self, wrapped: bytes, associated_data: bytes) -> bytes:
        parsed = parse(wrapped)
        key_id = self._own_key_id(parsed.key_id)
        body = parsed.body
        if len(body) < _BODY_HEAD.size:
            raise DecryptionError()
        code, length = _BODY_HEAD.unpack_from(body)
        algorithm = ALGORITHMS.get(code)
        if algorithm is None or len(body) != _BODY_HEAD.size + length + SEALED_KEY_SIZE:
            raise DecryptionError()
        encrypted, sealed = body[_BODY_HEAD.size : _BODY_HEAD.size + length], body[_BODY_HEAD.size + length :]
        wrapping_key = await self._unwrap_remote(key_id, algorithm, encrypted)
        head = parsed.prefix + body[: _BODY_HEAD.size + length]
        return open_data_key(wrapping_key, sealed, head + associated_data)

    async def ping(self) -> None:
        """Fetch the key (and, when not pinned, learn its newest version)."""
        await self._refresh()

    async def close(self) -> None:
        for client in [*self._clients.values(), self._key_client]:
            await client.close()
        self._clients.clear()

    async def _current_key_id(self) -> str:
        stale = self._pinned_version is None and self._clock() - self._checked_at >= self._refresh_seconds
        if self._current is None or stale:
            return await self._refresh()
        return self._current

    async def _refresh(self) -> str:
        try:
            key: KeyVaultKey = await self._key_client.get_key(self._name, self._pinned_version)
        except AzureError as exc:
            raise KeyringError(f"Key Vault key {self.current_key_id()} cannot be read") from exc
        if key.properties.version is None:
            raise KeyringError(f"Key Vault returned no version for key {self._name}")
        key_id = self._key_id(key.properties.version)
        if key_id not in self._clients:
            # Built from the fetched key, the client can wrap with its public half without another request.
            self._clients[key_id] = CryptographyClient(key, self._credential, **self._options)
        self._current, self._checked_at = key_id, self._clock()
        return key_id

    async def _unwrap_remote(self, key_id: str, algorithm: KeyWrapAlgorithm, encrypted: bytes) -> bytes:
        try:
            result = await self._client(key_id).unwrap_key(algorithm, encrypted)
        except HttpResponseError as exc:
            if exc.status_code in _REFUSED_CIPHERTEXT:
                raise DecryptionError() from None
            raise KeyringError(f"Key Vault did not unwrap a data key under {key_id}") from exc
        except AzureError as exc:
            raise KeyringError(f"Key Vault did not unwrap a data key under {key_id}") from exc
        wrapping_key: bytes = result.key
        if len(wrapping_key) != KEY_SIZE:
            raise DecryptionError()
        return wrapping_key

    def _own_key_id(self, key_id: str) -> str:
        """`key_id` in canonical form if it names a version of our key; DecryptionError otherwise."""
        try:
            identifier = KeyVaultKeyIdentifier(key_id)
        except ValueError:
            raise DecryptionError() from None
        same_key = (
            identifier.vault_url.rstrip("/").lower() == self._vault_url.lower()
            and identifier.name == self._name
        )
        if not same_key or not identifier.version:
            raise DecryptionError()
        return self._key_id(identifier.version)

    def _key_id(self, version: str | None) -> str:
        return f"{self._vault_url}/keys/{self._name}" + (f"/{version}" if version else "")

    def _client(self, key_id: str) -> CryptographyClient:
        client = self._clients.get(key_id)
        if client is None:
            client = self._clients[key_id] = CryptographyClient(key_id, self._credential, **self._options)
        return client
