"""One-time codes sent by SMS: issued, checked, rate-limited and locked out, on one store `Challenge` record.

The rules (`CodePolicy`, defaults):

- a code has 6 digits drawn from `secrets` and lives 10 minutes; a new code replaces the previous one;
- only the code's keyed hash is stored (HMAC under the server's lookup key, bound to the challenge), so a copy of
  the database cannot be tested against the million possible codes;
- at most one code a minute and 5 an hour are sent (`CodeRateLimited` names when the next may go);
- 5 wrong tries, counted across codes, lock the subject out for 15 minutes: no code is accepted or sent until
  then (`CodeLocked`); the count starts again after the lock or a right code;
- a right code is used up: it works once;
- what cannot be a code at all (not 6 digits once spaces and dashes are gone: a letter, a digit too many) is
  refused as `malformed` and counts no try: a slip of the keyboard must not lock a person out, and a guess that
  could never be right costs an attacker nothing either way.

The service only changes the record; it does no I/O. The caller reads the challenge in a unit of work (or makes
a new one with `new_challenge`), calls `issue` or `check`, and commits: two wrong guesses that race write the
same record, so one of them fails at commit instead of going uncounted. Everyone that sends codes (a link
recipient opening a message, an account signing in or confirming a number) uses this, each with its own
`purpose`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal

from crypto.hashing import LookupHasher
from identity.errors import CodeLocked, CodeRateLimited
from store.records import Challenge

CODE_HASH_PURPOSE: Final = "one-time-code"
CheckOutcome = Literal["accepted", "wrong", "malformed", "expired", "locked"]


@dataclass(frozen=True, slots=True)
class CodePolicy:
    digits: int = 6
    lifetime: timedelta = timedelta(minutes=10)
    max_wrong: int = 5
    lockout: timedelta = timedelta(minutes=15)
    min_interval: timedelta = timedelta(minutes=1)
    max_sends: int = 5
    send_window: timedelta = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class CodeCheck:
    """How a check went: accepted; wrong (`tries_left` before a lock); malformed (not a code, no try counted);
    expired (no live code); locked."""

    outcome: CheckOutcome
    tries_left: int = 0
    locked_until: datetime | None = None

    @property
    def accepted(self) -> bool:
        return self.outcome == "accepted"


def challenge_id(purpose: str, subject_id: str) -> str:
    """One challenge per purpose and subject, so its lock and its send count cannot be escaped by a new one."""
    return f"otc-{purpose}-{subject_id}"


def random_code(digits: int) -> str:
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def normalise_code(value: str) -> str:
    """What a person typed, without the spaces and dashes people put in codes."""
    return "".join(ch for ch in value if ch not in " -\u00a0\t")


class OneTimeCodes:
    def __init__(
        self,
        lookup: LookupHasher,
        clock: Callable[[], datetime],
        *,
        policy: CodePolicy | None = None,
        new_code: Callable[[int], str] = random_code,
    ) -> None:
        self._lookup = lookup
        self._clock = clock
        self.policy = policy or CodePolicy()
        self._new_code = new_code

    def __repr__(self) -> str:
        return f"OneTimeCodes({self.policy!r})"

    def new_challenge(self, org_id: str, purpose: str, subject_id: str) -> Challenge:
        """An empty challenge (no code yet) for a subject that never had one; the caller adds it to the store."""
        now = self._clock()
        return Challenge(
            org_id=org_id,
            challenge_id=challenge_id(purpose, subject_id),
            purpose=purpose,
            subject_id=subject_id,
            code_hash="",
            created_at=now,
            expires_at=now,
        )

    def locked_until(self, challenge: Challenge | None) -> datetime | None:
        """The end of the subject's lock, while it lasts."""
        if challenge is None or challenge.locked_until is None:
            return None
        return challenge.locked_until if challenge.locked_until > self._clock() else None

    def issue(self, challenge: Challenge) -> str:
        """A new code for `challenge` (returned once, to be sent; only its hash is kept).

        Raises CodeLocked or CodeRateLimited, changing nothing, when no code may be sent now.
        """
        now = self._clock()
        until = self.locked_until(challenge)
        if until is not None:
            raise CodeLocked(until)
        recent = [at for at in challenge.sent_at if now - at < self.policy.send_window]
        retry_at = self._next_send(recent)
        if retry_at is not None and retry_at > now:
            raise CodeRateLimited(retry_at)
        code = self._new_code(self.policy.digits)
        challenge.created_at = now
        challenge.code_hash = self._digest(challenge, code)
        challenge.expires_at = now + self.policy.lifetime
        challenge.consumed_at = None
        challenge.sent_at = [*recent, now]
        if challenge.locked_until is not None:
            # The lock ran out: the count of wrong tries starts again.
            challenge.locked_until = None
            challenge.attempts = 0
        return code

    def next_send_at(self, challenge: Challenge | None) -> datetime | None:
        """When the next code may be sent, if not now."""
        if challenge is None:
            return None
        now = self._clock()
        until = self.locked_until(challenge)
        if until is not None:
            return until
        retry_at = self._next_send([at for at in challenge.sent_at if now - at < self.policy.send_window])
        return retry_at if retry_at is not None and retry_at > now else None

    def has_live_code(self, challenge: Challenge | None) -> bool:
        return challenge is not None and self._live(challenge, self._clock())

    def check(self, challenge: Challenge, typed: str) -> CodeCheck:
        """Check what the person typed against the live code, counting a wrong try."""
        now = self._clock()
        until = self.locked_until(challenge)
        if until is not None:
            return CodeCheck("locked", locked_until=until)
        if challenge.locked_until is not None:
            challenge.locked_until = None
            challenge.attempts = 0
        if not self._live(challenge, now):
            return CodeCheck("expired", tries_left=self.policy.max_wrong - challenge.attempts)
        code = normalise_code(typed)
        if not (len(code) == self.policy.digits and code.isascii() and code.isdigit()):
            return CodeCheck("malformed", tries_left=self.policy.max_wrong - challenge.attempts)
        if self._lookup.matches(challenge.code_hash, CODE_HASH_PURPOSE, _bound(challenge, code)):
            challenge.consumed_at = now
            challenge.attempts = 0
            return CodeCheck("accepted")
        challenge.attempts += 1
        if challenge.attempts >= self.policy.max_wrong:
            # The live code dies with the lock: after it, only a new code opens.
            challenge.locked_until = now + self.policy.lockout
            challenge.consumed_at = now
            return CodeCheck("locked", locked_until=challenge.locked_until)
        return CodeCheck("wrong", tries_left=self.policy.max_wrong - challenge.attempts)

    def _live(self, challenge: Challenge, now: datetime) -> bool:
        return bool(challenge.code_hash) and challenge.consumed_at is None and now < challenge.expires_at

    def _next_send(self, recent: list[datetime]) -> datetime | None:
        if not recent:
            return None
        by_interval = max(recent) + self.policy.min_interval
        if len(recent) < self.policy.max_sends:
            return by_interval
        by_window = sorted(recent)[len(recent) - self.policy.max_sends] + self.policy.send_window
        return max(by_interval, by_window)

    def _digest(self, challenge: Challenge, code: str) -> str:
        return self._lookup.digest(CODE_HASH_PURPOSE, _bound(challenge, code))


def _bound(challenge: Challenge, code: str) -> str:
    # The challenge id and the time of issue are part of what is hashed: a code's hash says nothing about
    # another challenge's, nor about an earlier code of the same one.
    return f"{challenge.challenge_id}:{challenge.created_at.isoformat()}:{code}"
