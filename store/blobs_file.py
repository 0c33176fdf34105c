"""Attachment blobs as files under one root directory.

Layout: `<root>/<name[0:2]>/<name[2:4]>/<name>` (names shorter than four
characters are padded with `_` for the directory part). Two levels of sharding
keep every directory small even with millions of blobs. Directories are created
with mode 0700 and files with mode 0600: the ciphertext is nobody else's
business on the host.

Writes are crash-safe and create-only. `put` streams into a hidden temp file
(`.<name>.<random>.tmp`, a name no valid blob can have) in the target
directory, fsyncs it, hard-links it under its final name and fsyncs the
directory. `os.link` fails when the name exists, so of two racing puts exactly
one wins; `os.replace` would let the second silently overwrite the first. Until
the link succeeds the name does not exist, so a crash, a failing source or a
cancelled put leaves nothing under it. (A crash of the process can leave a
hidden temp file behind; it is never visible as a blob.) Hard links need a
local POSIX file system.

Every blocking call runs on the store's own thread pool, in blocks of
`block_size` bytes, so the event loop is never blocked by disk I/O.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from store.blob_names import check_blob_name
from store.errors import ConflictError, NotFoundError, StoreUnavailable
from store.ports import BlobInfo

DEFAULT_BLOCK_SIZE = 1024 * 1024
DEFAULT_THREADS = 8

_DIR_MODE = 0o700
_FILE_MODE = 0o600
_SHARD_WIDTH = 2


class FileBlobStore:
    """A `BlobStore` on the local file system; see the module docstring for the guarantees."""

    def __init__(
        self, root: Path, *, block_size: int = DEFAULT_BLOCK_SIZE, threads: int = DEFAULT_THREADS
    ) -> None:
        self._root = root
        self._block_size = block_size
        self._threads = threads
        self._executor: ThreadPoolExecutor | None = None

    async def open(self) -> None:
        """Create the root directory (mode 0700) if missing and start the I/O threads."""
        self._executor = ThreadPoolExecutor(self._threads, thread_name_prefix="blobs-file")
        try:
            await self._run(_make_root, self._root)
        except OSError as exc:
            raise StoreUnavailable("the blob directory cannot be created") from exc

    async def close(self) -> None:
        """Wait for the I/O threads to finish what they are doing, then stop them."""
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.to_thread(executor.shutdown, wait=True)

    async def ping(self) -> None:
        """Raise StoreUnavailable unless a file can be created in the root directory."""
        try:
            await self._run(_probe_writable, self._root)
        except OSError as exc:
            raise StoreUnavailable("the blob directory is not writable") from exc

    async def put(self, name: str, chunks: AsyncIterator[bytes]) -> int:
        """Store the stream under `name` and return its size.

        Raises ConflictError when the name is taken (checked before reading the
        source, and again atomically at the end) and StoreUnavailable on a disk
        error; an exception from `chunks` propagates unchanged (only our own
        disk calls are translated). In every failure case nothing is stored
        under `name`.
        """
        path = self._path(name)
        with _disk_errors():
            taken = await self._run(path.exists)
        if taken:
            raise ConflictError("a blob with this name exists")
        temp = _TempFile(self._pool(), path)
        try:
            with _disk_errors():
                await temp.call(temp.create)
            size = await self._write_stream(temp, chunks)
            with _disk_errors():
                await temp.call(temp.publish)
        finally:
            temp.discard()
        return size

    async def get(self, name: str) -> AsyncIterator[bytes]:
        """Stream the stored bytes in blocks of at most `block_size`.

        Being an async generator, it raises NotFoundError (or ValueError for a
        bad name) on the first iteration, not when called.
        """
        path = self._path(name)
        reader = _Reader(self._pool(), path)
        try:
            try:
                await reader.call(reader.open)
            except FileNotFoundError as exc:
                raise NotFoundError("no blob with this name") from exc
            except OSError as exc:
                raise StoreUnavailable("the blob could not be opened") from exc
            while True:
                with _disk_errors():
                    block = await reader.call(reader.read, self._block_size)
                if not block:
                    return
                yield block
        finally:
            reader.discard()

    async def delete(self, name: str) -> None:
        """Remove the blob; removing an absent blob is not an error."""
        path = self._path(name)
        with _disk_errors():
            await self._run(path.unlink, True)

    async def exists(self, name: str) -> bool:
        path = self._path(name)
        with _disk_errors():
            return await self._run(path.is_file)

    async def list_blobs(self) -> AsyncIterator[BlobInfo]:
        """Every blob, one shard directory read at a time; hidden temp files are not blobs and are left out."""
        with _disk_errors():
            shards = await self._run(_subdirectories, self._root)
        for shard in shards:
            with _disk_errors():
                leaves = await self._run(_subdirectories, shard)
            for leaf in leaves:
                with _disk_errors():
                    found = await self._run(_blob_files, leaf)
                for info in found:
                    yield info

    async def _write_stream(self, temp: _TempFile, chunks: AsyncIterator[bytes]) -> int:
        """Copy `chunks` into the temp file in blocks of about `block_size`; return the byte count."""
        size = 0
        buffer = bytearray()
        async for chunk in chunks:
            buffer += chunk
            size += len(chunk)
            if len(buffer) >= self._block_size:
                # Hand the thread a buffer nobody touches any more.
                block, buffer = buffer, bytearray()
                with _disk_errors():
                    await temp.call(temp.write, block)
        if buffer:
            with _disk_errors():
                await temp.call(temp.write, buffer)
        return size

    def _path(self, name: str) -> Path:
        check_blob_name(name)
        padded = name.ljust(2 * _SHARD_WIDTH, "_")
        return self._root / padded[:_SHARD_WIDTH] / padded[_SHARD_WIDTH : 2 * _SHARD_WIDTH] / name

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            raise RuntimeError("FileBlobStore is not open")
        return self._executor

    async def _run[**P, T](self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        return await asyncio.wrap_future(self._pool().submit(fn, *args, **kwargs))


class _ThreadedFile:
    """A file descriptor that is only touched by pool threads, one call at a time.

    When the awaiting task is cancelled, the thread running the current call
    cannot be stopped. Closing the descriptor at once could let the system hand
    the same number to another file, which that thread would then write to or
    read from; `discard` therefore runs the cleanup only after the last call
    has finished.
    """

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self._pool = pool
        self._last: Future[Any] | None = None
        self.fd = -1

    async def call[**P, T](self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        future = self._pool.submit(fn, *args, **kwargs)
        self._last = future
        return await asyncio.wrap_future(future)

    def discard(self) -> None:
        """Release the file once no thread uses it any more (now, if none does)."""
        if self._last is None:
            self.cleanup()
        else:
            self._last.add_done_callback(lambda _: self.cleanup())

    def cleanup(self) -> None:
        """Close the descriptor if still open. Runs on a pool thread or, when idle, the loop; never raises."""
        fd, self.fd = self.fd, -1
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)


class _TempFile(_ThreadedFile):
    """The hidden temp file a put writes, published under its final name at the end."""

    def __init__(self, pool: ThreadPoolExecutor, final: Path) -> None:
        super().__init__(pool)
        self.final = final
        self.temp = final.with_name(f".{final.name}.{secrets.token_hex(8)}.tmp")

    def create(self) -> None:
        _make_dirs(self.final.parent, stop_at=self.final.parent.parent.parent)
        self.fd = os.open(self.temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, _FILE_MODE)

    def write(self, data: bytes | bytearray) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self.fd, view)
            view = view[written:]

    def publish(self) -> None:
        """Make the content durable, then give it its name (FileExistsError if taken)."""
        os.fsync(self.fd)
        fd, self.fd = self.fd, -1
        os.close(fd)
        try:
            os.link(self.temp, self.final)
        except FileExistsError as exc:
            raise ConflictError("a blob with this name exists") from exc
        os.unlink(self.temp)
        _fsync_dir(self.final.parent)

    def cleanup(self) -> None:
        super().cleanup()
        with contextlib.suppress(OSError):
            os.unlink(self.temp)


class _Reader(_ThreadedFile):
    def __init__(self, pool: ThreadPoolExecutor, path: Path) -> None:
        super().__init__(pool)
        self.path = path

    def open(self) -> None:
        self.fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)

    def read(self, size: int) -> bytes:
        return os.read(self.fd, size)


def _make_root(root: Path) -> None:
    root.mkdir(mode=_DIR_MODE, parents=True, exist_ok=True)
    if not root.is_dir():
        raise NotADirectoryError("the blob root is not a directory")


def _make_dirs(directory: Path, *, stop_at: Path) -> None:
    """Create `directory` and its parents up to `stop_at` (which must exist), each with mode 0700.

    Path.mkdir(parents=True) would give the intermediate levels the default
    mode, and a new directory entry is only durable once its parent is fsynced.
    """
    if directory == stop_at or directory.is_dir():
        return
    _make_dirs(directory.parent, stop_at=stop_at)
    try:
        directory.mkdir(mode=_DIR_MODE)
    except FileExistsError:
        return  # a concurrent put created it
    _fsync_dir(directory.parent)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _subdirectories(directory: Path) -> list[Path]:
    try:
        with os.scandir(directory) as entries:
            return sorted(Path(e.path) for e in entries if e.is_dir(follow_symlinks=False))
    except FileNotFoundError:
        return []  # removed meanwhile


def _blob_files(directory: Path) -> list[BlobInfo]:
    found = []
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.name.startswith(".") or not entry.is_file(follow_symlinks=False):
                    continue
                with contextlib.suppress(FileNotFoundError):  # deleted between listing and stat
                    modified = datetime.fromtimestamp(entry.stat(follow_symlinks=False).st_mtime, UTC)
                    found.append(BlobInfo(entry.name, modified))
    except FileNotFoundError:
        return []
    return found


def _probe_writable(root: Path) -> None:
    probe = root / f".ping.{secrets.token_hex(8)}"
    fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, _FILE_MODE)
    os.close(fd)
    probe.unlink()


@contextlib.contextmanager
def _disk_errors() -> Iterator[None]:
    """Translate an OSError of our own disk calls; the message names no path."""
    try:
        yield
    except OSError as exc:
        raise StoreUnavailable("the blob directory failed an operation") from exc
