"""Sealed values: what a data key's encrypt/decrypt promise, and the one opaque error."""

from __future__ import annotations

import os

import pytest

from crypto.aead import AesGcmAead
from crypto.envelope import DataKey
from crypto.errors import CryptoError, DecryptionError
from tests.unit.crypto.support import assert_opaque

AD = b"sigill/1\x1forg-1\x1fmessage-1\x1fcontent"
OTHER_AD = b"sigill/1\x1forg-1\x1fmessage-2\x1fcontent"
PLAINTEXT = "Beslut i ärende 2024-118: ansökan beviljas.".encode()


def test_round_trip_and_fresh_nonce_each_time() -> None:
    key = DataKey(os.urandom(32))
    first, second = key.encrypt(PLAINTEXT, AD), key.encrypt(PLAINTEXT, AD)
    assert first != second
    assert key.decrypt(first, AD) == key.decrypt(second, AD) == PLAINTEXT
    assert PLAINTEXT not in first
    assert len(first) == len(PLAINTEXT) + 1 + 12 + 16


def test_empty_plaintext_round_trips() -> None:
    key = DataKey(os.urandom(32))
    assert key.decrypt(key.encrypt(b"", AD), AD) == b""


def test_every_flipped_bit_is_refused() -> None:
    key = DataKey(os.urandom(32))
    sealed = key.encrypt(PLAINTEXT, AD)
    for position in range(len(sealed)):
        for bit in (0x01, 0x80):
            tampered = bytearray(sealed)
            tampered[position] ^= bit
            with pytest.raises(DecryptionError) as error:
                key.decrypt(bytes(tampered), AD)
            assert_opaque(error)


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda sealed: sealed[:-1], id="truncated"),
        pytest.param(lambda sealed: sealed[:12], id="shorter than a nonce"),
        pytest.param(lambda sealed: b"", id="empty"),
        pytest.param(lambda sealed: sealed + b"\x00", id="appended"),
        pytest.param(lambda sealed: b"\x02" + sealed[1:], id="unknown version"),
        pytest.param(lambda sealed: b"\x00" + sealed[1:], id="version zero"),
    ],
)
def test_malformed_ciphertexts_are_refused(mangle: object) -> None:
    key = DataKey(os.urandom(32))
    sealed = key.encrypt(PLAINTEXT, AD)
    with pytest.raises(DecryptionError) as error:
        key.decrypt(mangle(sealed), AD)  # type: ignore[operator]
    assert_opaque(error)


def test_copied_into_another_record_it_does_not_open() -> None:
    key = DataKey(os.urandom(32))
    with pytest.raises(DecryptionError) as error:
        key.decrypt(key.encrypt(PLAINTEXT, AD), OTHER_AD)
    assert_opaque(error)


def test_another_messages_key_does_not_open_it() -> None:
    sealed = DataKey(os.urandom(32)).encrypt(PLAINTEXT, AD)
    with pytest.raises(DecryptionError) as error:
        DataKey(os.urandom(32)).decrypt(sealed, AD)
    assert_opaque(error)


def test_keys_of_other_sizes_are_refused() -> None:
    for size in (0, 16, 24, 31, 33, 64):
        with pytest.raises(CryptoError):
            DataKey(os.urandom(size))
        with pytest.raises(CryptoError):
            AesGcmAead(os.urandom(size))


def test_key_material_never_shows_in_repr() -> None:
    raw = os.urandom(32)
    for text in (repr(DataKey(raw)), repr(AesGcmAead(raw)), str(DataKey(raw))):
        assert raw.hex() not in text
        assert "secret" in text
