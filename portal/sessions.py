"""Portal sessions: a sealed cookie, encrypted and authenticated under a server key.

The cookie holds the whole session (a CSRF token, when it was started and last used, and a few small values such
as the delivery it is bound to or an identification under way), sealed with AES-256-GCM under a key derived from
the server's lookup key. The browser can neither read nor change it; a cookie that fails to open, or whose idle or
absolute lifetime has run out, counts as no session at all. The associated data names the cookie, so a sealed
value moved from one cookie to another does not open.

Every response that used a session seals it again with a new `seen_at`, which is what makes the idle limit
sliding. Nothing here decides what a session may do: the pages check that (a link session, for instance, is
checked against its delivery on every request, so a recall ends it at once).
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from aiohttp import web

from crypto.aead import AesGcmAead
from crypto.errors import CryptoError

IDLE_LIMIT: Final = timedelta(minutes=15)
ABSOLUTE_LIMIT: Final = timedelta(hours=8)
# Browsers keep cookies up to about 4 KiB; a session never needs more than this.
MAX_COOKIE_CHARS: Final = 3800


@dataclass
class Session:
    """One person's session; `values` holds small strings only (ids, levels, an order reference)."""

    csrf: str
    started_at: datetime
    seen_at: datetime
    values: dict[str, str] = field(default_factory=dict)
    # A session that came without a (valid) cookie: it is sent only if something stores it.
    new: bool = False

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def set(self, key: str, value: str) -> None:
        self.values[key] = value

    def pop(self, key: str) -> str | None:
        return self.values.pop(key, None)


class SessionCookies:
    """Reads and writes sealed session cookies; the cookie's name and path are the caller's."""

    def __init__(
        self,
        key: bytes,
        *,
        clock: Callable[[], datetime],
        secure: bool,
        idle: timedelta = IDLE_LIMIT,
        absolute: timedelta = ABSOLUTE_LIMIT,
    ) -> None:
        self._aead = AesGcmAead(key)
        self._clock = clock
        self._secure = secure
        self.idle = idle
        self.absolute = absolute

    def __repr__(self) -> str:
        return "SessionCookies(<key>)"

    def new(self) -> Session:
        now = self._clock()
        return Session(csrf=secrets.token_urlsafe(32), started_at=now, seen_at=now, new=True)

    def load(self, cookies: Mapping[str, str], name: str) -> Session:
        """The live session in cookie `name`, or a new one when there is none (or it has ended)."""
        return self.open(cookies.get(name, ""), name) or self.new()

    def open(self, sealed: str, name: str) -> Session | None:
        """The session sealed in `sealed`, or None when it does not open or has ended."""
        if not sealed or len(sealed) > MAX_COOKIE_CHARS:
            return None
        try:
            raw = self._aead.decrypt(base64.urlsafe_b64decode(sealed.encode("ascii")), _ad(name))
            body = json.loads(raw)
            session = Session(
                csrf=str(body["c"]),
                started_at=datetime.fromisoformat(body["s"]),
                seen_at=datetime.fromisoformat(body["l"]),
                values={str(k): str(v) for k, v in dict(body["v"]).items()},
            )
        except (CryptoError, binascii.Error, UnicodeError, ValueError, KeyError, TypeError):
            return None
        now = self._clock()
        if now - session.seen_at > self.idle or now - session.started_at > self.absolute:
            return None
        return session

    def seal(self, session: Session, name: str) -> str:
        body = {
            "c": session.csrf,
            "s": session.started_at.isoformat(),
            "l": session.seen_at.isoformat(),
            "v": session.values,
        }
        raw = json.dumps(body, separators=(",", ":")).encode()
        sealed = base64.urlsafe_b64encode(self._aead.encrypt(raw, _ad(name))).decode("ascii")
        if len(sealed) > MAX_COOKIE_CHARS:
            raise ValueError("a portal session grew too large for a cookie")
        return sealed

    def save(self, response: web.StreamResponse, session: Session, *, name: str, path: str) -> None:
        """Seal `session` into the response, marking it used now (the idle limit slides)."""
        session.seen_at = self._clock()
        session.new = False
        response.set_cookie(
            name,
            self.seal(session, name),
            path=path,
            httponly=True,
            secure=self._secure,
            samesite="Lax",
            max_age=int(self.idle.total_seconds()),
        )

    def clear(self, response: web.StreamResponse, *, name: str, path: str) -> None:
        response.del_cookie(name, path=path, secure=self._secure, httponly=True, samesite="Lax")


def _ad(name: str) -> bytes:
    return f"sigill portal session {name}".encode()
