"""The folders of a mailbox: inbox, sent and links, newest first, one keyset page at a time."""

from __future__ import annotations

from typing import Literal

from messaging.directory import member_mailbox, staff_by_id
from messaging.errors import InvalidRequest
from messaging.model import Actor, FolderItem, FolderPage
from messaging.policy import may_open
from messaging.ports import Deps
from messaging.reading import open_key
from messaging.sealing import open_content
from store.ports import AssignedFilter, UnitOfWork
from store.records import Case, CaseStatus, Delivery, Mailbox, Message, StaffUser

Folder = Literal["inbox", "sent", "links"]
MAX_PAGE = 100


async def list_folder(
    deps: Deps,
    actor: Actor,
    address: str,
    folder: Folder,
    *,
    limit: int = 25,
    cursor: str | None = None,
    assigned: AssignedFilter | None = None,
    status: CaseStatus | None = None,
) -> FolderPage:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidRequest("limit_invalid", f"Sidstorleken måste vara 1–{MAX_PAGE}.")
    async with deps.store.unit_of_work(actor.org_id) as uow:
        box = await member_mailbox(uow, actor, address)
        if (assigned or status) and not (folder == "inbox" and box.kind == "function"):
            raise InvalidRequest(
                "filter_not_applicable", "Filtren gäller bara inkorgen i en funktionsbrevlåda."
            )
        if folder == "inbox":
            return await _inbox(deps, uow, actor, box, limit, cursor, assigned, status)
        page = await (uow.messages.sent if folder == "sent" else uow.messages.links)(
            box.address, limit=limit, cursor=cursor
        )
        deliveries = await uow.deliveries.for_messages([m.message_id for m in page.items])
    by_message: dict[str, list[Delivery]] = {}
    for d in deliveries:
        if folder == "sent" or d.kind == "link":
            by_message.setdefault(d.message_id, []).append(d)
    items = [
        FolderItem(
            message=m,
            subject=await _subject(deps, m),
            has_attachments=bool(m.attachments),
            deliveries=by_message.get(m.message_id, []),
        )
        for m in page.items
    ]
    return FolderPage(items, page.next_cursor)


async def _inbox(
    deps: Deps,
    uow: UnitOfWork,
    actor: Actor,
    box: Mailbox,
    limit: int,
    cursor: str | None,
    assigned: AssignedFilter | None,
    status: CaseStatus | None,
) -> FolderPage:
    if box.kind == "function":
        cases = await uow.cases.list(
            box.address, member_id=actor.user_id, assigned=assigned, status=status, limit=limit, cursor=cursor
        )
        messages = {m.message_id: m for m in await uow.messages.get_many([c.message_id for c in cases.items])}
        own = {d.delivery_id: d for d in await uow.deliveries.for_messages(list(messages))}
        holders = await staff_by_id(uow, {c.assignee_id for c in cases.items if c.assignee_id})
        items = [
            await _inbox_item(
                deps,
                actor,
                messages[c.message_id],
                own.get(c.delivery_id),
                c,
                holders.get(c.assignee_id or ""),
            )
            for c in cases.items
            if c.message_id in messages
        ]
        return FolderPage(items, cases.next_cursor)
    page = await uow.deliveries.inbox(box.address, limit=limit, cursor=cursor)
    messages = {m.message_id: m for m in await uow.messages.get_many([d.message_id for d in page.items])}
    items = [
        await _inbox_item(deps, actor, messages[d.message_id], d)
        for d in page.items
        if d.message_id in messages
    ]
    return FolderPage(items, page.next_cursor)


async def _inbox_item(
    deps: Deps,
    actor: Actor,
    message: Message,
    delivery: Delivery | None,
    case: Case | None = None,
    holder: StaffUser | None = None,
) -> FolderItem:
    recalled = delivery is not None and delivery.status == "recalled"
    # Above the sign-in's level: listed (so the recipient knows to step up), its subject not even decrypted.
    locked = not may_open(actor.loa, message.loa)
    return FolderItem(
        message=message,
        # A recalled message keeps its place in the inbox, but nothing of its content.
        subject=None if recalled or locked else await _subject(deps, message),
        has_attachments=bool(message.attachments) and not recalled,
        delivery=delivery,
        case=case,
        assignee=holder.email if holder else None,
        assignee_name=holder.name if holder else None,
        locked=locked,
    )


async def _subject(deps: Deps, message: Message) -> str:
    key = await open_key(deps, message)
    return open_content(key, message.org_id, message.message_id, message.sealed_content).subject
