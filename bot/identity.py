"""Who a Teams turn comes from: channelData.tenant.id and from.aadObjectId, to an existing staff user.

The tenant must be on the same allow-list as the REST API ([entra] tenants: tenant -> organisation domain ->
organisation). The object id must belong to a staff user who already exists: a Teams activity carries no verified
address, so the bot makes no users (messaging.directory.known_staff_actor). Never an e-mail or a display name.

Answers are remembered for a minute per (tenant, object id), like the REST API's resolver, so a refused user
costs one audit entry a minute rather than one per click.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from microsoft_agents.activity import Activity

from identity.dev_issuer import dev_tenant_id
from messaging.directory import known_staff_actor
from messaging.errors import SignInRefused
from messaging.model import Actor
from messaging.ports import Deps

TEAMS_CHANNEL = "msteams"
_TTL_S = 60.0
_CACHE_SIZE = 4096


def teams_user(activity: Activity) -> tuple[str, str] | None:
    """(tenant id, Entra object id) of the activity's sender, lower case; None when either is missing.

    Only Teams vouches for channelData.tenant and from.aadObjectId: on another channel of the same bot
    registration (Direct Line, Web Chat) the client writes them itself, so those activities name nobody.
    """
    if str(activity.channel_id or "").partition(":")[0] != TEAMS_CHANNEL:
        return None
    tenant_id = _tenant_id(activity.channel_data)
    sender = activity.from_property
    object_id = (sender.aad_object_id or "") if sender is not None else ""
    if not tenant_id or not object_id:
        return None
    return tenant_id.strip().lower(), object_id.strip().lower()


def _tenant_id(channel_data: Any) -> str:
    if isinstance(channel_data, Mapping):
        tenant = channel_data.get("tenant")
    else:
        tenant = getattr(channel_data, "tenant", None)
    value = tenant.get("id") if isinstance(tenant, Mapping) else getattr(tenant, "id", None)
    return value if isinstance(value, str) else ""


class TeamsIdentity:
    """Resolves a turn's sender to an Actor at the bot's level, or raises SignInRefused."""

    def __init__(self, deps: Deps, tenants: Mapping[str, str], loa: int, *, development: bool) -> None:
        self._deps = deps
        self._tenants = {tenant.lower(): domain.strip().lower() for tenant, domain in tenants.items()}
        self._loa = loa
        self._development = development
        self._cache: OrderedDict[tuple[str, str], tuple[float, Actor | None]] = OrderedDict()

    async def actor(self, activity: Activity) -> Actor:
        user = teams_user(activity)
        if user is None:
            raise SignInRefused()
        cached = self._cache.get(user)
        if cached is not None and cached[0] > time.monotonic():
            if cached[1] is None:
                raise SignInRefused()
            return cached[1]
        try:
            actor: Actor | None = await self._lookup(*user)
        except SignInRefused:
            actor = None
        self._remember(user, actor)
        if actor is None:
            raise SignInRefused()
        return actor

    async def _lookup(self, tenant_id: str, object_id: str) -> Actor:
        org_id = await self._organisation_of(tenant_id)
        if org_id is None:
            raise SignInRefused()
        return await known_staff_actor(self._deps, org_id, tenant_id, object_id, self._loa)

    async def _organisation_of(self, tenant_id: str) -> str | None:
        domain = self._tenants.get(tenant_id)
        if domain is not None:
            org = await self._deps.store.organisation_by_domain(domain)
            return org.org_id if org is not None else None
        if self._development:
            # Development: every organisation has its own fixed tenant id (identity/dev_issuer.dev_tenant_id).
            for org in await self._deps.store.organisations():
                if dev_tenant_id(org.domain).lower() == tenant_id:
                    return org.org_id
        return None

    def _remember(self, key: tuple[str, str], actor: Actor | None) -> None:
        self._cache[key] = (time.monotonic() + _TTL_S, actor)
        self._cache.move_to_end(key)
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
