"""Who is calling: a staff Bearer token, validated, turned into an Actor."""

from __future__ import annotations

import dataclasses
import time
from collections import OrderedDict
from typing import Protocol

from aiohttp import web

from messaging.directory import StaffSignIn, staff_actor
from messaging.errors import SignInRefused
from messaging.model import Actor
from messaging.ports import Deps

ACTOR_KEY = web.AppKey("actor_resolver", object)


class StaffIdentityLike(Protocol):
    @property
    def org_id(self) -> str: ...
    @property
    def tenant_id(self) -> str: ...
    @property
    def object_id(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def loa(self) -> int: ...
    @property
    def admin(self) -> bool: ...


class TokenValidator(Protocol):
    async def validate(self, token: str) -> StaffIdentityLike: ...


class InvalidCredentials(Exception):
    """No usable Bearer token; the reason is safe to show."""


class ActorResolver:
    """Validates the token on every request; remembers the staff record behind it for a minute.

    What is remembered is who the person is (or that their sign-in was refused, so a refused token costs one
    audit entry a minute, not one per request). How they signed in — the level and the administrator role —
    comes from each request's own token.
    """

    def __init__(
        self, deps: Deps, validator: TokenValidator, *, ttl_s: float = 60.0, size: int = 4096
    ) -> None:
        self._deps = deps
        self._validator = validator
        self._ttl = ttl_s
        self._size = size
        self._cache: OrderedDict[tuple[str, str], tuple[float, Actor | None]] = OrderedDict()

    async def actor(self, request: web.Request) -> Actor:
        identity = await self._validator.validate(_bearer(request))
        key = (identity.tenant_id, identity.object_id)
        cached = self._cache.get(key)
        if cached is not None and cached[0] > time.monotonic():
            known = cached[1]
            if known is None:
                raise SignInRefused()
            return dataclasses.replace(known, loa=identity.loa, admin=identity.admin)
        try:
            actor: Actor | None = await staff_actor(self._deps, _sign_in(identity))
        except SignInRefused:
            actor = None
        self._remember(key, actor)
        if actor is None:
            raise SignInRefused()
        return actor

    def _remember(self, key: tuple[str, str], actor: Actor | None) -> None:
        self._cache[key] = (time.monotonic() + self._ttl, actor)
        self._cache.move_to_end(key)
        if len(self._cache) > self._size:
            self._cache.popitem(last=False)


def _sign_in(identity: StaffIdentityLike) -> StaffSignIn:
    return StaffSignIn(
        org_id=identity.org_id,
        tenant_id=identity.tenant_id,
        object_id=identity.object_id,
        email=identity.email,
        name=identity.name,
        loa=identity.loa,
        admin=identity.admin,
    )


def _bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidCredentials("A Bearer token is required.")
    return token.strip()
