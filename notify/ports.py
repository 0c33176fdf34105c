"""What the outbox worker sends, and the channels it sends through, as small Protocols.

A channel takes one rendered notification and either returns (the provider
took it) or raises `TemporaryFailure` or `PermanentFailure` (notify.errors).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from store.records import OutboxItem


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


class EmailSender(Protocol):
    async def send(self, email: Email) -> None: ...
    async def close(self) -> None: ...


class SmsSender(Protocol):
    async def send(self, sms: Sms) -> None: ...
    async def close(self) -> None: ...


class PayloadOpener(Protocol):
    """Opens an outbox item's sealed payload (crypto/ lives above this layer's reach)."""

    async def __call__(self, item: OutboxItem) -> Mapping[str, Any]: ...
