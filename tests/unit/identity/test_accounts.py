"""The account rules that need no I/O: the password policy, the lockout window, how a number is shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from identity.accounts import lockout
from identity.accounts.masking import masked_phone
from identity.accounts.passwords import check_password, common_passwords
from identity.errors import WeakPassword
from store.records import FailedTries

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_the_shipped_list_holds_at_least_ten_thousand_passwords() -> None:
    listed = common_passwords()
    assert len(listed) >= 10_000
    assert {"123456", "password", "qwerty"} <= listed


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("elva-tecken", "password_too_short"),
        ("x" * 257, "password_too_long"),
        ("1qaz2wsx3edc", "password_common"),
        ("  1QAZ2WSX3EDC ", "password_common"),
        ("aaaaaaaaaaaaaaaa", "password_common"),
        ("Jan.Dahl@Dentalklinik.example", "password_is_address"),
    ],
)
def test_weak_passwords_are_refused_with_a_code_saying_why(password: str, code: str) -> None:
    with pytest.raises(WeakPassword) as refused:
        check_password(password, email="jan.dahl@dentalklinik.example")
    assert refused.value.code == code
    assert password.strip() not in str(refused.value) and password not in refused.value.message_sv


def test_a_long_uncommon_password_is_accepted() -> None:
    check_password("tolv-tecken!", email="jan.dahl@dentalklinik.example")
    check_password("demo-tandvard-2026")


def test_the_fifth_failure_in_the_window_locks_and_a_success_clears() -> None:
    tries = FailedTries()
    assert [lockout.register_failure(tries, T0 + timedelta(minutes=i)) for i in range(5)] == [False] * 4 + [
        True
    ]
    assert lockout.locked_until(tries, T0 + timedelta(minutes=5)) == T0 + timedelta(minutes=19)
    assert lockout.locked_until(tries, T0 + timedelta(minutes=19)) is None
    assert lockout.register_success(tries) is True
    assert lockout.register_success(tries) is False
    assert lockout.locked_until(tries, T0) is None


def test_failures_outside_the_window_start_the_count_again() -> None:
    tries = FailedTries()
    for i in range(4):
        lockout.register_failure(tries, T0 + timedelta(minutes=i))
    assert lockout.register_failure(tries, T0 + timedelta(minutes=16)) is False
    assert tries.failures == 1


def test_a_phone_number_is_shown_masked() -> None:
    assert masked_phone("+46701234567") == "+46 70 *** ** 67"
    assert masked_phone("not a number") == "***"
