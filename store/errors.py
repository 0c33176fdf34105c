"""Errors raised by the store layer.

    StoreError
    ├── ConflictError        a stale version or a duplicate id; the commit wrote nothing
    ├── NotFoundError        a blob or record that must exist does not
    ├── StoreUnavailable     the backend cannot be reached
    ├── InvalidCursor        a listing cursor that no listing handed out
    ├── TooManyWrites        a unit of work staged more than one commit can hold
    └── CorruptCheckpoint    an entry of the audit checkpoint sink is not a checkpoint

Adapters translate driver and SDK errors into these at their edge
(`raise ... from exc`), so nothing above the store sees aiosqlite, azure-cosmos
or azure-storage-blob exceptions.
"""


class StoreError(Exception):
    """Base of every store error."""


class ConflictError(StoreError):
    """A write lost a race: the record changed since it was read, or the id is taken."""


class NotFoundError(StoreError):
    """A blob or record that must exist does not."""


class StoreUnavailable(StoreError):
    """The backend cannot be reached."""


class InvalidCursor(StoreError):
    """A listing cursor was not one the store handed out (a client sent garbage)."""


class TooManyWrites(StoreError):
    """A unit of work staged more writes than one atomic commit can hold; nothing was written."""


class CorruptCheckpoint(StoreError):
    """An entry of the audit checkpoint sink does not parse as a checkpoint (the message says where)."""
