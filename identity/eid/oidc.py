"""SITHS through an OpenID Connect provider: authorization code with PKCE, and a strictly checked ID token.

The person's browser is sent to the provider's authorization endpoint with a fresh `state` (ties the answer to
this browser session), `nonce` (ties the ID token to it) and PKCE S256 challenge (ties the code to the verifier
only we hold), asking for `acr_values=http://id.elegnamnden.se/loa/1.0/loa3`. The provider sends the browser
back with a code, which is exchanged at the token endpoint. The ID token is accepted only if all of these hold:

- it is signed with RS256 by a key in the provider's JWKS (no other algorithm, whatever the header says);
- `iss` is the configured issuer, which is also the discovery document's issuer;
- `aud` contains the client id (and `azp`, when there are several audiences, is the client id);
- `exp` has not passed and `iat` is not in the future, give or take `leeway`, by the injected clock;
- `nonce` equals the one sent, and `acr` is the requested level or a higher one;
- it has an `email` claim.

The endpoints come from the provider's discovery document (`/.well-known/openid-configuration`), fetched once an
hour. Every refusal is an `UntrustedEidResult` whose message is a short reason and never the token.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final
from urllib.parse import quote, urlencode

import jwt

from identity.addresses import canonical_address
from identity.eid.http import ProviderHttp
from identity.errors import EidRejected, EidUnavailable, InvalidToken, UntrustedEidResult
from identity.jwks import SIGNING_ALGORITHM, JwksCache

log = logging.getLogger(__name__)

LOA2: Final = "http://id.elegnamnden.se/loa/1.0/loa2"
LOA3: Final = "http://id.elegnamnden.se/loa/1.0/loa3"
LOA4: Final = "http://id.elegnamnden.se/loa/1.0/loa4"
# The Swedish assurance levels in ascending order: an ID token at a higher level than asked for is accepted.
LOA_ORDER: Final = (LOA2, LOA3, LOA4)

_DISCOVERY_TTL: Final = timedelta(hours=1)
_REQUIRED_CLAIMS: Final = ["iss", "aud", "exp", "iat", "sub", "nonce"]
# Time claims are checked with the injected clock, so PyJWT's own (wall-clock) checks are off.
_DECODE_OPTIONS: Final[Any] = {
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iat": False,
    "require": _REQUIRED_CLAIMS,
}
_MAX_TOKEN_CHARS: Final = 16 * 1024


@dataclass(frozen=True, slots=True)
class OidcStart:
    """A sign-in under way: the URL to send the browser to, and what only the server may know about it.

    The caller keeps this on the server side of the person's session (`to_record` / `from_record`) until the
    browser returns. `state` and `nonce` travel in `url`; the code verifier never leaves the server (the URL
    carries only its hash). None of them appears in a repr.
    """

    url: str = field(repr=False)
    redirect_uri: str
    state: str = field(repr=False)
    nonce: str = field(repr=False)
    code_verifier: str = field(repr=False)

    def to_record(self) -> dict[str, str]:
        return {
            "url": self.url,
            "redirect_uri": self.redirect_uri,
            "state": self.state,
            "nonce": self.nonce,
            "code_verifier": self.code_verifier,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> OidcStart:
        try:
            values = {
                name: record[name] for name in ("url", "redirect_uri", "state", "nonce", "code_verifier")
            }
        except KeyError:
            raise ValueError("not a sign-in record") from None
        if not all(isinstance(value, str) and value for value in values.values()):
            raise ValueError("not a sign-in record")
        return cls(**values)


@dataclass(frozen=True, slots=True)
class OidcIdentity:
    """Who the provider signed in: the e-mail claim (lower case), the name, the subject and the level."""

    email: str
    name: str
    subject: str
    acr: str


def pkce_challenge(verifier: str) -> str:
    """The S256 code challenge of a PKCE code verifier (RFC 7636 §4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True, slots=True)
class _Discovery:
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


class OidcService:
    """Sign-in with SITHS through the OpenID provider `issuer`, as the client `client_id`."""

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        client_secret: str = "",
        acr: str = LOA3,
        scopes: Sequence[str] = ("openid", "email", "profile"),
        clock: Callable[[], datetime],
        http: ProviderHttp,
        leeway: timedelta = timedelta(seconds=60),
        random_token: Callable[[int], str] = secrets.token_urlsafe,
    ) -> None:
        if acr not in LOA_ORDER:
            raise ValueError(f"unknown assurance level {acr!r}")
        self.issuer = issuer.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self._acr = acr
        self._accepted_acr = frozenset(LOA_ORDER[LOA_ORDER.index(acr) :])
        self._scopes = " ".join(scopes)
        self._clock = clock
        self._http = http
        self._leeway_s = leeway.total_seconds()
        self._random_token = random_token
        self._discovery: _Discovery | None = None
        self._discovered_at: datetime | None = None
        self._jwks: JwksCache | None = None
        self._lock = asyncio.Lock()

    async def authorization_url(self, redirect_uri: str) -> OidcStart:
        """Begin a sign-in that returns to `redirect_uri`: the URL for the browser and the secrets to keep."""
        discovery = await self._discovered()
        state, nonce, verifier = self._random_token(32), self._random_token(32), self._random_token(48)
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self._client_id,
                "redirect_uri": redirect_uri,
                "scope": self._scopes,
                "state": state,
                "nonce": nonce,
                "code_challenge": pkce_challenge(verifier),
                "code_challenge_method": "S256",
                "acr_values": self._acr,
            },
            quote_via=quote,
        )
        separator = "&" if "?" in discovery.authorization_endpoint else "?"
        url = f"{discovery.authorization_endpoint}{separator}{query}"
        return OidcStart(url=url, redirect_uri=redirect_uri, state=state, nonce=nonce, code_verifier=verifier)

    async def complete(self, start: OidcStart, *, code: str, state: str) -> OidcIdentity:
        """Finish the sign-in the browser returned from with `code` and `state`; the checked identity."""
        if not state or not hmac.compare_digest(state.encode(), start.state.encode()):
            raise UntrustedEidResult("the sign-in's state does not match this session")
        if not code:
            raise UntrustedEidResult("the provider returned no code")
        id_token = await self._exchange(start, code)
        return await self._validate(id_token, start.nonce)

    async def close(self) -> None:
        if self._jwks is not None:
            await self._jwks.close()
        await self._http.close()

    async def _discovered(self) -> _Discovery:
        now = self._clock()
        if self._discovery is not None and self._discovered_at and now - self._discovered_at < _DISCOVERY_TTL:
            return self._discovery
        async with self._lock:
            if (
                self._discovery is None
                or self._discovered_at is None
                or now - self._discovered_at >= _DISCOVERY_TTL
            ):
                try:
                    self._discovery = await self._fetch_discovery()
                    self._discovered_at = now
                except EidUnavailable:
                    # An old document still names the right endpoints; better than refusing everyone.
                    if self._discovery is None:
                        raise
            if self._jwks is None:
                self._jwks = JwksCache(self._discovery.jwks_uri, clock=self._clock)
            return self._discovery

    async def _fetch_discovery(self) -> _Discovery:
        response = await self._http.get(f"{self.issuer}/.well-known/openid-configuration")
        document = response.body
        if response.status != 200 or not isinstance(document, dict):
            raise EidUnavailable(f"the OpenID provider's discovery document answered HTTP {response.status}")
        if document.get("issuer") != self.issuer:
            # OpenID Connect Discovery §4.3: the document must name the issuer it was fetched for.
            raise EidUnavailable("the OpenID provider's discovery document names another issuer")
        try:
            return _Discovery(
                authorization_endpoint=_url(document, "authorization_endpoint"),
                token_endpoint=_url(document, "token_endpoint"),
                jwks_uri=_url(document, "jwks_uri"),
            )
        except KeyError as exc:
            raise EidUnavailable(f"the OpenID provider's discovery document lacks {exc.args[0]}") from None

    async def _exchange(self, start: OidcStart, code: str) -> str:
        discovery = await self._discovered()
        fields = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": start.redirect_uri,
            "code_verifier": start.code_verifier,
            "client_id": self._client_id,
        }
        headers = {}
        if self._client_secret:
            # client_secret_basic (RFC 6749 §2.3.1): both parts form-encoded before base64.
            pair = f"{quote(self._client_id, safe='')}:{quote(self._client_secret, safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
        response = await self._http.post_form(discovery.token_endpoint, fields, headers)
        body = response.body if isinstance(response.body, dict) else {}
        if response.status == 400:
            log.warning("the OpenID provider refused the code (%s)", body.get("error", "no error code"))
            raise EidRejected("the OpenID provider refused the code", code="oidc_code_refused")
        if response.status != 200:
            raise EidUnavailable(f"the OpenID provider's token endpoint answered HTTP {response.status}")
        id_token = body.get("id_token")
        if not isinstance(id_token, str) or not id_token or len(id_token) > _MAX_TOKEN_CHARS:
            raise EidUnavailable("the OpenID provider's token answer has no ID token")
        return id_token

    async def _validate(self, id_token: str, nonce: str) -> OidcIdentity:
        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.PyJWTError:
            raise UntrustedEidResult("ID token is malformed") from None
        if header.get("alg") != SIGNING_ALGORITHM:
            raise UntrustedEidResult("ID token is not signed with RS256")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise UntrustedEidResult("ID token has no key id")
        assert self._jwks is not None
        try:
            key = await self._jwks.key(kid)
        except InvalidToken as exc:
            raise UntrustedEidResult(f"ID token: {exc}") from None
        claims = _decode(id_token, key, self.issuer, self._client_id)
        self._check_time(claims)
        self._check_binding(claims, nonce)
        return _identity(claims)

    def _check_time(self, claims: dict[str, Any]) -> None:
        now = self._clock().timestamp()
        if not isinstance(claims["exp"], int | float) or not isinstance(claims["iat"], int | float):
            raise UntrustedEidResult("ID token has malformed times")
        if now > claims["exp"] + self._leeway_s:
            raise UntrustedEidResult("ID token expired")
        if claims["iat"] > now + self._leeway_s:
            raise UntrustedEidResult("ID token issued in the future")

    def _check_binding(self, claims: dict[str, Any], nonce: str) -> None:
        if not hmac.compare_digest(str(claims["nonce"]).encode(), nonce.encode()):
            raise UntrustedEidResult("ID token nonce does not match this sign-in")
        if claims.get("acr") not in self._accepted_acr:
            raise UntrustedEidResult("ID token is below the required level of assurance")
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self._client_id:
            raise UntrustedEidResult("ID token is authorised for another party")


def _decode(id_token: str, key: Any, issuer: str, client_id: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            id_token,
            key,
            algorithms=[SIGNING_ALGORITHM],
            audience=client_id,
            issuer=issuer,
            options=_DECODE_OPTIONS,
        )
    except jwt.InvalidAudienceError:
        raise UntrustedEidResult("ID token is for another client") from None
    except jwt.InvalidIssuerError:
        raise UntrustedEidResult("ID token is from another issuer") from None
    except jwt.MissingRequiredClaimError as exc:
        raise UntrustedEidResult(f"ID token lacks {exc.claim}") from None
    except jwt.PyJWTError:
        raise UntrustedEidResult("ID token signature is invalid") from None
    return claims


def _identity(claims: dict[str, Any]) -> OidcIdentity:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email.strip():
        raise UntrustedEidResult("ID token has no e-mail address")
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        name = " ".join(str(claims.get(part, "")) for part in ("given_name", "family_name")).strip()
    return OidcIdentity(
        email=canonical_address(email), name=name, subject=str(claims["sub"]), acr=str(claims["acr"])
    )


def _url(document: dict[str, Any], key: str) -> str:
    value = document.get(key)
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise KeyError(key)
    return value
