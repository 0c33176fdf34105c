"""Compose drafts of the Teams bot, kept in this process's memory and nowhere else.

A compose card carries only an opaque draft id; what the sender typed, the whole body (a card shows at most a
part of a long one) and the files added in the file dialog live here until the message is sent. Nothing of a
draft is written to the database, the blob store or a log line: it is content that has not been encrypted yet,
and a draft is worth less than the trouble of sealing it. The price is that a draft lives as long as the
process (a restart loses it; the card then says so) and is seen only by the instance that made it.

A draft belongs to one organisation and one user: asked for by anyone else, it is absent (the same answer as
an unknown id). Drafts idle for `idle` are forgotten, each user keeps at most `per_user` of them (the oldest go
first), and the files of all drafts together stay under `total_file_bytes`, so memory stays bounded however
many people compose at once.

The file dialog has no bearer token: it is opened with an upload token, a short-lived capability for one draft,
made here when the bot answers "Lägg till filer" and good for `upload_lifetime`.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

IDLE: Final = timedelta(hours=24)
UPLOAD_LIFETIME: Final = timedelta(minutes=15)
PER_USER: Final = 10
# Files wait in memory until the message is sent: a draft takes what a Teams dialog reasonably carries, and all
# drafts together stay well inside a server's memory. Larger files go through the staff web app or Outlook.
DRAFT_FILE_BYTES: Final = 50 * 1024 * 1024
TOTAL_FILE_BYTES: Final = 512 * 1024 * 1024


class DraftFull(Exception):
    """A file would take the draft (or all drafts together) over their size limit; nothing was added."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"draft files are limited to {limit} bytes")
        self.limit = limit


@dataclass(frozen=True, slots=True)
class DraftFile:
    name: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass(slots=True)
class RecipientChoice:
    """What the sender chose for one link recipient: how they identify and the datum it needs."""

    method: str = ""
    phone: str = field(default="", repr=False)
    personal_number: str = field(default="", repr=False)


@dataclass(slots=True)
class Draft:
    draft_id: str
    org_id: str
    user_id: str
    touched_at: datetime
    recipients_text: str = field(default="", repr=False)
    subject: str = field(default="", repr=False)
    body: str = field(default="", repr=False)
    # The body as the last card showed it (cut when the whole does not fit a card): an input that comes back
    # unchanged keeps the whole `body`.
    shown_body: str = field(default="", repr=False)
    loa: int | None = None
    reply_allowed: bool = True
    open_message: str = field(default="", repr=False)
    # Per recipient address, the identification choice typed for it.
    choices: dict[str, RecipientChoice] = field(default_factory=dict, repr=False)
    # The recipient addresses in the order the last card listed their inputs (method_0, phone_0, ...).
    shown_addresses: list[str] = field(default_factory=list, repr=False)
    files: list[DraftFile] = field(default_factory=list, repr=False)

    @property
    def file_bytes(self) -> int:
        return sum(len(item.data) for item in self.files)


@dataclass(frozen=True, slots=True)
class _Upload:
    draft_id: str
    expires_at: datetime


class DraftStore:
    def __init__(
        self,
        clock: Callable[[], datetime],
        *,
        idle: timedelta = IDLE,
        upload_lifetime: timedelta = UPLOAD_LIFETIME,
        per_user: int = PER_USER,
        draft_file_bytes: int = DRAFT_FILE_BYTES,
        total_file_bytes: int = TOTAL_FILE_BYTES,
        new_id: Callable[[], str] = lambda: secrets.token_urlsafe(32),
    ) -> None:
        self._clock = clock
        self._idle = idle
        self._upload_lifetime = upload_lifetime
        self._per_user = per_user
        self.draft_file_bytes = draft_file_bytes
        self._total_file_bytes = total_file_bytes
        self._new_id = new_id
        # Least recently touched first, so expiry looks only at the front.
        self._drafts: OrderedDict[str, Draft] = OrderedDict()
        self._uploads: dict[str, _Upload] = {}

    def __len__(self) -> int:
        self._expire()
        return len(self._drafts)

    def new(self, org_id: str, user_id: str) -> Draft:
        self._expire()
        mine = [d.draft_id for d in self._drafts.values() if (d.org_id, d.user_id) == (org_id, user_id)]
        for draft_id in mine[: max(len(mine) - self._per_user + 1, 0)]:
            self.discard(draft_id)
        draft = Draft(self._new_id(), org_id, user_id, self._clock())
        self._drafts[draft.draft_id] = draft
        return draft

    def get(self, draft_id: str, org_id: str, user_id: str) -> Draft | None:
        """The user's draft, touched; None when unknown, expired or someone else's (never told apart)."""
        self._expire()
        draft = self._drafts.get(draft_id)
        if draft is None or not secrets.compare_digest(
            f"{draft.org_id}\n{draft.user_id}", f"{org_id}\n{user_id}"
        ):
            return None
        self._touch(draft)
        return draft

    def take(self, draft: Draft) -> bool:
        """Remove the draft for its send; False when it is gone already (a second press of Skicka sends nothing)."""
        if self._drafts.get(draft.draft_id) is not draft:
            return False
        self.discard(draft.draft_id)
        return True

    def put_back(self, draft: Draft) -> None:
        """A draft whose send was refused, kept for the sender to correct (its upload tokens are not)."""
        self._drafts[draft.draft_id] = draft
        self._touch(draft)

    def discard(self, draft_id: str) -> None:
        self._drafts.pop(draft_id, None)
        for token in [t for t, u in self._uploads.items() if u.draft_id == draft_id]:
            del self._uploads[token]

    def upload_token(self, draft: Draft) -> str:
        """A capability to add files to this one draft, for `upload_lifetime`."""
        self._expire()
        token = secrets.token_urlsafe(32)
        self._uploads[token] = _Upload(draft.draft_id, self._clock() + self._upload_lifetime)
        return token

    def by_upload_token(self, token: str) -> Draft | None:
        """The draft an unexpired upload token is for, touched; None for anything else."""
        self._expire()
        upload = self._uploads.get(token)
        if upload is None:
            return None
        draft = self._drafts.get(upload.draft_id)
        if draft is not None:
            self._touch(draft)
        return draft

    def room_for(self, draft: Draft) -> int:
        """How many more file bytes this draft may take now."""
        self._expire()
        total = sum(d.file_bytes for d in self._drafts.values())
        return max(min(self.draft_file_bytes - draft.file_bytes, self._total_file_bytes - total), 0)

    def add_files(self, draft: Draft, items: list[DraftFile]) -> None:
        """All of `items`, or none of them when they do not fit."""
        if sum(len(item.data) for item in items) > self.room_for(draft):
            raise DraftFull(self.draft_file_bytes)
        draft.files.extend(items)
        self._touch(draft)

    def _touch(self, draft: Draft) -> None:
        draft.touched_at = self._clock()
        self._drafts.move_to_end(draft.draft_id)

    def _expire(self) -> None:
        now = self._clock()
        while self._drafts:
            oldest = next(iter(self._drafts.values()))
            if now - oldest.touched_at < self._idle:
                break
            self.discard(oldest.draft_id)
        for token in [t for t, u in self._uploads.items() if u.expires_at <= now]:
            del self._uploads[token]
