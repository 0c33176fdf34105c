"""The Azure Cosmos DB records backend: one container, partitioned by organisation."""

from store.cosmos.backend import CosmosBackend

__all__ = ["CosmosBackend"]
