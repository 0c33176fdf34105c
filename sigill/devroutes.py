"""Development-only routes under /dev: a token issuer, its JWKS and a view of the outbox.

Mounted only in development mode, which itself only listens on loopback.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from addin_backend.problems import problem
from identity.dev_issuer import dev_tenant_id
from messaging.sealing import open_box
from sigill import demo

if TYPE_CHECKING:
    from sigill.bootstrap import Components

DEV_COMPONENTS: web.AppKey[Any] = web.AppKey("dev_components", object)


class UnknownDevUser(Exception):
    """No demo organisation has the e-mail address's domain."""


async def mint_dev_token(components: Components, email: str) -> str:
    """A token as Entra ID would issue it, for anyone at a known organisation's domain."""
    from sigill.bootstrap import DEV_AUDIENCE

    assert components.dev_issuer is not None
    address = email.strip().lower()
    domain = address.rpartition("@")[2]
    org = await components.store.organisation_by_domain(domain) if "@" in address else None
    if org is None:
        raise UnknownDevUser(domain)
    name = address
    async with components.store.unit_of_work(org.org_id) as uow:
        user = await uow.staff.by_email(address)
        if user is not None:
            name = user.name
    return components.dev_issuer.mint(
        email=address,
        name=name,
        tenant_id=dev_tenant_id(org.domain),
        object_id=demo.dev_object_id(address),
        audience=DEV_AUDIENCE,
    )


async def token(request: web.Request) -> web.Response:
    try:
        body = await request.json()
        email = str(body["email"])
    except (ValueError, KeyError, TypeError):
        return problem(422, "invalid_body", "Ange en e-postadress.", 'Send {"email": "..."}.')
    try:
        access_token = await mint_dev_token(request.app[DEV_COMPONENTS], email)
    except UnknownDevUser:
        return problem(
            422,
            "unknown_organisation",
            "Ingen organisation har den domänen.",
            "No organisation has that domain.",
        )
    return web.json_response({"access_token": access_token, "token_type": "Bearer"})


async def jwks(request: web.Request) -> web.Response:
    return web.json_response(request.app[DEV_COMPONENTS].dev_issuer.jwks())


async def outbox(request: web.Request) -> web.Response:
    """What the outbox would send, decrypted: development data only."""
    components: Components = request.app[DEV_COMPONENTS]
    now = components.clock()
    items: list[dict[str, Any]] = []
    for org in await components.store.organisations():
        async with components.store.unit_of_work(org.org_id) as uow:
            for item in await uow.outbox.due(now, limit=100):
                payload = await open_box(
                    components.envelope, org.org_id, item.item_id, "outbox", item.sealed_payload
                )
                items.append(
                    {
                        "id": item.item_id,
                        "channel": item.channel,
                        "status": item.status,
                        **json.loads(payload),
                    }
                )
    return web.json_response({"items": items})


def create_dev_app(components: Components) -> web.Application:
    app = web.Application()
    app[DEV_COMPONENTS] = components
    app.router.add_post("/token", token)
    app.router.add_get("/jwks", jwks)
    app.router.add_get("/outbox", outbox)
    return app
