"""When a failed notification is tried again: exponential backoff with jitter, up to a limit."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

# Beyond this many doublings every delay is the cap anyway; it keeps the shift small.
_MAX_DOUBLINGS = 30


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    # Attempts in all, the first included; after the last failed one the item is marked failed.
    max_attempts: int = 8
    base_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(hours=1)

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.base_delay <= timedelta(0) or self.max_delay < self.base_delay:
            raise ValueError("a retry policy needs at least one attempt and 0 < base delay <= max delay")

    def gives_up_after(self, attempts: int) -> bool:
        return attempts >= self.max_attempts

    def delay(self, attempts: int, rng: random.Random) -> timedelta:
        """The pause after the `attempts`-th failed attempt (counted from 1).

        The ceiling doubles with each attempt up to `max_delay`; the pause is half
        the ceiling plus a random share of the other half ("equal jitter"), so
        workers that failed together do not come back together, and no retry
        comes sooner than half its backoff.
        """
        doublings = min(max(attempts - 1, 0), _MAX_DOUBLINGS)
        ceiling = min(self.max_delay, self.base_delay * (1 << doublings))
        return ceiling / 2 + (ceiling / 2) * rng.random()
