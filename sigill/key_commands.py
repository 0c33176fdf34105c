"""`sigill keys ...` and `sigill blobs sweep`: key-encryption keys, wrapped data keys, orphaned blobs.

Each prints what it did on stdout; a refusal is one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

from crypto.envelope import Envelope
from crypto.errors import KeyringError
from crypto.keyring import KekInfo, KeyListing
from crypto.keyring_file import FileKeyring
from messaging.blob_sweep import DEFAULT_AGE, sweep_orphan_blobs
from messaging.wrapped_keys import KeyReferences, references, rewrap_all
from sigill import bootstrap
from sigill.config import Settings
from sigill.data_dir import KEY_FILE
from sigill.keyrings import Keys, KeyVaultAccess, init_keys


def _refuse(message: str, status: int = 1) -> int:
    print(f"sigill: {message}", file=sys.stderr)
    return status


async def keys(
    settings: Settings, action: str, key_id: str | None = None, *, key_vault: KeyVaultAccess | None = None
) -> int:
    try:
        match action:
            case "init":
                print(await init_keys(settings, key_vault))
                return 0
            case "rotate":
                return _rotate(settings)
            case "list":
                return await _list(settings, key_vault)
            case "rewrap":
                return await _rewrap(settings, key_vault)
            case "retire":
                assert key_id is not None
                return await _retire(settings, key_id, key_vault)
    except KeyringError as exc:
        return _refuse(str(exc))
    return 2


def _rotate(settings: Settings) -> int:
    if settings.keys.backend == "keyvault":
        return _refuse("rotate the key in Key Vault (a new key version); nothing to do here", 2)
    keyring = FileKeyring.open(settings.data_dir / KEY_FILE, create=False)
    print(f"new key-encryption key: {keyring.rotate()}")
    return 0


async def _list(settings: Settings, key_vault: KeyVaultAccess | None) -> int:
    async with bootstrap.maintenance(settings, with_keys=True, key_vault=key_vault) as parts:
        assert parts.keys is not None
        infos = await _key_infos(parts.keys)
        counts = await references(parts.store)
    known = {info.key_id for info in infos}
    for info in infos:
        print(_describe(info, counts))
    for key_id in sorted(set(counts.by_kek) - known):
        print(f"{key_id}  not in the keyring  -  {_wrapped(counts.count(key_id))}")
    if counts.unreadable:
        print(f"sigill: {_wrapped(counts.unreadable)} could not be read at all", file=sys.stderr)
    return 0


async def _key_infos(keys: Keys) -> list[KekInfo]:
    if not isinstance(keys.keyring, KeyListing):
        raise KeyringError("this keyring cannot list its keys")
    return await keys.keyring.key_infos()


def _describe(info: KekInfo, counts: KeyReferences) -> str:
    made = info.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if info.created_at else "unknown"
    state = "current" if info.current else "old"
    return f"{info.key_id}  made {made}  {state}  {_wrapped(counts.count(info.key_id))}"


def _wrapped(count: int) -> str:
    return f"{count} wrapped key{'' if count == 1 else 's'}"


async def _rewrap(settings: Settings, key_vault: KeyVaultAccess | None) -> int:
    async with bootstrap.maintenance(settings, with_keys=True, key_vault=key_vault) as parts:
        assert parts.keys is not None
        report = await rewrap_all(parts.store, Envelope(parts.keys.keyring))
    print(f"re-wrapped {report.rewrapped} data key{'' if report.rewrapped == 1 else 's'}")
    if report.failed:
        return _refuse(f"{_wrapped(report.failed)} did not open and were left as they were (see the log)")
    return 0


async def _retire(settings: Settings, key_id: str, key_vault: KeyVaultAccess | None) -> int:
    async with bootstrap.maintenance(settings, with_keys=True, key_vault=key_vault) as parts:
        assert parts.keys is not None
        count = (await references(parts.store)).count(key_id)
        if count:
            return _refuse(
                f"{key_id} still wraps {count} data key{'' if count == 1 else 's'}; run `sigill keys rewrap` first"
            )
        if parts.keys.file_keyring is None:
            print(f"nothing is wrapped under {key_id}; disable that key version in Key Vault to retire it")
            return 0
        parts.keys.file_keyring.retire(key_id)
    print(f"retired key-encryption key {key_id}")
    return 0


async def sweep_blobs(settings: Settings, older_than_hours: float | None) -> int:
    age = DEFAULT_AGE if older_than_hours is None else timedelta(hours=older_than_hours)
    async with bootstrap.maintenance(settings, with_keys=False) as parts:
        removed = await sweep_orphan_blobs(parts.store, parts.blobs, written_before=datetime.now(UTC) - age)
    print(f"removed {removed} unreferenced attachment blob{'' if removed == 1 else 's'}")
    return 0
