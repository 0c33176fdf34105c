"""An in-memory Azure Key Vault that speaks the Key Vault REST API, for the Key Vault keyring's tests.

It is plugged in as the azure-core transport, so the real `KeyClient` and `CryptographyClient`
build, sign and parse every request: the bearer-token challenge (401 with WWW-Authenticate),
GET /keys/{name}[/{version}], POST .../wrapkey and .../unwrapkey with base64url values, and
Key Vault's error bodies. Keys have versions; RSA keys wrap with RSA-OAEP-256, Managed HSM
AES keys ("oct-HSM") with A256KW. Nothing leaves the process.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from azure.core.exceptions import ServiceRequestError
from azure.core.pipeline.transport import AsyncHttpTransport
from azure.core.rest import AsyncHttpResponse, HttpRequest
from azure.core.utils import CaseInsensitiveDict
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

VAULT_URL = "https://sigill-test.vault.azure.net"
TENANT_ID = "00000000-0000-4000-8000-000000000001"
TOKEN = "fake-access-token"
CHALLENGE = f'Bearer authorization="https://login.microsoftonline.com/{TENANT_ID}", resource="https://vault.azure.net"'
_OAEP_256 = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
_PATH = re.compile(r"^/keys/(?P<name>[^/]+)(?:/(?P<version>[^/]*))?(?:/(?P<operation>wrapkey|unwrapkey))?/?$")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def from_b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class _KeyVersion:
    version: str
    private: rsa.RSAPrivateKey | None = None
    secret: bytes | None = None  # an oct-HSM key: never returned by GET


@dataclass
class FakeKeyVault:
    vault_url: str = VAULT_URL
    keys: dict[str, list[_KeyVersion]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path) of every request served
    reachable: bool = True
    tokens_seen: set[str] = field(default_factory=set)

    def add_rsa_version(self, name: str) -> str:
        """Create (or rotate) an RSA key; return the new version's full key id."""
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return self._add(name, _KeyVersion(os.urandom(16).hex(), private=private))

    def add_oct_version(self, name: str) -> str:
        return self._add(name, _KeyVersion(os.urandom(16).hex(), secret=os.urandom(32)))

    def transport(self) -> FakeTransport:
        return FakeTransport(self)

    def operations(self, operation: str) -> int:
        return sum(1 for _method, path in self.requests if path.endswith("/" + operation))

    def _add(self, name: str, version: _KeyVersion) -> str:
        self.keys.setdefault(name, []).append(version)
        return f"{self.vault_url}/keys/{name}/{version.version}"

    def serve(self, request: HttpRequest) -> tuple[int, dict[str, Any], dict[str, str]]:
        if not request.headers.get("Authorization"):
            return (
                401,
                {"error": {"code": "Unauthorized", "message": "AKV10000: Request is missing a Bearer."}},
                {"WWW-Authenticate": CHALLENGE},
            )
        self.tokens_seen.add(request.headers["Authorization"])
        if request.headers["Authorization"] != f"Bearer {TOKEN}":
            return 401, {"error": {"code": "Unauthorized", "message": "AKV10022: Invalid audience."}}, {}
        path = urlsplit(request.url).path
        self.requests.append((request.method, path))
        match = _PATH.match(path)
        if match is None:
            return 400, {"error": {"code": "BadParameter", "message": "Unsupported path."}}, {}
        key = self._find(match["name"], match["version"] or "")
        if key is None:
            message = f"A key with (name/id) {match['name']} was not found in this key vault."
            return 404, {"error": {"code": "KeyNotFound", "message": message}}, {}
        kid = f"{self.vault_url}/keys/{match['name']}/{key.version}"
        if request.method == "GET" and match["operation"] is None:
            return 200, self._bundle(kid, key), {}
        if request.method == "POST" and match["operation"]:
            return self._operate(kid, key, match["operation"], _json_body(request))
        return 405, {"error": {"code": "MethodNotAllowed", "message": "Not allowed."}}, {}

    def _find(self, name: str, version: str) -> _KeyVersion | None:
        versions = self.keys.get(name, [])
        if not version:
            return versions[-1] if versions else None
        return next((key for key in versions if key.version == version), None)

    def _bundle(self, kid: str, key: _KeyVersion) -> dict[str, Any]:
        attributes = {"enabled": True, "created": 1_700_000_000, "updated": 1_700_000_000}
        if key.private is not None:
            numbers = key.private.public_key().public_numbers()
            jwk = {
                "kid": kid,
                "kty": "RSA",
                "key_ops": ["encrypt", "decrypt", "wrapKey", "unwrapKey"],
                "n": b64url(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
                "e": b64url(numbers.e.to_bytes(3, "big")),
            }
        else:
            jwk = {"kid": kid, "kty": "oct-HSM", "key_ops": ["wrapKey", "unwrapKey"]}
        return {"key": jwk, "attributes": attributes}

    def _operate(
        self, kid: str, key: _KeyVersion, operation: str, body: dict[str, Any]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        algorithm, value = body.get("alg"), from_b64url(str(body.get("value", "")))
        try:
            result = _apply(key, operation, str(algorithm), value)
        except (ValueError, InvalidUnwrap):
            return 400, {"error": {"code": "BadParameter", "message": "The parameter is incorrect."}}, {}
        return 200, {"kid": kid, "value": b64url(result)}, {}


def _apply(key: _KeyVersion, operation: str, algorithm: str, value: bytes) -> bytes:
    if key.private is not None and algorithm == "RSA-OAEP-256":
        if operation == "wrapkey":
            return key.private.public_key().encrypt(value, _OAEP_256)
        return key.private.decrypt(value, _OAEP_256)
    if key.secret is not None and algorithm == "A256KW":
        if operation == "wrapkey":
            return aes_key_wrap(key.secret, value)
        return aes_key_unwrap(key.secret, value)
    raise ValueError("algorithm not supported by this key")


def _json_body(request: HttpRequest) -> dict[str, Any]:
    content = request.content
    if isinstance(content, str):
        content = content.encode()
    document = json.loads(content or b"{}")
    return document if isinstance(document, dict) else {}


class FakeTransport(AsyncHttpTransport[HttpRequest, AsyncHttpResponse]):
    def __init__(self, vault: FakeKeyVault) -> None:
        self._vault = vault

    async def send(self, request: HttpRequest, **kwargs: Any) -> AsyncHttpResponse:
        if not self._vault.reachable:
            raise ServiceRequestError("connection refused")
        status, body, headers = self._vault.serve(request)
        return FakeResponse(request, status, json.dumps(body).encode(), headers)

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def sleep(self, duration: float) -> None:
        return None  # retries back off instantly: tests do not sleep

    async def __aenter__(self) -> FakeTransport:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        return None


class FakeResponse(AsyncHttpResponse):
    def __init__(self, request: HttpRequest, status: int, body: bytes, headers: dict[str, str]) -> None:
        self._request = request
        self._status = status
        self._body = body
        self._headers = CaseInsensitiveDict({"Content-Type": "application/json; charset=utf-8", **headers})
        self._encoding: str | None = "utf-8"
        self._closed = False

    @property
    def request(self) -> HttpRequest:
        return self._request

    @property
    def status_code(self) -> int:
        return self._status

    @property
    def headers(self) -> CaseInsensitiveDict:
        return self._headers

    @property
    def reason(self) -> str:
        return {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}.get(
            self._status, "Error"
        )

    @property
    def content_type(self) -> str | None:
        return self._headers.get("Content-Type")

    @property
    def is_closed(self) -> bool:
        return self._closed

    @property
    def is_stream_consumed(self) -> bool:
        return True

    @property
    def encoding(self) -> str | None:
        return self._encoding

    @encoding.setter
    def encoding(self, value: str | None) -> None:
        self._encoding = value

    @property
    def url(self) -> str:
        return self._request.url

    @property
    def content(self) -> bytes:
        return self._body

    def text(self, encoding: str | None = None) -> str:
        return self._body.decode(encoding or self._encoding or "utf-8")

    def json(self) -> Any:
        return json.loads(self._body)

    def raise_for_status(self) -> None:
        from azure.core.exceptions import HttpResponseError

        if self._status >= 400:
            raise HttpResponseError(response=self)

    async def read(self) -> bytes:
        return self._body

    async def iter_raw(self, **kwargs: Any) -> AsyncIterator[bytes]:
        yield self._body

    async def iter_bytes(self, **kwargs: Any) -> AsyncIterator[bytes]:
        yield self._body

    async def close(self) -> None:
        self._closed = True

    async def __aenter__(self) -> FakeResponse:
        return self

    async def __aexit__(self, *args: object) -> None:
        await self.close()


class FakeCredential:
    """An azure-core async token credential that hands out one fixed token and records the scopes asked for."""

    def __init__(self) -> None:
        self.scopes: list[str] = []

    async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        self.scopes.extend(scopes)
        return AccessToken(TOKEN, 4_102_444_800)  # year 2100

    async def close(self) -> None:
        return None

    async def __aenter__(self) -> FakeCredential:
        return self

    async def __aexit__(self, *args: object) -> None:
        return None
