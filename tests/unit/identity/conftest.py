"""A real JWKS endpoint on 127.0.0.1, issuers that sign like Entra ID, and a clock that tests move by hand."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from aiohttp import web
from jwt.algorithms import RSAAlgorithm

from identity.dev_issuer import DevIssuer, dev_tenant_id
from identity.staff_tokens import StaffTokenValidator

DEV_ISSUER_URL = "http://127.0.0.1:8080/dev"
ENTRA_ISSUER = "https://login.microsoftonline.com/{tid}/v2.0"
AUDIENCE = "api://sigill-test"
CLIENT_ID = "3f6c1a52-0c4e-4a51-9a57-2c1f0e6b9d10"
VASTERAS_TENANT = dev_tenant_id("vasteras.example")
ENTRA_TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
OTHER_TENANT = "0b1d7f2e-5a44-4f5e-8a7e-4c3b2a190876"
TENANTS = {VASTERAS_TENANT: "org-vasteras", ENTRA_TENANT: "org-region"}


@dataclass
class Clock:
    """Wall time that only moves when a test says so."""

    now: datetime = field(default_factory=lambda: datetime(2026, 3, 2, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class JwksServer:
    """Serves whatever JWKS document the test sets, counts requests, and can fail on purpose."""

    document: dict[str, Any] = field(default_factory=lambda: {"keys": []})
    requests: int = 0
    status: int = 200
    body: bytes | None = None
    url: str = ""
    runner: web.AppRunner | None = None

    def serve(self, *issuers: DevIssuer) -> None:
        self.document = {"keys": [key for issuer in issuers for key in issuer.jwks()["keys"]]}

    async def handle(self, _: web.Request) -> web.Response:
        self.requests += 1
        if self.body is not None:
            return web.Response(status=self.status, body=self.body, content_type="application/json")
        return web.json_response(self.document, status=self.status)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/discovery/v2.0/keys", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = self.runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/discovery/v2.0/keys"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def jwks_server() -> AsyncIterator[JwksServer]:
    server = JwksServer()
    await server.start()
    yield server
    await server.stop()


def new_key_file(path: Path) -> Path:
    """An RSA key file, made the way the server makes its own (so tests can also sign odd tokens with it)."""
    DevIssuer.open(path, issuer=DEV_ISSUER_URL)
    return path


# Keys are made once per session: generating an RSA key costs a tenth of a second, and no test changes one.
@pytest.fixture(scope="session")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return new_key_file(tmp_path_factory.mktemp("keys") / "dev-issuer.pem")


@pytest.fixture(scope="session")
def entra_key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return new_key_file(tmp_path_factory.mktemp("keys") / "entra-like.pem")


@pytest.fixture
def dev_issuer(key_file: Path, clock: Clock) -> DevIssuer:
    return DevIssuer.open(key_file, issuer=DEV_ISSUER_URL, clock=clock)


@pytest.fixture
def entra_issuer(entra_key_file: Path, clock: Clock) -> DevIssuer:
    """A second key that signs tokens shaped like Entra ID's, with the tenant in the issuer."""
    return DevIssuer.open(entra_key_file, issuer=ENTRA_ISSUER, clock=clock)


def make_validator(jwks_server: JwksServer, clock: Clock, issuer_template: str) -> StaffTokenValidator:
    return StaffTokenValidator(
        issuer_template=issuer_template,
        jwks_url=jwks_server.url,
        audiences=[AUDIENCE, CLIENT_ID],
        allowed_tenants=TENANTS,
        clock=clock,
    )


@pytest.fixture
async def dev_validator(
    jwks_server: JwksServer, dev_issuer: DevIssuer, clock: Clock
) -> AsyncIterator[StaffTokenValidator]:
    jwks_server.serve(dev_issuer)
    validator = make_validator(jwks_server, clock, DEV_ISSUER_URL)
    yield validator
    await validator.close()


@pytest.fixture
async def entra_validator(
    jwks_server: JwksServer, entra_issuer: DevIssuer, clock: Clock
) -> AsyncIterator[StaffTokenValidator]:
    jwks_server.serve(entra_issuer)
    validator = make_validator(jwks_server, clock, ENTRA_ISSUER)
    yield validator
    await validator.close()


def mint_dev(issuer: DevIssuer, **overrides: Any) -> str:
    fields: dict[str, Any] = {
        "email": "Anna.Andersson@Vasteras.Example",
        "name": "Anna Andersson",
        "tenant_id": VASTERAS_TENANT,
        "object_id": "5d3c2b1a-0000-4000-8000-000000000001",
        "audience": AUDIENCE,
    }
    fields.update(overrides)
    return issuer.mint(**fields)


def sign(key_file: Path, claims: dict[str, Any], *, kid: str, algorithm: str = "RS256") -> str:
    """A token with exactly these claims and this kid, signed with the key in `key_file`."""
    return jwt.encode(claims, _private_key(key_file), algorithm=algorithm, headers={"kid": kid})


@functools.cache
def _private_key(key_file: Path) -> Any:
    # Parsed once: parsing a PEM costs far more than signing with it.
    return RSAAlgorithm(RSAAlgorithm.SHA256).prepare_key(key_file.read_bytes())


def minted_claims(issuer: DevIssuer) -> dict[str, Any]:
    """The claims of a token DevIssuer mints, for a test to alter one at a time and sign again."""
    claims: dict[str, Any] = jwt.decode(mint_dev(issuer), options={"verify_signature": False})
    return claims
