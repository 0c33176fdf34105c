"""Translating azure-cosmos and azure-core errors into the store's errors, at the adapter's edge."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from azure.core.exceptions import AzureError, ServiceRequestError, ServiceResponseError
from azure.cosmos.exceptions import CosmosBatchOperationError, CosmosHttpResponseError

from store.errors import StoreError, StoreUnavailable

# Statuses that mean "someone else wrote first": a taken id, a stale ETag, a removed document.
CONFLICT_STATUSES = frozenset({404, 409, 412})
# Statuses that mean the service is not answering normally right now (after the SDK's own retries).
UNAVAILABLE_STATUSES = frozenset({408, 429, 449, 500, 502, 503})


def translate(exc: Exception) -> StoreError:
    status = getattr(exc, "status_code", None)
    if isinstance(exc, CosmosHttpResponseError | CosmosBatchOperationError):
        if status in UNAVAILABLE_STATUSES:
            return StoreUnavailable(f"Cosmos DB is unavailable (status {status})")
        return StoreError(f"Cosmos DB refused the operation (status {status})")
    if isinstance(exc, ServiceRequestError | ServiceResponseError):
        return StoreUnavailable("Cosmos DB cannot be reached")
    return StoreError("the Cosmos DB client failed")


@contextmanager
def translated(keep: tuple[type[Exception], ...] = ()) -> Iterator[None]:
    """Re-raise SDK errors as store errors, except those the caller handles itself (`keep`)."""
    try:
        yield
    except keep:
        raise
    except AzureError as exc:
        raise translate(exc) from exc
