"""A server whose keyring answers like Azure Key Vault: every unwrap takes a network round trip.

`sigill bench api` starts this (`python -m bench.keyvault_like ...`) to show what listing costs
when each data key is unwrapped by a remote service, with and without the data-key cache. It
is the real server (`sigill serve` builds it the same way) with one part replaced: the keyring
is wrapped so that `unwrap` first sleeps, as a call to Key Vault's `/unwrapkey` would.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import replace
from pathlib import Path

from aiohttp import web

from crypto.envelope import Envelope
from crypto.key_cache import CachingEnvelope
from crypto.keyring import Keyring
from sigill import bootstrap, config, logs
from sigill.app import create_app

# A Key Vault unwrap from an app in the same region takes a few milliseconds (more under load).
DEFAULT_UNWRAP_MS = 5.0


class DelayedKeyring(Keyring):
    """The real keyring, with every unwrap held up by `delay` seconds and counted."""

    def __init__(self, inner: Keyring, delay: float) -> None:
        self._inner = inner
        self._delay = delay
        self.unwraps = 0

    def current_key_id(self) -> str:
        return self._inner.current_key_id()

    async def wrap(self, data_key: bytes, associated_data: bytes) -> bytes:
        return await self._inner.wrap(data_key, associated_data)

    async def unwrap(self, wrapped: bytes, associated_data: bytes) -> bytes:
        self.unwraps += 1
        await asyncio.sleep(self._delay)
        return await self._inner.unwrap(wrapped, associated_data)

    async def ping(self) -> None:
        await self._inner.ping()


def envelope_for(keyring: Keyring, *, cached: bool) -> Envelope:
    return CachingEnvelope(keyring) if cached else Envelope(keyring)


def serve(data_dir: Path, port: int, *, unwrap_ms: float, cached: bool) -> None:
    settings = config.load(None, overrides={"data_dir": data_dir, "port": port, "demo": False})
    logs.configure(structured=settings.structured_logs, level="WARNING")

    async def make_app() -> web.Application:
        components = await bootstrap.build(settings)
        keyring = DelayedKeyring(components.keyring, unwrap_ms / 1000)
        components.envelope = envelope_for(keyring, cached=cached)
        components.deps = replace(components.deps, envelope=components.envelope)
        return create_app(components)

    web.run_app(make_app(), host=settings.host, port=settings.port, print=None, access_log=None)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.keyvault_like")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--unwrap-ms", type=float, default=DEFAULT_UNWRAP_MS)
    parser.add_argument("--no-cache", action="store_true", help="open every data key through the keyring")
    args = parser.parse_args()
    serve(args.data_dir, args.port, unwrap_ms=args.unwrap_ms, cached=not args.no_cache)


if __name__ == "__main__":
    main()
