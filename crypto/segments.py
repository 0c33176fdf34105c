"""Cutting a stream of arbitrarily sized chunks into fixed-size segments, copying as little as possible.

Used on both sides of streaming encryption: plaintext is cut into segments of the segment
size, ciphertext into segments of the segment size plus the tag.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable

Segment = bytes | bytearray | memoryview


class _Buffers:
    """Two reusable segment buffers: one being filled, one held back (see `cut_segments`).

    Reusing them, instead of allocating a segment-sized buffer per straddling segment, keeps
    the memory warm in the cache and spares the page faults of fresh allocations.
    """

    __slots__ = ("_free", "_size")

    def __init__(self, size: int) -> None:
        self._size = size
        self._free: list[bytearray] = []

    def take(self) -> bytearray:
        return self._free.pop() if self._free else bytearray(self._size)

    def give_back(self, segment: Segment) -> None:
        if isinstance(segment, bytearray):
            self._free.append(segment)


async def cut_segments(
    chunks: AsyncIterable[Segment], size: int
) -> AsyncGenerator[tuple[Segment, bool], None]:
    """Yield `(segment, is_last)`: every segment but the last is exactly `size` bytes, the last 0..size.

    A full segment is held back until the next byte arrives or the input ends, because only then
    is it known whether it is the last one (the last segment is flagged in its nonce). Segments
    that lie wholly inside one chunk are yielded as views of that chunk, without a copy; only a
    segment that straddles chunks is assembled in a buffer. A segment is valid until the next
    item is requested.
    """
    buffers = _Buffers(size)
    held: Segment | None = None  # a complete segment, not yet known to be the last or not
    part: bytearray | None = None  # the beginning of a segment that straddles chunks ...
    filled = 0  # ... and how much of it there is
    async for chunk in chunks:
        if not chunk:
            continue
        if held is not None:
            yield held, False
            buffers.give_back(held)
            held = None
        view = memoryview(chunk).cast("B")
        if part is not None:
            count = min(size - filled, len(view))
            part[filled : filled + count] = view[:count]
            filled += count
            view = view[count:]
            if filled < size:
                continue
            if not view:
                held, part = part, None
                continue
            yield part, False
            buffers.give_back(part)
            part = None
        while len(view) > size:
            yield view[:size], False
            view = view[size:]
        if len(view) == size and isinstance(chunk, bytes):
            held = view  # bytes are immutable, so this view may outlive the chunk
        else:
            part = buffers.take()
            filled = len(view)
            part[:filled] = view
            if filled == size:
                held, part = part, None
    if held is not None:
        yield held, True
    elif part is not None:
        yield memoryview(part)[:filled], True
    else:
        yield b"", True
