"""The command line: help lists every command; a bad setting stops with one line and exit code 2."""

from __future__ import annotations

import subprocess
import sys


def _sigill(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "sigill", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_help_lists_each_command_with_one_line() -> None:
    result = _sigill("--help")
    assert result.returncode == 0
    for command in ("serve", "keys", "audit", "dev", "bench"):
        assert f"    {command}" in result.stdout
    serve = _sigill("serve", "--help")
    for flag in ("--config FILE", "--host H", "--port P", "--data-dir DIR"):
        assert flag in serve.stdout


def test_bad_setting_stops_the_start_with_one_line() -> None:
    result = _sigill("serve", env={"SIGILL_PORT": "eighty"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "port" in lines[0]


def test_development_refuses_a_public_address() -> None:
    result = _sigill("serve", "--host", "0.0.0.0")
    assert result.returncode == 2
    assert "loopback" in result.stderr
