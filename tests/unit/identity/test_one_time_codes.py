"""One-time codes on a Challenge record: lifetime, use once, wrong tries and lock, send limits, hashes only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crypto.hashing import LookupHasher
from identity.errors import CodeLocked, CodeRateLimited
from identity.one_time_codes import CodePolicy, OneTimeCodes, challenge_id
from store.records import Challenge

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def codes(clock: Clock) -> OneTimeCodes:
    return OneTimeCodes(LookupHasher(b"k" * 32), clock)


@pytest.fixture
def challenge(codes: OneTimeCodes) -> Challenge:
    return codes.new_challenge("org", "link-sms", "d1")


def test_a_code_has_six_digits_and_only_its_hash_is_kept(codes: OneTimeCodes, challenge: Challenge) -> None:
    code = codes.issue(challenge)
    assert len(code) == 6 and code.isdigit()
    assert challenge.challenge_id == challenge_id("link-sms", "d1")
    assert code not in challenge.code_hash and len(challenge.code_hash) >= 32
    assert codes.check(challenge, code).accepted


def test_a_code_opens_once(codes: OneTimeCodes, challenge: Challenge) -> None:
    code = codes.issue(challenge)
    assert codes.check(challenge, code).accepted
    assert codes.check(challenge, code).outcome == "expired"


def test_spaces_and_dashes_people_type_are_ignored(codes: OneTimeCodes, challenge: Challenge) -> None:
    code = codes.issue(challenge)
    assert codes.check(challenge, f" {code[:3]} -{code[3:]} ").accepted


def test_a_code_lives_ten_minutes(codes: OneTimeCodes, challenge: Challenge, clock: Clock) -> None:
    code = codes.issue(challenge)
    clock.advance(minutes=9, seconds=59)
    assert codes.has_live_code(challenge)
    clock.advance(seconds=1)
    result = codes.check(challenge, code)
    assert result.outcome == "expired"
    assert challenge.attempts == 0  # an expired code costs no try


def test_a_new_code_replaces_the_previous_one(
    codes: OneTimeCodes, challenge: Challenge, clock: Clock
) -> None:
    old = codes.issue(challenge)
    clock.advance(minutes=1)
    new = codes.issue(challenge)
    if old != new:
        assert codes.check(challenge, old).outcome == "wrong"
    assert codes.check(challenge, new).accepted


def test_five_wrong_tries_lock_for_fifteen_minutes_even_the_right_code(
    codes: OneTimeCodes, challenge: Challenge, clock: Clock
) -> None:
    code = codes.issue(challenge)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert [codes.check(challenge, wrong).tries_left for _ in range(4)] == [4, 3, 2, 1]
    locked = codes.check(challenge, wrong)
    assert locked.outcome == "locked" and locked.locked_until == START + timedelta(minutes=15)
    assert codes.check(challenge, code).outcome == "locked"
    with pytest.raises(CodeLocked) as refused:
        codes.issue(challenge)
    assert refused.value.until == START + timedelta(minutes=15)
    clock.advance(minutes=15)
    assert codes.locked_until(challenge) is None
    # After the lock only a new code opens, and the count of wrong tries starts again.
    assert codes.check(challenge, code).outcome == "expired"
    fresh = codes.issue(challenge)
    assert codes.check(challenge, wrong if wrong != fresh else code).tries_left == 4
    assert codes.check(challenge, fresh).accepted


def test_wrong_tries_count_across_codes(codes: OneTimeCodes, challenge: Challenge, clock: Clock) -> None:
    for _ in range(2):
        code = codes.issue(challenge)
        for _ in range(2):
            codes.check(challenge, f"{(int(code) + 1) % 10**6:06d}")
        clock.advance(minutes=1)
    code = codes.issue(challenge)
    assert codes.check(challenge, f"{(int(code) + 1) % 10**6:06d}").outcome == "locked"


def test_at_most_one_code_a_minute(codes: OneTimeCodes, challenge: Challenge, clock: Clock) -> None:
    codes.issue(challenge)
    clock.advance(seconds=59)
    with pytest.raises(CodeRateLimited) as refused:
        codes.issue(challenge)
    assert refused.value.retry_at == START + timedelta(minutes=1)
    assert codes.next_send_at(challenge) == START + timedelta(minutes=1)
    clock.advance(seconds=1)
    codes.issue(challenge)


def test_at_most_five_codes_an_hour(codes: OneTimeCodes, challenge: Challenge, clock: Clock) -> None:
    for _ in range(5):
        codes.issue(challenge)
        clock.advance(minutes=5)
    with pytest.raises(CodeRateLimited) as refused:
        codes.issue(challenge)
    assert refused.value.retry_at == START + timedelta(hours=1)
    clock.now = START + timedelta(hours=1)
    codes.issue(challenge)
    assert len(challenge.sent_at) == 5  # only the window's sends are kept


def test_a_refused_send_changes_nothing(codes: OneTimeCodes, challenge: Challenge) -> None:
    codes.issue(challenge)
    before = (challenge.code_hash, challenge.expires_at, list(challenge.sent_at))
    with pytest.raises(CodeRateLimited):
        codes.issue(challenge)
    assert (challenge.code_hash, challenge.expires_at, challenge.sent_at) == before


def test_the_policy_can_be_shortened(clock: Clock) -> None:
    policy = CodePolicy(min_interval=timedelta(seconds=1), lockout=timedelta(seconds=3), max_wrong=2)
    codes = OneTimeCodes(LookupHasher(b"k" * 32), clock, policy=policy, new_code=lambda digits: "123456")
    challenge = codes.new_challenge("org", "p", "s")
    assert codes.issue(challenge) == "123456"
    codes.check(challenge, "000000")
    assert codes.check(challenge, "000000").locked_until == START + timedelta(seconds=3)
