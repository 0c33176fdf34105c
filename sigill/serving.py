"""Listening for connections, at most `[limits] max_connections` at a time, until SIGINT or SIGTERM.

aiohttp's own `run_app` cannot cap connections, and without a cap a client that opens connections and never
finishes a request exhausts the process's file descriptors. Here the listening socket gets a protocol factory
that counts: beyond the cap a new connection is answered `503` (problem+json, `Retry-After`) and closed at once,
before any of it is read.
"""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from aiohttp.http_exceptions import ContentEncodingError

from addin_backend import error_map
from addin_backend.problems import problem
from sigill import headers
from sigill.config import Settings


@dataclass
class Listening:
    """A running server: the app's runner and the socket it listens on."""

    runner: web.AppRunner
    server: asyncio.Server

    @property
    def port(self) -> int:
        port: int = self.server.sockets[0].getsockname()[1]
        return port

    async def close(self) -> None:
        """Stop accepting, let open requests finish, then run the app's cleanup."""
        self.server.close()
        await self.runner.cleanup()


async def listen(app: web.Application, settings: Settings) -> Listening:
    # Connections get their handler from ConnectionCap, with the same options (no access log).
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        cap = ConnectionCap(
            runner.server, settings.limits.max_connections, production=settings.mode == "production"
        )
        server = await asyncio.get_running_loop().create_server(cap.protocol, settings.host, settings.port)
    except BaseException:
        await runner.cleanup()
        raise
    return Listening(runner, server)


def run(make_app: Callable[[], Awaitable[web.Application]], settings: Settings) -> None:
    """Serve until SIGINT or SIGTERM, then shut down gracefully. A busy port raises OSError."""
    asyncio.run(_serve_until_signalled(make_app, settings))


async def _serve_until_signalled(
    make_app: Callable[[], Awaitable[web.Application]], settings: Settings
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    listening = await listen(await make_app(), settings)
    try:
        await stop.wait()
    finally:
        await listening.close()


class ConnectionCap:
    """A protocol factory for the listening socket that hands out at most `limit` aiohttp connections."""

    def __init__(self, server: web.Server | None, limit: int, *, production: bool) -> None:
        assert server is not None, "the runner is set up first"
        self._server = server
        self._limit = limit
        self._production = production
        # Made by the factory, not yet in `server.connections` (asyncio calls connection_made a moment later).
        self._pending = 0

    def protocol(self) -> asyncio.BaseProtocol:
        if len(self._server.connections) + self._pending >= self._limit:
            return _Busy(self._production)
        self._pending += 1
        loop = asyncio.get_running_loop()
        # Two hops: by then asyncio has called connection_made, so the connection is counted there instead.
        loop.call_soon(loop.call_soon, self._settled)
        return _ProblemRequestHandler(self._server, loop=loop, production=self._production)

    def _settled(self) -> None:
        self._pending -= 1


_BUSY_BODY = json.dumps(
    {
        "type": "/problems/too_many_connections",
        "title": "Tjänsten är hårt belastad just nu. Försök igen om en stund.",
        "status": 503,
        "detail": "The server holds as many connections as it may; try again shortly.",
        "code": "too_many_connections",
    },
    ensure_ascii=False,
).encode()


def _busy_response(production: bool) -> bytes:
    fields = {
        "Content-Type": "application/problem+json; charset=utf-8",
        "Content-Length": str(len(_BUSY_BODY)),
        "Retry-After": "1",
        "Connection": "close",
    }
    headers.secure(
        fields,
        request_id=headers.new_request_id(),
        content_type="application/problem+json",
        production=production,
    )
    head = "HTTP/1.1 503 Service Unavailable\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items())
    return head.encode("ascii") + b"\r\n" + _BUSY_BODY


class _Busy(asyncio.Protocol):
    """One connection too many: say so and hang up, without reading a byte."""

    def __init__(self, production: bool) -> None:
        self._production = production

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.WriteTransport)
        transport.write(_busy_response(self._production))
        transport.close()


class _ProblemRequestHandler(web.RequestHandler):
    """aiohttp's connection handler, answering what fails before the app sees it in problem+json too.

    A request line or header that does not parse, or a body in an encoding aiohttp cannot decode, is refused by
    the connection itself (`handle_error`), with a text/plain body and aiohttp's version banner; here the answer
    is the API's problem with the same status (415 for an encoding), and the connection still closes.
    """

    def __init__(self, manager: web.Server, *, loop: asyncio.AbstractEventLoop, production: bool) -> None:
        # None turns the access log off, as AppRunner(access_log=None) does; aiohttp types it as a Logger only.
        super().__init__(manager, loop=loop, access_log=None)  # type: ignore[arg-type]
        self._production = production

    def handle_error(
        self,
        request: web.BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        # Logs, and raises ConnectionError when a response is already on the wire.
        super().handle_error(request, status, exc, message)
        if isinstance(exc, ContentEncodingError):
            refused = error_map.compressed_upload()
            response = problem(refused.status, refused.code, refused.title, refused.detail)
        else:
            response = error_map.status_problem(status)
        headers.secure(
            response.headers,
            request_id=headers.new_request_id(),
            content_type=response.content_type,
            production=self._production,
        )
        response.force_close()
        return response
