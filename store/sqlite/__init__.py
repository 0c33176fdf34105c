"""The SQLite records backend: one file, WAL, one table per record kind."""

from store.sqlite.backend import SqliteBackend

__all__ = ["SqliteBackend"]
