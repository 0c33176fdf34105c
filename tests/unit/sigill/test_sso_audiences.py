"""The audiences a staff token may name: [entra] audiences and the SSO app registration's URI and client id."""

from __future__ import annotations

import pytest

from sigill import config

APP_ID = "5a0c2f1e-7b3d-4e8a-9c6f-1d2e3f4a5b6c"
PRODUCTION = {
    "SIGILL_MODE": "production",
    "SIGILL_PUBLIC_URL": "https://sigill.vasteras.se",
    "SIGILL_ENTRA_TENANTS": '{ "72f988bf-86f1-41af-91ab-2d7cd011db47" = "vasteras.example" }',
}


def test_the_application_id_uri_defaults_to_the_public_host_and_the_app_id() -> None:
    settings = config.load(None, environ={**PRODUCTION, "SIGILL_TEAMS_SSO_APP_ID": APP_ID})
    assert settings.sso_resource == f"api://sigill.vasteras.se/{APP_ID}"
    assert settings.staff_token_audiences == [f"api://sigill.vasteras.se/{APP_ID}", APP_ID]


def test_a_configured_application_id_uri_and_entra_audiences_come_together_once() -> None:
    settings = config.load(
        None,
        environ={
            **PRODUCTION,
            "SIGILL_ENTRA_AUDIENCES": f'["api://sigill", "{APP_ID}"]',
            "SIGILL_TEAMS_SSO_APP_ID": APP_ID,
            "SIGILL_TEAMS_SSO_RESOURCE": f"api://sigill.vasteras.se/tab/{APP_ID}",
        },
    )
    assert settings.staff_token_audiences == [
        "api://sigill",
        APP_ID,
        f"api://sigill.vasteras.se/tab/{APP_ID}",
    ]


def test_development_names_its_port_in_the_uri_as_the_app_package_does() -> None:
    settings = config.load(None, environ={"SIGILL_PORT": "8123", "SIGILL_TEAMS_SSO_APP_ID": APP_ID})
    assert settings.sso_resource == f"api://127.0.0.1:8123/{APP_ID}"


def test_without_an_sso_registration_there_is_no_extra_audience() -> None:
    settings = config.load(None, environ={**PRODUCTION, "SIGILL_ENTRA_AUDIENCES": '["api://sigill"]'})
    assert (settings.sso_resource, settings.staff_token_audiences) == ("", ["api://sigill"])


def test_production_needs_some_audience() -> None:
    with pytest.raises(config.ConfigError) as caught:
        config.load(None, environ=PRODUCTION)
    assert "one tenant and one audience" in str(caught.value)
