"""What the outbox worker sends, and the channels it sends through, as small Protocols.

A channel takes one rendered notification and either returns (the provider
took it) or raises `TemporaryFailure` or `PermanentFailure` (notify.errors).
The Teams channel sends one notice per person, into the conversation the bot
keeps for them (a `ConversationReference` from store/).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from store.records import ConversationReference, OutboxItem


@dataclass(frozen=True, slots=True)
class Email:
    to: str
    subject: str
    # The plain-text part and the HTML part: the same words.
    text: str
    html: str
    # Shown as the sender's display name (the organisation); the address is the channel's.
    from_name: str
    # Goes out as the header X-Sigill-Message, so the Outlook add-in finds the message by it.
    message_id: str | None = None
    # Development only: what the development sink records beside the mail (kind, link, delivery).
    extras: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Sms:
    to: str
    text: str
    extras: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TeamsNotice:
    """A card in a staff user's chat with the bot: a message waits for them (who sent it and its level, no content)."""

    sender: str
    loa: int
    message_id: str
    # "personal": the user's own mailbox; "function": a function mailbox they belong to (named on the card).
    mailbox_kind: str
    mailbox_name: str


@dataclass(frozen=True, slots=True)
class TeamsTarget:
    """One person a Teams notice goes to; `part` names it among the item's parts (kept once it is sent)."""

    part: str
    user_id: str
    notice: TeamsNotice


class EmailSender(Protocol):
    async def send(self, email: Email) -> None: ...
    async def close(self) -> None: ...


class SmsSender(Protocol):
    async def send(self, sms: Sms) -> None: ...
    async def close(self) -> None: ...


class TeamsSender(Protocol):
    """Posts a notice card into the conversation a reference names (the bot's proactive path)."""

    async def send(self, reference: ConversationReference, notice: TeamsNotice) -> None: ...
    async def close(self) -> None: ...


class PayloadOpener(Protocol):
    """Opens an outbox item's sealed payload (crypto/ lives above this layer's reach)."""

    async def __call__(self, item: OutboxItem) -> Mapping[str, Any]: ...
