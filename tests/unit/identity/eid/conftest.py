"""The e-identification simulators on a real loopback port, a hand-moved clock, and clients pointed at them."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from identity.eid.bankid import BankIdClient
from identity.eid.freja import FrejaClient
from identity.eid.http import ProviderHttp
from identity.eid.oidc import OidcService
from identity.eid.service import EidService
from identity.simulators.bankid import BankIdSimulator
from identity.simulators.freja import FrejaSigner, FrejaSimulator
from identity.simulators.oidc import OidcSimulator, RegisteredClient
from identity.simulators.registry import BANKID_PATH, FREJA_PATH, OIDC_PATH, Simulators
from tests.fixtures import free_port
from tests.unit.identity.conftest import Clock

TOLVAN = "191212121212"
KARIN = "198112289874"
CLIENT_ID = "sigill-test"
CLIENT_SECRET = "s3cret:with/odd+chars"
PREFIX = "/sim"


@dataclass
class Running:
    """A web app on 127.0.0.1 and its base URL; stopped by `stop`."""

    runner: web.AppRunner
    base: str

    async def stop(self) -> None:
        await self.runner.cleanup()


async def serve(app: web.Application, ssl_context: object = None) -> Running:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)  # type: ignore[arg-type]
    await site.start()
    port = runner.addresses[0][1]
    scheme = "https" if ssl_context is not None else "http"
    return Running(runner, f"{scheme}://127.0.0.1:{port}")


@pytest.fixture(scope="session")
def freja_signer() -> FrejaSigner:
    # Generating an RSA key costs a tenth of a second; no test changes this one.
    return FrejaSigner.in_memory()


@pytest.fixture(scope="session")
def other_signer() -> FrejaSigner:
    return FrejaSigner.in_memory()


@dataclass
class Sim:
    simulators: Simulators
    base: str
    clock: Clock

    @property
    def bankid_url(self) -> str:
        return f"{self.base}{PREFIX}{BANKID_PATH}"

    @property
    def freja_url(self) -> str:
        return f"{self.base}{PREFIX}{FREJA_PATH}"

    @property
    def issuer(self) -> str:
        return f"{self.base}{PREFIX}{OIDC_PATH}"


@pytest.fixture
async def sim(freja_signer: FrejaSigner, clock: Clock) -> AsyncIterator[Sim]:
    """Every simulator on one free port; the OpenID provider accepts redirects under http://127.0.0.1/."""
    app = web.Application()
    # The issuer names the port, which is known only once listening: it is set then.
    oidc = OidcSimulator(
        "http://placeholder",
        RegisteredClient(CLIENT_ID, CLIENT_SECRET, "http://127.0.0.1:"),
        clock=clock,
    )
    simulators = Simulators(
        bankid=BankIdSimulator(clock=clock),
        freja=FrejaSimulator(freja_signer, clock=clock),
        oidc=oidc,
    )
    simulators.add_routes(app, PREFIX)
    running = await serve(app)
    oidc.issuer = f"{running.base}{PREFIX}{OIDC_PATH}"
    yield Sim(simulators, running.base, clock)
    await running.stop()


def bankid_client(url: str, **http: object) -> BankIdClient:
    return BankIdClient(url, ProviderHttp("BankID", **http))  # type: ignore[arg-type]


def freja_client(url: str, signer: FrejaSigner, **options: object) -> FrejaClient:
    return FrejaClient(url, ProviderHttp("Freja eID"), trusted_keys=signer.trusted_keys, **options)  # type: ignore[arg-type]


@pytest.fixture
async def bankid(sim: Sim) -> AsyncIterator[BankIdClient]:
    client = bankid_client(sim.bankid_url)
    yield client
    await client.close()


@pytest.fixture
async def freja(sim: Sim, freja_signer: FrejaSigner) -> AsyncIterator[FrejaClient]:
    client = freja_client(sim.freja_url, freja_signer)
    yield client
    await client.close()


@pytest.fixture
async def service(sim: Sim, freja_signer: FrejaSigner, clock: Clock) -> AsyncIterator[EidService]:
    eid = EidService(
        bankid_client=bankid_client(sim.bankid_url),
        freja_client=freja_client(sim.freja_url, freja_signer),
        clock=clock,
    )
    yield eid
    await eid.close()


def oidc_service(issuer: str, clock: Clock, **options: object) -> OidcService:
    settings: dict[str, object] = {
        "issuer": issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "clock": clock,
        "http": ProviderHttp("the SITHS identity provider"),
    }
    settings.update(options)
    return OidcService(**settings)  # type: ignore[arg-type]


@pytest.fixture
async def oidc(sim: Sim, clock: Clock) -> AsyncIterator[OidcService]:
    service = oidc_service(sim.issuer, clock)
    yield service
    await service.close()


def unused_url() -> str:
    """An address nothing listens on."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A CA, a server certificate for 127.0.0.1 and a client certificate it issued, as PEM files."""
    directory = tmp_path_factory.mktemp("tls")
    ca_key, ca_cert = _issue("Test BankID CA", None, ca=True)
    server_key, server_cert = _issue("127.0.0.1", (ca_key, ca_cert), server=True)
    client_key, client_cert = _issue("Sigill RP", (ca_key, ca_cert))
    files = {
        "ca": ca_cert,
        "server_cert": server_cert,
        "server_key": server_key,
        "client_cert": client_cert,
        "client_key": client_key,
    }
    paths = {}
    for name, pem in files.items():
        path = directory / f"{name}.pem"
        path.write_bytes(pem if isinstance(pem, bytes) else _pem(pem))
        paths[name] = str(path)
    return paths


def _issue(
    name: str, issuer: tuple[Any, Any] | None, *, ca: bool = False, server: bool = False
) -> tuple[Any, Any]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    signing_key, issuer_cert = issuer if issuer is not None else (key, None)
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject if issuer_cert is not None else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
    return key, builder.sign(signing_key, hashes.SHA256())


def _pem(value: Any) -> bytes:
    if isinstance(value, rsa.RSAPrivateKey):
        return value.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    pem: bytes = value.public_bytes(serialization.Encoding.PEM)
    return pem
