"""Reading a secret kept in a file of its own (the key file, the audit signing key): only if no one else may read it."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Final

from crypto.errors import KeyringError

UNSAFE_BITS: Final = stat.S_IRWXG | stat.S_IRWXO


def read_private_file(path: Path, what: str) -> tuple[bytes, os.stat_result]:
    """The file's bytes and its status, read through one descriptor; KeyringError naming `what` otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        raise KeyringError(f"{what} {path} cannot be read") from exc
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise KeyringError(f"{what} {path} is not a regular file")
        if info.st_mode & UNSAFE_BITS:
            raise KeyringError(
                f"{what} {path} may be read by group or others (mode {stat.S_IMODE(info.st_mode):04o});"
                f" run: chmod 600 {path}"
            )
        return file.read(), info
