"""Where a staff member can be reached in Teams unasked: the conversation reference of their chat with the bot.

The bot reports the reference a turn shows (bot/references.py); a proactive notice (bot/notices.py) later goes
into the conversation kept here. One reference per staff user, replaced only when the chat changed.
"""

from __future__ import annotations

from messaging.ports import Deps
from store.records import ConversationReference

type Fingerprint = tuple[str, str, str, str, str, str, str]


def fingerprint(reference: ConversationReference) -> Fingerprint:
    """What makes two references the same chat (ids, times and versions aside)."""
    return (
        reference.service_url,
        reference.conversation_id,
        reference.bot_id,
        reference.tenant_id,
        reference.aad_object_id,
        reference.channel_id,
        reference.locale,
    )


async def keep_reference(deps: Deps, seen: ConversationReference) -> None:
    """Store `seen` for its user unless the same chat is stored already.

    A parallel turn of the same user storing at the same moment makes the commit raise ConflictError; either
    reference is a real chat of that user with the bot, so the caller may let it go.
    """
    async with deps.store.unit_of_work(seen.org_id) as uow:
        stored = await uow.references.get(seen.user_id)
        if stored is not None and fingerprint(stored) == fingerprint(seen):
            return
        seen.updated_at = deps.clock()
        if stored is None:
            uow.references.add(seen)
        else:
            seen.version = stored.version
            uow.references.update(seen)
        await uow.commit()
