"""A keyring kept in a local key file: the embedded default.

The key file is JSON, readable by its owner only (mode 0600):

    {"format": "sigill-keyring/1",
     "current": "<id of the newest KEK>",
     "keys": {"<id>": "<base64 of 32 random bytes>", ...},
     "lookup_key": "<base64 of 32 random bytes>"}

It is created on first use and rewritten atomically (a temporary file with mode 0600 from
its creation, fsync, rename), so a crash never leaves half a key file. A file that group or
others may access is refused: anyone who can read it can read every message.

Another process (`sigill keys rotate`) may rewrite the file while a server runs; the keyring
notices the change (inode, size, modification time) and reloads before it wraps or unwraps,
so keys rotated and data keys re-wrapped elsewhere work without a restart.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from crypto.aead import KEY_SIZE, NONCE_SIZE, RandomBytes
from crypto.errors import DecryptionError, KeyringError
from crypto.wrapped import open_data_key, parse, prefix_for, seal_data_key

FILE_FORMAT: Final = "sigill-keyring/1"
_UNSAFE_BITS: Final = stat.S_IRWXG | stat.S_IRWXO


@dataclass(slots=True)
class _KeyFile:
    current: str
    keys: dict[str, bytes]
    lookup_key: bytes


@dataclass(frozen=True, slots=True)
class _Stamp:
    """What changes when the file is replaced or rewritten."""

    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, result: os.stat_result) -> _Stamp:
        return cls(result.st_ino, result.st_size, result.st_mtime_ns)


class FileKeyring:
    """KEKs (id -> 32 random bytes), the newest id, and the lookup (HMAC) key, from one key file."""

    def __init__(self, path: Path, contents: _KeyFile, stamp: _Stamp, random_bytes: RandomBytes) -> None:
        # Use `FileKeyring.open`; this constructor trusts that `contents` came from `path`.
        self._path = path
        self._contents = contents
        self._stamp = stamp
        self._random_bytes = random_bytes

    def __repr__(self) -> str:
        return f"FileKeyring({str(self._path)!r})"

    @classmethod
    def open(cls, path: Path, *, create: bool = True, random_bytes: RandomBytes = os.urandom) -> FileKeyring:
        """Load the key file at `path`, creating it (mode 0600) when it is missing and `create` is set."""
        path = Path(path)
        if not path.exists():
            if not create:
                raise KeyringError(f"key file {path} does not exist")
            _create(path, _new_contents(random_bytes))
        contents, stamp = _load(path)
        return cls(path, contents, stamp, random_bytes)

    @property
    def path(self) -> Path:
        return self._path

    def current_key_id(self) -> str:
        self._reload_if_changed()
        return self._contents.current

    def key_ids(self) -> list[str]:
        """Every KEK id, oldest first."""
        return list(self._contents.keys)

    def lookup_key(self) -> bytes:
        return self._contents.lookup_key

    def rotate(self) -> str:
        """Add a KEK, make it current and persist; return its id. Older KEKs stay to unwrap old keys."""
        self._reload_if_changed()
        contents = self._contents
        key_id = _new_key_id(len(contents.keys) + 1, self._random_bytes)
        keys = {**contents.keys, key_id: self._random_bytes(KEY_SIZE)}
        updated = _KeyFile(current=key_id, keys=keys, lookup_key=contents.lookup_key)
        _replace(self._path, updated)
        self._contents, self._stamp = _load(self._path)
        return key_id

    async def wrap(self, data_key: bytes, associated_data: bytes) -> bytes:
        self._reload_if_changed()
        key_id = self._contents.current
        prefix = prefix_for(key_id)
        nonce = self._random_bytes(NONCE_SIZE)
        return prefix + seal_data_key(self._contents.keys[key_id], data_key, prefix + associated_data, nonce)

    async def unwrap(self, wrapped: bytes, associated_data: bytes) -> bytes:
        parsed = parse(wrapped)
        kek = self._contents.keys.get(parsed.key_id)
        if kek is None:
            # Perhaps another process rotated and re-wrapped since we loaded the file.
            self._reload_if_changed()
            kek = self._contents.keys.get(parsed.key_id)
        if kek is None:
            raise DecryptionError()
        return open_data_key(kek, parsed.body, parsed.prefix + associated_data)

    async def ping(self) -> None:
        """The key file is still there, still private and still valid (the keys in memory would not survive a restart otherwise)."""
        self._reload_if_changed(strict=True)

    def _reload_if_changed(self, *, strict: bool = False) -> None:
        try:
            stamp = _Stamp.of(os.stat(self._path))
        except OSError as exc:
            if strict:
                raise KeyringError(f"key file {self._path} cannot be read") from exc
            return  # keep working from memory; ping reports the missing file
        if strict or stamp != self._stamp:
            self._contents, self._stamp = _load(self._path)


def _new_key_id(number: int, random_bytes: RandomBytes) -> str:
    # The random part keeps ids from two different key files apart, so a wrong key file reads as
    # "unknown key" rather than as a wrong key under a familiar name.
    return f"kek-{number}-{random_bytes(4).hex()}"


def _new_contents(random_bytes: RandomBytes) -> _KeyFile:
    key_id = _new_key_id(1, random_bytes)
    return _KeyFile(current=key_id, keys={key_id: random_bytes(KEY_SIZE)}, lookup_key=random_bytes(KEY_SIZE))


def _load(path: Path) -> tuple[_KeyFile, _Stamp]:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        raise KeyringError(f"key file {path} cannot be read") from exc
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise KeyringError(f"key file {path} is not a regular file")
        if info.st_mode & _UNSAFE_BITS:
            raise KeyringError(
                f"key file {path} may be read by group or others (mode {stat.S_IMODE(info.st_mode):04o});"
                f" run: chmod 600 {path}"
            )
        raw = file.read()
    return _decode(path, raw), _Stamp.of(info)


def _decode(path: Path, raw: bytes) -> _KeyFile:
    invalid = KeyringError(f"key file {path} is not a valid Sigill key file")
    try:
        document = json.loads(raw)
        if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
            raise invalid
        keys = {str(key_id): _key(value) for key_id, value in dict(document["keys"]).items()}
        contents = _KeyFile(
            current=str(document["current"]), keys=keys, lookup_key=_key(document["lookup_key"])
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise invalid from exc
    if contents.current not in contents.keys:
        raise invalid
    return contents


def _key(value: Any) -> bytes:
    try:
        key = base64.b64decode(str(value), validate=True)
    except binascii.Error as exc:
        raise ValueError("not base64") from exc
    if len(key) != KEY_SIZE:
        raise ValueError("not a 32-byte key")
    return key


def _encode(contents: _KeyFile) -> bytes:
    document = {
        "format": FILE_FORMAT,
        "current": contents.current,
        "keys": {key_id: base64.b64encode(key).decode() for key_id, key in contents.keys.items()},
        "lookup_key": base64.b64encode(contents.lookup_key).decode(),
    }
    return (json.dumps(document, indent=2) + "\n").encode()


def _create(path: Path, contents: _KeyFile) -> None:
    """Write a new key file; if another process created one meanwhile, keep theirs."""
    # link() fails when the name exists, unlike rename(): two first runs never overwrite each other's keys.
    with _private_temp_file(path, _encode(contents)) as temp, contextlib.suppress(FileExistsError):
        os.link(temp, path)
    _sync_directory(path.parent)


def _replace(path: Path, contents: _KeyFile) -> None:
    with _private_temp_file(path, _encode(contents)) as temp:
        os.replace(temp, path)
    _sync_directory(path.parent)


@contextlib.contextmanager
def _private_temp_file(path: Path, data: bytes) -> Iterator[str]:
    """A temporary file next to `path`, mode 0600 from its creation, holding `data` on disk."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mkstemp: mode 0600
    try:
        with os.fdopen(fd, "wb") as file:
            os.fchmod(file.fileno(), 0o600)
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        yield name
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
