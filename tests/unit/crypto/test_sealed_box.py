"""Sealed boxes: a value with a data key of its own, in format 2 (version byte), and the older layout still opening."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from crypto.envelope import Envelope
from crypto.errors import DecryptionError
from crypto.keyring_file import FileKeyring
from crypto.sealed_box import box_key_id, is_current_format, open_box, rewrap_box, seal_box
from crypto.wrapped import key_id_of, parse
from tests.unit.crypto.support import assert_opaque

AD = b"sigill/1\x1forg-1\x1fitem-1\x1foutbox"
OTHER_AD = b"sigill/1\x1forg-1\x1fitem-2\x1foutbox"
PHONE = b"+46701234567"


@pytest.fixture
def keyring(tmp_path: Path) -> FileKeyring:
    return FileKeyring.open(tmp_path / "keys.json")


async def _old_layout_box(envelope: Envelope, plaintext: bytes, ad: bytes) -> bytes:
    """A box as Sigill wrote it before boxes had a version byte."""
    key, wrapped = await envelope.new_data_key(ad)
    return struct.pack(">H", len(wrapped)) + wrapped + key.encrypt(plaintext, ad)


async def test_round_trip_in_format_2(keyring: FileKeyring) -> None:
    envelope = Envelope(keyring)
    box = await seal_box(envelope, PHONE, AD)

    assert box[0] == 0x02
    (length,) = struct.unpack_from(">H", box, 1)
    assert parse(box[3 : 3 + length]).key_id == keyring.current_key_id() == box_key_id(box)
    assert box[3 + length] == 0x01  # the value is a sealed value, version 1
    assert PHONE not in box
    assert await open_box(envelope, box, AD) == PHONE
    assert is_current_format(box)


async def test_a_box_of_the_older_layout_still_opens(keyring: FileKeyring) -> None:
    envelope = Envelope(keyring)
    old = await _old_layout_box(envelope, PHONE, AD)

    assert await open_box(envelope, old, AD) == PHONE
    assert box_key_id(old) == keyring.current_key_id()
    assert not is_current_format(old)


async def test_moved_to_another_record_it_does_not_open(keyring: FileKeyring) -> None:
    envelope = Envelope(keyring)
    for box in (await seal_box(envelope, PHONE, AD), await _old_layout_box(envelope, PHONE, AD)):
        with pytest.raises(DecryptionError) as error:
            await open_box(envelope, box, OTHER_AD)
        assert_opaque(error)


async def test_the_version_byte_is_authenticated(keyring: FileKeyring) -> None:
    envelope = Envelope(keyring)
    box = await seal_box(envelope, PHONE, AD)
    for altered in (b"\x03" + box[1:], box[1:]):  # another version; dressed as the older layout
        with pytest.raises(DecryptionError) as error:
            await open_box(envelope, altered, AD)
        assert_opaque(error)


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda box: b"", id="empty"),
        pytest.param(lambda box: b"\x02", id="version only"),
        pytest.param(lambda box: box[:2], id="half a length"),
        pytest.param(lambda box: box[:3], id="no wrapped key"),
        pytest.param(lambda box: box[:20], id="wrapped key cut short"),
        pytest.param(lambda box: box[:-1], id="value cut short"),
        pytest.param(lambda box: box[:3] + b"\x07" + box[4:], id="wrapped key of an unknown version"),
        pytest.param(lambda box: b"\x02\xff\xff" + box[3:], id="length past the end"),
        pytest.param(lambda box: b"\x02\x00\x00" + box[3:], id="zero length"),
        pytest.param(lambda box: bytes(64), id="zeros"),
    ],
)
async def test_every_malformed_box_gives_the_one_error(keyring: FileKeyring, mangle: object) -> None:
    envelope = Envelope(keyring)
    box = await seal_box(envelope, PHONE, AD)
    mangled = mangle(box)  # type: ignore[operator]
    with pytest.raises(DecryptionError) as error:
        await open_box(envelope, mangled, AD)
    assert_opaque(error)


@pytest.mark.parametrize("box", [b"", b"\x02", b"\x02\x00\x05abc", bytes(64)])
async def test_rewrap_refuses_what_is_no_box(keyring: FileKeyring, box: bytes) -> None:
    with pytest.raises(DecryptionError):
        await rewrap_box(Envelope(keyring), box, AD)


async def test_rewrap_moves_a_box_to_the_newest_kek_and_keeps_its_value(keyring: FileKeyring) -> None:
    envelope = Envelope(keyring)
    box = await seal_box(envelope, PHONE, AD)
    assert await rewrap_box(envelope, box, AD) is None  # already under the newest

    newest = keyring.rotate()
    rewrapped = await rewrap_box(envelope, box, AD)

    assert rewrapped is not None
    assert box_key_id(rewrapped) == newest
    assert rewrapped.endswith(box[-(len(PHONE) + 29) :])  # the sealed value itself is unchanged
    assert await open_box(envelope, rewrapped, AD) == PHONE


async def test_rewrap_seals_a_box_of_the_older_layout_again_in_format_2(keyring: FileKeyring) -> None:
    envelope = Envelope(keyring)
    old = await _old_layout_box(envelope, PHONE, AD)

    migrated = await rewrap_box(envelope, old, AD)

    assert migrated is not None and is_current_format(migrated)
    assert key_id_of(migrated[3:]) == keyring.current_key_id()
    assert await open_box(envelope, migrated, AD) == PHONE
    assert await rewrap_box(envelope, migrated, AD) is None
