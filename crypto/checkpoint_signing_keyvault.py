"""Signing audit checkpoints with an EC P-256 key in Azure Key Vault (ES256): the production signer.

See crypto.checkpoint_signing for what a checkpoint signature is and how it verifies.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from azure.core.credentials_async import AsyncTokenCredential
from azure.core.exceptions import AzureError, ResourceNotFoundError
from azure.core.pipeline.transport import AsyncHttpTransport
from azure.core.rest import AsyncHttpResponse, HttpRequest
from azure.keyvault.keys import KeyCurveName, KeyType, KeyVaultKey
from azure.keyvault.keys.aio import KeyClient
from azure.keyvault.keys.crypto import SignatureAlgorithm
from azure.keyvault.keys.crypto.aio import CryptographyClient
from cryptography.hazmat.primitives.asymmetric import ec

from crypto.checkpoint_signing import ES256, ES256_SIZE, Signature, public_pem
from crypto.errors import KeyringError

Transport = AsyncHttpTransport[HttpRequest, AsyncHttpResponse]


class KeyVaultCheckpointSigner:
    """An EC P-256 key in Azure Key Vault that signs ES256; the identity needs keys/get and keys/sign.

    Configured without a version, it signs with the newest version and looks again every
    `refresh_seconds`, so a new key version in the vault is the whole rotation; checkpoints
    signed by older versions keep verifying, because the public key of any version of the
    configured key can be fetched. A key id naming another vault or key is never fetched.
    """

    def __init__(
        self,
        key_id: str,
        credential: AsyncTokenCredential,
        transport: Transport | None = None,
        *,
        refresh_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._base, self._name, self._pinned = _parse_key_id(key_id)
        self._credential = credential
        self._options = {"transport": transport} if transport is not None else {}
        self._keys = KeyClient(self._base, credential, **self._options)
        self._clients: dict[str, CryptographyClient] = {}
        self._public: dict[str, bytes] = {}
        self._current: str | None = None
        self._checked_at = -math.inf
        self._refresh_seconds = refresh_seconds
        self._clock = clock

    def __repr__(self) -> str:
        return f"KeyVaultCheckpointSigner({self._key_url(self._pinned)!r})"

    async def sign(self, payload: bytes) -> Signature:
        key_id = await self._current_key_id()
        digest = hashlib.sha256(payload).digest()
        try:
            result = await self._clients[key_id].sign(SignatureAlgorithm.es256, digest)
        except AzureError as exc:
            raise KeyringError(f"Key Vault did not sign an audit checkpoint with {key_id}") from exc
        if len(result.signature) != ES256_SIZE:
            raise KeyringError(f"Key Vault answered an ES256 signature of the wrong size for {key_id}")
        return Signature(key_id, ES256, bytes(result.signature))

    async def public_key(self, key_id: str) -> bytes | None:
        version = self._own_version(key_id)
        if version is None:
            return None
        canonical = self._key_url(version)
        if canonical not in self._public:
            try:
                key = await self._keys.get_key(self._name, version)
            except ResourceNotFoundError:
                return None
            except AzureError as exc:
                raise KeyringError(f"Key Vault key {canonical} cannot be read") from exc
            self._remember(key)
        return self._public.get(canonical)

    async def close(self) -> None:
        for client in self._clients.values():
            await client.close()
        self._clients.clear()
        await self._keys.close()

    async def _current_key_id(self) -> str:
        stale = self._pinned is None and self._clock() - self._checked_at >= self._refresh_seconds
        if self._current is not None and not stale:
            return self._current
        try:
            key = await self._keys.get_key(self._name, self._pinned)
        except AzureError as exc:
            raise KeyringError(f"Key Vault key {self._key_url(self._pinned)} cannot be read") from exc
        key_id = self._remember(key)
        if key_id not in self._clients:
            # Built from the fetched key: the client signs in the vault with exactly this version.
            self._clients[key_id] = CryptographyClient(key, self._credential, **self._options)
        self._current, self._checked_at = key_id, self._clock()
        return key_id

    def _remember(self, key: KeyVaultKey) -> str:
        """Keep the public half of a fetched version; return its versioned id."""
        version = key.properties.version
        if not version:
            raise KeyringError(f"Key Vault returned no version for key {self._name}")
        # JsonWebKey sets its fields dynamically: read them as the JWK members they are.
        kty, crv, x, y = (getattr(key.key, name, None) for name in ("kty", "crv", "x", "y"))
        if kty not in (KeyType.ec, KeyType.ec_hsm) or crv != KeyCurveName.p_256 or not (x and y):
            raise KeyringError(f"the audit signing key {self._name} must be an EC P-256 key")
        numbers = ec.EllipticCurvePublicNumbers(
            int.from_bytes(bytes(x), "big"), int.from_bytes(bytes(y), "big"), ec.SECP256R1()
        )
        key_id = self._key_url(version)
        self._public[key_id] = public_pem(numbers.public_key())
        return key_id

    def _own_version(self, key_id: str) -> str | None:
        """The version that `key_id` names if it is a version of our key, else None."""
        prefix = f"{self._key_url(None)}/"
        if not key_id.startswith(prefix):
            return None
        version = key_id[len(prefix) :]
        return version if version and version.isalnum() else None

    def _key_url(self, version: str | None) -> str:
        return f"{self._base}/keys/{self._name}" + (f"/{version}" if version else "")


def _parse_key_id(key_id: str) -> tuple[str, str, str | None]:
    """(vault URL, key name, version or None) of `https://<vault>/keys/<name>[/<version>]`."""
    try:
        parts = urlsplit(key_id)
        port = parts.port
    except ValueError:
        parts, port = None, None
    segments = [segment for segment in parts.path.split("/") if segment] if parts else []
    if (
        parts is None
        or parts.scheme != "https"
        or not parts.hostname
        or parts.query
        or parts.fragment
        or len(segments) not in (2, 3)
        or segments[0] != "keys"
    ):
        raise KeyringError("a Key Vault key id looks like https://<vault>/keys/<name>[/<version>]")
    base = f"https://{parts.hostname}" + (f":{port}" if port else "")
    return base, segments[1], segments[2] if len(segments) == 3 else None
