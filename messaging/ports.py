"""What the messaging layer needs from crypto/ and the composition root, as small Protocols."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from store.ports import BlobStore, Store


class DataKey(Protocol):
    def encrypt(self, plaintext: bytes, associated_data: bytes) -> bytes: ...
    def decrypt(self, ciphertext: bytes, associated_data: bytes) -> bytes: ...
    def encrypt_stream(
        self, chunks: AsyncIterable[bytes], associated_data: bytes
    ) -> AsyncIterator[bytes]: ...
    def decrypt_stream(
        self, chunks: AsyncIterable[bytes], associated_data: bytes
    ) -> AsyncIterator[bytes]: ...


class Envelope(Protocol):
    async def new_data_key(self, associated_data: bytes) -> tuple[DataKey, bytes]: ...
    async def open_data_key(self, wrapped_key: bytes, associated_data: bytes) -> DataKey: ...


class LookupHasher(Protocol):
    def digest(self, purpose: str, value: str) -> str: ...
    def matches(self, digest: str, purpose: str, value: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class Limits:
    attachment_max_bytes: int = 100 * 1024 * 1024
    message_max_bytes: int = 250 * 1024 * 1024
    max_recipients: int = 25
    max_attachments: int = 50
    open_message_max_chars: int = 1000
    subject_max_chars: int = 255
    body_max_chars: int = 100_000


@dataclass(frozen=True, slots=True)
class Deps:
    """Everything the services use, wired once by the composition root."""

    store: Store
    blobs: BlobStore
    envelope: Envelope
    lookup: LookupHasher
    clock: Callable[[], datetime]
    new_id: Callable[[], str]
    new_token: Callable[[], str]
    base_url: str
    limits: Limits = Limits()
    # Whether a message to staff also goes out as a Teams card (the bot is set up, or development mode).
    teams_notices: bool = False
