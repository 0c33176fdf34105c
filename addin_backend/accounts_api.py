"""Recipient accounts in the staff API: invite someone to an account, and see an account's state.

`POST /accounts/invitations` makes (or renews) an invited account of the caller's organisation and e-mails the
person a link through the outbox; the rules and the audit entry are in `messaging.invitations`. The link's token
is never returned: it is the invitee's credential, not the inviter's. `GET /accounts/{account_id}` shows an
account's status and its sign-in methods, without any secret (no number, not even masked).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from addin_backend.render import when
from messaging import accounts, invitations
from messaging.model import Actor
from messaging.ports import Deps
from store.records import AccountStatus, AuthMethodKind, RecipientAccount

INVITATIONS_PATH = "/accounts/invitations"
# Ids are hex (uuid4): so `/accounts/invitations` is never also read as an account, and `Allow` stays honest.
ACCOUNT_PATH = "/accounts/{account_id:[0-9a-f]+}"


class InvitationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    email: str = Field(max_length=254, description="The person's e-mail address: the account's address")
    name: str = Field(
        max_length=200, description="The person's or the organisation's name, as senders see it"
    )
    phone: str | None = Field(
        default=None, max_length=40, description="Mobile number, offered to the person to confirm by SMS code"
    )
    personal_number: str | None = Field(
        default=None,
        max_length=20,
        description="Personal identity number; BankID and Freja eID sign-ins must then name this person",
    )


class MethodOut(BaseModel):
    kind: AuthMethodKind
    default: bool
    confirmed: bool
    created_at: str | None


class AccountOut(BaseModel):
    id: str
    email: str
    name: str
    status: AccountStatus
    created_at: str | None
    activated_at: str | None
    has_password: bool
    has_personal_number: bool
    methods: list[MethodOut]
    locked_until: str | None = Field(description="Password sign-in is locked until then after failed tries")


class InvitationOut(BaseModel):
    account: AccountOut
    expires_at: str = Field(description="When the invitation link stops working")
    renewed: bool = Field(description="True when an earlier invitation to the address was replaced")
    status: Literal["sent"] = Field(description="The e-mail is in the outbox and goes out at once")


def account_out(account: RecipientAccount) -> AccountOut:
    return AccountOut(
        id=account.account_id,
        email=account.email,
        name=account.name,
        status=account.status,
        created_at=when(account.created_at),
        activated_at=when(account.activated_at),
        has_password=account.password_hash is not None,
        has_personal_number=account.personal_number_hash is not None,
        methods=[
            MethodOut(
                kind=m.kind,
                default=m.is_default,
                confirmed=m.confirmed_at is not None,
                created_at=when(m.created_at),
            )
            for m in account.methods
        ],
        locked_until=when(account.password_tries.locked_until),
    )


def add_routes(
    router: web.UrlDispatcher,
    *,
    actor: Callable[[web.Request], Actor],
    deps: Callable[[web.Request], Deps],
    parse: Callable[[type[InvitationIn], bytes], InvitationIn],
) -> None:
    """Mount the routes; the API passes how it finds the actor and the services, and how it parses bodies."""

    async def invite(request: web.Request) -> web.Response:
        data = parse(InvitationIn, await request.read())
        new = invitations.InvitationInput(data.email, data.name, data.phone, data.personal_number)
        result = await invitations.invite(deps(request), actor(request), new)
        body = InvitationOut(
            account=account_out(result.account),
            expires_at=when(result.expires_at) or "",
            renewed=result.renewed,
            status="sent",
        )
        response = _json(body.model_dump(), status=201)
        response.headers["Location"] = f"/api/v1/accounts/{result.account.account_id}"
        return response

    async def get_account(request: web.Request) -> web.Response:
        found = await accounts.account_for_staff(
            deps(request), actor(request), request.match_info["account_id"]
        )
        return _json(account_out(found).model_dump())

    router.add_post(INVITATIONS_PATH, invite)
    router.add_get(ACCOUNT_PATH, get_account)


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=lambda v: json.dumps(v, ensure_ascii=False))
