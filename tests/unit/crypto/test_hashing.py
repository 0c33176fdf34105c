"""Password hashes (argon2id) and lookup digests (HMAC-SHA256 under the server's lookup key)."""

from __future__ import annotations

import os

import pytest

from crypto.errors import CryptoError
from crypto.hashing import LookupHasher, PasswordHasher, constant_time_equals

# Cheap parameters keep the suite fast; one test checks the production defaults.
CHEAP = {"time_cost": 1, "memory_cost_kib": 1024, "parallelism": 1}


def test_default_parameters_are_argon2id_rfc_9106() -> None:
    hasher = PasswordHasher()
    encoded = hasher.hash("korrekt häst batteri häftklammer")
    assert encoded.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert hasher.verify(encoded, "korrekt häst batteri häftklammer")


def test_a_wrong_password_is_false_never_an_exception() -> None:
    hasher = PasswordHasher(**CHEAP)
    encoded = hasher.hash("rätt lösenord")
    assert hasher.verify(encoded, "rätt lösenord") is True
    for wrong in ("fel lösenord", "", "rätt lösenord ", "RÄTT LÖSENORD"):
        assert hasher.verify(encoded, wrong) is False


def test_each_hash_has_its_own_salt_and_hides_the_password() -> None:
    hasher = PasswordHasher(**CHEAP)
    first, second = hasher.hash("lösenord123"), hasher.hash("lösenord123")
    assert first != second
    assert "lösenord123" not in first


def test_a_malformed_stored_hash_is_an_error_not_a_mismatch() -> None:
    hasher = PasswordHasher(**CHEAP)
    for stored in ("", "plaintext", "$argon2id$broken"):
        with pytest.raises(CryptoError):
            hasher.verify(stored, "x")


def test_needs_rehash_when_the_parameters_changed() -> None:
    old = PasswordHasher(**CHEAP).hash("lösenord")
    current = PasswordHasher()
    assert current.needs_rehash(old) is True
    assert PasswordHasher(**CHEAP).needs_rehash(old) is False


async def test_async_variants_run_off_the_event_loop() -> None:
    hasher = PasswordHasher(**CHEAP)
    encoded = await hasher.hash_async("lösenord")
    assert await hasher.verify_async(encoded, "lösenord") is True
    assert await hasher.verify_async(encoded, "annat") is False


def test_lookup_digest_is_stable_hex_and_depends_on_key_purpose_and_value() -> None:
    key = os.urandom(32)
    hasher = LookupHasher(key)
    digest = hasher.digest("email", "anna@example.se")
    assert digest == LookupHasher(key).digest("email", "anna@example.se")
    assert len(digest) == 64
    int(digest, 16)
    assert "anna" not in digest
    assert digest != hasher.digest("phone", "anna@example.se")
    assert digest != hasher.digest("email", "anna@example.com")
    assert digest != LookupHasher(os.urandom(32)).digest("email", "anna@example.se")


def test_purpose_and_value_cannot_be_shifted_into_each_other() -> None:
    hasher = LookupHasher(os.urandom(32))
    assert hasher.digest("ab", "c") != hasher.digest("a", "bc")


def test_matches_accepts_only_the_right_value_for_the_purpose() -> None:
    hasher = LookupHasher(os.urandom(32))
    digest = hasher.digest("link-token", "tok-123")
    assert hasher.matches(digest, "link-token", "tok-123")
    assert not hasher.matches(digest, "link-token", "tok-124")
    assert not hasher.matches(digest, "sms-code", "tok-123")
    assert not hasher.matches(digest[:-1], "link-token", "tok-123")
    assert not hasher.matches("ö" * 64, "link-token", "tok-123")


def test_lookup_key_must_be_long_and_purpose_given() -> None:
    with pytest.raises(CryptoError):
        LookupHasher(os.urandom(16))
    with pytest.raises(CryptoError):
        LookupHasher(os.urandom(32)).digest("", "value")
    key = os.urandom(32)
    assert key.hex() not in repr(LookupHasher(key))


def test_constant_time_equals() -> None:
    assert constant_time_equals("abc", "abc")
    assert constant_time_equals(b"abc", b"abc")
    assert constant_time_equals("åäö", "åäö".encode())
    assert not constant_time_equals("abc", "abd")
    assert not constant_time_equals("abc", "ab")
