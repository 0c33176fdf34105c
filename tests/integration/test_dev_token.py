"""The development issuer: tokens for existing staff only, JSON only, loopback only, at the level asked for."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from identity.dev_issuer import dev_tenant_id
from sigill.bootstrap import DEV_AUDIENCE
from tests.integration.harness import ANNA, BERTIL, Server, free_port


async def post_token(server: Server, **kw: Any) -> tuple[int, Any, str]:
    async with server.session.post(f"{server.base}/dev/token", **kw) as resp:
        body = await resp.json(content_type=None)
        return resp.status, body, resp.content_type


async def me(server: Server, token: str) -> dict[str, Any]:
    async with server.session.get(
        f"{server.base}/api/v1/me", headers={"Authorization": f"Bearer {token}"}
    ) as resp:
        assert resp.status == 200, await resp.text()
        body: dict[str, Any] = await resp.json()
        return body


async def test_tokens_carry_the_level_asked_for(server: Server) -> None:
    levels = {}
    for loa in (1, 2, 3, None):
        status, body, _ = await post_token(server, json={"email": BERTIL} | ({"loa": loa} if loa else {}))
        assert status == 200, body
        levels[loa] = (await me(server, body["access_token"]))["loa"]
    assert levels == {1: 1, 2: 2, 3: 3, None: 2}


@pytest.mark.parametrize(
    "body",
    [
        {"email": ANNA, "loa": "3"},
        {"email": ANNA, "loa": True},
        {"email": ANNA, "loa": 3.0},
        {"email": ANNA, "loa": 4},
        {"email": ANNA, "loa": 0},
        {"email": ANNA, "admin": "yes"},
        {"email": ANNA, "role": "admin"},
        {"email": 7},
        {},
        [ANNA],
    ],
)
async def test_a_body_of_the_wrong_shape_is_refused(server: Server, body: Any) -> None:
    status, problem, content_type = await post_token(server, json=body)
    assert (status, problem["code"], content_type) == (422, "invalid_body", "application/problem+json")


async def test_only_existing_staff_users_get_tokens(server: Server) -> None:
    for email in ("ny.person@vasteras.example", "x@unknown.example", "inte-en-adress"):
        status, problem, _ = await post_token(server, json={"email": email})
        assert (status, problem["code"]) == (404, "staff_not_found"), email


async def test_a_staff_user_made_by_a_first_sign_in_gets_tokens_for_their_own_object_id(
    server: Server,
) -> None:
    issuer = server.components.dev_issuer
    assert issuer is not None
    address = f"ny-{uuid.uuid4().hex[:8]}@vasteras.example"
    first = issuer.mint(
        address, "Ny Person", dev_tenant_id("vasteras.example"), str(uuid.uuid4()), DEV_AUDIENCE
    )
    assert (await me(server, first))["email"] == address
    status, body, _ = await post_token(server, json={"email": address, "loa": 3})
    assert status == 200
    again = await me(server, body["access_token"])
    assert (again["email"], again["loa"]) == (address, 3)


async def test_only_json_is_accepted(server: Server) -> None:
    for kw in (
        {"data": json.dumps({"email": ANNA}), "headers": {"Content-Type": "text/plain"}},
        {"data": {"email": ANNA}},
        {"data": json.dumps({"email": ANNA})},
    ):
        status, problem, _ = await post_token(server, **kw)
        assert (status, problem["code"]) == (415, "unsupported_media_type"), kw
    status, problem, _ = await post_token(
        server, data=b"{nonsense", headers={"Content-Type": "application/json"}
    )
    assert (status, problem["code"]) == (400, "invalid_json")


async def test_requests_naming_another_host_are_refused(server: Server) -> None:
    # DNS rebinding: a page at evil.example whose name now resolves to 127.0.0.1 sends its own Host.
    for host in ("evil.example", "evil.example:8080", "127.0.0.1.evil.example", "localhost@evil.example"):
        status, problem, _ = await post_token(server, json={"email": ANNA}, headers={"Host": host})
        assert (status, problem["code"]) == (403, "host_not_loopback"), host
        async with server.session.get(f"{server.base}/dev/outbox", headers={"Host": host}) as resp:
            assert resp.status == 403
    for host in (f"127.0.0.1:{server.settings.port}", f"localhost:{server.settings.port}", "[::1]"):
        status, _, _ = await post_token(server, json={"email": ANNA}, headers={"Host": host})
        assert status == 200, host
    # The signing keys are public: the validator fetches them by whatever name the server is reached at.
    async with server.session.get(f"{server.base}/dev/jwks", headers={"Host": "sigill.example"}) as resp:
        assert resp.status == 200


def _wait_for_health(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not answer /healthz within 60 s")


def _me_over_http(port: int, token: str) -> dict[str, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/me", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        body: dict[str, Any] = json.loads(resp.read())
        return body


def test_the_printed_command_mints_for_the_server_that_printed_it(tmp_path: Path) -> None:
    port = free_port()
    data_dir = tmp_path / "other data"
    banner = tmp_path / "banner.txt"
    with banner.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "sigill", "serve", "--data-dir", str(data_dir), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_health(f"http://127.0.0.1:{port}/healthz")
        printed = banner.read_text()
        hint = re.search(r"A staff token:\s+(\S.*)", printed)
        assert hint is not None, printed
        words = shlex.split(hint.group(1))
        assert words[:3] == [".venv/bin/sigill", "dev", "token"]
        assert ["--port", str(port)] == words[words.index("--port") : words.index("--port") + 2]
        assert ["--data-dir", str(data_dir)] == words[
            words.index("--data-dir") : words.index("--data-dir") + 2
        ]
        # Run the printed command as it stands (through this interpreter), asking for LoA3.
        minted = subprocess.run(
            [sys.executable, "-m", "sigill", *words[1:], "--loa", "3"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert minted.returncode == 0, minted.stderr
        profile = _me_over_http(port, minted.stdout.strip())
        assert (profile["email"], profile["loa"]) == (ANNA, 3)

        unknown = subprocess.run(
            [sys.executable, "-m", "sigill", *words[1:3], "ny.person@vasteras.example", *words[4:]],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert unknown.returncode == 2
        assert unknown.stderr.strip() == "sigill: no staff user has the address ny.person@vasteras.example"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_default_port_and_data_directory_need_no_flags(capsys: pytest.CaptureFixture[str]) -> None:
    from sigill import commands, config

    commands._print_banner(config.load(None, environ={}))
    hint = next(line for line in capsys.readouterr().out.splitlines() if "A staff token" in line)
    assert hint.endswith("sigill dev token anna.andersson@vasteras.example")
