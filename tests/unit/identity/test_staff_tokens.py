"""Which staff tokens are let in, and what every refusal says, against a real JWKS endpoint on loopback."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from identity.dev_issuer import DevIssuer
from identity.errors import IdentityError, InvalidToken
from identity.staff_tokens import StaffIdentity, StaffTokenValidator
from tests.unit.identity.conftest import (
    AUDIENCE,
    CLIENT_ID,
    DEV_ISSUER_URL,
    ENTRA_TENANT,
    OTHER_TENANT,
    VASTERAS_TENANT,
    Clock,
    JwksServer,
    mint_dev,
    minted_claims,
    sign,
)


async def refused(validator: StaffTokenValidator, token: str) -> str:
    with pytest.raises(InvalidToken) as caught:
        await validator.validate(token)
    reason = str(caught.value)
    assert not token or token not in reason
    assert caught.value.code == "token_invalid"
    assert caught.value.message_sv
    return reason


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def test_a_development_token_gives_the_person_and_their_organisation(
    dev_validator: StaffTokenValidator, dev_issuer: DevIssuer
) -> None:
    identity = await dev_validator.validate(mint_dev(dev_issuer))
    assert identity == StaffIdentity(
        tenant_id=VASTERAS_TENANT,
        object_id="5d3c2b1a-0000-4000-8000-000000000001",
        org_id="org-vasteras",
        email="anna.andersson@vasteras.example",
        name="Anna Andersson",
    )


async def test_an_entra_token_is_checked_against_its_own_tenants_issuer(
    entra_validator: StaffTokenValidator, entra_issuer: DevIssuer
) -> None:
    token = mint_dev(entra_issuer, tenant_id=ENTRA_TENANT, audience=CLIENT_ID)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == f"https://login.microsoftonline.com/{ENTRA_TENANT}/v2.0"
    identity = await entra_validator.validate(token)
    assert identity.org_id == "org-region"
    assert identity.tenant_id == ENTRA_TENANT


async def test_upn_or_email_claim_stands_in_for_preferred_username(
    dev_validator: StaffTokenValidator, dev_issuer: DevIssuer, key_file: Path
) -> None:
    claims = minted_claims(dev_issuer)
    del claims["preferred_username"], claims["name"]
    claims["upn"] = "Bertil.Berg@Vasteras.Example"
    identity = await dev_validator.validate(sign(key_file, claims, kid=dev_issuer.key_id))
    assert identity.email == "bertil.berg@vasteras.example"
    assert identity.name == "bertil.berg@vasteras.example"


async def test_expired_token_is_refused_after_the_leeway(
    dev_validator: StaffTokenValidator, dev_issuer: DevIssuer, clock: Clock
) -> None:
    token = mint_dev(dev_issuer)
    clock.advance(hours=1, seconds=30)
    assert (await dev_validator.validate(token)).email == "anna.andersson@vasteras.example"
    clock.advance(seconds=31)
    assert await refused(dev_validator, token) == "token expired"


async def test_token_from_the_future_is_refused_until_its_time(
    dev_validator: StaffTokenValidator, dev_issuer: DevIssuer, clock: Clock
) -> None:
    clock.advance(minutes=5)
    token = mint_dev(dev_issuer)
    clock.advance(minutes=-5)
    assert await refused(dev_validator, token) == "token not yet valid"
    clock.advance(minutes=4)
    assert (await dev_validator.validate(token)).org_id == "org-vasteras"


async def test_token_for_another_audience_is_refused(
    dev_validator: StaffTokenValidator, dev_issuer: DevIssuer
) -> None:
    token = mint_dev(dev_issuer, audience="api://someone-else")
    assert await refused(dev_validator, token) == "token audience not accepted"


async def test_token_from_another_issuer_with_a_trusted_key_is_refused(
    dev_validator: StaffTokenValidator, key_file: Path, clock: Clock
) -> None:
    impostor = DevIssuer.open(key_file, issuer="http://127.0.0.1:9999/other", clock=clock)
    assert await refused(dev_validator, mint_dev(impostor)) == "token issuer not accepted"


async def test_entra_token_whose_issuer_names_another_tenant_is_refused(
    entra_validator: StaffTokenValidator, entra_issuer: DevIssuer, entra_key_file: Path
) -> None:
    # Signed by a trusted key for an allowed tenant, but the issuer is a different tenant's.
    claims = jwt.decode(
        mint_dev(entra_issuer, tenant_id=ENTRA_TENANT, audience=CLIENT_ID),
        options={"verify_signature": False},
    )
    claims["iss"] = f"https://login.microsoftonline.com/{OTHER_TENANT}/v2.0"
    forged = sign(entra_key_file, claims, kid=entra_issuer.key_id)
    assert await refused(entra_validator, forged) == "token issuer not accepted"


async def test_token_from_a_tenant_not_on_the_list_is_refused(
    entra_validator: StaffTokenValidator, entra_issuer: DevIssuer
) -> None:
    token = mint_dev(entra_issuer, tenant_id=OTHER_TENANT, audience=CLIENT_ID)
    assert await refused(entra_validator, token) == "tenant not allowed"


async def test_tampered_claims_or_signature_are_refused(
    dev_validator: StaffTokenValidator, dev_issuer: DevIssuer
) -> None:
    header, payload, signature = mint_dev(dev_issuer).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["preferred_username"] = "chef@vasteras.example"
    other_payload = b64(json.dumps(claims).encode())
    assert await refused(dev_validator, f"{header}.{other_payload}.{signature}") == "token signature invalid"
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    assert await refused(dev_validator, f"{header}.{payload}.{flipped}") == "token signature invalid"


async def test_unsigned_token_is_refused(dev_validator: StaffTokenValidator, dev_issuer: DevIssuer) -> None:
    claims = minted_claims(dev_issuer)
    header = b64(json.dumps({"alg": "none", "typ": "JWT", "kid": dev_issuer.key_id}).encode())
    token = f"{header}.{b64(json.dumps(claims).encode())}."
    assert await refused(dev_validator, token) == "token algorithm not accepted"


async def test_hs256_signed_with_the_public_key_is_refused(
    dev_validator: StaffTokenValidator, dev_issuer: DevIssuer
) -> None:
    # The classic key-confusion attack: an HMAC "signed" with the published RSA key as the secret.
    public = jwt.PyJWK(dev_issuer.jwks()["keys"][0]).key
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    for secret in (pem, json.dumps(dev_issuer.jwks()).encode()):
        header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": dev_issuer.key_id}).encode())
        body = b64(json.dumps(minted_claims(dev_issuer)).encode())
        mac = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
        assert await refused(dev_validator, f"{header}.{body}.{b64(mac)}") == "token algorithm not accepted"


async def test_rs256_header_over_an_hmac_signature_is_refused(
    dev_validator: StaffTokenValidator, dev_issuer: DevIssuer
) -> None:
    # Same attack with the header lying about the algorithm: the RSA check must fail, not fall back to HMAC.
    header = b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": dev_issuer.key_id}).encode())
    body = b64(json.dumps(minted_claims(dev_issuer)).encode())
    mac = hmac.new(json.dumps(dev_issuer.jwks()).encode(), f"{header}.{body}".encode(), hashlib.sha256)
    assert await refused(dev_validator, f"{header}.{body}.{b64(mac.digest())}") == "token signature invalid"


@pytest.mark.parametrize("claim", ["tid", "oid", "exp", "aud", "iss"])
async def test_token_without_a_required_claim_is_refused(
    dev_validator: StaffTokenValidator, dev_issuer: DevIssuer, key_file: Path, claim: str
) -> None:
    claims = minted_claims(dev_issuer)
    del claims[claim]
    assert await refused(dev_validator, sign(key_file, claims, kid=dev_issuer.key_id)) == (
        f"token lacks the {claim} claim"
    )


async def test_token_without_an_email_address_is_refused(
    dev_validator: StaffTokenValidator, dev_issuer: DevIssuer, key_file: Path
) -> None:
    claims = minted_claims(dev_issuer)
    claims["preferred_username"] = "anna"
    assert await refused(dev_validator, sign(key_file, claims, kid=dev_issuer.key_id)) == (
        "token has no e-mail address"
    )


@pytest.mark.parametrize("garbage", ["", "abc", "abc.def.ghi", "a" * 20_000, "e30.e30.e30"])
async def test_garbage_is_refused_as_malformed(dev_validator: StaffTokenValidator, garbage: str) -> None:
    reason = await refused(dev_validator, garbage)
    assert reason in {"malformed token", "token algorithm not accepted"}


async def test_refusal_carries_no_part_of_the_token_nor_the_library_error(
    dev_validator: StaffTokenValidator, dev_issuer: DevIssuer
) -> None:
    header, payload, _ = mint_dev(dev_issuer).split(".")
    token = f"{header}.{payload}.{b64(b'not a signature')}"
    with pytest.raises(IdentityError) as caught:
        await dev_validator.validate(token)
    assert payload not in repr(caught.value.args)
    # The PyJWT error is not chained, so a logged traceback cannot carry it either.
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


async def test_dev_validator_does_not_accept_development_tokens_for_unknown_organisations(
    jwks_server: JwksServer, dev_issuer: DevIssuer, clock: Clock
) -> None:
    jwks_server.serve(dev_issuer)
    validator = StaffTokenValidator(
        issuer_template=DEV_ISSUER_URL,
        jwks_url=jwks_server.url,
        audiences=[AUDIENCE],
        allowed_tenants={},
        clock=clock,
    )
    try:
        assert await refused(validator, mint_dev(dev_issuer)) == "tenant not allowed"
    finally:
        await validator.close()


async def test_a_validator_needs_an_audience(clock: Clock) -> None:
    with pytest.raises(ValueError):
        StaffTokenValidator(
            issuer_template=DEV_ISSUER_URL,
            jwks_url="http://127.0.0.1:1/keys",
            audiences=[],
            allowed_tenants={},
            clock=clock,
        )
