"""Who is who: staff users on first sign-in, their mailboxes, and access to a mailbox."""

from __future__ import annotations

from dataclasses import dataclass

from messaging.errors import NotFound
from messaging.model import Actor
from messaging.ports import Deps
from store.errors import ConflictError
from store.ports import UnitOfWork
from store.records import Mailbox, Organisation, StaffUser


@dataclass(frozen=True, slots=True)
class StaffSignIn:
    """A validated staff token, as identity/ reports it."""

    org_id: str
    tenant_id: str
    object_id: str
    email: str
    name: str


async def staff_actor(deps: Deps, sign_in: StaffSignIn) -> Actor:
    """The staff member behind a token; created with a personal mailbox on first sign-in."""
    org = await deps.store.organisation(sign_in.org_id)
    if org is None:
        raise NotFound("mailbox")
    user = await _find_or_create_staff(deps, sign_in)
    return Actor(org_id=org.org_id, user_id=user.user_id, email=user.email, name=user.name, loa=org.staff_loa)


async def _find_or_create_staff(deps: Deps, sign_in: StaffSignIn) -> StaffUser:
    for _ in range(3):
        async with deps.store.unit_of_work(sign_in.org_id) as uow:
            user = await uow.staff.by_entra(sign_in.tenant_id, sign_in.object_id)
            if user is None:
                user = await uow.staff.by_email(sign_in.email)
            if user is not None:
                return user
            user = StaffUser(
                org_id=sign_in.org_id,
                user_id=deps.new_id(),
                email=sign_in.email,
                name=sign_in.name or sign_in.email,
                entra_tenant_id=sign_in.tenant_id,
                entra_object_id=sign_in.object_id,
                created_at=deps.clock(),
            )
            uow.staff.add(user)
            await _ensure_personal_mailbox(uow, user.email, user.name, user.user_id)
            try:
                await uow.commit()
                return user
            except ConflictError:
                continue  # a parallel first request created the user; read it back
    raise ConflictError("staff user could not be created")


async def _ensure_personal_mailbox(uow: UnitOfWork, address: str, name: str, member_id: str) -> None:
    existing = await uow.mailboxes.get(address)
    if existing is None:
        uow.mailboxes.add(
            Mailbox(org_id=uow.org_id, address=address, name=name, kind="personal", member_ids=[member_id])
        )
    elif member_id not in existing.member_ids:
        existing.member_ids.append(member_id)
        uow.mailboxes.update(existing)


async def mailboxes_of(uow: UnitOfWork, actor: Actor) -> list[Mailbox]:
    """The actor's own mailbox first, then the function mailboxes they belong to."""
    boxes = await uow.mailboxes.for_member(actor.user_id)
    return sorted(boxes, key=lambda box: (box.kind != "personal", box.name.lower()))


async def member_mailbox(uow: UnitOfWork, actor: Actor, address: str) -> Mailbox:
    """The mailbox, if the actor belongs to it; a non-member learns nothing, not even that it exists."""
    box = await uow.mailboxes.get(address.strip().lower())
    if box is None or actor.user_id not in box.member_ids:
        raise NotFound("mailbox")
    return box


async def staff_addresses(uow: UnitOfWork, user_ids: set[str]) -> dict[str, str]:
    """The e-mail addresses of staff members by id, for saying who holds a case."""
    found = {}
    for user_id in user_ids:
        user = await uow.staff.get(user_id)
        if user is not None:
            found[user_id] = user.email
    return found


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
