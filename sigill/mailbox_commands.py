"""`sigill mailbox ...`: function-mailbox members, changed by an operator on the server, audited by name."""

from __future__ import annotations

import getpass
import sys

from identity.addresses import canonical_address
from messaging import membership
from messaging.errors import MessagingError
from sigill import bootstrap
from sigill.config import Settings
from store.records import Organisation


async def mailbox(settings: Settings, action: str, address: str, email: str | None = None) -> int:
    """List (`members`), `add-member` or `remove-member`; prints the members afterwards, exits 2 on refusal."""
    components = await bootstrap.build(settings.model_copy(update={"demo": False}))
    try:
        org = await _organisation_with(components, address)
        if org is None:
            print(f"sigill: no organisation has a mailbox {address}", file=sys.stderr)
            return 2
        actor = membership.operator(org.org_id, f"cli:{_operator_name()}")
        deps = components.deps
        try:
            if action == "add-member" and email is not None:
                found = await membership.add_member(deps, actor, address, email)
                print(f"added {canonical_address(email)} to {found.mailbox.address}")
            elif action == "remove-member" and email is not None:
                found = await membership.remove_member(deps, actor, address, email)
                print(f"removed {canonical_address(email)} from {found.mailbox.address}")
            else:
                found = await membership.members(deps, actor, address)
        except MessagingError as exc:
            print(f"sigill: {exc.code}: {exc.detail}", file=sys.stderr)
            return 2
        print(f"{found.mailbox.address} ({found.mailbox.name}): {len(found.members)} members")
        for member in found.members:
            print(f"  {member.email}  {member.name}")
        return 0
    finally:
        await components.close()


async def _organisation_with(components: bootstrap.Components, address: str) -> Organisation | None:
    """The organisation that has a mailbox at `address` (addresses are unique within an organisation)."""
    for org in await components.store.organisations():
        async with components.store.unit_of_work(org.org_id) as uow:
            if await uow.mailboxes.get(canonical_address(address)) is not None:
                return org
    return None


def _operator_name() -> str:
    """The operating-system account that ran the command: the audit trail says who changed what."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
