"""`sigill serve` in development names the staff web app first: a newcomer's first click."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.integration.harness import free_port


def _wait_for_health(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not answer /healthz within 60 s")


def test_the_first_line_is_the_staff_app_and_it_answers(tmp_path: Path) -> None:
    port = free_port()
    banner = tmp_path / "banner.txt"
    with banner.open("w") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sigill",
                "serve",
                "--data-dir",
                str(tmp_path / "var"),
                "--port",
                str(port),
            ],
            stdout=out,
            stderr=subprocess.DEVNULL,
        )
    try:
        _wait_for_health(f"http://127.0.0.1:{port}/healthz")
        lines = banner.read_text().splitlines()
        address = f"http://127.0.0.1:{port}/app/"
        assert lines[0].split()[:3] == ["Staff", "app:", address], lines[:3]
        # Then the lines that were there before, unchanged.
        rest = lines[1:]
        assert "Sigill is running in development mode." in rest
        assert any(
            line.strip().startswith(f"API:        http://127.0.0.1:{port}/api/v1/openapi.json")
            for line in rest
        )
        assert any("A staff token:" in line for line in rest)
        assert sum(address in line for line in lines) == 1
        # The address printed is the app itself.
        with urllib.request.urlopen(address, timeout=10) as resp:
            assert resp.status == 200
            assert resp.headers.get_content_type() == "text/html"
    finally:
        server.terminate()
        server.wait(timeout=30)
