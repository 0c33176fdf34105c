"""An in-memory Azure Key Vault that speaks the Key Vault REST API, for the Key Vault keyring's tests.

It is plugged in as the azure-core transport, so the real `KeyClient` and `CryptographyClient`
build, sign and parse every request: the bearer-token challenge (401 with WWW-Authenticate),
GET /keys/{name}[/{version}], GET /keys/{name}/versions, POST .../wrapkey and .../unwrapkey
with base64url values, the secrets API (PUT /secrets/{name}, GET /secrets/{name}[/{version}],
GET /secrets/{name}/versions) that `azure-keyvault-secrets`' SecretClient speaks, and
Key Vault's error bodies. Keys have versions; RSA keys wrap with RSA-OAEP-256, Managed HSM
AES keys ("oct-HSM") with A256KW, and EC P-256 keys sign digests (POST .../sign, ES256, raw r | s).
Nothing leaves the process.
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
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, decode_dss_signature
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

VAULT_URL = "https://sigill-test.vault.azure.net"
TENANT_ID = "00000000-0000-4000-8000-000000000001"
TOKEN = "fake-access-token"
CHALLENGE = f'Bearer authorization="https://login.microsoftonline.com/{TENANT_ID}", resource="https://vault.azure.net"'
_OAEP_256 = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
_PATH = re.compile(
    r"^/keys/(?P<name>[^/]+)(?:/(?P<version>[^/]*))?(?:/(?P<operation>wrapkey|unwrapkey|sign))?/?$"
)
_SECRET_PATH = re.compile(r"^/secrets/(?P<name>[^/]+)(?:/(?P<version>[^/]*))?/?$")
CREATED = 1_700_000_000


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def from_b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class _KeyVersion:
    version: str
    private: rsa.RSAPrivateKey | None = None
    secret: bytes | None = None  # an oct-HSM key: never returned by GET
    ec_private: ec.EllipticCurvePrivateKey | None = None  # an EC P-256 key: signs ES256


@dataclass
class _SecretVersion:
    version: str
    value: str
    created: int
    content_type: str | None = None
    enabled: bool = True


@dataclass
class FakeKeyVault:
    vault_url: str = VAULT_URL
    keys: dict[str, list[_KeyVersion]] = field(default_factory=dict)
    secrets: dict[str, list[_SecretVersion]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path) of every request served
    reachable: bool = True
    tokens_seen: set[str] = field(default_factory=set)
    transports_closed: int = 0

    def add_rsa_version(self, name: str) -> str:
        """Create (or rotate) an RSA key; return the new version's full key id."""
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return self._add(name, _KeyVersion(os.urandom(16).hex(), private=private))

    def add_ec_version(self, name: str) -> str:
        """Create (or rotate) an EC P-256 signing key; return the new version's full key id."""
        private = ec.generate_private_key(ec.SECP256R1())
        return self._add(name, _KeyVersion(os.urandom(16).hex(), ec_private=private))

    def public_key(self, key_id: str) -> ec.EllipticCurvePublicKey:
        """The public half of an EC key version, as the vault would hand it to anyone allowed to read it."""
        name, version = key_id.removeprefix(f"{self.vault_url}/keys/").split("/")
        key = self._find(name, version)
        assert key is not None and key.ec_private is not None
        return key.ec_private.public_key()

    def add_oct_version(self, name: str) -> str:
        return self._add(name, _KeyVersion(os.urandom(16).hex(), secret=os.urandom(32)))

    def add_secret_version(self, name: str, value: str, *, created: int | None = None) -> str:
        """Store a new version of a secret; return its version."""
        versions = self.secrets.setdefault(name, [])
        when = CREATED + len(versions) if created is None else created
        versions.append(_SecretVersion(os.urandom(16).hex(), value, when))
        return versions[-1].version

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
        if path.startswith("/secrets/"):
            return self._serve_secret(request, path)
        match = _PATH.match(path)
        if match is None:
            return 400, {"error": {"code": "BadParameter", "message": "Unsupported path."}}, {}
        if request.method == "GET" and match["version"] == "versions" and match["operation"] is None:
            return 200, {"value": self._key_items(match["name"]), "nextLink": None}, {}
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

    def _key_items(self, name: str) -> list[dict[str, Any]]:
        return [
            {
                "kid": f"{self.vault_url}/keys/{name}/{key.version}",
                "attributes": {"enabled": True, "created": CREATED + index, "updated": CREATED + index},
            }
            for index, key in enumerate(self.keys.get(name, []))
        ]

    def _serve_secret(self, request: HttpRequest, path: str) -> tuple[int, dict[str, Any], dict[str, str]]:
        match = _SECRET_PATH.match(path)
        if match is None:
            return 400, {"error": {"code": "BadParameter", "message": "Unsupported path."}}, {}
        name, version = match["name"], match["version"] or ""
        if request.method == "PUT" and not version:
            body = _json_body(request)
            self.add_secret_version(name, str(body.get("value", "")))
            self.secrets[name][-1].content_type = body.get("contentType")
            return 200, self._secret_bundle(name, self.secrets[name][-1]), {}
        if request.method != "GET":
            return 405, {"error": {"code": "MethodNotAllowed", "message": "Not allowed."}}, {}
        versions = self.secrets.get(name, [])
        if version == "versions":
            return 200, {"value": [self._secret_item(name, v) for v in versions], "nextLink": None}, {}
        found = [v for v in versions if v.version == version] if version else versions[-1:]
        if not found:
            message = f"A secret with (name/id) {name} was not found in this key vault."
            return 404, {"error": {"code": "SecretNotFound", "message": message}}, {}
        return 200, self._secret_bundle(name, found[0]), {}

    def _secret_item(self, name: str, secret: _SecretVersion) -> dict[str, Any]:
        attributes = {"enabled": secret.enabled, "created": secret.created, "updated": secret.created}
        item: dict[str, Any] = {
            "id": f"{self.vault_url}/secrets/{name}/{secret.version}",
            "attributes": attributes,
        }
        if secret.content_type:
            item["contentType"] = secret.content_type
        return item

    def _secret_bundle(self, name: str, secret: _SecretVersion) -> dict[str, Any]:
        return {**self._secret_item(name, secret), "value": secret.value}

    def _find(self, name: str, version: str) -> _KeyVersion | None:
        versions = self.keys.get(name, [])
        if not version:
            return versions[-1] if versions else None
        return next((key for key in versions if key.version == version), None)

    def _bundle(self, kid: str, key: _KeyVersion) -> dict[str, Any]:
        attributes = {"enabled": True, "created": 1_700_000_000, "updated": 1_700_000_000}
        if key.ec_private is not None:
            point = key.ec_private.public_key().public_numbers()
            jwk = {
                "kid": kid,
                "kty": "EC",
                "crv": "P-256",
                "key_ops": ["sign", "verify"],
                "x": b64url(point.x.to_bytes(32, "big")),
                "y": b64url(point.y.to_bytes(32, "big")),
            }
        elif key.private is not None:
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
    if key.ec_private is not None and algorithm == "ES256" and operation == "sign":
        # Key Vault signs the digest it is given and answers the raw r | s, 32 bytes each.
        der = key.ec_private.sign(value, ec.ECDSA(Prehashed(hashes.SHA256())))
        r, s = decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    if key.private is not None and algorithm == "RSA-OAEP-256" and operation != "sign":
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
        self._vault.transports_closed += 1

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
        await self.close()  # what a client's close() leads to


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
        self.closed = False

    async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        self.scopes.extend(scopes)
        return AccessToken(TOKEN, 4_102_444_800)  # year 2100

    async def close(self) -> None:
        self.closed = True

    async def __aenter__(self) -> FakeCredential:
        return self

    async def __aexit__(self, *args: object) -> None:
        return None
