"""Starting Sigill: every start-up error is one line and a non-zero exit; keys are never silently replaced; the data stays private.

`sigill serve` runs as a subprocess, as an operator would start it.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

from sigill import bootstrap
from tests.integration.harness import free_port, server_settings

COSMOS_EMULATOR_KEY = (
    "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="
)


def _sigill(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SIGILL_")}
    return subprocess.run(
        [sys.executable, "-m", "sigill", *args],
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _serve(
    data_dir: Path, port: int | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return _sigill("serve", "--data-dir", str(data_dir), "--port", str(port or free_port()), env=env)


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("sigill: ")
    return lines[0]


async def _store_with_data(data_dir: Path) -> None:
    """A first start: demo organisations in the store, sealed under the key file it made."""
    components = await bootstrap.build(server_settings("sqlite", data_dir, free_port()))
    await components.close()
    assert (data_dir / "keys.json").exists()


async def test_a_missing_key_file_with_data_in_the_store_stops_the_start(tmp_path: Path) -> None:
    await _store_with_data(tmp_path)
    (tmp_path / "keys.json").unlink()

    line = _one_line_error(_serve(tmp_path))

    assert "key file" in line and "missing" in line
    assert not (tmp_path / "keys.json").exists()  # never a silent new key


async def test_an_unreadable_key_file_stops_the_start(tmp_path: Path) -> None:
    await _store_with_data(tmp_path)
    (tmp_path / "keys.json").write_text('{"format": "sigill-keyring/1", "current": ')

    line = _one_line_error(_serve(tmp_path))

    assert "not a valid Sigill key file" in line
    assert (tmp_path / "keys.json").read_text() == '{"format": "sigill-keyring/1", "current": '


def test_keys_init_makes_a_key_file_once(tmp_path: Path) -> None:
    made = _sigill("keys", "init", "--data-dir", str(tmp_path))
    assert made.returncode == 0, made.stderr
    assert "created key file" in made.stdout
    contents = (tmp_path / "keys.json").read_bytes()
    assert stat.S_IMODE((tmp_path / "keys.json").stat().st_mode) == 0o600

    again = _sigill("keys", "init", "--data-dir", str(tmp_path))

    assert "already exists" in _one_line_error(again)
    assert (tmp_path / "keys.json").read_bytes() == contents


def test_a_busy_port_is_one_line(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = _serve(tmp_path, port)

    assert _one_line_error(result) == f"sigill: port {port} is in use"
    assert result.stdout == ""  # stopped before anything started, banner included


def test_an_unreachable_store_is_one_line(tmp_path: Path) -> None:
    nothing_listens = free_port()
    env = {
        "SIGILL_STORE_BACKEND": "cosmos",
        "SIGILL_STORE_COSMOS_ENDPOINT": f"https://127.0.0.1:{nothing_listens}/",
        "SIGILL_STORE_COSMOS_KEY": COSMOS_EMULATOR_KEY,
    }

    line = _one_line_error(_serve(tmp_path, env=env))

    assert line == "sigill: the store cannot be opened: Cosmos DB cannot be reached"


def test_an_unusable_data_directory_is_one_line(tmp_path: Path) -> None:
    not_a_directory = tmp_path / "var"
    not_a_directory.write_text("a file where the data directory should be")

    line = _one_line_error(_serve(not_a_directory))

    assert str(not_a_directory) in line


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _assert_private(data_dir: Path) -> None:
    files = ["sigill.db", "sigill.db-wal", "sigill.db-shm", "keys.json", "dev-issuer.pem"]
    assert {name: _mode(data_dir / name) for name in files} == dict.fromkeys(files, 0o600)
    assert _mode(data_dir) == 0o700
    assert _mode(data_dir / "blobs") == 0o700


async def test_the_data_directory_is_made_private_again_at_start(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    await _store_with_data(data_dir)
    # As a restore from a backup with a careless umask would leave it.
    for path in [data_dir, *data_dir.rglob("*")]:
        path.chmod(0o777 if path.is_dir() else 0o666)

    components = await bootstrap.build(server_settings("sqlite", data_dir, free_port()))
    try:
        _assert_private(data_dir)  # the -wal and -shm of the open database too
    finally:
        await components.close()


async def test_a_new_data_directory_is_private_whatever_the_umask(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    previous = os.umask(0)
    try:
        components = await bootstrap.build(server_settings("sqlite", data_dir, free_port()))
    finally:
        os.umask(previous)
    try:
        _assert_private(data_dir)
    finally:
        await components.close()
