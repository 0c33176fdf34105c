"""Looking recipients up before sending: who is inside Sigill, and how everyone else can identify at a level.

A recipient is registered when the caller's organisation has a mailbox at the address (a staff member's, a function
mailbox, or an activated recipient account's): the very test a send applies, so the answer here is what a send to
the same address does. Everyone else gets a link, and `methods` lists the identification methods that reach the
level, each with what the sender must give for it (the rules are messaging/policy.py's, not restated here).

Only the caller's own organisation is read: an address registered elsewhere is, here, someone who gets a link.
Nothing is written and nothing is logged; the addresses never leave the function except in its answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from messaging import levels
from messaging.directory import organisation
from messaging.errors import Forbidden, InvalidRequest
from messaging.model import Actor
from messaging.policy import LEVELS, METHOD_LOA, METHOD_NEEDS, ContactNeed, default_method, methods_reaching
from messaging.ports import Deps
from messaging.validation import normalise_address
from store.records import IdentificationMethod, Mailbox, MailboxKind


@dataclass(frozen=True, slots=True)
class MethodOption:
    """One way a link recipient can identify at the asked level."""

    method: IdentificationMethod
    # The level the method reaches (at least the asked one).
    loa: int
    # What the sender must give for it: "phone", "personal_number", or None for nothing.
    needs: ContactNeed | None
    # Assumed when the sender names no method (e-mail at LoA1).
    default: bool


@dataclass(frozen=True, slots=True)
class RecipientDescription:
    # The canonical form of the address (lower case, trimmed), as a send would store it.
    address: str
    registered: bool
    # For a registered recipient: the mailbox's name and kind ("personal" or "function").
    name: str | None = None
    mailbox_kind: MailboxKind | None = None
    # For a link recipient: the methods that reach the level, weakest first. Empty when registered.
    methods: tuple[MethodOption, ...] = ()


async def describe_recipients(
    deps: Deps, actor: Actor, addresses: Sequence[str], loa: int
) -> list[RecipientDescription]:
    """One description per address, in the order given; refused whole if a rule fails (nothing is read then).

    InvalidRequest names the offending input in `pointer` (`#/addresses/2`, `#/loa`), a JSON pointer into a
    request that carries `addresses` and `loa` as named here.
    """
    if actor.kind != "staff":
        raise Forbidden("staff_only", "Bara medarbetare kan slå upp mottagare.")
    _check_level(loa)
    canonical = _check_addresses(addresses, deps.limits.max_recipients)
    async with deps.store.unit_of_work(actor.org_id) as uow:
        boxes = {box.address: box for box in await uow.mailboxes.get_many(sorted(set(canonical)))}
    options = method_options(loa)
    return [_describe(address, boxes.get(address), options) for address in canonical]


async def default_open_message(deps: Deps, actor: Actor) -> str:
    """The open message a link recipient gets from the actor's organisation when the sender writes none."""
    return levels.default_open_message(await organisation(deps, actor))


def method_options(loa: int) -> tuple[MethodOption, ...]:
    """The identification methods a link recipient may use at `loa`, each with what it needs."""
    default = default_method(loa)
    return tuple(
        MethodOption(method=m, loa=METHOD_LOA[m], needs=METHOD_NEEDS[m], default=m == default)
        for m in methods_reaching(loa)
    )


def _describe(
    address: str, mailbox: Mailbox | None, options: tuple[MethodOption, ...]
) -> RecipientDescription:
    if mailbox is None:
        return RecipientDescription(address=address, registered=False, methods=options)
    return RecipientDescription(
        address=address, registered=True, name=mailbox.name, mailbox_kind=mailbox.kind
    )


def _check_level(loa: int) -> None:
    if loa not in LEVELS:
        raise InvalidRequest(
            "loa_invalid", "Tillitsnivån måste vara 1, 2 eller 3.", "loa must be 1, 2 or 3", pointer="#/loa"
        )


def _check_addresses(addresses: Sequence[str], most: int) -> list[str]:
    if not addresses:
        raise InvalidRequest(
            "addresses_missing", "Ange minst en mottagare.", "At least one address.", pointer="#/addresses"
        )
    if len(addresses) > most:
        raise InvalidRequest(
            "too_many_addresses",
            f"Det går att slå upp högst {most} mottagare åt gången.",
            f"At most {most} addresses per lookup.",
            pointer="#/addresses",
        )
    canonical: list[str] = []
    for index, address in enumerate(addresses):
        try:
            canonical.append(normalise_address(address))
        except InvalidRequest as exc:
            raise InvalidRequest(
                exc.code, exc.message_sv, exc.detail, pointer=f"#/addresses/{index}"
            ) from None
    return canonical
