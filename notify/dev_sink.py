"""The development sink: in development mode e-mail and SMS go to a file instead of SMTP or ACS.

One JSON object per line, appended under an exclusive lock, in the data
directory (mode 0600: it holds links and codes, development data though they
are). Any process can write and read it, so a `sigill worker` running apart from
`sigill serve` shows its sends at the server's `/dev/outbox`. Each line holds
what was sent exactly as it went out: for e-mail the plain-text part of the
very message SMTP would have carried.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from notify.mime import HEADER_MESSAGE_ID, compose, plain_text
from notify.ports import Email, Sms

FILE_NAME = "dev-outbox.jsonl"
# Development only: a fixed sender address, since [smtp] from_address is not set.
DEV_FROM_ADDRESS = "noreply@sigill.invalid"


class DevSink:
    def __init__(self, path: Path, clock: Callable[[], datetime]) -> None:
        self.path = path
        self.clock = clock

    def append(self, entry: dict[str, Any]) -> dict[str, Any]:
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.fchmod(fd, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            # Stamped under the lock, so the file's order is the order of the times (newest last).
            record = {"id": uuid.uuid4().hex, "sent_at": self.clock().isoformat(), **entry}
            os.write(fd, (json.dumps(record, ensure_ascii=False) + "\n").encode())
        finally:
            os.close(fd)
        return record

    def read(self, *, to: str | None = None) -> list[dict[str, Any]]:
        """What was sent, newest first; only what went to `to` (any case) when given."""
        try:
            with self.path.open("rb") as fh:
                fcntl.flock(fh.fileno(), fcntl.LOCK_SH)
                raw = fh.read()
        except FileNotFoundError:
            return []
        wanted = to.strip().lower() if to else None
        items = []
        for line in raw.decode(errors="replace").splitlines():
            try:
                item = json.loads(line)
            except ValueError:
                continue  # a line cut short by a crash
            if isinstance(item, dict) and (wanted is None or str(item.get("to", "")).lower() == wanted):
                items.append(item)
        items.reverse()
        return items


class DevEmailSender:
    def __init__(self, sink: DevSink, from_address: str = DEV_FROM_ADDRESS) -> None:
        self._sink = sink
        self._from = from_address

    async def send(self, email: Email) -> None:
        message = compose(email, self._from, self._sink.clock())
        entry = {
            "channel": "email",
            "to": email.to,
            "from": str(message["From"]),
            "subject": str(message["Subject"]),
            "body": plain_text(message),
            "headers": {HEADER_MESSAGE_ID: email.message_id} if email.message_id else {},
            **email.extras,
        }
        await asyncio.to_thread(self._sink.append, entry)

    async def close(self) -> None:
        return None


class DevSmsSender:
    def __init__(self, sink: DevSink) -> None:
        self._sink = sink

    async def send(self, sms: Sms) -> None:
        entry = {"channel": "sms", "to": sms.to, "subject": "", "body": sms.text, **sms.extras}
        await asyncio.to_thread(self._sink.append, entry)

    async def close(self) -> None:
        return None
