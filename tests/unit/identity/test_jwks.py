"""Signing keys over HTTP: key rollover, floods of made-up key ids, and an issuer whose endpoint is down."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from identity.dev_issuer import DevIssuer
from identity.errors import InvalidToken
from identity.staff_tokens import StaffTokenValidator
from tests.unit.identity.conftest import (
    DEV_ISSUER_URL,
    Clock,
    JwksServer,
    make_validator,
    mint_dev,
    minted_claims,
    sign,
)


async def test_keys_are_fetched_once_and_reused(
    dev_validator: StaffTokenValidator, dev_issuer: DevIssuer, jwks_server: JwksServer
) -> None:
    for _ in range(20):
        await dev_validator.validate(mint_dev(dev_issuer))
    assert jwks_server.requests == 1


async def test_keys_are_refetched_when_the_cache_expires(
    dev_validator: StaffTokenValidator, dev_issuer: DevIssuer, jwks_server: JwksServer, clock: Clock
) -> None:
    await dev_validator.validate(mint_dev(dev_issuer))
    clock.advance(minutes=59)
    await dev_validator.validate(mint_dev(dev_issuer))
    assert jwks_server.requests == 1
    clock.advance(minutes=2)
    await dev_validator.validate(mint_dev(dev_issuer))
    assert jwks_server.requests == 2


async def test_key_rollover_is_picked_up_without_a_restart(
    dev_validator: StaffTokenValidator,
    dev_issuer: DevIssuer,
    jwks_server: JwksServer,
    clock: Clock,
    tmp_path: Path,
) -> None:
    old_token = mint_dev(dev_issuer)
    await dev_validator.validate(old_token)
    clock.advance(minutes=5)
    rolled = DevIssuer.open(tmp_path / "next.pem", issuer=DEV_ISSUER_URL, clock=clock)
    assert rolled.key_id != dev_issuer.key_id
    jwks_server.serve(rolled)

    identity = await dev_validator.validate(mint_dev(rolled))

    assert identity.email == "anna.andersson@vasteras.example"
    assert jwks_server.requests == 2
    # The old key left the document, so tokens signed with it stop working.
    with pytest.raises(InvalidToken, match="unknown key"):
        await dev_validator.validate(mint_dev(dev_issuer))


async def test_unknown_kid_refetches_at_most_once_a_minute(
    dev_validator: StaffTokenValidator,
    dev_issuer: DevIssuer,
    jwks_server: JwksServer,
    clock: Clock,
    tmp_path: Path,
) -> None:
    await dev_validator.validate(mint_dev(dev_issuer))
    rolled = DevIssuer.open(tmp_path / "next.pem", issuer=DEV_ISSUER_URL, clock=clock)
    jwks_server.serve(dev_issuer, rolled)
    clock.advance(seconds=30)
    # Half a minute after the last fetch, a new kid does not yet trigger one...
    with pytest.raises(InvalidToken, match="unknown key"):
        await dev_validator.validate(mint_dev(rolled))
    assert jwks_server.requests == 1
    clock.advance(seconds=31)
    # ...a minute after it, it does.
    await dev_validator.validate(mint_dev(rolled))
    assert jwks_server.requests == 2


async def test_a_flood_of_unknown_kids_costs_at_most_one_fetch(
    dev_validator: StaffTokenValidator,
    dev_issuer: DevIssuer,
    jwks_server: JwksServer,
    clock: Clock,
    key_file: Path,
) -> None:
    await dev_validator.validate(mint_dev(dev_issuer))
    clock.advance(minutes=2)
    claims = minted_claims(dev_issuer)
    bogus = [sign(key_file, claims, kid=f"bogus-{n}") for n in range(100)]

    at_once = await asyncio.gather(*(dev_validator.validate(t) for t in bogus), return_exceptions=True)
    for token in bogus:
        with pytest.raises(InvalidToken):
            await dev_validator.validate(token)

    assert all(isinstance(result, InvalidToken) for result in at_once)
    assert jwks_server.requests == 2  # the first fetch, and one for the whole flood
    # Real tokens kept working throughout.
    assert (await dev_validator.validate(mint_dev(dev_issuer))).org_id == "org-vasteras"


async def test_endpoint_down_refuses_unknown_keys_but_cached_keys_keep_working(
    dev_validator: StaffTokenValidator,
    dev_issuer: DevIssuer,
    jwks_server: JwksServer,
    clock: Clock,
    tmp_path: Path,
) -> None:
    await dev_validator.validate(mint_dev(dev_issuer))
    await jwks_server.stop()
    clock.advance(hours=2)  # the cache is stale and the refresh fails

    assert (await dev_validator.validate(mint_dev(dev_issuer))).org_id == "org-vasteras"
    stranger = DevIssuer.open(tmp_path / "stranger.pem", issuer=DEV_ISSUER_URL, clock=clock)
    clock.advance(minutes=2)
    with pytest.raises(InvalidToken, match="unknown key"):
        await dev_validator.validate(mint_dev(stranger))


async def test_endpoint_down_before_the_first_fetch_refuses_tokens(
    jwks_server: JwksServer, dev_issuer: DevIssuer, clock: Clock
) -> None:
    await jwks_server.stop()
    validator = make_validator(jwks_server, clock, DEV_ISSUER_URL)
    try:
        with pytest.raises(InvalidToken, match="signing keys are unavailable"):
            await validator.validate(mint_dev(dev_issuer))
    finally:
        await validator.close()


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (503, b'{"error": "unavailable"}'),
        (200, b"<html>not json</html>"),
        (200, b'{"keys": "none"}'),
        (200, json.dumps({"keys": [{"kty": "oct", "kid": "k", "k": "c2VjcmV0"}]}).encode()),
        (200, b"{" + b" " * (600 * 1024) + b"}"),
    ],
    ids=["http-503", "not-json", "no-key-list", "only-hmac-keys", "too-large"],
)
async def test_a_broken_endpoint_means_refused_tokens_and_a_pause_before_retrying(
    jwks_server: JwksServer, dev_issuer: DevIssuer, clock: Clock, status: int, body: bytes
) -> None:
    jwks_server.status, jwks_server.body = status, body
    validator = make_validator(jwks_server, clock, DEV_ISSUER_URL)
    try:
        for _ in range(30):
            with pytest.raises(InvalidToken, match="signing keys are unavailable"):
                await validator.validate(mint_dev(dev_issuer))
        assert jwks_server.requests == 1
        # Once the endpoint recovers, the next attempt after the back-off succeeds.
        jwks_server.status, jwks_server.body = 200, None
        jwks_server.serve(dev_issuer)
        clock.advance(seconds=11)
        assert (await validator.validate(mint_dev(dev_issuer))).org_id == "org-vasteras"
        assert jwks_server.requests == 2
    finally:
        await validator.close()


async def test_keys_meant_for_other_algorithms_are_not_trusted(
    jwks_server: JwksServer, dev_issuer: DevIssuer, clock: Clock
) -> None:
    # The right RSA key, but published for encryption or for another algorithm: not a signing key.
    base = dev_issuer.jwks()["keys"][0]
    jwks_server.document = {"keys": [{**base, "use": "enc"}, {**base, "kid": "x", "alg": "RS512"}]}
    validator = make_validator(jwks_server, clock, DEV_ISSUER_URL)
    try:
        with pytest.raises(InvalidToken, match="signing keys are unavailable"):
            await validator.validate(mint_dev(dev_issuer))
    finally:
        await validator.close()


async def test_a_session_passed_in_is_used_and_left_open(
    jwks_server: JwksServer, dev_issuer: DevIssuer, clock: Clock
) -> None:
    import aiohttp

    jwks_server.serve(dev_issuer)
    async with aiohttp.ClientSession() as http:
        validator = StaffTokenValidator(
            issuer_template=DEV_ISSUER_URL,
            jwks_url=jwks_server.url,
            audiences=["api://sigill-test"],
            allowed_tenants={mint_tenant(dev_issuer): "org"},
            clock=clock,
            http=http,
        )
        assert (await validator.validate(mint_dev(dev_issuer))).org_id == "org"
        await validator.close()
        assert not http.closed


def mint_tenant(issuer: DevIssuer) -> str:
    tenant: str = minted_claims(issuer)["tid"]
    return tenant
