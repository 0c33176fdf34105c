"""What a staff token must carry besides a good signature: the API's scope, a person, a bounded life, real times."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from identity.dev_issuer import DevIssuer
from identity.errors import InvalidToken
from identity.staff_loa import LoaRules
from identity.staff_tokens import StaffTokenValidator, TokenPolicy
from tests.unit.identity.conftest import (
    AUDIENCE,
    DEV_ISSUER_URL,
    TENANTS,
    Clock,
    JwksServer,
    mint_dev,
    minted_claims,
    sign,
)


async def reason(validator: StaffTokenValidator, token: str) -> str:
    with pytest.raises(InvalidToken) as caught:
        await validator.validate(token)
    return str(caught.value)


def signed(key_file: Path, issuer: DevIssuer, **changes: Any) -> str:
    """A development token with some claims changed (None removes one), signed by the trusted key."""
    claims = minted_claims(issuer)
    for name, value in changes.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return sign(key_file, claims, kid=issuer.key_id)


async def test_the_minted_token_passes_every_rule(
    dev_validator: StaffTokenValidator, dev_issuer: DevIssuer, key_file: Path
) -> None:
    # The baseline for the refusals below: only the changed claim makes them fail.
    identity = await dev_validator.validate(signed(key_file, dev_issuer))
    assert (identity.loa, identity.admin) == (2, False)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"scp": None}, "token lacks the scp claim"),
        ({"scp": ""}, "token lacks the scp claim"),
        ({"scp": ["access_as_user"]}, "token lacks the scp claim"),
        ({"scp": "User.Read Mail.Send"}, "token lacks the API's scope"),
        ({"scp": "access_as_user_extra"}, "token lacks the API's scope"),
        ({"idtyp": "app"}, "application tokens are not accepted"),
        ({"idtyp": "app", "scp": None, "roles": ["Sigill.Admin"]}, "application tokens are not accepted"),
    ],
)
async def test_only_delegated_tokens_with_the_apis_scope_are_accepted(
    dev_validator: StaffTokenValidator,
    dev_issuer: DevIssuer,
    key_file: Path,
    changes: dict[str, Any],
    expected: str,
) -> None:
    assert await reason(dev_validator, signed(key_file, dev_issuer, **changes)) == expected


async def test_the_scope_may_stand_among_others(
    dev_validator: StaffTokenValidator, dev_issuer: DevIssuer, key_file: Path
) -> None:
    token = signed(key_file, dev_issuer, scp="User.Read access_as_user", idtyp="user")
    assert (await dev_validator.validate(token)).email == "anna.andersson@vasteras.example"


async def test_the_scope_is_configurable(
    jwks_server: JwksServer, dev_issuer: DevIssuer, key_file: Path, clock: Clock
) -> None:
    jwks_server.serve(dev_issuer)
    validator = StaffTokenValidator(
        issuer_template=DEV_ISSUER_URL,
        jwks_url=jwks_server.url,
        audiences=[AUDIENCE],
        allowed_tenants=TENANTS,
        clock=clock,
        policy=TokenPolicy(scope="Messages.ReadWrite"),
    )
    try:
        assert await reason(validator, signed(key_file, dev_issuer)) == "token lacks the API's scope"
        accepted = await validator.validate(signed(key_file, dev_issuer, scp="Messages.ReadWrite"))
        assert accepted.org_id == "org-vasteras"
    finally:
        await validator.close()


async def test_a_token_without_iat_is_refused(
    dev_validator: StaffTokenValidator, dev_issuer: DevIssuer, key_file: Path
) -> None:
    assert await reason(dev_validator, signed(key_file, dev_issuer, iat=None)) == "token lacks the iat claim"


async def test_lifetime_is_capped_at_a_day(
    dev_validator: StaffTokenValidator, dev_issuer: DevIssuer, key_file: Path, clock: Clock
) -> None:
    now = int(clock().timestamp())
    day = 24 * 3600
    assert (await dev_validator.validate(signed(key_file, dev_issuer, iat=now, exp=now + day))).loa == 2
    too_long = signed(key_file, dev_issuer, iat=now, exp=now + day + 1)
    assert await reason(dev_validator, too_long) == "token lifetime not accepted"
    backwards = signed(key_file, dev_issuer, iat=now, exp=now - 1, nbf=None)
    clock.advance(seconds=-30)
    assert await reason(dev_validator, backwards) == "token lifetime not accepted"


async def test_a_token_issued_in_the_future_is_refused(
    dev_validator: StaffTokenValidator, dev_issuer: DevIssuer, key_file: Path, clock: Clock
) -> None:
    now = int(clock().timestamp())
    token = signed(key_file, dev_issuer, iat=now + 600, nbf=None, exp=now + 1200)
    assert await reason(dev_validator, token) == "token issued in the future"


def _raw_token(key_file: Path, issuer: DevIssuer, claim: str, raw_value: str) -> str:
    """A token whose payload holds `raw_value` as the claim's JSON text: PyJWT writes a float NaN as `NaN`."""
    specials = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}
    value = specials[raw_value] if raw_value in specials else json.loads(raw_value)
    token = signed(key_file, issuer, **{claim: value})
    payload = token.split(".")[1]
    assert raw_value.replace("1e400", "Infinity").strip('"') in _decoded(payload)
    return token


def _decoded(segment: str) -> str:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)).decode()


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
@pytest.mark.parametrize("raw_value", ["NaN", "Infinity", "-Infinity", "1e400", str(10**400), "true", '"1"'])
async def test_time_claims_must_be_finite_numbers(
    dev_validator: StaffTokenValidator, dev_issuer: DevIssuer, key_file: Path, claim: str, raw_value: str
) -> None:
    token = _raw_token(key_file, dev_issuer, claim, raw_value)
    assert await reason(dev_validator, token) == f"token has a malformed {claim} claim"


async def test_level_and_role_come_from_the_token(
    jwks_server: JwksServer, dev_issuer: DevIssuer, key_file: Path, clock: Clock
) -> None:
    jwks_server.serve(dev_issuer)
    validator = StaffTokenValidator(
        issuer_template=DEV_ISSUER_URL,
        jwks_url=jwks_server.url,
        audiences=[AUDIENCE],
        allowed_tenants=TENANTS,
        clock=clock,
        policy=TokenPolicy(admin_role="Org.Admin", loa_rules=LoaRules(loa3_auth_contexts=("c7",))),
    )
    try:
        plain = await validator.validate(signed(key_file, dev_issuer))
        stepped = await validator.validate(signed(key_file, dev_issuer, acrs=["c7"], roles=["Org.Admin"]))
        other_context = await validator.validate(signed(key_file, dev_issuer, acrs=["c1"]))
        other_role = await validator.validate(signed(key_file, dev_issuer, roles=["Sigill.Admin"]))
        password_only = await validator.validate(signed(key_file, dev_issuer, amr=["pwd"]))
    finally:
        await validator.close()
    assert (plain.loa, plain.admin) == (2, False)
    assert (stepped.loa, stepped.admin) == (3, True)
    assert other_context.loa == 2
    assert other_role.admin is False
    assert password_only.loa == 1


async def test_an_absurdly_long_object_id_is_refused(
    dev_validator: StaffTokenValidator, dev_issuer: DevIssuer, key_file: Path
) -> None:
    token = signed(key_file, dev_issuer, oid="x" * 5000)
    assert await reason(dev_validator, token) == "token has a malformed oid claim"


async def test_the_development_issuer_mints_what_the_rules_read(
    jwks_server: JwksServer, dev_issuer: DevIssuer, clock: Clock
) -> None:
    jwks_server.serve(dev_issuer)
    rules = LoaRules(loa3_auth_contexts=("c1",))
    validator = StaffTokenValidator(
        issuer_template=DEV_ISSUER_URL,
        jwks_url=jwks_server.url,
        audiences=[AUDIENCE],
        allowed_tenants=TENANTS,
        clock=clock,
        policy=TokenPolicy(loa_rules=rules),
    )
    try:
        levels = []
        for level in (1, 2, 3):
            claims = rules.claims_for(level)
            assert claims is not None
            token = mint_dev(dev_issuer, roles=["Sigill.Admin"], **claims)
            identity = await validator.validate(token)
            levels.append((identity.loa, identity.admin))
    finally:
        await validator.close()
    assert levels == [(1, True), (2, True), (3, True)]
