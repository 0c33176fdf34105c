"""The small interface each records backend implements, below the typed repositories.

A backend stores opaque records identified by (kind, scope, id). The scope is
the organisation (or the pseudo-organisation `DIRECTORY` for the organisation
directory); every read names it, so no read crosses organisations. Each record
has a `sort_key`, a string unique within its kind and scope, that orders
listings; a few `index` values the queries filter on; optionally a list of
`members` (a multi-valued index, such as a mailbox's member ids); and its body.

Queries are conjunctions of the `Condition`s below, ordered by sort key, with a
limit: keyset pagination is a `KeyBelow` / `KeyAbove` condition, never an offset.

`commit` applies a list of `Write`s and links and stores audit events, all or
nothing; it returns each write's new version ("" for a delete).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from store.codec import Json
from store.records import AuditEvent

type IndexValue = str | int | bool | None

# The scope of the organisation directory (a pseudo-organisation).
DIRECTORY = "directory"


@dataclass(frozen=True, slots=True)
class Kind[R]:
    """How one record type is stored: its name, id, sort key and indexed values."""

    name: str
    table: str
    record_type: type[R]
    id_of: Callable[[R], str]
    sort_key_of: Callable[[R], str]
    index_of: Callable[[R], Mapping[str, IndexValue]] = field(default=lambda _: {})
    # The name of the multi-valued index and how to read it, if the kind has one.
    members_field: str | None = None
    members_of: Callable[[R], Sequence[str]] = field(default=lambda _: ())


@dataclass(frozen=True, slots=True)
class Eq:
    """`field` equals `value`; a None value means the field is null."""

    field: str
    value: IndexValue


@dataclass(frozen=True, slots=True)
class NotEq:
    """`field` holds a value (not null) other than `value`."""

    field: str
    value: IndexValue


@dataclass(frozen=True, slots=True)
class Without:
    """`field` holds a value other than the constant `value`: those records are left out for good.

    Like `NotEq`, but `value` belongs to the code (a word such as "deleted"), never to input:
    SQLite writes it into the statement as a literal, so a partial index that leaves those
    records out (`WHERE field != 'value'`) can serve the query and never reads them.
    """

    field: str
    value: str

    def __post_init__(self) -> None:
        if not self.value.isidentifier() or not self.value.isascii():
            raise ValueError(f"{self.value!r} cannot be written into a query as a constant")


@dataclass(frozen=True, slots=True)
class In:
    """`field` equals one of `values`."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Contains:
    """The kind's multi-valued index holds `value`."""

    value: str


@dataclass(frozen=True, slots=True)
class KeyBelow:
    """sort_key < key: the next page of a newest-first listing."""

    key: str


@dataclass(frozen=True, slots=True)
class KeyAbove:
    """sort_key > key: the next page of an oldest-first listing."""

    key: str


type Condition = Eq | NotEq | Without | In | Contains | KeyBelow | KeyAbove
type Order = Literal["asc", "desc"]


@dataclass(frozen=True, slots=True)
class Stored:
    """A record as the backend returns it."""

    body: dict[str, Any]
    version: str
    sort_key: str


@dataclass(frozen=True, slots=True)
class Write:
    """One staged change. `version` is the one the record had when read (replace, delete)."""

    op: Literal["create", "replace", "delete"]
    kind: Kind[Any]
    record_id: str
    version: str
    sort_key: str
    index: Mapping[str, IndexValue]
    members: Sequence[str]
    body: dict[str, Json]


class Backend(Protocol):
    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def ping(self) -> None: ...
    async def get(self, kind: Kind[Any], scope: str, record_id: str) -> Stored | None: ...
    async def get_many(self, kind: Kind[Any], scope: str, record_ids: Sequence[str]) -> list[Stored]: ...
    async def query(
        self,
        kind: Kind[Any],
        scope: str,
        where: Sequence[Condition],
        *,
        order: Order,
        limit: int,
    ) -> list[Stored]: ...
    async def commit(self, scope: str, writes: Sequence[Write], events: Sequence[AuditEvent]) -> list[str]:
        """Apply `writes` and append `events` to the scope's audit chain atomically."""
        ...
