"""The data-key cache: one keyring call per key within its lifetime, bounded, bound to its associated data."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from crypto.envelope import Envelope
from crypto.errors import DecryptionError
from crypto.key_cache import CachingEnvelope, KeyCache
from crypto.keyring_file import FileKeyring
from tests.fakes.keyrings import CountingKeyring

CONTENT_AD = b"sigill/1\x1forg-1\x1fmessage\x1fcontent"
TEXT = "Beslut i ärendet".encode()


def key_ad(n: int) -> bytes:
    return f"sigill/1\x1forg-1\x1fmessage-{n}\x1fkey".encode()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def keyring(tmp_path: Path) -> CountingKeyring:
    return CountingKeyring(FileKeyring.open(tmp_path / "keys.json"))


async def _sealed_messages(keyring: CountingKeyring, count: int) -> list[tuple[bytes, bytes, bytes]]:
    """(wrapped key, its associated data, a ciphertext) for `count` messages, each with its own key."""
    plain = Envelope(keyring)
    made = []
    for n in range(count):
        key, wrapped = await plain.new_data_key(key_ad(n))
        made.append((wrapped, key_ad(n), key.encrypt(TEXT, CONTENT_AD)))
    return made


async def test_opening_a_page_twice_unwraps_each_key_once(keyring: CountingKeyring) -> None:
    messages = await _sealed_messages(keyring, 25)
    envelope = CachingEnvelope(keyring)

    keyring.unwraps = 0
    for wrapped, ad, sealed in messages:
        assert (await envelope.open_data_key(wrapped, ad)).decrypt(sealed, CONTENT_AD) == TEXT
    assert keyring.unwraps == 25

    keyring.unwraps = 0
    for wrapped, ad, sealed in messages:
        assert (await envelope.open_data_key(wrapped, ad)).decrypt(sealed, CONTENT_AD) == TEXT
    assert keyring.unwraps == 0


async def test_a_key_is_asked_for_again_once_its_lifetime_is_over(keyring: CountingKeyring) -> None:
    [(wrapped, ad, sealed)] = await _sealed_messages(keyring, 1)
    clock = Clock()
    envelope = CachingEnvelope(keyring, cache=KeyCache(ttl=300, clock=clock))
    keyring.unwraps = 0

    await envelope.open_data_key(wrapped, ad)
    clock.now += 299
    await envelope.open_data_key(wrapped, ad)
    assert keyring.unwraps == 1

    clock.now += 1
    key = await envelope.open_data_key(wrapped, ad)
    assert keyring.unwraps == 2
    assert key.decrypt(sealed, CONTENT_AD) == TEXT


async def test_use_does_not_stretch_a_keys_lifetime(keyring: CountingKeyring) -> None:
    [(wrapped, ad, _)] = await _sealed_messages(keyring, 1)
    clock = Clock()
    envelope = CachingEnvelope(keyring, cache=KeyCache(ttl=300, clock=clock))
    keyring.unwraps = 0
    for _ in range(4):
        await envelope.open_data_key(wrapped, ad)
        clock.now += 100
    assert keyring.unwraps == 2


async def test_the_cache_holds_at_most_its_bound_and_the_oldest_leaves_first(
    keyring: CountingKeyring,
) -> None:
    messages = await _sealed_messages(keyring, 4)
    cache = KeyCache(max_keys=3)
    envelope = CachingEnvelope(keyring, cache=cache)
    for wrapped, ad, _ in messages:
        await envelope.open_data_key(wrapped, ad)
    assert len(cache) == 3

    keyring.unwraps = 0
    for wrapped, ad, _ in messages[1:]:
        await envelope.open_data_key(wrapped, ad)
    assert keyring.unwraps == 0
    first_wrapped, first_ad, _ = messages[0]
    await envelope.open_data_key(first_wrapped, first_ad)
    assert keyring.unwraps == 1


def test_an_evicted_or_expired_key_is_overwritten_in_place() -> None:
    clock = Clock()
    cache = KeyCache(ttl=10, max_keys=1, clock=clock)
    cache.put((b"w1", b"ad"), b"\x11" * 32)
    held = cache._entries[(b"w1", b"ad")].key
    cache.put((b"w2", b"ad"), b"\x22" * 32)
    assert held == bytearray(32)

    expiring = cache._entries[(b"w2", b"ad")].key
    clock.now += 10
    assert cache.get((b"w2", b"ad")) is None
    assert expiring == bytearray(32)


async def test_other_associated_data_is_not_served_from_the_cache(keyring: CountingKeyring) -> None:
    [(wrapped, ad, _)] = await _sealed_messages(keyring, 1)
    envelope = CachingEnvelope(keyring)
    await envelope.open_data_key(wrapped, ad)
    with pytest.raises(DecryptionError):
        await envelope.open_data_key(wrapped, key_ad(99))


async def test_a_failed_unwrap_is_not_remembered(keyring: CountingKeyring) -> None:
    [(wrapped, ad, _)] = await _sealed_messages(keyring, 1)
    envelope = CachingEnvelope(keyring)
    forged = wrapped[:-1] + bytes([wrapped[-1] ^ 1])
    keyring.unwraps = 0
    for _ in range(2):
        with pytest.raises(DecryptionError):
            await envelope.open_data_key(forged, ad)
    assert keyring.unwraps == 2


async def test_concurrent_opens_of_one_key_share_one_keyring_call(keyring: CountingKeyring) -> None:
    [(wrapped, ad, sealed)] = await _sealed_messages(keyring, 1)
    envelope = CachingEnvelope(keyring)
    keyring.unwraps = 0
    keyring.release.clear()
    opens = [asyncio.create_task(envelope.open_data_key(wrapped, ad)) for _ in range(5)]
    await asyncio.sleep(0)
    keyring.release.set()
    keys = await asyncio.gather(*opens)
    assert keyring.unwraps == 1
    assert all(key.decrypt(sealed, CONTENT_AD) == TEXT for key in keys)


async def test_a_cancelled_reader_does_not_cancel_the_unwrap_others_wait_for(
    keyring: CountingKeyring,
) -> None:
    [(wrapped, ad, sealed)] = await _sealed_messages(keyring, 1)
    envelope = CachingEnvelope(keyring)
    keyring.release.clear()
    impatient = asyncio.create_task(envelope.open_data_key(wrapped, ad))
    patient = asyncio.create_task(envelope.open_data_key(wrapped, ad))
    await asyncio.sleep(0)
    impatient.cancel()
    keyring.release.set()
    assert (await patient).decrypt(sealed, CONTENT_AD) == TEXT
    with pytest.raises(asyncio.CancelledError):
        await impatient


async def test_forget_all_drops_every_key(keyring: CountingKeyring) -> None:
    [(wrapped, ad, _)] = await _sealed_messages(keyring, 1)
    envelope = CachingEnvelope(keyring)
    await envelope.open_data_key(wrapped, ad)
    envelope.forget_all()
    keyring.unwraps = 0
    await envelope.open_data_key(wrapped, ad)
    assert keyring.unwraps == 1
