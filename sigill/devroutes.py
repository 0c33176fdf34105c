"""Development-only routes under /dev: a token issuer, its JWKS, a view of the outbox, the e-ID simulators.

Mounted only in development mode, which itself only listens on loopback. A page on another site can still reach a
loopback server through DNS rebinding (its own name, re-pointed at 127.0.0.1), so every route but the public JWKS
also checks that the request names a loopback host, and the token issuer takes only JSON (which a cross-site form
cannot send without a preflight).
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final

from aiohttp import web

from addin_backend.problems import problem
from identity.addresses import canonical_address
from identity.dev_issuer import dev_tenant_id
from sigill import demo, dev_eid, dev_outbox, dev_staff, dev_teams

if TYPE_CHECKING:
    from sigill.bootstrap import Components

DEV_COMPONENTS: web.AppKey[Any] = web.AppKey("dev_components", object)
# A Host header: a name or an IPv4 address, or an IPv6 address in brackets; then perhaps a port.
_HOST: Final = re.compile(r"(?P<name>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?")
_TOKEN_FIELDS: Final = frozenset({"email", "loa", "admin"})
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class UnknownDevUser(Exception):
    """No staff user has the e-mail address."""


class LevelUnreachable(Exception):
    """The configured level-of-assurance rules map no token to the level asked for."""


async def mint_dev_token(
    components: Components, email: str, *, loa: int | None = None, admin: bool | None = None
) -> str:
    """A token as Entra ID would issue it to an existing staff user, signed in at `loa`.

    The token names the user's own tenant and object id, and carries the authentication claims the configured
    rules map to `loa` (the plain sign-in when None). `admin` says whether it carries the administrator app
    role; by default the demo administrators' tokens do, as the tenant's role assignments would.
    """
    from sigill.bootstrap import DEV_AUDIENCE

    assert components.dev_issuer is not None
    address = canonical_address(email)
    org = (
        await components.store.organisation_by_domain(address.rpartition("@")[2]) if "@" in address else None
    )
    if org is None:
        raise UnknownDevUser
    async with components.store.unit_of_work(org.org_id) as uow:
        user = await uow.staff.by_email(address)
    if user is None or not user.entra_object_id:
        raise UnknownDevUser
    policy = components.validator.policy
    claims = policy.loa_rules.claims_for(policy.loa_rules.plain_loa if loa is None else loa)
    if claims is None:
        raise LevelUnreachable
    with_role = demo.is_administrator(address) if admin is None else admin
    return components.dev_issuer.mint(
        email=user.email,
        name=user.name,
        tenant_id=user.entra_tenant_id or dev_tenant_id(org.domain),
        object_id=user.entra_object_id,
        audience=DEV_AUDIENCE,
        scope=policy.scope,
        acrs=claims.get("acrs", []),
        amr=claims.get("amr", []),
        roles=[policy.admin_role] if with_role else [],
    )


async def token(request: web.Request) -> web.Response:
    if request.content_type != "application/json":
        return problem(
            415,
            "unsupported_media_type",
            "Förfrågan måste skickas som JSON.",
            "Send Content-Type: application/json.",
        )
    try:
        body = json.loads(await request.text())
    except ValueError:
        return problem(400, "invalid_json", "Förfrågan är inte giltig JSON.", "The body is not valid JSON.")
    wanted = _token_request(body)
    if wanted is None:
        return problem(
            422,
            "invalid_body",
            "Ange en e-postadress, och om du vill en tillitsnivå (1, 2 eller 3).",
            'Send {"email": "...", "loa": 1|2|3 (optional), "admin": true|false (optional)}.',
        )
    email, loa, admin = wanted
    try:
        access_token = await mint_dev_token(request.app[DEV_COMPONENTS], email, loa=loa, admin=admin)
    except UnknownDevUser:
        return problem(
            404, "staff_not_found", "Det finns ingen medarbetare med den adressen.", "No staff user has it."
        )
    except LevelUnreachable:
        return problem(
            422,
            "loa_unreachable",
            "Inloggningsreglerna ger ingen token på den tillitsnivån.",
            "The [entra] level-of-assurance rules map no sign-in to that level.",
        )
    return web.json_response({"access_token": access_token, "token_type": "Bearer"})


def _token_request(body: Any) -> tuple[str, int | None, bool | None] | None:
    """(email, loa, admin) from the body, strictly typed: `"loa": "3"` or `true` is no level."""
    if not isinstance(body, dict) or not body.keys() <= _TOKEN_FIELDS:
        return None
    email, loa, admin = body.get("email"), body.get("loa"), body.get("admin")
    if not isinstance(email, str) or not email.strip() or len(email) > 254:
        return None
    if loa is not None and (type(loa) is not int or loa not in (1, 2, 3)):
        return None
    if admin is not None and not isinstance(admin, bool):
        return None
    return email, loa, admin


def is_loopback_host(host: str | None) -> bool:
    """Whether a Host header names this machine: localhost or a loopback address, with any port."""
    match = _HOST.fullmatch(host or "")
    if match is None:
        return False
    name = match["name"].strip("[]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@web.middleware
async def loopback_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse requests that name another host (DNS rebinding); the JWKS is public and exempt."""
    if request.path.endswith("/jwks") or is_loopback_host(request.headers.get("Host")):
        return await handler(request)
    return problem(
        403,
        "host_not_loopback",
        "Utvecklingsfunktionerna svarar bara på localhost.",
        "Development routes answer only requests addressed to localhost or a loopback address.",
    )


async def jwks(request: web.Request) -> web.Response:
    return web.json_response(request.app[DEV_COMPONENTS].dev_issuer.jwks())


def create_dev_app(components: Components) -> web.Application:
    app = web.Application(middlewares=[loopback_only])
    app[DEV_COMPONENTS] = components
    app.router.add_post("/token", token)
    app.router.add_get("/jwks", jwks)
    # The demo staff to sign in as (sigill/dev_staff.py): /staff.
    dev_staff.install(app, components)
    # What the development sink received (sigill/dev_outbox.py): /outbox and /outbox.html.
    dev_outbox.install(app, components.settings, components.clock)
    # The e-identification simulators under /sim and the /eid page (sigill/dev_eid.py).
    dev_eid.install(app, components.settings, components.clock)
    # The local Teams preview /teams and its Bot Connector stand-in (sigill/dev_teams.py).
    dev_teams.install(app)
    return app
