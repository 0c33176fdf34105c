"""Helpers shared by the crypto tests: scripted randomness and async chunk sources."""

from __future__ import annotations

import json
import traceback
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from pathlib import Path
from typing import Any

import pytest

from crypto.errors import DecryptionError

VECTORS = Path(__file__).parent / "vectors"


class Script:
    """A `random_bytes` that hands out the given values in order, so outputs are reproducible."""

    def __init__(self, *values: bytes) -> None:
        self._values = list(values)

    def __call__(self, size: int) -> bytes:
        if not self._values:
            raise AssertionError("the code asked for more random bytes than the test scripted")
        value = self._values.pop(0)
        if len(value) != size:
            raise AssertionError(f"the code asked for {size} random bytes, the script has {len(value)}")
        return value

    @property
    def exhausted(self) -> bool:
        return not self._values


def pattern(length: int) -> bytes:
    """The plaintext of the stream vectors: byte i is i mod 251 (a prime, so segments differ)."""
    return bytes(i % 251 for i in range(length))


async def chunks(data: bytes, sizes: Iterable[int] | int) -> AsyncIterator[bytes]:
    """`data` in pieces of the given sizes (repeating the last), as an upload or a download delivers it."""
    size_list = [sizes] if isinstance(sizes, int) else list(sizes)
    start, index = 0, 0
    while start < len(data):
        size = size_list[min(index, len(size_list) - 1)]
        yield data[start : start + size]
        start += size
        index += 1


async def once(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def collect(stream: AsyncIterable[bytes]) -> bytes:
    return b"".join([piece async for piece in stream])


def load_vectors(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((VECTORS / name).read_text())
    return document


def assert_opaque(error: pytest.ExceptionInfo[DecryptionError]) -> None:
    """The one message, and not even a chained traceback tells which check failed."""
    assert str(error.value) == "decryption failed"
    logged = "".join(traceback.format_exception(error.value))
    assert "InvalidTag" not in logged
    assert "During handling" not in logged
    assert "direct cause" not in logged
