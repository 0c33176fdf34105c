"""Counting failed tries of a secret, and locking it for a while after too many.

One rule for every secret that is not a one-time code (those have `identity.one_time_codes`): at most
`max_failures` failed tries in a `window`; the try that reaches it locks for `lockout`, during which every try is
refused without being checked. A success clears the count. The functions work on `store.records.FailedTries`,
which both a directory `Throttle` (an address) and a `RecipientAccount` (its password) carry, so both lock by the
same rule and an address that has no account locks exactly when one that has would.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from store.records import FailedTries


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)


DEFAULT_POLICY: Final = LockoutPolicy()


def locked_until(tries: FailedTries | None, now: datetime) -> datetime | None:
    """The end of the lock while it lasts; None when tries are allowed."""
    if tries is None or tries.locked_until is None or tries.locked_until <= now:
        return None
    return tries.locked_until


def register_failure(tries: FailedTries, now: datetime, policy: LockoutPolicy = DEFAULT_POLICY) -> bool:
    """Count one failed try; True when it locks (the caller audits that)."""
    window_over = tries.window_started_at is None or now - tries.window_started_at >= policy.window
    lock_over = tries.locked_until is not None and tries.locked_until <= now
    if window_over or lock_over:
        # A new window: the old count (and a lock that ran out) no longer matter.
        tries.window_started_at = now
        tries.failures = 0
        tries.locked_until = None
    tries.failures += 1
    if tries.failures >= policy.max_failures:
        tries.locked_until = now + policy.lockout
        return True
    return False


def register_success(tries: FailedTries) -> bool:
    """Clear the count after a success; True when there was anything to clear (so it is worth a write)."""
    changed = tries.failures > 0 or tries.locked_until is not None
    tries.window_started_at = None
    tries.failures = 0
    tries.locked_until = None
    return changed
