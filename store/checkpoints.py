"""Signed checkpoints of the audit chains, and the sinks outside the database that keep them.

A checkpoint says: at time `at`, organisation `org_id`'s audit chain had entry
`seq` with hash `head_hash`. It carries a signature over exactly those four
values (`signed_payload`), the id of the key that made it and the algorithm.
Someone with write access to the database can neither change a checkpoint nor
make a new one, so the chain can be checked against them (see store.audit_chain).

Sinks only ever add checkpoints; none has an operation that changes or removes one:

- `FileCheckpointSink`: JSON lines appended to one file (mode 0600), for the
  embedded default. Each checkpoint is one `write` to a file opened with
  O_APPEND, then fsync, so concurrent writers never interleave within a line.
- `BlobCheckpointSink` (store.checkpoints_azure): one create-only blob per
  checkpoint in an immutable (WORM) Blob Storage container, for production.

    {"format": "sigill-checkpoint/1", "org_id": "...", "seq": 42, "head_hash": "<64 hex>",
     "at": "2026-11-25T10:00:00.000000+00:00", "key_id": "...", "algorithm": "Ed25519",
     "signature": "<base64url>"}
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Protocol

from store.codec import utc_iso
from store.errors import CorruptCheckpoint, StoreUnavailable

FORMAT: Final = "sigill-checkpoint/1"
_HASH: Final = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    org_id: str
    seq: int
    head_hash: str
    at: datetime
    key_id: str
    algorithm: str
    signature: bytes

    @property
    def payload(self) -> bytes:
        """The bytes the signature covers."""
        return signed_payload(self.org_id, self.seq, self.head_hash, self.at)

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "org_id": self.org_id,
                "seq": self.seq,
                "head_hash": self.head_hash,
                "at": utc_iso(self.at),
                "key_id": self.key_id,
                "algorithm": self.algorithm,
                "signature": base64.urlsafe_b64encode(self.signature).rstrip(b"=").decode(),
            },
            separators=(",", ":"),
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Checkpoint:
        """Parse one stored checkpoint; ValueError when it is not one."""
        document = json.loads(text)
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise ValueError("not a Sigill checkpoint")
        try:
            checkpoint = cls(
                org_id=_text(document, "org_id"),
                seq=_count(document["seq"]),
                head_hash=_text(document, "head_hash"),
                at=datetime.fromisoformat(_text(document, "at")),
                key_id=_text(document, "key_id"),
                algorithm=_text(document, "algorithm"),
                signature=_from_b64url(_text(document, "signature")),
            )
        except (KeyError, TypeError, binascii.Error) as exc:
            raise ValueError("a checkpoint field is missing or malformed") from exc
        if checkpoint.at.tzinfo is None or not (checkpoint.seq == 0 or _HASH.fullmatch(checkpoint.head_hash)):
            raise ValueError("a checkpoint field is malformed")
        return checkpoint


def signed_payload(org_id: str, seq: int, head_hash: str, at: datetime) -> bytes:
    """The canonical bytes a checkpoint's signature covers: sorted keys, no spaces, UTF-8."""
    document = {"format": FORMAT, "org_id": org_id, "seq": seq, "head_hash": head_hash, "at": utc_iso(at)}
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _text(document: dict[str, Any], name: str) -> str:
    value = document[name]
    if not isinstance(value, str):
        raise TypeError(name)
    return value


def _count(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise TypeError("seq")
    return value


def _from_b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def newest(checkpoints: dict[str, Checkpoint], checkpoint: Checkpoint) -> None:
    """Keep `checkpoint` in `checkpoints` if it is its organisation's newest (highest seq, then latest)."""
    known = checkpoints.get(checkpoint.org_id)
    if known is None or (checkpoint.seq, checkpoint.at) >= (known.seq, known.at):
        checkpoints[checkpoint.org_id] = checkpoint


class CheckpointSink(Protocol):
    async def open(self) -> None:
        """Make the sink ready (create the file's directory, the container)."""
        ...

    async def close(self) -> None: ...

    async def append(self, checkpoint: Checkpoint) -> None:
        """Add `checkpoint`; never changes or removes one. StoreUnavailable when the sink fails."""
        ...

    async def latest(self) -> dict[str, Checkpoint]:
        """The newest checkpoint of every organisation that has one; CorruptCheckpoint for an unreadable entry."""
        ...

    async def is_empty(self) -> bool:
        """Whether the sink holds nothing yet (read without parsing a checkpoint)."""
        ...

    def describe(self) -> str:
        """Where the checkpoints are kept, for messages."""
        ...


class FileCheckpointSink:
    """Checkpoints as JSON lines in one append-only file."""

    def __init__(self, path: Path) -> None:
        self._path = Path(path)
        # What has been read so far: the file is only ever appended to, so later reads resume here.
        self._read_to = 0
        self._lines_read = 0
        self._last_line = b""
        self._latest: dict[str, Checkpoint] = {}

    def describe(self) -> str:
        return str(self._path)

    async def open(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)

    async def close(self) -> None:
        return None

    async def append(self, checkpoint: Checkpoint) -> None:
        line = (checkpoint.to_json() + "\n").encode()
        try:
            await asyncio.to_thread(self._append, line)
        except OSError as exc:
            raise StoreUnavailable(f"the checkpoint file {self._path} cannot be written") from exc

    def _append(self, line: bytes) -> None:
        fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

    async def is_empty(self) -> bool:
        try:
            return self._path.stat().st_size == 0
        except FileNotFoundError:
            return True
        except OSError as exc:
            raise StoreUnavailable(f"the checkpoint file {self._path} cannot be read") from exc

    async def latest(self) -> dict[str, Checkpoint]:
        try:
            return await asyncio.to_thread(self._read_new)
        except OSError as exc:
            raise StoreUnavailable(f"the checkpoint file {self._path} cannot be read") from exc

    def _read_new(self) -> dict[str, Checkpoint]:
        try:
            file = self._path.open("rb")
        except FileNotFoundError:
            self._forget()
            return {}
        with file:
            # The last line read must still be where it was; otherwise the file was replaced or cut
            # (by hand, as no code of ours does either), and is read again from the start.
            file.seek(self._read_to - len(self._last_line))
            if file.read(len(self._last_line)) != self._last_line:
                self._forget()
                file.seek(0)
            data = file.read()
        complete = data[: data.rfind(b"\n") + 1]  # a line still being written is read next time
        latest = dict(self._latest)
        lines = complete.splitlines(keepends=True)
        for number, raw in enumerate(lines, start=self._lines_read + 1):
            try:
                newest(latest, Checkpoint.from_json(raw))
            except ValueError:
                raise CorruptCheckpoint(f"line {number} of {self._path} is not a checkpoint") from None
        self._latest = latest
        self._read_to += len(complete)
        self._lines_read += len(lines)
        if lines:
            self._last_line = lines[-1]
        return dict(latest)

    def _forget(self) -> None:
        self._read_to, self._lines_read, self._last_line, self._latest = 0, 0, b"", {}


def checkpoint_time(at: datetime) -> str:
    """A checkpoint's time for people: UTC, to the second."""
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
