"""What the CLI's commands do, once the settings are loaded."""

from __future__ import annotations

import errno
import shlex
import socket
import sys

from aiohttp import web

from sigill import bootstrap, demo, serving
from sigill.app import create_app
from sigill.config import Settings
from sigill.devroutes import LevelUnreachable, UnknownDevUser, mint_dev_token
from sigill.errors import StartupError
from sigill.manifests import BROWSER_PATH


def serve(settings: Settings) -> int:
    async def make_app() -> web.Application:
        components = await bootstrap.build(settings)
        _print_banner(settings)
        return create_app(components)

    # Not web.run_app: sigill.serving caps open connections ([limits] max_connections).
    try:
        _check_port_free(settings)
        serving.run(make_app, settings)
    except OSError as exc:
        # Binding the socket is the last step of the start; the parts opened before are closed again.
        raise StartupError(_listen_error(settings, exc)) from None
    return 0


def _check_port_free(settings: Settings) -> None:
    """Bind and release the address first, so a busy port stops the start before anything opens or prints."""
    if settings.port:
        with socket.create_server((settings.host, settings.port)):
            pass


def _listen_error(settings: Settings, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"port {settings.port} is in use"
    if exc.errno == errno.EACCES:
        return f"port {settings.port} needs privileges this process does not have"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"address {settings.host} is not an address of this machine"
    return f"cannot listen on {settings.host}:{settings.port} ({exc.strerror or exc})"


def _print_banner(settings: Settings) -> None:
    base = settings.base_url
    # In development the first line is where to click: the staff web app, signed in as a demo user in a moment.
    first = [f"Staff app:  {base}{BROWSER_PATH}  (sign in as one of the demo staff below)", ""]
    lines = [
        *(first if settings.mode == "development" else []),
        f"Sigill is running in {settings.mode} mode.",
        f"  Health:     {base}/healthz",
        f"  Readiness:  {base}/readyz",
        f"  API:        {base}/api/v1/openapi.json",
    ]
    if settings.mode == "development":
        lines += [
            f"  Outbox:     {base}/dev/outbox.html (JSON: {base}/dev/outbox)",
            "",
            "Demo addresses:",
            *[
                f"  {p.email}  ({p.name}{', administratör' if p.email in org.administrators else ''})"
                for org in demo.DEMO_ORGANISATIONS
                for p in org.staff
            ],
            *[f"  {box[0]}  (funktionsbrevlåda {box[1]})" for box in demo.VASTERAS.function_mailboxes],
            f"  {demo.CLINIC.email}  (registrerad mottagare, lösenord {demo.CLINIC_PASSWORD},"
            f" personnummer {demo.CLINIC_PERSONAL_NUMBER}; logga in på {base}/konto/logga-in)",
            "",
            f"A staff token:  {_dev_token_command(settings, demo.VASTERAS.staff[0].email)}",
            f"      at LoA3:  {_dev_token_command(settings, demo.VASTERAS.staff[0].email, '--loa 3')}",
            f"           or:  curl -s -X POST {base}/dev/token -H 'Content-Type: application/json' "
            f'-d \'{{"email": "{demo.VASTERAS.staff[0].email}", "loa": 3}}\'',
        ]
    print("\n".join(lines), flush=True)


def _dev_token_command(settings: Settings, email: str, extra: str = "") -> str:
    """The `sigill dev token` line that mints for this very server: same port, same data directory."""
    words = [".venv/bin/sigill", "dev", "token", email, *extra.split()]
    if settings.port != Settings.model_fields["port"].default:
        words += ["--port", str(settings.port)]
    if settings.data_dir != Settings.model_fields["data_dir"].default:
        words += ["--data-dir", shlex.quote(str(settings.data_dir))]
    return " ".join(words)


async def dev_token(
    settings: Settings, email: str, *, loa: int | None = None, admin: bool | None = None
) -> int:
    if settings.mode != "development":
        print("sigill: dev token exists only in development mode", file=sys.stderr)
        return 2
    # Building the components here would make a new installation (keys, signing key, demo data) in a directory
    # no server uses, and print a token every running server refuses.
    if not (settings.data_dir / bootstrap.DEV_ISSUER_KEY_FILE).is_file():
        print(
            f"sigill: no server has run with the data directory {settings.data_dir}; "
            "pass the --data-dir (and --port) of the running server",
            file=sys.stderr,
        )
        return 2
    components = await bootstrap.build(settings)
    try:
        print(await mint_dev_token(components, email, loa=loa, admin=admin))
        return 0
    except UnknownDevUser:
        print(f"sigill: no staff user has the address {email}", file=sys.stderr)
        return 2
    except LevelUnreachable:
        print(f"sigill: the [entra] rules map no sign-in to LoA{loa}", file=sys.stderr)
        return 2
    finally:
        await components.close()
