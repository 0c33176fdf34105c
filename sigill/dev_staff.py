"""`GET /dev/staff`: the demo staff one can sign in as in development, for sign-in pages to list.

Each entry is what `/dev/token` needs (the e-mail address) and what a real Entra sign-in would say about the person
(their organisation, the development tenant id and their object id), so the web app's development sign-in page
and the Teams preview can show who is who without a word of it written twice. Only demo staff that exist in the
store are listed: with demo data switched off, the list is empty rather than wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from identity.dev_issuer import dev_tenant_id
from sigill import demo

if TYPE_CHECKING:
    from sigill.bootstrap import Components

STAFF_COMPONENTS: web.AppKey[Any] = web.AppKey("dev_staff_components", object)


async def demo_staff(components: Components) -> list[dict[str, Any]]:
    """The demo organisations' staff as stored, in the demo's order."""
    listed: list[dict[str, Any]] = []
    for demo_org in demo.DEMO_ORGANISATIONS:
        org = await components.store.organisation_by_domain(demo_org.domain)
        if org is None:
            continue
        async with components.store.unit_of_work(org.org_id) as uow:
            for person in demo_org.staff:
                user = await uow.staff.by_email(person.email)
                if user is None:
                    continue
                listed.append(
                    {
                        "email": user.email,
                        "name": user.name,
                        "organisation": org.name,
                        "domain": org.domain,
                        "tenant_id": user.entra_tenant_id or dev_tenant_id(org.domain),
                        "object_id": user.entra_object_id,
                        "admin": demo.is_administrator(user.email),
                    }
                )
    return listed


async def staff(request: web.Request) -> web.Response:
    response = web.json_response({"staff": await demo_staff(request.app[STAFF_COMPONENTS])})
    response.headers["Cache-Control"] = "no-store"
    return response


def install(app: web.Application, components: Components) -> None:
    app[STAFF_COMPONENTS] = components
    app.router.add_get("/staff", staff)
