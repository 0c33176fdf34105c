"""Configuration chooses the endpoints: the simulators in development, the real providers in production."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from identity.eid.service import EidMethod
from identity.simulators.freja import FrejaSigner
from sigill import config, eid
from tests.unit.identity.conftest import Clock

PRODUCTION = {
    "SIGILL_MODE": "production",
    "SIGILL_PUBLIC_URL": "https://sigill.example.se",
    "SIGILL_ENTRA_TENANTS": '{ "t1" = "vasteras.example" }',
    "SIGILL_ENTRA_AUDIENCES": '["api://sigill"]',
}


def _settings(tmp_path: Path, environ: dict[str, str] | None = None, **overrides: Any) -> config.Settings:
    return config.load(
        None, environ=environ or {}, overrides={"data_dir": tmp_path, "port": 8123, **overrides}
    )


async def test_development_points_every_client_at_the_simulators(tmp_path: Path, clock: Clock) -> None:
    settings = _settings(tmp_path)
    service = eid.build_eid_service(settings, clock)
    oidc = eid.build_oidc_service(settings, clock)
    assert service.offers(EidMethod.BANKID) and service.offers(EidMethod.FREJA)
    assert oidc is not None
    assert oidc.issuer == "http://127.0.0.1:8123/dev/sim/oidc"
    assert eid.simulator_url(settings, "/bankid/rp/v6.0") == "http://127.0.0.1:8123/dev/sim/bankid/rp/v6.0"
    # The Freja client trusts exactly the simulator's certificate, kept in the data directory.
    signer = FrejaSigner.open(eid.freja_signer_file(settings))
    assert (tmp_path / "dev-freja-signing.pem").exists()
    assert signer.trusted_keys == eid._freja_trust(settings)
    await service.close()
    await oidc.close()


async def test_production_offers_only_configured_providers(tmp_path: Path, clock: Clock) -> None:
    settings = _settings(tmp_path, PRODUCTION)
    service = eid.build_eid_service(settings, clock)
    assert not service.offers(EidMethod.BANKID) and not service.offers(EidMethod.FREJA)
    assert eid.build_oidc_service(settings, clock) is None
    assert not (tmp_path / "dev-freja-signing.pem").exists()


async def test_production_with_certificates_uses_them(
    tmp_path: Path, clock: Clock, tls_files: dict[str, str]
) -> None:
    signer = FrejaSigner.in_memory()
    freja_certificate = tmp_path / "freja-signing.pem"
    freja_certificate.write_bytes(signer.certificate_pem)
    tls = {
        "client_cert": tls_files["client_cert"],
        "client_key": tls_files["client_key"],
        "ca_file": tls_files["ca"],
    }
    settings = _settings(
        tmp_path,
        PRODUCTION,
        bankid=tls,
        freja={**tls, "signing_certificate": str(freja_certificate)},
        siths={"issuer": "https://idp.example.se/oidc", "client_id": "sigill", "client_secret": "s"},
    )
    service = eid.build_eid_service(settings, clock)
    oidc = eid.build_oidc_service(settings, clock)
    assert service.offers(EidMethod.BANKID) and service.offers(EidMethod.FREJA)
    assert oidc is not None and oidc.issuer == "https://idp.example.se/oidc"
    await service.close()
    await oidc.close()


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"SIGILL_BANKID_CLIENT_CERT": "/etc/rp.pem"},
            "bankid: client_key: a client certificate needs its key",
        ),
        ({"SIGILL_FREJA_BASE_URL": "ftp://freja"}, "freja: base_url: give an http(s):// address"),
        ({"SIGILL_FREJA_MIN_REGISTRATION_LEVEL": "BASIC"}, "freja.min_registration_level:"),
        ({"SIGILL_SITHS_ACR": "http://id.elegnamnden.se/loa/1.0/loa2"}, "siths.acr:"),
        (
            {
                **PRODUCTION,
                "SIGILL_BANKID_CLIENT_CERT": "a",
                "SIGILL_BANKID_CLIENT_KEY": "b",
                "SIGILL_BANKID_BASE_URL": "http://x",
            },
            "bankid.base_url: production needs an https:// address",
        ),
        (
            {**PRODUCTION, "SIGILL_FREJA_CLIENT_CERT": "a", "SIGILL_FREJA_CLIENT_KEY": "b"},
            "freja.signing_certificate: production needs Freja's signing certificate",
        ),
        (
            {**PRODUCTION, "SIGILL_SITHS_ISSUER": "http://idp.example"},
            "siths.issuer: production needs an https://",
        ),
    ],
)
def test_bad_provider_settings_name_their_key(environ: dict[str, str], message: str) -> None:
    with pytest.raises(config.ConfigError) as caught:
        config.load(None, environ=environ)
    assert str(caught.value).startswith(message)


def test_unreadable_certificate_files_stop_the_start(tmp_path: Path, clock: Clock) -> None:
    settings = _settings(tmp_path, bankid={"client_cert": str(tmp_path / "missing.pem"), "client_key": "k"})
    with pytest.raises(config.ConfigError, match=r"bankid\.client_cert: cannot use"):
        eid.build_eid_service(settings, clock)
    not_a_certificate = tmp_path / "freja.pem"
    not_a_certificate.write_text("hello")
    settings = _settings(tmp_path, freja={"signing_certificate": str(not_a_certificate)})
    with pytest.raises(config.ConfigError, match=r"freja\.signing_certificate: cannot use"):
        eid.build_eid_service(settings, clock)
