"""Who is who: staff users on first sign-in, their mailboxes, and access to a mailbox.

A staff user is their Entra tenant id and object id, never an e-mail claim: a token whose object id is unknown
makes a new staff user (with a personal mailbox) only when its address lies in the organisation's verified domain
and is free — no staff user, mailbox or registered recipient has it. Anything else is refused and audited, so an
address cannot be taken over by naming it in a token.
"""

from __future__ import annotations

from dataclasses import dataclass

from identity.addresses import canonical_address
from messaging import audit
from messaging.errors import InvalidRequest, NotFound, SignInRefused
from messaging.model import Actor
from messaging.ports import Deps
from messaging.validation import normalise_address
from store.errors import ConflictError
from store.ports import UnitOfWork
from store.records import AuditEvent, Mailbox, Organisation, StaffUser

# The lookup-hash purpose of a refused sign-in's address: the audit trail can be searched by it, never read.
REFUSED_EMAIL_PURPOSE = "audit-staff-email"


@dataclass(frozen=True, slots=True)
class StaffSignIn:
    """A validated staff token, as identity/ reports it."""

    org_id: str
    tenant_id: str
    object_id: str
    email: str
    name: str
    # The level of assurance the token's authentication claims reach.
    loa: int
    # Whether the token carries the administrator app role.
    admin: bool = False


async def staff_actor(deps: Deps, sign_in: StaffSignIn) -> Actor:
    """The staff member behind a token, at the token's level; made on a first sign-in (see the module)."""
    org = await deps.store.organisation(sign_in.org_id)
    if org is None:
        raise SignInRefused()
    user = await _find_or_create_staff(deps, org, sign_in)
    return Actor(
        org_id=org.org_id,
        user_id=user.user_id,
        email=user.email,
        name=user.name,
        loa=sign_in.loa,
        admin=sign_in.admin,
    )


async def known_staff_actor(deps: Deps, org_id: str, tenant_id: str, object_id: str, loa: int) -> Actor:
    """An EXISTING staff member by tenant and object id, at `loa`; never makes one (SignInRefused instead).

    For sign-ins that carry no verified address (a Teams activity names only the tenant and the object id): the
    person must have signed in to Sigill once with a token, which made them. A refusal is audited.
    """
    org = await deps.store.organisation(org_id)
    if org is None:
        raise SignInRefused()
    async with deps.store.unit_of_work(org.org_id) as uow:
        user = await uow.staff.by_entra(tenant_id, object_id)
        if user is None:
            uow.audit.append(
                AuditEvent(
                    org_id=org.org_id,
                    at=deps.clock(),
                    actor=f"entra:{object_id}",
                    action="signin.refused",
                    target=f"tenant:{tenant_id}",
                    details={"reason": "unknown_staff_user"},
                )
            )
            await uow.commit()
            raise SignInRefused()
    return Actor(org_id=org.org_id, user_id=user.user_id, email=user.email, name=user.name, loa=loa)


async def _find_or_create_staff(deps: Deps, org: Organisation, sign_in: StaffSignIn) -> StaffUser:
    for _ in range(3):
        async with deps.store.unit_of_work(org.org_id) as uow:
            user = await uow.staff.by_entra(sign_in.tenant_id, sign_in.object_id)
            if user is not None:
                return user
            refusal = await _refusal(uow, org, sign_in.email)
            if refusal is not None:
                uow.audit.append(_refused_event(deps, sign_in, refusal))
                await uow.commit()
                raise SignInRefused()
            user = _new_staff_user(deps, org, sign_in)
            uow.staff.add(user)
            # Added, never updated: a parallel first sign-in for the same address conflicts here and retries.
            uow.mailboxes.add(Mailbox(org.org_id, user.email, user.name, "personal", [user.user_id]))
            uow.audit.append(
                audit.event(
                    _actor_of(user, sign_in),
                    "staff.created",
                    f"staff:{user.user_id}",
                    deps.clock(),
                    tenant_id=sign_in.tenant_id,
                    object_id=sign_in.object_id,
                )
            )
            try:
                await uow.commit()
                return user
            except ConflictError:
                continue  # a parallel first request created the user or took the address; look again
    raise ConflictError("staff user could not be created")


async def _refusal(uow: UnitOfWork, org: Organisation, email: str) -> str | None:
    """Why the address cannot become a new staff user here, or None when it can."""
    try:
        address = normalise_address(email)
    except InvalidRequest:
        return "address_invalid"
    if address.rpartition("@")[2] != org.domain.strip().lower():
        return "domain_not_verified"
    if await uow.staff.by_email(address) is not None:
        return "address_of_another_user"
    if await uow.mailboxes.get(address) is not None:
        return "address_of_a_mailbox"
    if await uow.recipients.by_email(address) is not None:
        return "address_of_a_recipient"
    return None


def _new_staff_user(deps: Deps, org: Organisation, sign_in: StaffSignIn) -> StaffUser:
    address = normalise_address(sign_in.email)
    return StaffUser(
        org_id=org.org_id,
        user_id=deps.new_id(),
        email=address,
        name=sign_in.name.strip() or address,
        entra_tenant_id=sign_in.tenant_id,
        entra_object_id=sign_in.object_id,
        created_at=deps.clock(),
    )


def _actor_of(user: StaffUser, sign_in: StaffSignIn) -> Actor:
    return Actor(user.org_id, user.user_id, user.email, user.name, loa=sign_in.loa)


def _refused_event(deps: Deps, sign_in: StaffSignIn, reason: str) -> AuditEvent:
    """Who tried (tenant and object id), why it failed, and the address only as a keyed hash."""
    return AuditEvent(
        org_id=sign_in.org_id,
        at=deps.clock(),
        actor=f"entra:{sign_in.object_id}",
        action="signin.refused",
        target=f"tenant:{sign_in.tenant_id}",
        details={
            "reason": reason,
            "email_hash": deps.lookup.digest(REFUSED_EMAIL_PURPOSE, canonical_address(sign_in.email)),
        },
    )


async def mailboxes_of(uow: UnitOfWork, actor: Actor) -> list[Mailbox]:
    """The actor's own mailbox first, then the function mailboxes they belong to."""
    boxes = await uow.mailboxes.for_member(actor.user_id)
    return sorted(boxes, key=lambda box: (box.kind != "personal", box.name.lower()))


async def member_mailbox(uow: UnitOfWork, actor: Actor, address: str) -> Mailbox:
    """The mailbox, if the actor belongs to it; a non-member learns nothing, not even that it exists."""
    box = await uow.mailboxes.get(canonical_address(address))
    if box is None or actor.user_id not in box.member_ids:
        raise NotFound("mailbox")
    return box


async def staff_by_id(uow: UnitOfWork, user_ids: set[str]) -> dict[str, StaffUser]:
    """Staff members by id, for saying who holds a case (by name and address)."""
    if not user_ids:
        return {}
    # One batched read for the whole page, however many members hold its cases.
    return {user.user_id: user for user in await uow.staff.get_many(sorted(user_ids))}


async def profile(deps: Deps, actor: Actor) -> tuple[Organisation, list[Mailbox]]:
    """The actor's organisation and mailboxes, as `/me` shows them."""
    org = await organisation(deps, actor)
    async with deps.store.unit_of_work(actor.org_id) as uow:
        return org, await mailboxes_of(uow, actor)


async def organisation(deps: Deps, actor: Actor) -> Organisation:
    org = await deps.store.organisation(actor.org_id)
    if org is None:
        raise NotFound("mailbox")
    return org
