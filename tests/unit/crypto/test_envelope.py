"""Envelope encryption with the file keyring: a data key per message, rotation and re-wrapping."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crypto.envelope import Envelope
from crypto.errors import DecryptionError
from crypto.keyring_file import FileKeyring
from crypto.wrapped import key_id_of
from tests.unit.crypto.support import Script, assert_opaque, collect, once

KEY_AD = b"sigill/1\x1forg-1\x1fmessage-1\x1fkey"
CONTENT_AD = b"sigill/1\x1forg-1\x1fmessage-1\x1fcontent"
BODY = "Hej Anna, här är beslutet.".encode()


@pytest.fixture
def keyring(tmp_path: Path) -> FileKeyring:
    return FileKeyring.open(tmp_path / "keys.json")


async def test_each_message_gets_its_own_data_key(keyring: FileKeyring) -> None:
    envelope = Envelope(keyring)
    first, first_wrapped = await envelope.new_data_key(KEY_AD)
    second, second_wrapped = await envelope.new_data_key(KEY_AD)
    assert first_wrapped != second_wrapped
    with pytest.raises(DecryptionError):
        second.decrypt(first.encrypt(BODY, CONTENT_AD), CONTENT_AD)


async def test_a_stored_wrapped_key_opens_the_content_after_a_restart(tmp_path: Path) -> None:
    key, wrapped = await Envelope(FileKeyring.open(tmp_path / "keys.json")).new_data_key(KEY_AD)
    sealed = key.encrypt(BODY, CONTENT_AD)
    stream = await collect(key.encrypt_stream(once(BODY * 1000), CONTENT_AD))

    reopened = await Envelope(FileKeyring.open(tmp_path / "keys.json", create=False)).open_data_key(
        wrapped, KEY_AD
    )
    assert reopened.decrypt(sealed, CONTENT_AD) == BODY
    assert await collect(reopened.decrypt_stream(once(stream), CONTENT_AD)) == BODY * 1000


async def test_a_wrapped_key_names_its_kek_and_holds_no_plain_key(keyring: FileKeyring) -> None:
    data_key = os.urandom(32)
    _, wrapped = await Envelope(keyring, random_bytes=Script(data_key)).new_data_key(KEY_AD)
    assert key_id_of(wrapped) == keyring.current_key_id()
    assert keyring.current_key_id().encode() in wrapped
    assert data_key not in wrapped


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda w: w[:-1], id="truncated"),
        pytest.param(lambda w: w + b"\x00", id="appended"),
        pytest.param(lambda w: b"\x02" + w[1:], id="unknown version"),
        pytest.param(lambda w: w[:3] + b"kek-9" + w[8:], id="unknown key id"),
        pytest.param(lambda w: w[:-20] + bytes([w[-20] ^ 1]) + w[-19:], id="flipped bit"),
        pytest.param(lambda w: w[:2], id="shorter than its prefix"),
        pytest.param(lambda w: b"\x01\x00\x00" + w[3:], id="empty key id"),
        pytest.param(lambda w: b"\x01\x00\x05\xff\xfe\xfd\xfc\xfb" + w[8:], id="key id not UTF-8"),
    ],
)
async def test_altered_wrapped_keys_are_refused(keyring: FileKeyring, mangle: object) -> None:
    _, wrapped = await Envelope(keyring).new_data_key(KEY_AD)
    with pytest.raises(DecryptionError) as error:
        await Envelope(keyring).open_data_key(mangle(wrapped), KEY_AD)  # type: ignore[operator]
    assert_opaque(error)


async def test_a_wrapped_key_copied_to_another_message_does_not_open(keyring: FileKeyring) -> None:
    envelope = Envelope(keyring)
    _, wrapped = await envelope.new_data_key(KEY_AD)
    with pytest.raises(DecryptionError):
        await envelope.open_data_key(wrapped, KEY_AD.replace(b"message-1", b"message-2"))


async def test_another_key_file_does_not_open_it(tmp_path: Path) -> None:
    _, wrapped = await Envelope(FileKeyring.open(tmp_path / "a.json")).new_data_key(KEY_AD)
    with pytest.raises(DecryptionError):
        await Envelope(FileKeyring.open(tmp_path / "b.json")).open_data_key(wrapped, KEY_AD)


async def test_after_rotation_old_messages_open_and_new_ones_use_the_newest_kek(keyring: FileKeyring) -> None:
    envelope = Envelope(keyring)
    old_key, old_wrapped = await envelope.new_data_key(KEY_AD)
    old_kek = keyring.current_key_id()
    sealed = old_key.encrypt(BODY, CONTENT_AD)

    new_kek = keyring.rotate()

    assert new_kek != old_kek
    assert keyring.current_key_id() == new_kek
    _, new_wrapped = await envelope.new_data_key(KEY_AD)
    assert key_id_of(new_wrapped) == new_kek
    assert key_id_of(old_wrapped) == old_kek
    assert (await envelope.open_data_key(old_wrapped, KEY_AD)).decrypt(sealed, CONTENT_AD) == BODY


async def test_rewrap_moves_a_key_to_the_newest_kek_and_keeps_the_content(keyring: FileKeyring) -> None:
    envelope = Envelope(keyring)
    key, wrapped = await envelope.new_data_key(KEY_AD)
    sealed = key.encrypt(BODY, CONTENT_AD)
    assert await envelope.rewrap(wrapped, KEY_AD) is None  # already under the newest KEK

    new_kek = keyring.rotate()
    rewrapped = await envelope.rewrap(wrapped, KEY_AD)

    assert rewrapped is not None
    assert key_id_of(rewrapped) == new_kek != key_id_of(wrapped)
    assert (await envelope.open_data_key(rewrapped, KEY_AD)).decrypt(sealed, CONTENT_AD) == BODY
    assert await envelope.rewrap(rewrapped, KEY_AD) is None


async def test_rewrap_refuses_a_key_under_the_wrong_record(keyring: FileKeyring) -> None:
    envelope = Envelope(keyring)
    _, wrapped = await envelope.new_data_key(KEY_AD)
    keyring.rotate()
    with pytest.raises(DecryptionError):
        await envelope.rewrap(wrapped, KEY_AD.replace(b"message-1", b"message-2"))


async def test_a_running_server_follows_rotate_and_rewrap_done_by_another_process(tmp_path: Path) -> None:
    server = Envelope(FileKeyring.open(tmp_path / "keys.json"))
    key, wrapped = await server.new_data_key(KEY_AD)
    sealed = key.encrypt(BODY, CONTENT_AD)

    command_keyring = FileKeyring.open(tmp_path / "keys.json", create=False)  # `sigill keys rotate|rewrap`
    new_kek = command_keyring.rotate()
    rewrapped = await Envelope(command_keyring).rewrap(wrapped, KEY_AD)
    assert rewrapped is not None

    assert (await server.open_data_key(rewrapped, KEY_AD)).decrypt(sealed, CONTENT_AD) == BODY
    _, fresh = await server.new_data_key(KEY_AD)
    assert key_id_of(fresh) == new_kek
