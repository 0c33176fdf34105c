"""The local key file: created private, refused when others may read it, rewritten atomically."""

from __future__ import annotations

import asyncio
import base64
import fcntl
import json
import os
import stat
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crypto.errors import KeyringError
from crypto.keyring_file import FileKeyring


def mode_of(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_created_on_first_use_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "var" / "keys.json"
    keyring = FileKeyring.open(path)
    assert mode_of(path) == 0o600
    assert mode_of(path.parent) == 0o700
    assert keyring.current_key_id() in json.loads(path.read_text())["keys"]


def test_created_private_even_under_a_permissive_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        FileKeyring.open(tmp_path / "keys.json")
    finally:
        os.umask(previous)
    assert mode_of(tmp_path / "keys.json") == 0o600


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o606])
def test_a_file_others_may_read_is_refused_with_the_fix(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "keys.json"
    FileKeyring.open(path)
    os.chmod(path, mode)
    with pytest.raises(KeyringError) as error:
        FileKeyring.open(path)
    assert str(path) in str(error.value)
    assert f"chmod 600 {path}" in str(error.value)
    os.chmod(path, 0o600)
    FileKeyring.open(path)  # after the fix it opens


def test_a_missing_file_is_an_error_when_creation_is_off(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    with pytest.raises(KeyringError) as error:
        FileKeyring.open(path, create=False)
    assert str(path) in str(error.value)
    assert not path.exists()


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        '{"format": "other/1"}',
        '{"format": "sigill-keyring/1", "current": "a", "keys": {}, "lookup_key": "AAAA"}',
        '{"format": "sigill-keyring/1", "current": "a", "keys": {"a": "c2hvcnQ="}, "lookup_key": "c2hvcnQ="}',
        '{"format": "sigill-keyring/1", "current": "b", "keys": {"a": "'
        + "A" * 43
        + '="}, "lookup_key": "x"}',
    ],
)
def test_a_malformed_file_is_refused_without_showing_its_content(tmp_path: Path, content: str) -> None:
    path = tmp_path / "keys.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, content.encode())
    os.close(fd)
    with pytest.raises(KeyringError) as error:
        FileKeyring.open(path)
    assert "not a valid Sigill key file" in str(error.value)
    assert "AAAA" not in str(error.value)


def test_rotate_persists_the_new_kek_and_keeps_the_old(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    keyring = FileKeyring.open(path)
    first = keyring.current_key_id()
    lookup_key = keyring.lookup_key()

    second = keyring.rotate()

    reopened = FileKeyring.open(path, create=False)
    assert reopened.current_key_id() == second
    assert reopened.key_ids() == [first, second]
    assert reopened.lookup_key() == lookup_key
    assert mode_of(path) == 0o600
    # No temporary files left; the lock file that rotations take turns on stays.
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["keys.json", "keys.json.lock"]


def test_rotations_in_two_processes_do_not_lose_a_kek(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    one = FileKeyring.open(path)
    other = FileKeyring.open(path, create=False)
    first = one.rotate()
    second = other.rotate()  # reads the file again before adding its own KEK
    assert set(FileKeyring.open(path).key_ids()) >= {first, second}


def test_the_lookup_key_is_separate_from_every_kek(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    keyring = FileKeyring.open(path)
    keyring.rotate()
    document = json.loads(path.read_text())
    assert len(keyring.lookup_key()) == 32
    assert document["lookup_key"] not in document["keys"].values()


def test_an_existing_file_is_never_overwritten_on_open(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    before = FileKeyring.open(path).current_key_id()
    content = path.read_bytes()
    assert FileKeyring.open(path).current_key_id() == before
    assert path.read_bytes() == content


async def test_ping_reports_a_key_file_that_was_removed_or_opened_up(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    keyring = FileKeyring.open(path)
    await keyring.ping()
    os.chmod(path, 0o644)
    with pytest.raises(KeyringError):
        await keyring.ping()
    path.unlink()
    with pytest.raises(KeyringError) as error:
        await keyring.ping()
    assert str(path) in str(error.value)


def test_nothing_secret_in_repr(tmp_path: Path) -> None:
    keyring = FileKeyring.open(tmp_path / "keys.json")
    assert keyring.lookup_key().hex() not in repr(keyring)
    assert "keys.json" in repr(keyring)


def test_concurrent_rotations_in_many_threads_keep_every_kek(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    first = FileKeyring.open(path).current_key_id()
    rounds, threads = 15, 4

    def rotate_repeatedly() -> list[str]:
        keyring = FileKeyring.open(path, create=False)  # each thread a separate opener, as processes are
        return [keyring.rotate() for _ in range(rounds)]

    with ThreadPoolExecutor(threads) as pool:
        made = [
            key_id for batch in pool.map(lambda _: rotate_repeatedly(), range(threads)) for key_id in batch
        ]

    assert len(set(made)) == rounds * threads
    assert set(FileKeyring.open(path).key_ids()) == {first, *made}


def test_a_rotation_waits_for_the_lock_and_keeps_what_the_holder_wrote(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    keyring = FileKeyring.open(path)
    lock = os.open(path.with_name("keys.json.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)  # another rotation is between its read and its write
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(keyring.rotate)
        time.sleep(0.3)
        assert not waiting.done()
        # The holder adds its key and lets go.
        document = json.loads(path.read_text())
        document["keys"]["kek-9-0badcafe"] = base64.b64encode(os.urandom(32)).decode()
        path.write_text(json.dumps(document))
        os.close(lock)
        added = waiting.result(timeout=10)

    assert {"kek-9-0badcafe", added} <= set(FileKeyring.open(path).key_ids())
    assert added.startswith("kek-10-")  # numbered after the holder's key


def test_each_kek_records_when_it_was_made(tmp_path: Path) -> None:
    times = iter([datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), datetime(2026, 6, 7, 8, 9, 10, tzinfo=UTC)])
    path = tmp_path / "keys.json"
    keyring = FileKeyring.open(path, clock=lambda: next(times))
    second = keyring.rotate()

    infos = asyncio.run(FileKeyring.open(path).key_infos())

    assert [(info.created_at, info.current) for info in infos] == [
        (datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), False),
        (datetime(2026, 6, 7, 8, 9, 10, tzinfo=UTC), True),
    ]
    assert infos[1].key_id == second


def test_a_key_file_from_before_creation_times_still_opens(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    keyring = FileKeyring.open(path)
    document = json.loads(path.read_text())
    del document["created"]
    path.write_text(json.dumps(document))

    infos = asyncio.run(FileKeyring.open(path).key_infos())

    assert [(info.key_id, info.created_at) for info in infos] == [(keyring.current_key_id(), None)]


def test_retire_removes_an_old_kek_but_never_the_current_one(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    keyring = FileKeyring.open(path)
    old = keyring.current_key_id()
    new = keyring.rotate()

    with pytest.raises(KeyringError, match="current"):
        keyring.retire(new)
    with pytest.raises(KeyringError, match="no key-encryption key"):
        keyring.retire("kek-77-00000000")
    keyring.retire(old)

    assert FileKeyring.open(path).key_ids() == [new]
    assert keyring.rotate().startswith("kek-3-")  # a retired key's number is not used again


def test_create_never_replaces_an_existing_key_file(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    FileKeyring.create(path)
    content = path.read_bytes()

    with pytest.raises(KeyringError, match="already exists"):
        FileKeyring.create(path)
    assert path.read_bytes() == content
