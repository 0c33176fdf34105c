"""The [entra] settings: the scope, the administrator role, the level rules, and https in production."""

from __future__ import annotations

import pytest

from sigill import config

PRODUCTION = {
    "SIGILL_MODE": "production",
    "SIGILL_PUBLIC_URL": "https://sigill.example.se",
    "SIGILL_ENTRA_TENANTS": '{ "72f988bf-86f1-41af-91ab-2d7cd011db47" = "vasteras.example" }',
    "SIGILL_ENTRA_AUDIENCES": '["api://sigill"]',
}


def test_production_with_entras_https_addresses_starts() -> None:
    settings = config.load(None, environ=PRODUCTION)
    assert settings.entra.jwks_url.startswith("https://")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("ISSUER_TEMPLATE", "http://login.example/{tid}/v2.0"),
        ("JWKS_URL", "http://login.example/keys"),
        ("JWKS_URL", "ftp://login.example/keys"),
    ],
)
def test_production_refuses_an_issuer_or_jwks_without_https(key: str, value: str) -> None:
    with pytest.raises(config.ConfigError) as caught:
        config.load(None, environ={**PRODUCTION, f"SIGILL_ENTRA_{key}": value})
    message = str(caught.value)
    assert message == f"entra.{key.lower()}: production needs an https:// address"
    assert "\n" not in message


def test_development_keeps_its_own_loopback_issuer() -> None:
    settings = config.load(None, environ={"SIGILL_ENTRA_JWKS_URL": "http://127.0.0.1:9/keys"})
    assert settings.mode == "development"


def test_the_token_policy_follows_the_settings() -> None:
    settings = config.load(
        None,
        environ={
            "SIGILL_ENTRA_SCOPE": "Messages.Send",
            "SIGILL_ENTRA_ADMIN_ROLE": "Kommun.Admin",
            "SIGILL_ENTRA_LOA3_AUTH_CONTEXTS": '["c5"]',
            "SIGILL_ENTRA_LOA3_AMR": '["x509"]',
        },
    )
    policy = settings.entra.token_policy(development=False)
    assert (policy.scope, policy.admin_role) == ("Messages.Send", "Kommun.Admin")
    assert policy.loa_rules.level({"acrs": ["c5"]}) == 3
    assert policy.loa_rules.level({"amr": ["x509"]}) == 3
    assert policy.loa_rules.level({"acrs": ["c1"]}) == 2


def test_development_binds_c1_to_loa3_unless_told_otherwise() -> None:
    entra = config.load(None, environ={}).entra
    assert entra.token_policy(development=True).loa_rules.auth_contexts_for(3) == ("c1",)
    assert entra.token_policy(development=False).loa_rules.auth_contexts_for(3) == ()


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"SIGILL_ENTRA_LOA3_AUTH_CONTEXTS": '["c0"]'}, "entra.loa3_auth_contexts.0:"),
        ({"SIGILL_ENTRA_LOA3_AUTH_CONTEXTS": '["urn:loa3"]'}, "entra.loa3_auth_contexts.0:"),
        ({"SIGILL_ENTRA_PLAIN_LOA": "3"}, "entra.plain_loa:"),
        ({"SIGILL_ENTRA_SCOPE": "two words"}, "entra.scope:"),
        ({"SIGILL_ENTRA_SCOPE": ""}, "entra.scope:"),
    ],
)
def test_bad_entra_values_name_their_key(environ: dict[str, str], expected: str) -> None:
    with pytest.raises(config.ConfigError, match=f"^{expected}"):
        config.load(None, environ=environ)
