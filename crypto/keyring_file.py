"""A keyring kept in a local key file: the embedded default.

The key file is JSON, readable by its owner only (mode 0600):

    {"format": "sigill-keyring/1",
     "current": "<id of the newest KEK>",
     "keys": {"<id>": "<base64 of 32 random bytes>", ...},
     "created": {"<id>": "<ISO-8601 UTC time the KEK was made>", ...},
     "lookup_key": "<base64 of 32 random bytes>"}

(`created` was added later; a KEK it does not name was made before it existed.)

It is created only when asked (for an empty store, or by `sigill keys init`) and rewritten
atomically (a temporary file with mode 0600 from its creation, fsync, rename), so a crash
never leaves half a key file. A file that group or others may access is refused: anyone who
can read it can read every message.

Changes (rotate, retire) are read-modify-write under an exclusive lock (`flock`) on a lock
file beside the key file, and read the file afresh under it, so two `sigill keys rotate` run
at once both keep their new key.

Another process (`sigill keys rotate`) may rewrite the file while a server runs; the keyring
notices the change (inode, size, modification time) and reloads before it wraps or unwraps,
so keys rotated and data keys re-wrapped elsewhere work without a restart.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from crypto.aead import KEY_SIZE, NONCE_SIZE, RandomBytes
from crypto.errors import DecryptionError, KeyringError
from crypto.keyring import KekInfo
from crypto.private_files import read_private_file
from crypto.wrapped import open_data_key, parse, prefix_for, seal_data_key

FILE_FORMAT: Final = "sigill-keyring/1"

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class _KeyFile:
    current: str
    keys: dict[str, bytes]
    lookup_key: bytes
    created: dict[str, datetime] = field(default_factory=dict)


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

    def __init__(
        self, path: Path, contents: _KeyFile, stamp: _Stamp, random_bytes: RandomBytes, clock: Clock
    ) -> None:
        # Use `FileKeyring.open`; this constructor trusts that `contents` came from `path`.
        self._path = path
        self._contents = contents
        self._stamp = stamp
        self._random_bytes = random_bytes
        self._clock = clock

    def __repr__(self) -> str:
        return f"FileKeyring({str(self._path)!r})"

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        create: bool = True,
        random_bytes: RandomBytes = os.urandom,
        clock: Clock = _utc_now,
    ) -> FileKeyring:
        """Load the key file at `path`, creating it (mode 0600) when it is missing and `create` is set."""
        path = Path(path)
        if not path.exists():
            if not create:
                raise KeyringError(f"key file {path} does not exist")
            _create(path, _new_contents(random_bytes, clock()))
        contents, stamp = _load(path)
        return cls(path, contents, stamp, random_bytes, clock)

    @classmethod
    def create(
        cls, path: Path, *, random_bytes: RandomBytes = os.urandom, clock: Clock = _utc_now
    ) -> FileKeyring:
        """Make a new key file at `path`; KeyringError when one exists (its keys are never replaced)."""
        path = Path(path)
        if not _create(path, _new_contents(random_bytes, clock())):
            raise KeyringError(f"key file {path} already exists")
        contents, stamp = _load(path)
        return cls(path, contents, stamp, random_bytes, clock)

    @property
    def path(self) -> Path:
        return self._path

    def current_key_id(self) -> str:
        self._reload_if_changed()
        return self._contents.current

    def key_ids(self) -> list[str]:
        """Every KEK id, oldest first."""
        self._reload_if_changed()
        return list(self._contents.keys)

    async def key_infos(self) -> list[KekInfo]:
        """Every KEK, oldest first, with when it was made and whether it is current."""
        self._reload_if_changed()
        contents = self._contents
        return [
            KekInfo(key_id, contents.created.get(key_id), key_id == contents.current)
            for key_id in contents.keys
        ]

    def lookup_key(self) -> bytes:
        return self._contents.lookup_key

    def rotate(self) -> str:
        """Add a KEK, make it current and persist; return its id. Older KEKs stay to unwrap old keys."""
        with _locked(self._path):
            contents, _ = _load(self._path)  # afresh, under the lock: another rotation may just have written
            key_id = _new_key_id(_next_number(contents.keys), self._random_bytes)
            contents.keys[key_id] = self._random_bytes(KEY_SIZE)
            contents.created[key_id] = self._clock()
            contents.current = key_id
            _replace(self._path, contents)
            self._contents, self._stamp = _load(self._path)
        return key_id

    def retire(self, key_id: str) -> None:
        """Remove a KEK that nothing is wrapped under any more; KeyringError for the current or an unknown one.

        Whether anything still references it is the caller's to check (it needs the store).
        """
        with _locked(self._path):
            contents, _ = _load(self._path)
            if key_id not in contents.keys:
                raise KeyringError(f"the key file has no key-encryption key {key_id}")
            if key_id == contents.current:
                raise KeyringError(f"{key_id} is the current key-encryption key; rotate first")
            del contents.keys[key_id]
            contents.created.pop(key_id, None)
            _replace(self._path, contents)
            self._contents, self._stamp = _load(self._path)

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


def _next_number(keys: dict[str, bytes]) -> int:
    """One more than the highest sequence number in use, so a retired key's number is never reused."""
    numbers = []
    for key_id in keys:
        parts = key_id.split("-")
        if len(parts) == 3 and parts[1].isdigit():
            numbers.append(int(parts[1]))
    return max(numbers, default=len(keys)) + 1


def _new_contents(random_bytes: RandomBytes, now: datetime) -> _KeyFile:
    key_id = _new_key_id(1, random_bytes)
    return _KeyFile(
        current=key_id,
        keys={key_id: random_bytes(KEY_SIZE)},
        lookup_key=random_bytes(KEY_SIZE),
        created={key_id: now},
    )


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `<key file>.lock` (created with mode 0600) for a read-modify-write.

    flock locks belong to the open file, so threads and processes that each open the lock file
    exclude one another; the lock goes when the file is closed, even by a crash.
    """
    lock_path = path.with_name(path.name + ".lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise KeyringError(f"lock file {lock_path} cannot be opened") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _load(path: Path) -> tuple[_KeyFile, _Stamp]:
    raw, info = read_private_file(path, "key file")
    return _decode(path, raw), _Stamp.of(info)


def _decode(path: Path, raw: bytes) -> _KeyFile:
    invalid = KeyringError(f"key file {path} is not a valid Sigill key file")
    try:
        document = json.loads(raw)
        if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
            raise invalid
        keys = {str(key_id): _key(value) for key_id, value in dict(document["keys"]).items()}
        created = {
            str(key_id): _time(value)
            for key_id, value in dict(document.get("created", {})).items()
            if str(key_id) in keys
        }
        contents = _KeyFile(
            current=str(document["current"]),
            keys=keys,
            lookup_key=_key(document["lookup_key"]),
            created=created,
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


def _time(value: Any) -> datetime:
    made = datetime.fromisoformat(str(value))
    if made.tzinfo is None:
        raise ValueError("a creation time must carry a time zone")
    return made


def _encode(contents: _KeyFile) -> bytes:
    document = {
        "format": FILE_FORMAT,
        "current": contents.current,
        "keys": {key_id: base64.b64encode(key).decode() for key_id, key in contents.keys.items()},
        "created": {
            key_id: made.astimezone(UTC).isoformat(timespec="seconds")
            for key_id, made in contents.created.items()
        },
        "lookup_key": base64.b64encode(contents.lookup_key).decode(),
    }
    return (json.dumps(document, indent=2) + "\n").encode()


def _create(path: Path, contents: _KeyFile) -> bool:
    """Write a new key file; if one exists (another process created it meanwhile), keep it and return False."""
    # link() fails when the name exists, unlike rename(): two first runs never overwrite each other's keys.
    created = False
    with _private_temp_file(path, _encode(contents)) as temp, contextlib.suppress(FileExistsError):
        os.link(temp, path)
        created = True
    _sync_directory(path.parent)
    return created


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
