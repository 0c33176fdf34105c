"""Who belongs to a function mailbox: changed only by the organisation's administrators, and always audited.

Membership is never granted by a sign-in (an e-mail claim that names a function mailbox is refused, see
`directory`): an administrator adds an existing staff user here, through the REST API (the administrator app role)
or the `sigill mailbox` commands (an operator on the server).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from identity.addresses import canonical_address
from messaging import audit
from messaging.errors import Conflict, Forbidden, InvalidRequest, NotFound
from messaging.model import Actor
from messaging.ports import Deps
from messaging.validation import normalise_address
from store.errors import ConflictError
from store.ports import UnitOfWork
from store.records import Mailbox, StaffUser

_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Member:
    user_id: str
    email: str
    name: str


@dataclass(frozen=True, slots=True)
class Membership:
    """A function mailbox and its members, ordered by address."""

    mailbox: Mailbox
    members: list[Member]


def operator(org_id: str, name: str) -> Actor:
    """An operator at the server's command line: administers the organisation, and is audited by `name`."""
    return Actor(org_id=org_id, user_id=name, email="", name=name, loa=0, kind="operator", admin=True)


async def members(deps: Deps, actor: Actor, address: str) -> Membership:
    _require_admin(actor)
    async with deps.store.unit_of_work(actor.org_id) as uow:
        box = await _function_mailbox(uow, address)
        return Membership(box, await _members(uow, box))


async def add_member(deps: Deps, actor: Actor, address: str, email: str) -> Membership:
    """Add the staff user with address `email`; 409 if they already belong."""

    def add(box: Mailbox, user: StaffUser) -> None:
        if user.user_id in box.member_ids:
            raise Conflict("already_member", "Medarbetaren är redan medlem i brevlådan.")
        box.member_ids.append(user.user_id)

    return await _change(deps, actor, address, email, add, "mailbox.member_added")


async def remove_member(deps: Deps, actor: Actor, address: str, email: str) -> Membership:
    """Remove the staff user with address `email`; the last member stays, so the mailbox is never orphaned."""

    def remove(box: Mailbox, user: StaffUser) -> None:
        if user.user_id not in box.member_ids:
            raise NotFound("member")
        if box.member_ids == [user.user_id]:
            raise Conflict("last_member", "En funktionsbrevlåda måste ha minst en medlem.")
        box.member_ids.remove(user.user_id)

    return await _change(deps, actor, address, email, remove, "mailbox.member_removed")


async def _change(
    deps: Deps,
    actor: Actor,
    address: str,
    email: str,
    change: Callable[[Mailbox, StaffUser], None],
    action: str,
) -> Membership:
    _require_admin(actor)
    for _ in range(_ATTEMPTS):
        async with deps.store.unit_of_work(actor.org_id) as uow:
            box = await _function_mailbox(uow, address)
            user = await _staff_user(uow, email)
            change(box, user)
            uow.mailboxes.update(box)
            uow.audit.append(
                audit.event(
                    actor, action, f"mailbox:{box.address}", deps.clock(), member=f"staff:{user.user_id}"
                )
            )
            try:
                await uow.commit()
            except ConflictError:
                continue  # another change to the same mailbox won; apply this one to what it left
            return Membership(box, await _members(uow, box))
    raise Conflict("mailbox_changed", "Brevlådan ändrades samtidigt av någon annan. Försök igen.")


def _require_admin(actor: Actor) -> None:
    if not actor.admin:
        raise Forbidden(
            "admin_required",
            "Bara organisationens administratörer kan ändra funktionsbrevlådornas medlemmar.",
            "The administrator app role is required.",
        )


async def _function_mailbox(uow: UnitOfWork, address: str) -> Mailbox:
    box = await uow.mailboxes.get(canonical_address(address))
    if box is None:
        raise NotFound("mailbox")
    if box.kind != "function":
        raise InvalidRequest(
            "not_a_function_mailbox",
            "Bara funktionsbrevlådor har medlemmar som kan ändras.",
            "A personal mailbox belongs to its owner alone.",
        )
    return box


async def _staff_user(uow: UnitOfWork, email: str) -> StaffUser:
    unknown = InvalidRequest(
        "staff_unknown",
        "Det finns ingen medarbetare med den e-postadressen.",
        "Members are staff users who have signed in at least once.",
    )
    try:
        address = normalise_address(email)
    except InvalidRequest:
        raise unknown from None
    user = await uow.staff.by_email(address)
    if user is None:
        raise unknown
    return user


async def _members(uow: UnitOfWork, box: Mailbox) -> list[Member]:
    found = [await uow.staff.get(user_id) for user_id in box.member_ids]
    people = [Member(u.user_id, u.email, u.name) for u in found if u is not None]
    return sorted(people, key=lambda member: member.email)
