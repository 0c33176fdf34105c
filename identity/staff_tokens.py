"""Staff sign-in: validating the `Authorization: Bearer` token of every staff request.

Tokens are Microsoft Entra ID v2 access tokens (in development: tokens of the same shape from `dev_issuer`).
A token is accepted only if all of these hold:

- it is signed with RS256 by a key in the issuer's JWKS (no other algorithm, whatever the header says);
- `aud` is one of the configured audiences (the app id URI and/or the client id);
- `exp` has not passed and `nbf` has come, give or take `leeway`, by the injected clock;
- `tid` is a tenant on the allow-list, which also says which organisation the person belongs to;
- `iss` is the issuer template with that `tid` filled in (Entra: `https://login.microsoftonline.com/{tid}/v2.0`;
  a template without `{tid}`, as in development, is a fixed issuer);
- `oid` is present, and so is an e-mail-like name (`preferred_username`, `upn` or `email`);
- it is a delegated token (a person signed in): `scp` names the API's scope, and `idtyp` is not `app`;
- `iat` is present, not in the future, and `exp - iat` is at most the policy's lifetime (24 h): a stolen token
  that never expires is not accepted whoever signed it. Time claims are finite numbers (JSON allows NaN).

The level of assurance comes from the `acrs` and `amr` claims by the policy's `LoaRules` (`staff_loa`); an
administrator is a person with the policy's app role in `roles`.

Every refusal is an `InvalidToken` whose message is a short reason; the token itself is never in it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

import aiohttp
import jwt

from identity.addresses import canonical_address
from identity.errors import InvalidToken
from identity.jwks import SIGNING_ALGORITHM, JwksCache
from identity.staff_loa import LoaRules

TENANT_PLACEHOLDER: Final = "{tid}"
# The delegated permission a client asks for on Sigill's app registration (`api://.../access_as_user`).
DEFAULT_SCOPE: Final = "access_as_user"
DEFAULT_ADMIN_ROLE: Final = "Sigill.Admin"
# Entra access tokens live 60-90 minutes; a day is generous and still bounds a stolen token.
MAX_LIFETIME: Final = timedelta(hours=24)
# 9999-12-31T23:59:59Z: later times are not times, and bigger integers would overflow a float.
_LAST_TIME: Final = 253_402_300_799

# Entra tokens are 1-3 kB; a cap keeps absurd headers from costing parse time.
_MAX_TOKEN_CHARS: Final = 16 * 1024
_MAX_KID_CHARS: Final = 256
_MAX_ID_CHARS: Final = 128
_MAX_NAME_CHARS: Final = 256
_MAX_EMAIL_CHARS: Final = 254
_EMAIL_CLAIMS: Final = ("preferred_username", "upn", "email")
# Time claims are checked here with the injected clock, so PyJWT's own (wall-clock) checks are off.
_DECODE_OPTIONS: Final[Any] = {
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iat": False,
    "verify_iss": False,
    "require": ["exp", "iat", "aud", "iss", "tid", "oid"],
}


@dataclass(frozen=True, slots=True)
class TokenPolicy:
    """What a token must carry beyond a valid signature, and how its claims are read."""

    scope: str = DEFAULT_SCOPE
    admin_role: str = DEFAULT_ADMIN_ROLE
    loa_rules: LoaRules = field(default_factory=LoaRules)
    max_lifetime: timedelta = MAX_LIFETIME


@dataclass(frozen=True, slots=True)
class StaffIdentity:
    """Who a valid staff token says the caller is."""

    tenant_id: str
    object_id: str
    org_id: str
    email: str
    name: str
    # The level of assurance of this sign-in, by the policy's rules.
    loa: int = 2
    # Whether the person holds the administrator app role.
    admin: bool = False


class StaffTokenValidator:
    """Validates staff tokens against one issuer; see the module docstring for the rules."""

    def __init__(
        self,
        *,
        issuer_template: str,
        jwks_url: str,
        audiences: Sequence[str],
        allowed_tenants: Mapping[str, str],
        clock: Callable[[], datetime],
        http: aiohttp.ClientSession | None = None,
        leeway: timedelta = timedelta(seconds=60),
        jwks_ttl: timedelta = timedelta(hours=1),
        jwks_refetch_interval: timedelta = timedelta(minutes=1),
        policy: TokenPolicy = TokenPolicy(),
    ) -> None:
        if not audiences:
            raise ValueError("at least one audience is needed")
        if not policy.scope.strip():
            raise ValueError("a scope is needed")
        self.policy = policy
        self._issuer_template = issuer_template
        self._audiences = list(audiences)
        # Tenant ids are GUIDs; compared in lower case as Entra writes them.
        self._tenants = {tenant.lower(): org for tenant, org in allowed_tenants.items()}
        self._clock = clock
        self._leeway_s = leeway.total_seconds()
        self._jwks = JwksCache(
            jwks_url, clock=clock, http=http, ttl=jwks_ttl, refetch_interval=jwks_refetch_interval
        )

    async def validate(self, token: str) -> StaffIdentity:
        """The identity in `token`, or InvalidToken with a reason safe to show."""
        kid = _key_id(token)
        key = await self._jwks.key(kid)
        claims = self._verified_claims(token, key)
        self._check_times(claims)
        tenant_id = _string_claim(claims, "tid").lower()
        org_id = self._tenants.get(tenant_id)
        if org_id is None:
            raise InvalidToken("tenant not allowed")
        if claims["iss"] != self.issuer_for(tenant_id):
            raise InvalidToken("token issuer not accepted")
        self._check_delegated(claims)
        email = _email(claims)
        name = claims.get("name")
        return StaffIdentity(
            tenant_id=tenant_id,
            object_id=_string_claim(claims, "oid"),
            org_id=org_id,
            email=email,
            name=name.strip()[:_MAX_NAME_CHARS] if isinstance(name, str) and name.strip() else email,
            loa=self.policy.loa_rules.level(claims),
            admin=self.policy.admin_role in _string_list(claims.get("roles")),
        )

    def issuer_for(self, tenant_id: str) -> str:
        return self._issuer_template.replace(TENANT_PLACEHOLDER, tenant_id)

    async def close(self) -> None:
        await self._jwks.close()

    def _verified_claims(self, token: str, key: Any) -> dict[str, Any]:
        try:
            return jwt.decode(
                token,
                key,
                algorithms=[SIGNING_ALGORITHM],
                audience=self._audiences,
                options=_DECODE_OPTIONS,
            )
        except jwt.InvalidSignatureError:
            raise InvalidToken("token signature invalid") from None
        except (jwt.InvalidAudienceError, jwt.MissingRequiredClaimError) as exc:
            raise InvalidToken(_short_reason(exc)) from None
        except jwt.PyJWTError:
            raise InvalidToken("malformed token") from None

    def _check_times(self, claims: Mapping[str, Any]) -> None:
        now = self._clock().timestamp()
        expires = _number_claim(claims, "exp")
        issued = _number_claim(claims, "iat")
        if now > expires + self._leeway_s:
            raise InvalidToken("token expired")
        if "nbf" in claims and now + self._leeway_s < _number_claim(claims, "nbf"):
            raise InvalidToken("token not yet valid")
        if now + self._leeway_s < issued:
            raise InvalidToken("token issued in the future")
        if not 0 < expires - issued <= self.policy.max_lifetime.total_seconds():
            raise InvalidToken("token lifetime not accepted")

    def _check_delegated(self, claims: Mapping[str, Any]) -> None:
        """Only a person's token: an application's own token (client credentials) has roles but no scp."""
        if claims.get("idtyp") == "app":
            raise InvalidToken("application tokens are not accepted")
        scopes = claims.get("scp")
        if not isinstance(scopes, str) or not scopes.strip():
            raise InvalidToken("token lacks the scp claim")
        if self.policy.scope not in scopes.split():
            raise InvalidToken("token lacks the API's scope")


def _key_id(token: str) -> str:
    """The header's kid, after refusing anything but RS256 (so `none` or HS256 never reach a key)."""
    if not token or len(token) > _MAX_TOKEN_CHARS:
        raise InvalidToken("malformed token")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise InvalidToken("malformed token") from None
    if header.get("alg") != SIGNING_ALGORITHM:
        raise InvalidToken("token algorithm not accepted")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid or len(kid) > _MAX_KID_CHARS:
        raise InvalidToken("token has no usable key id")
    return kid


def _string_claim(claims: Mapping[str, Any], name: str) -> str:
    value = claims.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InvalidToken(f"token lacks the {name} claim")
    # Ids are GUIDs; a long value is not one, and it would be carried into the audit trail.
    if len(value) > _MAX_ID_CHARS:
        raise InvalidToken(f"token has a malformed {name} claim")
    return value.strip()


def _number_claim(claims: Mapping[str, Any], name: str) -> float:
    """A time claim: a finite number of seconds (never a bool, NaN, an infinity or an absurd integer)."""
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidToken(f"token has a malformed {name} claim")
    # Integers are compared before any conversion: float(10**400) would raise.
    if (isinstance(value, float) and not math.isfinite(value)) or not 0 <= value <= _LAST_TIME:
        raise InvalidToken(f"token has a malformed {name} claim")
    return float(value)


def _string_list(value: Any) -> set[str]:
    return {item for item in value if isinstance(item, str)} if isinstance(value, list) else set()


def _email(claims: Mapping[str, Any]) -> str:
    for name in _EMAIL_CLAIMS:
        value = claims.get(name)
        if isinstance(value, str) and "@" in value.strip() and len(value.strip()) <= _MAX_EMAIL_CHARS:
            return canonical_address(value)
    raise InvalidToken("token has no e-mail address")


def _short_reason(exc: jwt.PyJWTError) -> str:
    if isinstance(exc, jwt.InvalidAudienceError):
        return "token audience not accepted"
    if isinstance(exc, jwt.MissingRequiredClaimError):
        # The claim's name is fixed by us (see _DECODE_OPTIONS), never taken from the token.
        return f"token lacks the {exc.claim} claim"
    return "malformed token"
