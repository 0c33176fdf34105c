"""Cases in function mailboxes: take, release, close, reopen, delete; and a case's summary for its card."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from messaging import audit
from messaging.directory import member_mailbox, staff_by_id
from messaging.errors import Conflict, NotFound
from messaging.model import Actor, CaseView
from messaging.policy import may_open
from messaging.ports import Deps
from messaging.reading import open_key
from messaging.sealing import open_content
from store.errors import ConflictError
from store.ports import UnitOfWork
from store.records import Case, Message

CaseAction = Literal["take", "release", "close", "reopen", "delete"]


async def act_on_case(deps: Deps, actor: Actor, address: str, case_id: str, action: CaseAction) -> CaseView:
    """Apply one action; a lost race is a conflict, never a silent overwrite."""
    async with deps.store.unit_of_work(actor.org_id) as uow:
        case = await _member_case(uow, actor, address, case_id)
        try:
            _RULES[action](case, actor)
        except Conflict as exc:
            await _name_holder(uow, exc)
            raise
        case.updated_at = deps.clock()
        uow.cases.update(case)
        uow.audit.append(
            audit.event(actor, f"case.{_PAST[action]}", f"case:{case_id}", deps.clock(), mailbox=case.mailbox)
        )
        try:
            await uow.commit()
        except ConflictError:
            raise Conflict(
                "case_changed", "Någon annan ändrade ärendet samtidigt. Ladda om och försök igen."
            ) from None
        holder = (await staff_by_id(uow, {case.assignee_id} if case.assignee_id else set())).get(
            case.assignee_id or ""
        )
    return CaseView(case, holder.email if holder else None, holder.name if holder else None)


async def _member_case(uow: UnitOfWork, actor: Actor, address: str, case_id: str) -> Case:
    box = await member_mailbox(uow, actor, address)
    case = await uow.cases.get(case_id)
    if case is None or case.mailbox != box.address or case.status == "deleted":
        raise NotFound("case")
    return case


async def _name_holder(uow: UnitOfWork, exc: Conflict) -> None:
    """Say who holds the case, by address and name, so the member knows whom to ask."""
    holder_id = exc.extra.get("holder", "")
    holder = (await staff_by_id(uow, {holder_id} if holder_id else set())).get(holder_id)
    if holder is not None:
        exc.extra["holder"] = holder.email
        exc.extra["holder_name"] = holder.name
        exc.message_sv = f"{exc.message_sv} ({holder.name}, {holder.email})"
        exc.detail = f"The case is held by {holder.email}."


def _take(case: Case, actor: Actor) -> None:
    _require_open(case)
    if case.assignee_id == actor.user_id:
        # Strict, so that of many simultaneous takes exactly one succeeds, whoever sends them.
        raise Conflict("case_already_yours", "Du har redan tagit ärendet.")
    if case.assignee_id is not None:
        raise Conflict(
            "case_taken", "Ärendet är redan taget av en annan handläggare.", holder=case.assignee_id
        )
    case.assignee_id = actor.user_id


def _release(case: Case, actor: Actor) -> None:
    _require_open(case)
    if case.assignee_id is None:
        raise Conflict("case_not_taken", "Ärendet är inte taget.")
    if case.assignee_id != actor.user_id:
        raise Conflict(
            "case_taken", "Bara den som har tagit ärendet kan släppa det.", holder=case.assignee_id
        )
    case.assignee_id = None


def _close(case: Case, actor: Actor) -> None:
    _require_open(case)
    if case.assignee_id not in (None, actor.user_id):
        raise Conflict(
            "case_taken", "Ärendet är taget av en annan handläggare.", holder=case.assignee_id or ""
        )
    case.status = "closed"


def _reopen(case: Case, actor: Actor) -> None:
    if case.status != "closed":
        raise Conflict("case_not_closed", "Ärendet är inte avslutat.")
    case.status = "open"


def _delete(case: Case, actor: Actor) -> None:
    if case.assignee_id not in (None, actor.user_id):
        raise Conflict(
            "case_taken", "Ärendet är taget av en annan handläggare.", holder=case.assignee_id or ""
        )
    case.status = "deleted"


def _require_open(case: Case) -> None:
    if case.status != "open":
        raise Conflict("case_closed", "Ärendet är avslutat. Öppna det igen först.")


_RULES: dict[str, Callable[[Case, Actor], None]] = {
    "take": _take,
    "release": _release,
    "close": _close,
    "reopen": _reopen,
    "delete": _delete,
}
_PAST = {"take": "taken", "release": "released", "close": "closed", "reopen": "reopened", "delete": "deleted"}


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """What a case card shows: the case, its message's header, and the subject when the actor's level allows."""

    case: Case
    message: Message
    # None when the message is above the actor's sign-in level: nothing of its content is opened.
    subject: str | None
    # The name of the member holding the case, if anyone does.
    holder_name: str | None = None


async def case_summary(deps: Deps, actor: Actor, address: str, case_id: str) -> CaseSummary:
    """A member's view of one case, without reading the message (no read is recorded, no delivery opened)."""
    async with deps.store.unit_of_work(actor.org_id) as uow:
        case = await _member_case(uow, actor, address, case_id)
        message = await uow.messages.get(case.message_id)
        holder = (await staff_by_id(uow, {case.assignee_id} if case.assignee_id else set())).get(
            case.assignee_id or ""
        )
    if message is None:
        raise NotFound("case")
    subject = None
    if may_open(actor.loa, message.loa):
        key = await open_key(deps, message)
        subject = open_content(key, message.org_id, message.message_id, message.sealed_content).subject
    return CaseSummary(case, message, subject, holder.name if holder else None)
