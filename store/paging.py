"""Opaque listing cursors: the sort key of a page's last record, base64url-encoded."""

from __future__ import annotations

import base64
import binascii

from store.errors import InvalidCursor


def encode_cursor(sort_key: str) -> str:
    return base64.urlsafe_b64encode(sort_key.encode()).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return base64.urlsafe_b64decode(padded.encode("ascii")).decode()
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise InvalidCursor("the listing cursor is not valid") from exc
