"""A keyring in Azure Key Vault: the production choice.

The KEK never leaves the vault. Each wrap draws a fresh 32-byte wrapping key, has Key Vault
wrap it (RSA-OAEP-256 with an RSA key, or A256KW with a Managed HSM AES key) and seals the data
key under it with AES-256-GCM, because Key Vault's wrap has no associated data of its own: the
local AES-GCM step binds the caller's associated data and the key id.

    body = algorithm (1) | length (2, big-endian) | wrapping key as wrapped by Key Vault
           | nonce (12) | AES-256-GCM(data key) | tag (16)

The KEK id is the Key Vault key id with its version. Configured without a version, the keyring
wraps under the newest version and looks again every `refresh_seconds` (and on every `ping`),
so rotating the key in Key Vault (a new version) is the whole rotation; configured with a
version, it is pinned to it. Wrapped keys of any version of the configured key unwrap; a wrapped
key naming another vault or key is refused without a request, so a forged record cannot send
our token elsewhere.

RSA keys go through the SDK's `CryptographyClient`: it wraps with the public half it fetched
(no request per message) and unwraps in the vault. AES keys (A256KW) are called through the
REST endpoints (`/wrapkey`, `/unwrapkey`) on the `KeyClient` pipeline instead: for an
"oct-HSM" key, whose secret the vault never returns, `CryptographyClient` builds a local key
from the missing material, which would wrap under a key that no one else holds.

The identity needs the keys/get, keys/wrapKey and keys/unwrapKey permissions (the built-in
role "Key Vault Crypto Service Encryption User" grants exactly these).
"""

from __future__ import annotations

import base64
import math
import os
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from azure.core.credentials_async import AsyncTokenCredential
from azure.core.exceptions import AzureError, HttpResponseError
from azure.core.pipeline.transport import AsyncHttpTransport
from azure.core.rest import AsyncHttpResponse, HttpRequest
from azure.keyvault.keys import KeyVaultKey
from azure.keyvault.keys.aio import KeyClient
from azure.keyvault.keys.crypto import KeyWrapAlgorithm
from azure.keyvault.keys.crypto.aio import CryptographyClient

from crypto.aead import KEY_SIZE, NONCE_SIZE, RandomBytes
from crypto.errors import DecryptionError, KeyringError
from crypto.keyring import KekInfo
from crypto.wrapped import SEALED_KEY_SIZE, open_data_key, parse, prefix_for, seal_data_key

RSA_OAEP_256: Final = KeyWrapAlgorithm.rsa_oaep_256
A256KW: Final = KeyWrapAlgorithm.aes_256
# The algorithm byte of the body: a wrapped key says how it was wrapped, whatever the configuration says now.
ALGORITHMS: Final = {1: RSA_OAEP_256, 2: A256KW}
_ALGORITHM_CODES: Final = {algorithm: code for code, algorithm in ALGORITHMS.items()}
_BODY_HEAD: Final = struct.Struct(">BH")
# Statuses that mean "this wrapped key does not open", as opposed to "the vault cannot be used".
_REFUSED: Final = frozenset({400, 404})

Transport = AsyncHttpTransport[HttpRequest, AsyncHttpResponse]


class KeyVaultKeyring:
    def __init__(
        self,
        key_id: str,
        credential: AsyncTokenCredential,
        transport: Transport | None = None,
        *,
        algorithm: str = "RSA-OAEP-256",
        random_bytes: RandomBytes = os.urandom,
        refresh_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        configured = _parse_configured(key_id)
        self._algorithm = _algorithm(algorithm)
        self._vault_url = configured.vault_url
        self._name = configured.name
        self._pinned_version = configured.version
        self._credential = credential
        # One transport for every client of this keyring; the keyring's close() closes them all.
        self._options = {"transport": transport} if transport is not None else {}
        self._key_client = KeyClient(self._vault_url, credential, **self._options)
        self._rsa_clients: dict[str, CryptographyClient] = {}
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
        encrypted = await self._wrap_remote(key_id, self._algorithm, wrapping_key)
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
        end = _BODY_HEAD.size + length
        if algorithm is None or len(body) != end + SEALED_KEY_SIZE:
            raise DecryptionError()
        wrapping_key = await self._unwrap_remote(key_id, algorithm, body[_BODY_HEAD.size : end])
        return open_data_key(wrapping_key, body[end:], parsed.prefix + body[:end] + associated_data)

    async def ping(self) -> None:
        """Fetch the key (and, when not pinned, learn its newest version); KeyringError when that fails."""
        await self._refresh()

    async def key_infos(self) -> list[KekInfo]:
        """Every version of the configured key, oldest first (needs the keys/list permission)."""
        current = await self._current_key_id()
        infos = []
        try:
            async for properties in self._key_client.list_properties_of_key_versions(self._name):
                if properties.version:
                    key_id = self._key_id(properties.version)
                    infos.append(KekInfo(key_id, properties.created_on, key_id == current))
        except AzureError as exc:
            raise KeyringError(f"the versions of Key Vault key {self._name} cannot be listed") from exc
        return sorted(infos, key=lambda info: (info.created_at is None, info.created_at, info.key_id))

    async def close(self) -> None:
        for client in self._rsa_clients.values():
            await client.close()
        self._rsa_clients.clear()
        await self._key_client.close()

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
        if not key.properties.version:
            raise KeyringError(f"Key Vault returned no version for key {self._name}")
        key_id = self._key_id(key.properties.version)
        if self._algorithm == RSA_OAEP_256 and key_id not in self._rsa_clients:
            # Built from the fetched key, the client wraps with its public half: no request per message.
            self._rsa_clients[key_id] = CryptographyClient(key, self._credential, **self._options)
        self._current, self._checked_at = key_id, self._clock()
        return key_id

    async def _wrap_remote(self, key_id: str, algorithm: KeyWrapAlgorithm, wrapping_key: bytes) -> bytes:
        try:
            if algorithm == RSA_OAEP_256:
                result = await self._rsa_client(key_id).wrap_key(algorithm, wrapping_key)
                encrypted: bytes = result.encrypted_key
                return encrypted
            return await self._rest_operation(key_id, "wrapkey", algorithm, wrapping_key)
        except AzureError as exc:
            raise KeyringError(f"Key Vault did not wrap a data key under {key_id}") from exc

    async def _unwrap_remote(self, key_id: str, algorithm: KeyWrapAlgorithm, encrypted: bytes) -> bytes:
        try:
            if algorithm == RSA_OAEP_256:
                wrapping_key: bytes = (await self._rsa_client(key_id).unwrap_key(algorithm, encrypted)).key
            else:
                wrapping_key = await self._rest_operation(key_id, "unwrapkey", algorithm, encrypted)
        except HttpResponseError as exc:
            if exc.status_code in _REFUSED:
                raise DecryptionError() from None
            raise KeyringError(f"Key Vault did not unwrap a data key under {key_id}") from exc
        except AzureError as exc:
            raise KeyringError(f"Key Vault did not unwrap a data key under {key_id}") from exc
        if len(wrapping_key) != KEY_SIZE:
            raise DecryptionError()
        return wrapping_key

    async def _rest_operation(
        self, key_id: str, operation: str, algorithm: KeyWrapAlgorithm, value: bytes
    ) -> bytes:
        """POST {key id}/wrapkey or /unwrapkey: Key Vault's REST API, through the KeyClient's pipeline."""
        request = HttpRequest(
            "POST", f"{key_id}/{operation}", json={"alg": algorithm.value, "value": _b64url(value)}
        )
        response = await self._key_client.send_request(request)
        response.raise_for_status()
        try:
            return _from_b64url(str(response.json()["value"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise KeyringError(
                f"Key Vault answered {operation} for {key_id} with an unexpected body"
            ) from exc

    def _own_key_id(self, key_id: str) -> str:
        """`key_id` in canonical form if it names a version of our key; DecryptionError otherwise."""
        ref = _KeyRef.parse(key_id)
        if ref is None or ref.vault_url != self._vault_url or ref.name != self._name or not ref.version:
            raise DecryptionError()
        return self._key_id(ref.version)

    def _key_id(self, version: str | None) -> str:
        return f"{self._vault_url}/keys/{self._name}" + (f"/{version}" if version else "")

    def _rsa_client(self, key_id: str) -> CryptographyClient:
        client = self._rsa_clients.get(key_id)
        if client is None:
            client = self._rsa_clients[key_id] = CryptographyClient(key_id, self._credential, **self._options)
        return client


@dataclass(frozen=True, slots=True)
class _KeyRef:
    vault_url: str
    name: str
    version: str | None

    @classmethod
    def parse(cls, key_id: str) -> _KeyRef | None:
        """`https://<vault>/keys/<name>[/<version>]`, or None for anything else."""
        try:
            parts = urlsplit(key_id)
            port = parts.port
        except ValueError:
            return None
        segments = [segment for segment in parts.path.split("/") if segment]
        if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
            return None
        if len(segments) not in (2, 3) or segments[0] != "keys":
            return None
        vault_url = f"https://{parts.hostname}" + (f":{port}" if port else "")
        return cls(vault_url, segments[1], segments[2] if len(segments) == 3 else None)


def _parse_configured(key_id: str) -> _KeyRef:
    ref = _KeyRef.parse(key_id)
    if ref is None:
        raise KeyringError("a Key Vault key id looks like https://<vault>/keys/<name>[/<version>]")
    return ref


def _algorithm(name: str) -> KeyWrapAlgorithm:
    try:
        algorithm = KeyWrapAlgorithm(name)
    except ValueError:
        algorithm = None
    if algorithm not in _ALGORITHM_CODES:
        raise KeyringError("Key Vault keys wrap data keys with RSA-OAEP-256 or A256KW")
    return algorithm


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _from_b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
