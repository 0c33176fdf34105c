"""E-identification wired from the settings: `EidService` (BankID, Freja eID) and `OidcService` (SITHS).

Development points every client at the built-in simulators under /dev/sim on this very server and trusts the
Freja simulator's certificate from the data directory; production points at the providers' real addresses with
the relying party's certificates, and offers only the providers it has a certificate (or an issuer) for. The
clients are the same in both modes: only addresses and trust differ.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Final

from crypto.certificates import CertificateError, trusted_signing_keys
from identity.eid import bankid, freja
from identity.eid.bankid import BankIdClient
from identity.eid.freja import FrejaClient
from identity.eid.http import ProviderHttp, client_tls
from identity.eid.oidc import OidcService
from identity.eid.service import EidService
from identity.simulators.freja import FrejaSigner
from identity.simulators.registry import BANKID_PATH, FREJA_PATH, OIDC_PATH
from sigill.config import ConfigError, ProviderTlsSettings, Settings

# Where the simulators are mounted: under the development routes.
SIMULATOR_PREFIX: Final = "/sim"
DEV_SIMULATOR_PATH: Final = "/dev" + SIMULATOR_PREFIX


def simulator_url(settings: Settings, path: str) -> str:
    return f"{settings.base_url}{DEV_SIMULATOR_PATH}{path}"


def freja_signer_file(settings: Settings) -> Path:
    """The Freja simulator's key and certificate (development only)."""
    return settings.data_dir / "dev-freja-signing.pem"


def oidc_issuer(settings: Settings) -> str:
    """The SITHS provider's issuer: the configured one, or in development the simulator's."""
    if settings.siths.issuer:
        return settings.siths.issuer.rstrip("/")
    return simulator_url(settings, OIDC_PATH) if settings.mode == "development" else ""


def build_eid_service(settings: Settings, clock: Callable[[], datetime]) -> EidService:
    """BankID and Freja eID as the settings say; raises ConfigError when a certificate file cannot be used."""
    development = settings.mode == "development"
    bankid_client = None
    if development or settings.bankid.configured:
        base = settings.bankid.base_url or (
            simulator_url(settings, BANKID_PATH) if development else bankid.PRODUCTION_URL
        )
        bankid_client = BankIdClient(base, ProviderHttp("BankID", tls=_tls("bankid", settings.bankid)))
    freja_client = None
    if development or settings.freja.configured:
        base = settings.freja.base_url or (
            simulator_url(settings, FREJA_PATH) if development else freja.PRODUCTION_URL
        )
        freja_client = FrejaClient(
            base,
            ProviderHttp("Freja eID", tls=_tls("freja", settings.freja)),
            trusted_keys=_freja_trust(settings),
            min_registration_level=settings.freja.min_registration_level,
        )
    return EidService(bankid_client=bankid_client, freja_client=freja_client, clock=clock)


def build_oidc_service(settings: Settings, clock: Callable[[], datetime]) -> OidcService | None:
    """SITHS sign-in, or None when no provider is configured (production without `siths.issuer`)."""
    issuer = oidc_issuer(settings)
    if not issuer:
        return None
    return OidcService(
        issuer=issuer,
        client_id=settings.siths.client_id,
        client_secret=settings.siths.client_secret,
        acr=settings.siths.acr,
        clock=clock,
        http=ProviderHttp("the SITHS identity provider"),
    )


def _tls(name: str, section: ProviderTlsSettings) -> ssl.SSLContext | None:
    try:
        return client_tls(section.client_cert, section.client_key, section.ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"{name}.client_cert: cannot use the certificate, key or CA file ({exc})") from None


def _freja_trust(settings: Settings) -> dict[str, bytes]:
    path = settings.freja.signing_certificate
    if not path:
        # Only development gets here without a certificate (production requires one).
        return FrejaSigner.open(freja_signer_file(settings)).trusted_keys
    try:
        return trusted_signing_keys(Path(path).read_bytes())
    except (OSError, CertificateError) as exc:
        raise ConfigError(f"freja.signing_certificate: cannot use {path} ({exc})") from None
