"""What the CLI's commands do, once the settings are loaded."""

from __future__ import annotations

import sys

from aiohttp import web

from messaging.sealing import associated_data
from sigill import bootstrap, demo
from sigill.app import create_app
from sigill.config import Settings
from sigill.devroutes import UnknownDevUser, mint_dev_token
from store import audit_chain


def serve(settings: Settings) -> int:
    async def make_app() -> web.Application:
        components = await bootstrap.build(settings)
        _print_banner(settings)
        return create_app(components)

    web.run_app(make_app(), host=settings.host, port=settings.port, print=None, access_log=None)
    return 0


def _print_banner(settings: Settings) -> None:
    base = settings.base_url
    lines = [
        f"Sigill is running in {settings.mode} mode.",
        f"  Health:     {base}/healthz",
        f"  Readiness:  {base}/readyz",
        f"  API:        {base}/api/v1/openapi.json",
    ]
    if settings.mode == "development":
        lines += [
            f"  Outbox:     {base}/dev/outbox",
            "",
            "Demo addresses:",
            *[f"  {p.email}  ({p.name})" for org in demo.DEMO_ORGANISATIONS for p in org.staff],
            *[f"  {box[0]}  (funktionsbrevlåda {box[1]})" for box in demo.VASTERAS.function_mailboxes],
            f"  {demo.CLINIC.email}  (registrerad mottagare)",
            "",
            "A staff token:  .venv/bin/sigill dev token anna.andersson@vasteras.example",
            f'           or:  curl -s -X POST {base}/dev/token -d \'{{"email": "anna.andersson@vasteras.example"}}\'',
        ]
    print("\n".join(lines), flush=True)


async def keys(settings: Settings, action: str) -> int:
    components = await bootstrap.build(settings.model_copy(update={"demo": False}))
    try:
        if action == "rotate":
            if components.file_keyring is None or components.keyring is not components.file_keyring:
                print(
                    "sigill: rotate the key in Key Vault (a new key version); nothing to do here.",
                    file=sys.stderr,
                )
                return 2
            print(f"new key-encryption key: {components.file_keyring.rotate()}")
            return 0
        count = await _rewrap_all(components)
        print(f"re-wrapped {count} data keys")
        return 0
    finally:
        await components.close()


async def _rewrap_all(components: bootstrap.Components) -> int:
    count = 0
    for org in await components.store.organisations():
        cursor: str | None = None
        while True:
            async with components.store.unit_of_work(org.org_id) as uow:
                page = await uow.messages.all(limit=100, cursor=cursor)
                for message in page.items:
                    ad = associated_data(org.org_id, message.message_id, "key")
                    rewrapped = await components.envelope.rewrap(message.wrapped_key, ad)
                    if rewrapped is not None:
                        message.wrapped_key = rewrapped
                        uow.messages.update(message)
                        count += 1
                await uow.commit()
            cursor = page.next_cursor
            if cursor is None:
                break
    return count


async def audit_verify(settings: Settings) -> int:
    components = await bootstrap.build(settings.model_copy(update={"demo": False}))
    broken = False
    try:
        for org in await components.store.organisations():
            head = await components.store.audit_head(org.org_id)
            report = await audit_chain.verify(components.store.audit_events(org.org_id), head)
            if report.ok:
                print(f"{org.name}: {report.entries} entries, chain whole")
            else:
                broken = True
                print(f"{org.name}: chain broken at entry {report.broken_at}: {report.reason}")
    finally:
        await components.close()
    return 1 if broken else 0


async def dev_token(settings: Settings, email: str) -> int:
    if settings.mode != "development":
        print("sigill: dev token exists only in development mode", file=sys.stderr)
        return 2
    components = await bootstrap.build(settings)
    try:
        print(await mint_dev_token(components, email))
        return 0
    except UnknownDevUser:
        print(f"sigill: no organisation has the domain of {email}", file=sys.stderr)
        return 2
    finally:
        await components.close()
