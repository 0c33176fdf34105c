"""The development issuer: a key kept privately on disk, Entra-shaped tokens, and fixed tenant ids."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path

import jwt
import pytest

from identity.dev_issuer import DevIssuer, dev_tenant_id
from identity.errors import InvalidToken
from identity.staff_tokens import StaffTokenValidator
from sigill import demo
from tests.unit.identity.conftest import (
    AUDIENCE,
    DEV_ISSUER_URL,
    VASTERAS_TENANT,
    Clock,
    JwksServer,
    make_validator,
    mint_dev,
)


def test_the_key_file_is_created_readable_by_the_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "var" / "dev-issuer.pem"
    DevIssuer.open(path, issuer=DEV_ISSUER_URL)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert [p.name for p in path.parent.iterdir()] == ["dev-issuer.pem"]


async def test_tokens_survive_a_restart(tmp_path: Path, jwks_server: JwksServer, clock: Clock) -> None:
    path = tmp_path / "dev-issuer.pem"
    before = DevIssuer.open(path, issuer=DEV_ISSUER_URL, clock=clock)
    token = mint_dev(before)

    after = DevIssuer.open(path, issuer=DEV_ISSUER_URL, clock=clock)
    jwks_server.serve(after)
    validator = make_validator(jwks_server, clock, DEV_ISSUER_URL)
    try:
        assert after.key_id == before.key_id
        assert (await validator.validate(token)).email == "anna.andersson@vasteras.example"
    finally:
        await validator.close()


async def test_a_new_key_file_means_old_tokens_are_refused(
    tmp_path: Path, jwks_server: JwksServer, clock: Clock
) -> None:
    token = mint_dev(DevIssuer.in_memory(issuer=DEV_ISSUER_URL, clock=clock))
    jwks_server.serve(DevIssuer.open(tmp_path / "fresh.pem", issuer=DEV_ISSUER_URL, clock=clock))
    validator = make_validator(jwks_server, clock, DEV_ISSUER_URL)
    try:
        with pytest.raises(InvalidToken, match="unknown key"):
            await validator.validate(token)
    finally:
        await validator.close()


def test_tokens_have_the_shape_of_an_entra_v2_access_token(dev_issuer: DevIssuer, clock: Clock) -> None:
    token = dev_issuer.mint(
        "anna@vasteras.example",
        "Anna",
        VASTERAS_TENANT,
        "oid-1",
        AUDIENCE,
        lifetime=timedelta(minutes=10),
    )
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "RS256"
    assert header["kid"] == dev_issuer.key_id == dev_issuer.jwks()["keys"][0]["kid"]
    now = int(clock().timestamp())
    assert claims == {
        "iss": DEV_ISSUER_URL,
        "aud": AUDIENCE,
        "tid": VASTERAS_TENANT,
        "oid": "oid-1",
        "sub": "oid-1",
        "preferred_username": "anna@vasteras.example",
        "name": "Anna",
        "scp": "access_as_user",
        "ver": "2.0",
        "iat": now,
        "nbf": now,
        "exp": now + 600,
    }


def test_the_jwks_publishes_only_the_public_key(dev_issuer: DevIssuer) -> None:
    (key,) = dev_issuer.jwks()["keys"]
    assert set(key) == {"kty", "n", "e", "kid", "use", "alg"}
    assert (key["kty"], key["use"], key["alg"]) == ("RSA", "sig", "RS256")


def test_an_issuer_template_puts_the_tenant_in_iss(clock: Clock) -> None:
    issuer = DevIssuer.in_memory(issuer="https://login.microsoftonline.com/{tid}/v2.0", clock=clock)
    claims = jwt.decode(mint_dev(issuer), options={"verify_signature": False})
    assert claims["iss"] == f"https://login.microsoftonline.com/{VASTERAS_TENANT}/v2.0"


def test_a_public_key_cannot_make_an_issuer(dev_issuer: DevIssuer) -> None:
    public = jwt.PyJWK(dev_issuer.jwks()["keys"][0]).key
    from cryptography.hazmat.primitives import serialization

    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    with pytest.raises(ValueError, match="private key"):
        DevIssuer(pem, issuer=DEV_ISSUER_URL)


def test_dev_tenant_ids_are_fixed_per_domain_and_match_the_demo_data() -> None:
    assert dev_tenant_id("vasteras.example") == dev_tenant_id(" Vasteras.Example ")
    assert dev_tenant_id("vasteras.example") != dev_tenant_id("regiongavleborg.example")
    # The demo organisations are registered under these tenant ids; the two must never drift apart.
    assert dev_tenant_id("vasteras.example") == demo.dev_tenant_id("vasteras.example")


async def test_the_validator_fetches_the_dev_jwks_over_http_like_entras(
    jwks_server: JwksServer, dev_issuer: DevIssuer, clock: Clock
) -> None:
    jwks_server.serve(dev_issuer)
    validator = StaffTokenValidator(
        issuer_template=dev_issuer.issuer,
        jwks_url=jwks_server.url,
        audiences=[AUDIENCE],
        allowed_tenants={dev_tenant_id("vasteras.example"): "org-vasteras"},
        clock=clock,
    )
    try:
        identity = await validator.validate(mint_dev(dev_issuer))
    finally:
        await validator.close()
    assert (identity.org_id, jwks_server.requests) == ("org-vasteras", 1)
