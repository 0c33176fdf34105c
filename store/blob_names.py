"""The naming rule every blob store enforces.

Blob names are opaque ids chosen by the caller. One rule for every backend
means a name accepted by the file store is accepted by Blob Storage and the
other way round, and a name can never leave the file store's root directory:
only ASCII letters, digits, `.`, `_` and `-`, starting with a letter or digit
(so no hidden files and no `.` or `..`), no `..` anywhere, at most 200
characters.
"""

from __future__ import annotations

import re

MAX_BLOB_NAME_LENGTH = 200

_VALID_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def check_blob_name(name: str) -> str:
    """Return `name` unchanged, or raise ValueError when it breaks the rule.

    A bad name is a programming error of the caller, not a state of the store,
    hence ValueError rather than a StoreError. The message does not repeat the
    name: it came from outside and is not ours to log.
    """
    if len(name) > MAX_BLOB_NAME_LENGTH or not _VALID_NAME.fullmatch(name) or ".." in name:
        raise ValueError(
            "a blob name is 1-200 characters of A-Z, a-z, 0-9, '.', '_', '-', "
            "starts with a letter or digit and does not contain '..'"
        )
    return name
