"""Slow request bodies are refused: a client must keep its body coming while the server waits for it.

aiohttp has no minimum transfer rate, so a client that opens an upload and then sends a byte now and then holds
a connection and a handler for as long as it likes. This middleware watches every request that has a body: over
each window of `window_s` seconds the body must grow by at least `min_rate × window_s` bytes. When it does not,
the next read of the body raises `HTTPRequestTimeout`, which the error seam answers with 408 and a closed
connection.

Time the server itself is slow does not count against the client: while the connection is paused for flow control
(the server has not read what it already has), the window starts over.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def body_pace(window_s: float, min_rate: int) -> Middleware:
    @web.middleware
    async def paced(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.body_exists or request.content.is_eof():
            return await handler(request)
        watch = asyncio.create_task(_watch(request, window_s, min_rate))
        try:
            return await handler(request)
        finally:
            watch.cancel()

    return paced


async def _watch(request: web.Request, window_s: float, min_rate: int) -> None:
    content = request.content
    loop = asyncio.get_running_loop()
    tick = min(window_s / 4, 1.0)
    since, received = loop.time(), content.total_bytes
    while not content.is_eof():
        await asyncio.sleep(tick)
        transport = request.transport
        if transport is None or transport.is_closing():
            return
        now = loop.time()
        if not transport.is_reading():
            since, received = now, content.total_bytes
            continue
        if now - since < window_s:
            continue
        if content.total_bytes - received < min_rate * window_s:
            content.set_exception(
                web.HTTPRequestTimeout(reason=f"The body arrived slower than {min_rate} bytes per second.")
            )
            return
        since, received = now, content.total_bytes
