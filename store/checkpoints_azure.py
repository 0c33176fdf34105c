"""Audit checkpoints in an immutable (WORM) Azure Blob Storage container: the production sink.

Each checkpoint is a blob of its own, uploaded with `If-None-Match: *`: an upload to
a name that exists fails instead of replacing it, so no checkpoint is ever
overwritten, not even by a bug of ours. The container must carry a time-based
retention policy (immutability), which makes the service refuse to change or delete
any blob in it until the retention ends, whoever asks; `open` logs a warning when it
does not (see docs/decisions.md, "Audit checkpoints").

Blob names put an organisation's newest checkpoint first in a listing, so finding it
costs one listing request with a page size of one and one download:

    <org id, URL-quoted>/<9999999999999999 - seq>-<999999999999999999 - µs since 1970>-<random>.json
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Callable, Iterator
from typing import Final
from urllib.parse import quote, unquote

from azure.core import MatchConditions
from azure.core.credentials_async import AsyncTokenCredential
from azure.core.exceptions import AzureError, ResourceExistsError, ResourceModifiedError
from azure.storage.blob.aio import BlobPrefix, BlobServiceClient, ContainerClient

from store.checkpoints import Checkpoint
from store.errors import ConflictError, CorruptCheckpoint, StoreUnavailable

log = logging.getLogger(__name__)

_SEQ_TOP: Final = 10**16 - 1
_MICROS_TOP: Final = 10**18 - 1


def blob_name(checkpoint: Checkpoint, suffix: str) -> str:
    micros = int(checkpoint.at.timestamp() * 1_000_000)
    return (
        f"{quote(checkpoint.org_id, safe='')}/"
        f"{_SEQ_TOP - checkpoint.seq:016d}-{_MICROS_TOP - micros:018d}-{suffix}.json"
    )


class BlobCheckpointSink:
    def __init__(
        self,
        service: BlobServiceClient,
        container: str,
        *,
        suffix: Callable[[], str] | None = None,
        credential: AsyncTokenCredential | None = None,
    ) -> None:
        self._service = service
        self._credential = credential  # closed with the sink when the sink made it
        self._container: ContainerClient = service.get_container_client(container)
        self._suffix = suffix or (lambda: secrets.token_hex(8))

    @classmethod
    def from_connection_string(cls, connection_string: str, container: str) -> BlobCheckpointSink:
        return cls(BlobServiceClient.from_connection_string(connection_string), container)

    @classmethod
    def from_account_url(
        cls, account_url: str, credential: AsyncTokenCredential, container: str
    ) -> BlobCheckpointSink:
        return cls(BlobServiceClient(account_url, credential=credential), container, credential=credential)

    def describe(self) -> str:
        return f"blob container {self._container.container_name}"

    async def open(self) -> None:
        """Create the container when it does not exist; warn when it is not immutable."""
        with _errors("the checkpoint container cannot be created"), contextlib.suppress(ResourceExistsError):
            await self._container.create_container()
        with _errors("the checkpoint container does not answer"):
            properties = await self._container.get_container_properties()
        if not (properties.has_immutability_policy or properties.immutable_storage_with_versioning_enabled):
            log.warning(
                "the checkpoint container %s has no immutability policy: checkpoints in it can be deleted",
                self._container.container_name,
            )

    async def close(self) -> None:
        await self._service.close()
        if self._credential is not None:
            await self._credential.close()

    async def append(self, checkpoint: Checkpoint) -> None:
        """Upload the checkpoint as a new blob; ConflictError if the name exists (it is never replaced)."""
        blob = self._container.get_blob_client(blob_name(checkpoint, self._suffix()))
        with _errors("a checkpoint could not be written"):
            await blob.upload_blob(
                checkpoint.to_json().encode(),
                overwrite=False,
                match_condition=MatchConditions.IfMissing,  # If-None-Match: *
            )

    async def is_empty(self) -> bool:
        with _errors("the checkpoint container cannot be listed"):
            async for _ in self._container.list_blobs(results_per_page=1):
                return False
        return True

    async def latest(self) -> dict[str, Checkpoint]:
        found: dict[str, Checkpoint] = {}
        with _errors("the checkpoint container cannot be listed"):
            prefixes = [
                item.name async for item in self._container.walk_blobs() if isinstance(item, BlobPrefix)
            ]
            for prefix in prefixes:
                pages = self._container.list_blobs(name_starts_with=prefix, results_per_page=1)
                first = await anext(aiter(pages), None)
                if first is None:
                    continue
                data = await (await self._container.download_blob(first.name)).readall()
                checkpoint = _parse(first.name, data)
                if checkpoint.org_id != unquote(prefix.rstrip("/")):
                    raise CorruptCheckpoint(f"checkpoint blob {first.name} names another organisation")
                found[checkpoint.org_id] = checkpoint
        return found


def _parse(name: str, data: bytes) -> Checkpoint:
    try:
        return Checkpoint.from_json(data)
    except ValueError:
        raise CorruptCheckpoint(f"checkpoint blob {name} is not a checkpoint") from None


@contextlib.contextmanager
def _errors(message: str) -> Iterator[None]:
    """SDK errors become store errors here; messages never repeat SDK text (it can hold signed URLs)."""
    try:
        yield
    except (ResourceExistsError, ResourceModifiedError) as exc:
        raise ConflictError("a checkpoint blob with this name exists; it was not replaced") from exc
    except AzureError as exc:
        raise StoreUnavailable(message) from exc
