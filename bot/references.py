"""Keeping where the bot reaches each staff user unasked: the conversation reference of their chat with the bot.

Called on every turn of a known staff user (bot/app.py, after the sender is settled). A proactive notice
(bot/notices.py, sent by the outbox worker) goes into the conversation kept here, so a user who never talked
to the bot has none and is left to the e-mail. Only a personal chat is kept: a notice must never land in a
group chat or a channel where others would read it.

The hot path stays cheap: what was last stored for a user is remembered in memory per store, so a turn whose
reference has not changed costs no store access at all; a changed one (a new chat, another region's service
url) costs one read and one write. Another process may have stored a newer reference meanwhile; either is a
real chat of the same user with the bot, so keeping one of them is enough. A store that cannot be reached
now never fails the user's turn: the next turn tries again.
"""

from __future__ import annotations

import logging
import weakref
from collections import OrderedDict
from typing import Final

from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import TurnContext

from bot.context import BotContext
from bot.identity import teams_user
from messaging.model import Actor
from messaging.teams_contacts import Fingerprint, fingerprint, keep_reference
from store.errors import ConflictError, StoreError
from store.ports import Store
from store.records import ConversationReference

log = logging.getLogger(__name__)

# Users remembered per store (the least recently seen are forgotten first, and cost one read when back).
REMEMBERED: Final = 10_000


class _Remembered:
    """What this process last stored, or found stored, for each (organisation, user)."""

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[str, str], Fingerprint] = OrderedDict()

    def matches(self, key: tuple[str, str], fingerprint: Fingerprint) -> bool:
        if self._entries.get(key) != fingerprint:
            return False
        self._entries.move_to_end(key)
        return True

    def keep(self, key: tuple[str, str], fingerprint: Fingerprint) -> None:
        self._entries[key] = fingerprint
        self._entries.move_to_end(key)
        while len(self._entries) > REMEMBERED:
            self._entries.popitem(last=False)


_by_store: weakref.WeakKeyDictionary[Store, _Remembered] = weakref.WeakKeyDictionary()


def reference_of(activity: Activity, actor: Actor) -> ConversationReference | None:
    """The reference a turn gives for `actor`; None outside a personal chat or when Teams left a part out."""
    conversation = activity.conversation
    bot = activity.recipient
    user = teams_user(activity)
    if conversation is None or bot is None or user is None or not activity.service_url:
        return None
    if conversation.is_group or conversation.conversation_type not in (None, "personal"):
        return None
    if not conversation.id or not bot.id:
        return None
    tenant_id, object_id = user
    return ConversationReference(
        org_id=actor.org_id,
        user_id=actor.user_id,
        service_url=activity.service_url,
        conversation_id=conversation.id,
        bot_id=bot.id,
        tenant_id=tenant_id,
        aad_object_id=object_id,
        channel_id=str(activity.channel_id or "msteams"),
        locale=activity.locale or "",
    )


async def remember(ctx: BotContext, turn_context: TurnContext, actor: Actor) -> None:
    """Store the turn's conversation reference for `actor` when it differs from the one stored."""
    if actor.kind != "staff":
        return
    seen = reference_of(turn_context.activity, actor)
    if seen is None:
        return
    store = ctx.deps.store
    remembered = _by_store.setdefault(store, _Remembered())
    key, current = (actor.org_id, actor.user_id), fingerprint(seen)
    if remembered.matches(key, current):
        return
    try:
        await keep_reference(ctx.deps, seen)
    except ConflictError:
        # Another turn of the same user stored it at the same moment: theirs is as good.
        return
    except StoreError as exc:
        log.warning("the Teams conversation reference could not be kept now (%s)", type(exc).__name__)
        return
    remembered.keep(key, current)
