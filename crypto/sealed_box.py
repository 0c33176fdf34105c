"""The sealed box: one small value with a data key of its own, for records that have no message key.

Outbox payloads (notifications waiting to be sent) are sealed this way: each box draws a
fresh data key, wraps it with the keyring and carries the wrapped key in front of the value, so
the box opens on its own and `sigill keys rewrap` can move it to a newer key-encryption key
without touching the value.

Sealed box, format version 2 (docs/crypto-format.md):

    version (1, 0x02) | wrapped key length L (2, big-endian) | wrapped data key (L) | sealed value

The sealed value is the data key's `encrypt` output (crypto.aead, version 1). The associated data
of both the wrapped key and the sealed value is the version byte followed by the caller's.

Boxes written before the format had a version byte (the "version 1 layout") are

    wrapped key length L (2) | wrapped data key (L) | sealed value       (associated data: the caller's)

and still open. A wrapped data key always starts with its own version byte 0x01, which tells the
two layouts apart; a box that could be read both ways is tried both ways, and only the one whose
tags check opens. Every malformed box raises the one `DecryptionError`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Final, Protocol

from crypto.errors import DecryptionError
from crypto.wrapped import WRAPPED_VERSION, key_id_of

BOX_VERSION: Final = 2
_VERSION_BYTE: Final = bytes([BOX_VERSION])
_LENGTH: Final = struct.Struct(">H")


class _Sealer(Protocol):
    def encrypt(self, plaintext: bytes, associated_data: bytes) -> bytes: ...
    def decrypt(self, ciphertext: bytes, associated_data: bytes) -> bytes: ...


class BoxEnvelope(Protocol):
    """What a box needs of an envelope (crypto.envelope.Envelope, or one that caches unwrapped keys)."""

    async def new_data_key(self, associated_data: bytes) -> tuple[_Sealer, bytes]: ...
    async def open_data_key(self, wrapped_key: bytes, associated_data: bytes) -> _Sealer: ...


class RewrapEnvelope(BoxEnvelope, Protocol):
    async def rewrap(self, wrapped_key: bytes, associated_data: bytes) -> bytes | None: ...


@dataclass(frozen=True, slots=True)
class _Layout:
    versioned: bool  # format 2 (with a version byte) or the version 1 layout
    wrapped: bytes
    sealed: bytes

    def associated_data(self, caller_ad: bytes) -> bytes:
        return _VERSION_BYTE + caller_ad if self.versioned else caller_ad


async def seal_box(envelope: BoxEnvelope, plaintext: bytes, associated_data: bytes) -> bytes:
    """A sealed box (format 2) of `plaintext`, bound to `associated_data`."""
    ad = _VERSION_BYTE + associated_data
    key, wrapped = await envelope.new_data_key(ad)
    return _pack(wrapped, key.encrypt(plaintext, ad))


async def open_box(envelope: BoxEnvelope, box: bytes, associated_data: bytes) -> bytes:
    """The plaintext of a box of either layout; DecryptionError for anything that does not open."""
    for layout in _layouts(box):
        ad = layout.associated_data(associated_data)
        try:
            key = await envelope.open_data_key(layout.wrapped, ad)
            return key.decrypt(layout.sealed, ad)
        except DecryptionError:
            continue
    raise DecryptionError()


def box_key_id(box: bytes) -> str:
    """The id of the key-encryption key that wrapped the box's data key, read without opening it."""
    for layout in _layouts(box):
        try:
            return key_id_of(layout.wrapped)
        except DecryptionError:
            continue
    raise DecryptionError()


def is_current_format(box: bytes) -> bool:
    """True for a box of format 2, False for the version 1 layout (or anything else)."""
    return any(layout.versioned for layout in _layouts(box))


async def rewrap_box(envelope: RewrapEnvelope, box: bytes, associated_data: bytes) -> bytes | None:
    """The box with its data key wrapped under the newest KEK, or None when nothing needs to change.

    A format 2 box keeps its value; only its wrapped key changes. A box of the version 1 layout is
    sealed again in format 2 with a fresh data key, because the associated data of its value
    differs between the layouts, so rewrapping also migrates every old box.
    """
    for layout in _layouts(box):
        try:
            if layout.versioned:
                rewrapped = await envelope.rewrap(layout.wrapped, layout.associated_data(associated_data))
                return None if rewrapped is None else _pack(rewrapped, layout.sealed)
            key = await envelope.open_data_key(layout.wrapped, associated_data)
            plaintext = key.decrypt(layout.sealed, associated_data)
        except DecryptionError:
            continue
        return await seal_box(envelope, plaintext, associated_data)
    raise DecryptionError()


def _pack(wrapped: bytes, sealed: bytes) -> bytes:
    return _VERSION_BYTE + _LENGTH.pack(len(wrapped)) + wrapped + sealed


def _layouts(box: bytes) -> list[_Layout]:
    """Every way `box` can be read, format 2 first; empty when it is no box at all."""
    found = []
    if len(box) >= 1 + _LENGTH.size and box[0] == BOX_VERSION:
        (length,) = _LENGTH.unpack_from(box, 1)
        found += _layout(box, 1 + _LENGTH.size, length, versioned=True)
    if len(box) >= _LENGTH.size:
        (length,) = _LENGTH.unpack_from(box, 0)
        found += _layout(box, _LENGTH.size, length, versioned=False)
    return found


def _layout(box: bytes, start: int, length: int, *, versioned: bool) -> list[_Layout]:
    end = start + length
    if length == 0 or len(box) <= end or box[start] != WRAPPED_VERSION:
        return []
    return [_Layout(versioned, box[start:end], box[end:])]
