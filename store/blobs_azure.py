"""Attachment blobs in Azure Blob Storage (block blobs in one container).

`put` never holds the whole stream: it cuts the incoming chunks into blocks of
`block_size` bytes (4 MiB by default), stages each as it fills (Put Block) and
commits the list at the end (Put Block List) with `If-None-Match: *`. Staged
blocks are invisible until the commit, so a failing source, a lost connection
or a cancelled put leaves no blob; the service discards uncommitted blocks by
itself after a week. The condition on the commit makes puts create-only even
when two race: the second commit fails with 409 and becomes ConflictError.
Every upload names its blocks with its own random prefix, so racing uploads to
one name never mix their blocks.

`get` downloads in ranges of `block_size` (the SDK would otherwise fetch the
first 32 MiB in one go), so memory stays flat on the way out too.

SDK errors are translated at this edge: absent blob → NotFoundError, taken name
→ ConflictError, anything else from the service or the network →
StoreUnavailable. Messages never repeat SDK text, which can carry URLs with
signatures.
"""

from __future__ import annotations

import base64
import contextlib
import secrets
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from typing import Any

from azure.core import MatchConditions
from azure.core.credentials import AzureNamedKeyCredential, AzureSasCredential
from azure.core.credentials_async import AsyncTokenCredential
from azure.core.exceptions import (
    AzureError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)
from azure.storage.blob import BlobBlock
from azure.storage.blob.aio import BlobServiceClient, ContainerClient

from store.blob_names import check_blob_name
from store.errors import ConflictError, NotFoundError, StoreError, StoreUnavailable
from store.ports import BlobInfo

DEFAULT_BLOCK_SIZE = 4 * 1024 * 1024

type BlobCredential = (
    str | dict[str, str] | AzureNamedKeyCredential | AzureSasCredential | AsyncTokenCredential | None
)


class AzureBlobStore:
    """A `BlobStore` on one Blob Storage container; see the module docstring for the guarantees."""

    def __init__(
        self,
        account_url: str,
        credential: BlobCredential,
        container: str,
        *,
        block_size: int = DEFAULT_BLOCK_SIZE,
    ) -> None:
        service = BlobServiceClient(account_url, credential=credential, **_client_options(block_size))
        self._init(service, container, block_size)

    @classmethod
    def from_connection_string(
        cls, connection_string: str, container: str, *, block_size: int = DEFAULT_BLOCK_SIZE
    ) -> AzureBlobStore:
        """Build the store from a storage account connection string (as the portal shows it)."""
        store = cls.__new__(cls)
        service = BlobServiceClient.from_connection_string(connection_string, **_client_options(block_size))
        store._init(service, container, block_size)
        return store

    def _init(self, service: BlobServiceClient, container: str, block_size: int) -> None:
        self._service = service
        self._container: ContainerClient = service.get_container_client(container)
        self._block_size = block_size

    async def open(self) -> None:
        """Create the container if it does not exist yet."""
        try:
            await self._container.create_container()
        except ResourceExistsError:
            pass  # created earlier, or by another instance at the same moment
        except AzureError as exc:
            raise StoreUnavailable("the blob container cannot be created") from exc

    async def close(self) -> None:
        await self._service.close()

    async def ping(self) -> None:
        """Raise StoreUnavailable unless the container answers.

        A health check must answer quickly, so this one request is not retried.
        """
        try:
            await self._container.get_container_properties(retry_total=0)
        except AzureError as exc:
            raise StoreUnavailable("the blob container does not answer") from exc

    async def put(self, name: str, chunks: AsyncIterator[bytes]) -> int:
        """Store the stream under `name` and return its size.

        Raises ConflictError when the name is taken, StoreUnavailable when the
        service fails; an exception from `chunks` propagates unchanged (only the
        SDK calls are translated). In every failure case no blob is committed.
        """
        blob = self._container.get_blob_client(check_blob_name(name))
        upload = secrets.token_hex(16)
        blocks: list[BlobBlock] = []
        size = 0
        async with contextlib.aclosing(_blocks(chunks, self._block_size)) as stream:
            async for block in stream:
                block_id = _block_id(upload, len(blocks))
                with _azure_errors(missing=StoreUnavailable):
                    await blob.stage_block(block_id, block, length=len(block))
                blocks.append(BlobBlock(block_id))
                size += len(block)
        with _azure_errors(missing=StoreUnavailable):
            await blob.commit_block_list(blocks, match_condition=MatchConditions.IfMissing)
        return size

    async def get(self, name: str) -> AsyncIterator[bytes]:
        """Stream the stored bytes in ranges of at most `block_size`.

        Being an async generator, it raises NotFoundError (or ValueError for a
        bad name) on the first iteration, not when called.
        """
        blob = self._container.get_blob_client(check_blob_name(name))
        with _azure_errors():
            download = await blob.download_blob()
        ranges = download.chunks()
        while True:
            with _azure_errors():
                try:
                    chunk = await anext(ranges)
                except StopAsyncIteration:
                    return
            yield chunk

    async def delete(self, name: str) -> None:
        """Remove the blob; removing an absent blob is not an error."""
        blob = self._container.get_blob_client(check_blob_name(name))
        try:
            await blob.delete_blob()
        except ResourceNotFoundError:
            return
        except AzureError as exc:
            raise StoreUnavailable("the blob could not be deleted") from exc

    async def exists(self, name: str) -> bool:
        blob = self._container.get_blob_client(check_blob_name(name))
        with _azure_errors():
            return bool(await blob.exists())

    async def list_blobs(self) -> AsyncIterator[BlobInfo]:
        """Every committed blob of the container (uncommitted blocks of an upload are not blobs)."""
        pages = aiter(self._container.list_blobs())
        while True:
            with _azure_errors(missing=StoreUnavailable):
                try:
                    properties = await anext(pages)
                except StopAsyncIteration:
                    return
            yield BlobInfo(properties.name, properties.last_modified)


def _client_options(block_size: int) -> dict[str, Any]:
    # Download in block-sized ranges from the first byte on, one range at a time.
    return {"max_single_get_size": block_size, "max_chunk_get_size": block_size}


async def _blocks(chunks: AsyncIterator[bytes], block_size: int) -> AsyncGenerator[bytes]:
    """Regroup arbitrary chunks into blocks of exactly `block_size` bytes (the last may be shorter)."""
    buffer = bytearray()
    async for chunk in chunks:
        buffer += chunk
        while len(buffer) >= block_size:
            with memoryview(buffer) as view:
                block = bytes(view[:block_size])
            del buffer[:block_size]
            yield block
    if buffer:
        yield bytes(buffer)


def _block_id(upload: str, index: int) -> str:
    # Block ids must be base64 and of one length within a blob; a blob has at most 50,000 blocks.
    return base64.b64encode(f"{upload}-{index:06d}".encode("ascii")).decode("ascii")


@contextlib.contextmanager
def _azure_errors(missing: type[StoreError] = NotFoundError) -> Iterator[None]:
    """Translate SDK errors of the calls inside into store errors.

    `missing` is what a 404 means: an absent blob when reading, but a vanished
    container (a broken backend) when writing.
    """
    try:
        yield
    except ResourceNotFoundError as exc:
        raise missing("the blob or its container does not exist") from exc
    except (ResourceExistsError, ResourceModifiedError) as exc:
        raise ConflictError("a blob with this name exists") from exc
    except AzureError as exc:
        raise StoreUnavailable("blob storage failed an operation") from exc
