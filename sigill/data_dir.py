"""The data directory is private: the directory and the blob root 0700, every file Sigill keeps there 0600.

It holds the SQLite database (and its -wal and -shm files, which hold recent commits), the key
file, the development issuer's signing key and the attachment ciphertext. Whatever modes they had
before (a copy from a backup, an unzip, a umask of 022), they are set again at every start.

SQLite gives a new -wal or -shm file the permissions of the database file, so creating the
database file 0600 before SQLite opens it keeps those private from their first byte.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path
from typing import Final

from sigill.errors import StartupError

log = logging.getLogger(__name__)

DIRECTORY_MODE: Final = 0o700
FILE_MODE: Final = 0o600
DATABASE: Final = "sigill.db"
KEY_FILE: Final = "keys.json"
# Every file Sigill keeps at the top of the data directory.
PRIVATE_FILES: Final = (
    DATABASE,
    f"{DATABASE}-wal",
    f"{DATABASE}-shm",
    f"{DATABASE}-journal",
    KEY_FILE,
    f"{KEY_FILE}.lock",
    "dev-issuer.pem",
    "audit-signing-key.pem",
    "audit-checkpoints.jsonl",
)
PRIVATE_DIRECTORIES: Final = ("blobs",)


def secure(data_dir: Path, *, create_database: bool) -> None:
    """Create the data directory if needed and make it and its contents private; StartupError if impossible."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True, mode=DIRECTORY_MODE)
        _set_mode(data_dir, DIRECTORY_MODE)
        for name in PRIVATE_DIRECTORIES:
            if (data_dir / name).is_dir():
                _set_mode(data_dir / name, DIRECTORY_MODE)
        for name in PRIVATE_FILES:
            if (data_dir / name).exists():
                _set_mode(data_dir / name, FILE_MODE)
        if create_database:
            # O_CREAT without O_TRUNC: an existing database is left as it is.
            os.close(os.open(data_dir / DATABASE, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, FILE_MODE))
    except OSError as exc:
        raise StartupError(f"the data directory {data_dir} cannot be used ({exc.strerror})") from None


def secure_files(data_dir: Path) -> None:
    """Set the files that appeared since `secure` (the -wal and -shm of a database just opened) to 0600."""
    for name in PRIVATE_FILES:
        with contextlib.suppress(FileNotFoundError):
            _set_mode(data_dir / name, FILE_MODE)


def _set_mode(path: Path, mode: int) -> None:
    current = stat.S_IMODE(path.stat().st_mode)
    if current == mode:
        return
    os.chmod(path, mode)
    if path.name == KEY_FILE and current & (stat.S_IRWXG | stat.S_IRWXO):
        # Whoever could read it may have copied it: say so, the keys themselves are unchanged.
        log.warning("the key file %s was readable by others (mode %04o); it is now 0600", path, current)
