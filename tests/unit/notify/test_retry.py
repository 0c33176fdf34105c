"""Backoff: exponential, capped, jittered by the injected randomness, and a limit."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from notify.retry import RetryPolicy


class FixedRandom(random.Random):
    def __init__(self, value: float) -> None:
        super().__init__(0)
        self.value = value

    def random(self) -> float:
        return self.value


POLICY = RetryPolicy(max_attempts=5, base_delay=timedelta(seconds=30), max_delay=timedelta(minutes=10))


@pytest.mark.parametrize(
    ("attempts", "ceiling"),
    [(1, 30), (2, 60), (3, 120), (4, 240), (5, 480), (6, 600), (40, 600)],
)
def test_the_ceiling_doubles_per_attempt_up_to_the_cap(attempts: int, ceiling: int) -> None:
    assert POLICY.delay(attempts, FixedRandom(0.0)) == timedelta(seconds=ceiling / 2)
    assert POLICY.delay(attempts, FixedRandom(0.999999)) == pytest.approx(
        timedelta(seconds=ceiling), abs=timedelta(milliseconds=1)
    )


def test_jitter_spreads_retries_between_half_and_all_of_the_ceiling() -> None:
    rng = random.Random(7)
    delays = {POLICY.delay(3, rng) for _ in range(200)}
    assert len(delays) > 150  # spread, not one instant for every worker
    assert all(timedelta(seconds=60) <= d <= timedelta(seconds=120) for d in delays)


def test_the_same_seed_gives_the_same_delays() -> None:
    first = [POLICY.delay(n, random.Random(42)) for n in range(1, 6)]
    assert first == [POLICY.delay(n, random.Random(42)) for n in range(1, 6)]


def test_it_gives_up_at_the_limit() -> None:
    assert not POLICY.gives_up_after(4)
    assert POLICY.gives_up_after(5)


@pytest.mark.parametrize(
    "bad",
    [
        {"max_attempts": 0},
        {"base_delay": timedelta(0)},
        {"base_delay": timedelta(minutes=5), "max_delay": timedelta(minutes=1)},
    ],
)
def test_a_policy_that_cannot_work_is_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="retry policy"):
        RetryPolicy(**bad)  # type: ignore[arg-type]
