"""The server as an operator meets it: it starts, says where it is, answers health checks, keeps /dev/ local."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

from identity.dev_issuer import dev_tenant_id
from sigill.bootstrap import DEV_AUDIENCE
from tests.integration.harness import ANNA, Server, free_port, run_server, server_settings


def test_sigill_serve_starts_prints_its_urls_and_answers_healthz(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "sigill", "serve", "--data-dir", str(tmp_path / "var"), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ},
    )
    try:
        status = _wait_for_health(f"http://127.0.0.1:{port}/healthz")
        assert status == 200
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/healthz" in output
    assert "anna.andersson@vasteras.example" in output
    assert "sigill dev token" in output
    key_file = tmp_path / "var" / "keys.json"
    assert key_file.exists()
    assert key_file.stat().st_mode & 0o077 == 0


def _wait_for_health(url: str) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:
                return int(resp.status)
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not answer /healthz within 60 s")


async def test_health_and_readiness(server: Server) -> None:
    async with server.session.get(f"{server.base}/healthz") as resp:
        assert resp.status == 200
        assert (await resp.json())["status"] == "ok"
    async with server.session.get(f"{server.base}/readyz") as resp:
        body = await resp.json()
        assert resp.status == 200, body
        assert body["checks"] == {"store": "ok", "blobs": "ok", "keyring": "ok"}
    assert "X-Request-Id" in resp.headers


async def test_dev_token_endpoint_refuses_unknown_domains(server: Server) -> None:
    async with server.session.post(f"{server.base}/dev/token", json={"email": "x@unknown.example"}) as resp:
        assert resp.status == 404
    async with server.session.post(f"{server.base}/dev/token", data=b"nonsense") as resp:
        assert resp.status == 415
    me = await server.get("/me", ANNA)
    assert me.status == 200


async def test_production_mode_has_no_dev_routes(tmp_path: Path) -> None:
    settings = server_settings(
        "sqlite",
        tmp_path,
        free_port(),
        mode="production",
        public_url="https://sigill.example.se",
        entra={
            "tenants": {"00000000-0000-0000-0000-000000000001": "vasteras.example"},
            "audiences": ["api://x"],
        },
    )
    async for running in run_server(settings):
        for method, path in (
            ("POST", "/dev/token"),
            ("GET", "/dev/jwks"),
            ("GET", "/dev/outbox"),
            ("GET", "/dev/outbox.html"),
        ):
            async with running.session.request(
                method, f"http://127.0.0.1:{settings.port}{path}", json={}
            ) as resp:
                assert resp.status == 404, path
        async with running.session.get(f"http://127.0.0.1:{settings.port}/healthz") as resp:
            assert resp.status == 200
        async with running.session.get(
            f"http://127.0.0.1:{settings.port}/api/v1/me", headers={"Authorization": "Bearer x.y.z"}
        ) as resp:
            assert resp.status == 401


def test_cli_token_works_against_the_running_server(tmp_path: Path) -> None:
    port = free_port()
    data_dir = str(tmp_path / "var")
    process = subprocess.Popen(
        [sys.executable, "-m", "sigill", "serve", "--data-dir", data_dir, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _wait_for_health(f"http://127.0.0.1:{port}/healthz") == 200
        minted = subprocess.run(
            [
                sys.executable,
                "-m",
                "sigill",
                "dev",
                "token",
                ANNA,
                "--data-dir",
                data_dir,
                "--port",
                str(port),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        token = minted.stdout.strip()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/me", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as resp:
            assert resp.status == 200
            assert b"anna.andersson@vasteras.example" in resp.read()
    finally:
        process.terminate()
        process.wait(timeout=30)


async def test_no_demo_creates_no_organisations(tmp_path: Path) -> None:
    settings = server_settings("sqlite", tmp_path, free_port(), demo=False)
    async for running in run_server(settings):
        assert await running.components.store.organisations() == []
        async with running.session.post(f"{running.base}/dev/token", json={"email": ANNA}) as resp:
            assert resp.status == 404


async def test_a_new_staff_member_is_created_on_first_sign_in(server: Server) -> None:
    newcomer = "david.dahl@vasteras.example"
    # The tenant's token for a person who never signed in before (/dev/token mints for existing staff only).
    assert server.components.dev_issuer is not None
    server.tokens[newcomer] = server.components.dev_issuer.mint(
        newcomer, newcomer, dev_tenant_id("vasteras.example"), str(uuid.uuid4()), DEV_AUDIENCE
    )
    me = await server.get("/me", newcomer)
    assert me.status == 200
    assert me.body["email"] == newcomer
    assert me.body["mailboxes"] == [{"address": newcomer, "name": newcomer, "kind": "personal"}]
    again = await server.get("/me", newcomer)
    assert again.body == me.body
    sent = await server.send(ANNA, recipients=[{"address": newcomer}])
    assert sent.body["deliveries"][0]["kind"] == "registered"


async def test_readiness_fails_when_the_store_is_gone(tmp_path: Path) -> None:
    settings = server_settings("sqlite", tmp_path, free_port())
    async for running in run_server(settings):
        await running.token(ANNA)
        await running.components.store.close()
        async with running.session.get(f"{running.base}/readyz") as resp:
            assert resp.status == 503
            body = await resp.json()
        assert body["checks"]["store"] == "failing"
        assert body["checks"]["keyring"] == "ok"
        async with running.session.get(f"{running.base}/healthz") as resp:
            assert resp.status == 200
        me = await running.get("/me", ANNA)
        assert me.status == 503
        assert me.body["code"] == "unavailable"
