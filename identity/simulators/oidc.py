"""An OpenID provider simulator for SITHS sign-in: discovery, authorize, a sign-in page, token (PKCE) and JWKS.

`/authorize` checks the request as a provider must (a registered client and redirect URI, `response_type=code`,
scope `openid`, a state, a nonce, a PKCE S256 challenge) and sends the browser to a sign-in page that waits for
a person: chosen on that page, or approved on /dev/eid. The page works without JavaScript: its "Fortsätt" button
asks again, and once someone has signed in it redirects to the client with a code (or with
`error=access_denied` when declined). `/token` exchanges a code once, within a minute, for the same client and
redirect URI and only with the matching PKCE verifier, and returns an ID token signed RS256 with the claims a
SITHS provider gives: `email`, `name`, `acr` (the level asked for) and the `nonce`.

Errors about the client or its redirect URI are shown, never redirected (the URI is not trusted yet); every
other error goes back to the client as `error=...&state=...`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final
from urllib.parse import unquote, urlencode

import jinja2
import jwt
from aiohttp import web
from jwt.algorithms import RSAAlgorithm

from crypto.signing_keys import new_rsa_private_key_pem
from identity.simulators.common import NoSuchPending, PendingIdentification
from identity.simulators.persons import SIMULATED_PERSONS, person_with_email

LOA3: Final = "http://id.elegnamnden.se/loa/1.0/loa3"
SUPPORTED_ACR: Final = (LOA3, "http://id.elegnamnden.se/loa/1.0/loa4")
SIGN_IN_LIFETIME: Final = timedelta(minutes=10)
CODE_LIFETIME: Final = timedelta(seconds=60)
ID_TOKEN_LIFETIME: Final = timedelta(minutes=5)
_RS256: Final = RSAAlgorithm(RSAAlgorithm.SHA256)
# The pages load nothing and run nothing; their forms post only to the provider; nobody may frame them.
_PAGE_HEADERS: Final = {
    "Content-Security-Policy": "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "Cache-Control": "no-store",
}
_NAMESPACE: Final = uuid.UUID("0b0e2a1c-65c1-4d8e-9a5c-3f1f5e2d7c40")

_PAGE = jinja2.Environment(autoescape=True).from_string(
    """<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Logga in med SITHS-kort – simulator</title>
</head>
<body>
<main>
<h1>Logga in med SITHS-kort</h1>
<p>Det här är utvecklingsmiljöns simulator av en identitetsleverantör. Välj vem som loggar in, eller godkänn
inloggningen på sidan <a href="{{ dev_eid_url }}">Väntande identifieringar</a> och välj sedan Fortsätt.</p>
<form method="post" action="{{ action }}">
<fieldset>
<legend>Vem loggar in?</legend>
{% for person in persons %}
<div>
<input type="radio" id="person-{{ loop.index }}" name="email" value="{{ person.email }}"{% if loop.first %} checked{% endif %}>
<label for="person-{{ loop.index }}">{{ person.name }} ({{ person.email }})</label>
</div>
{% endfor %}
</fieldset>
<p>
<button type="submit" name="action" value="approve">Logga in</button>
<button type="submit" name="action" value="cancel">Avbryt</button>
</p>
</form>
<form method="get" action="{{ action }}">
<p><button type="submit">Fortsätt</button></p>
</form>
</main>
</body>
</html>
"""
)


@dataclass(frozen=True, slots=True)
class RegisteredClient:
    """The one relying party the simulator knows: its id, its secret ("" for a public client), its redirects."""

    client_id: str
    client_secret: str
    redirect_prefix: str


@dataclass
class _SignIn:
    sign_in_id: str
    created_at: datetime
    redirect_uri: str
    state: str
    nonce: str
    code_challenge: str
    acr: str
    status: str = "pending"
    email: str = ""
    name: str = ""
    given_name: str = ""
    family_name: str = ""
    code: str = ""
    code_issued_at: datetime | None = None
    code_used: bool = False


class OidcSimulator:
    """An OpenID provider at `issuer` (its absolute URL) for one registered client."""

    def __init__(
        self,
        issuer: str,
        client: RegisteredClient,
        *,
        clock: Callable[[], datetime],
        dev_eid_url: str = "/dev/eid",
        private_key_pem: bytes | None = None,
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self._client = client
        self._clock = clock
        self._dev_eid_url = dev_eid_url
        full = RSAAlgorithm.to_jwk(
            _RS256.prepare_key(private_key_pem or new_rsa_private_key_pem()), as_dict=True
        )
        self._signing_key = jwt.PyJWK(full, algorithm="RS256")
        public = {"kty": "RSA", "n": full["n"], "e": full["e"]}
        self._kid = hashlib.sha256(f"{full['n']}.{full['e']}".encode()).hexdigest()[:16]
        self._jwk = {**public, "kid": self._kid, "use": "sig", "alg": "RS256"}
        self._sign_ins: dict[str, _SignIn] = {}

    def add_routes(self, app: web.Application, prefix: str) -> None:
        """Serve the provider under `prefix` (e.g. "/sim/oidc"); `issuer` must be the URL of that prefix."""
        app.router.add_get(f"{prefix}/.well-known/openid-configuration", self._discovery)
        app.router.add_get(f"{prefix}/authorize", self._authorize)
        app.router.add_get(f"{prefix}/sign-in/{{sign_in_id}}", self._sign_in_page)
        app.router.add_post(f"{prefix}/sign-in/{{sign_in_id}}", self._sign_in_answer)
        app.router.add_post(f"{prefix}/token", self._token)
        app.router.add_get(f"{prefix}/jwks", self._jwks)

    def pending(self) -> list[PendingIdentification]:
        self._expire()
        return [
            PendingIdentification("siths", s.sign_in_id, s.created_at)
            for s in self._sign_ins.values()
            if s.status == "pending"
        ]

    def approve(self, sign_in_id: str, email: str, acr: str | None = None) -> None:
        """Sign the person with `email` in; `acr` lets a test sign in at another level than the one asked for."""
        sign_in = self._pending(sign_in_id)
        person = person_with_email(email)
        sign_in.status, sign_in.email, sign_in.name = "approved", person.email, person.name
        sign_in.given_name, sign_in.family_name = person.given_name, person.surname
        if acr:
            sign_in.acr = acr
        sign_in.code, sign_in.code_issued_at = secrets.token_urlsafe(32), self._clock()

    def decline(self, sign_in_id: str) -> None:
        self._pending(sign_in_id).status = "declined"

    def _pending(self, sign_in_id: str) -> _SignIn:
        self._expire()
        sign_in = self._sign_ins.get(sign_in_id)
        if sign_in is None or sign_in.status != "pending":
            raise NoSuchPending(sign_in_id)
        return sign_in

    def _expire(self) -> None:
        now = self._clock()
        for key, sign_in in list(self._sign_ins.items()):
            if now - sign_in.created_at > SIGN_IN_LIFETIME:
                del self._sign_ins[key]

    async def _discovery(self, _: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                    "none",
                ],
                "scopes_supported": ["openid", "email", "profile"],
                "acr_values_supported": list(SUPPORTED_ACR),
                "claims_supported": ["sub", "email", "name", "given_name", "family_name", "acr", "nonce"],
            }
        )

    async def _jwks(self, _: web.Request) -> web.Response:
        return web.json_response({"keys": [dict(self._jwk)]})

    async def _authorize(self, request: web.Request) -> web.StreamResponse:
        query = request.query
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != self._client.client_id:
            return _page_error("Okänd klient.")
        if not redirect_uri.startswith(self._client.redirect_prefix):
            return _page_error("Adressen att återvända till är inte registrerad för klienten.")
        state = query.get("state", "")
        problem = _authorize_problem(query)
        if problem:
            raise web.HTTPFound(_with_query(redirect_uri, {"error": problem, "state": state}))
        requested = query.get("acr_values", "").split()
        acr = next((value for value in requested if value in SUPPORTED_ACR), LOA3)
        self._expire()
        sign_in = _SignIn(
            sign_in_id=secrets.token_urlsafe(24),
            created_at=self._clock(),
            redirect_uri=redirect_uri,
            state=state,
            nonce=query["nonce"],
            code_challenge=query["code_challenge"],
            acr=acr,
        )
        self._sign_ins[sign_in.sign_in_id] = sign_in
        raise web.HTTPSeeOther(f"{self.issuer}/sign-in/{sign_in.sign_in_id}")

    async def _sign_in_page(self, request: web.Request) -> web.StreamResponse:
        sign_in = self._sign_in_of(request)
        if sign_in.status != "pending":
            raise web.HTTPFound(self._return_url(sign_in))
        html = _PAGE.render(
            action=f"{self.issuer}/sign-in/{sign_in.sign_in_id}",
            persons=[person for person in SIMULATED_PERSONS if person.email],
            dev_eid_url=self._dev_eid_url,
        )
        return web.Response(text=html, content_type="text/html", charset="utf-8", headers=_PAGE_HEADERS)

    async def _sign_in_answer(self, request: web.Request) -> web.StreamResponse:
        sign_in = self._sign_in_of(request)
        form = await request.post()
        if sign_in.status == "pending":
            email = str(form.get("email", "")).strip()
            if form.get("action") == "approve" and "@" in email:
                self.approve(sign_in.sign_in_id, email)
            elif form.get("action") == "cancel":
                self.decline(sign_in.sign_in_id)
            else:
                return _page_error("Välj vem som loggar in.")
        raise web.HTTPSeeOther(self._return_url(sign_in))

    def _sign_in_of(self, request: web.Request) -> _SignIn:
        self._expire()
        sign_in = self._sign_ins.get(request.match_info["sign_in_id"])
        if sign_in is None:
            raise web.HTTPNotFound(text="Inloggningen finns inte eller har gått ut.")
        return sign_in

    def _return_url(self, sign_in: _SignIn) -> str:
        if sign_in.status == "approved":
            return _with_query(sign_in.redirect_uri, {"code": sign_in.code, "state": sign_in.state})
        return _with_query(
            sign_in.redirect_uri,
            {"error": "access_denied", "error_description": "The user cancelled", "state": sign_in.state},
        )

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        fields = {key: str(value) for key, value in form.items()}
        if not self._client_authenticated(request, fields):
            return _token_error("invalid_client", 401)
        if fields.get("grant_type") != "authorization_code":
            return _token_error("unsupported_grant_type")
        sign_in = self._sign_in_with_code(fields.get("code", ""))
        if sign_in is None or fields.get("redirect_uri") != sign_in.redirect_uri:
            return _token_error("invalid_grant")
        verifier = fields.get("code_verifier", "")
        if not verifier or not hmac.compare_digest(_s256(verifier), sign_in.code_challenge):
            return _token_error("invalid_grant")
        sign_in.code_used = True
        return web.json_response(
            {
                "access_token": secrets.token_urlsafe(32),
                "token_type": "Bearer",
                "expires_in": int(ID_TOKEN_LIFETIME.total_seconds()),
                "id_token": self._id_token(sign_in),
            },
            headers={"Cache-Control": "no-store"},
        )

    def _client_authenticated(self, request: web.Request, fields: dict[str, str]) -> bool:
        client_id, secret = fields.get("client_id", ""), fields.get("client_secret", "")
        basic = _basic_credentials(request.headers.get("Authorization", ""))
        if basic is not None:
            client_id, secret = basic
        if client_id != self._client.client_id:
            return False
        return hmac.compare_digest(secret.encode(), self._client.client_secret.encode())

    def _sign_in_with_code(self, code: str) -> _SignIn | None:
        now = self._clock()
        for sign_in in self._sign_ins.values():
            if sign_in.code and hmac.compare_digest(sign_in.code.encode(), code.encode()):
                issued = sign_in.code_issued_at
                if sign_in.code_used or issued is None or now - issued > CODE_LIFETIME:
                    return None
                return sign_in
        return None

    def _id_token(self, sign_in: _SignIn) -> str:
        now = int(self._clock().timestamp())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": str(uuid.uuid5(_NAMESPACE, sign_in.email)),
            "aud": self._client.client_id,
            "iat": now,
            "exp": now + int(ID_TOKEN_LIFETIME.total_seconds()),
            "auth_time": now,
            "nonce": sign_in.nonce,
            "acr": sign_in.acr,
            "email": sign_in.email,
            "name": sign_in.name,
            "given_name": sign_in.given_name,
            "family_name": sign_in.family_name,
        }
        return jwt.encode(claims, self._signing_key, algorithm="RS256", headers={"kid": self._kid})


def _authorize_problem(query: Any) -> str:
    if query.get("response_type") != "code":
        return "unsupported_response_type"
    if "openid" not in query.get("scope", "").split():
        return "invalid_scope"
    if not query.get("state") or not query.get("nonce"):
        return "invalid_request"
    if not query.get("code_challenge") or query.get("code_challenge_method") != "S256":
        return "invalid_request"
    return ""


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii", errors="replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value, validate=True).decode()
    except ValueError:
        return None
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)


def _with_query(url: str, values: dict[str, str]) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{urlencode(values)}"


def _token_error(error: str, status: int = 400) -> web.Response:
    return web.json_response({"error": error}, status=status, headers={"Cache-Control": "no-store"})


def _page_error(message: str) -> web.Response:
    html = _PAGE_ERROR.render(message=message)
    return web.Response(
        status=400, text=html, content_type="text/html", charset="utf-8", headers=_PAGE_HEADERS
    )


_PAGE_ERROR = jinja2.Environment(autoescape=True).from_string(
    """<!doctype html>
<html lang="sv">
<head><meta charset="utf-8"><title>Fel vid inloggning – simulator</title></head>
<body><main><h1>Inloggningen kan inte påbörjas</h1><p>{{ message }}</p></main></body>
</html>
"""
)
