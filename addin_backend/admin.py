"""The administration API under /api/v1/admin: members of function mailboxes, for organisation administrators.

An administrator is a person whose token carries the administrator app role (`[entra] admin_role`); the rule and
the audit entries live in `messaging.membership`, these handlers only parse and render.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from identity.addresses import canonical_address
from messaging import membership
from messaging.model import Actor
from messaging.ports import Deps

MEMBERS_PATH = "/admin/mailboxes/{address}/members"
MEMBER_PATH = "/admin/mailboxes/{address}/members/{email}"


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(max_length=254, description="E-mail address of a staff user who has signed in")


class MemberOut(BaseModel):
    email: str
    name: str


class MembersOut(BaseModel):
    mailbox: str
    name: str
    members: list[MemberOut]


def add_routes(
    router: web.UrlDispatcher,
    *,
    actor: Callable[[web.Request], Actor],
    deps: Callable[[web.Request], Deps],
    parse: Callable[[type[MemberIn], bytes], MemberIn],
) -> None:
    """Mount the routes; the API passes how it finds the actor and the services, and how it parses bodies."""

    async def list_members(request: web.Request) -> web.Response:
        found = await membership.members(deps(request), actor(request), request.match_info["address"])
        return _json(_members(found))

    async def add_member(request: web.Request) -> web.Response:
        data = parse(MemberIn, await request.read())
        address = request.match_info["address"]
        found = await membership.add_member(deps(request), actor(request), address, data.email)
        response = _json(_members(found), status=201)
        email = canonical_address(data.email)
        response.headers["Location"] = (
            f"/api/v1/admin/mailboxes/{quote(found.mailbox.address, safe='@')}/members/{quote(email, safe='@')}"
        )
        return response

    async def remove_member(request: web.Request) -> web.Response:
        found = await membership.remove_member(
            deps(request), actor(request), request.match_info["address"], request.match_info["email"]
        )
        return _json(_members(found))

    router.add_get(MEMBERS_PATH, list_members)
    router.add_post(MEMBERS_PATH, add_member)
    router.add_delete(MEMBER_PATH, remove_member)


def _members(found: membership.Membership) -> dict[str, Any]:
    body = MembersOut(
        mailbox=found.mailbox.address,
        name=found.mailbox.name,
        members=[MemberOut(email=m.email, name=m.name) for m in found.members],
    )
    return body.model_dump()


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=lambda v: json.dumps(v, ensure_ascii=False))
