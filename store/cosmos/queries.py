"""The Cosmos DB SQL the backend runs, and the document layout it runs against.

A record is stored as one document in the `records` container:

    {"id": "<kind>|<record id>", "pk": "<org id>", "type": "<kind>",
     "sort_key": "...", <index properties>..., <members list>, "body": {...record...}}

The id carries the kind, so records of different kinds never collide within a
partition. Property names come from the `Kind` definitions, never from callers,
and are checked to be plain identifiers; every value is a query parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from store.backend import Condition, Contains, Eq, In, KeyAbove, KeyBelow, Kind, NotEq, Order, Without, Write
from store.cosmos.indexing import order_by

RESERVED = frozenset({"id", "pk", "type", "sort_key", "body"})

type Parameters = list[dict[str, Any]]


def document_id(kind: Kind[Any], record_id: str) -> str:
    # Cosmos DB ids may not hold '/', '\\', '?' or '#'; quoting keeps the mapping one-to-one.
    return f"{kind.name}|{quote(record_id, safe='@.-_~+=:!$&*,;')}"


def document(scope: str, write: Write) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": document_id(write.kind, write.record_id),
        "pk": scope,
        "type": write.kind.name,
        "sort_key": write.sort_key,
    }
    for name, value in write.index.items():
        doc[_property(name)] = value
    if write.kind.members_field is not None:
        doc[_property(write.kind.members_field)] = list(dict.fromkeys(write.members))
    doc["body"] = write.body
    return doc


def _property(name: str) -> str:
    if not name.isidentifier() or name in RESERVED or name.startswith("_"):
        raise ValueError(f"{name!r} cannot be a document property")
    return name


class _Builder:
    def __init__(self) -> None:
        self.parameters: Parameters = []

    def param(self, value: Any) -> str:
        name = f"@p{len(self.parameters)}"
        self.parameters.append({"name": name, "value": value})
        return name


def select(
    kind: Kind[Any], scope: str, conditions: Sequence[Condition], order: Order, limit: int
) -> tuple[str, Parameters]:
    """A single-partition keyset query: TOP `limit`, ordered to match a composite index."""
    b = _Builder()
    parts = [f"c.pk = {b.param(scope)}", f"c.type = {b.param(kind.name)}"]
    equal: list[str] = []
    for condition in conditions:
        parts.append(_condition(b, kind, condition))
        if isinstance(condition, Eq):
            equal.append(condition.field)
    direction = "DESC" if order == "desc" else "ASC"
    sort = ", ".join(f"c.{name} {direction}" for name in order_by(tuple(equal)))
    top = b.param(limit)
    where = " AND ".join(parts)
    return f"SELECT TOP {top} * FROM c WHERE {where} ORDER BY {sort}", b.parameters  # noqa: S608


def select_ids(kind: Kind[Any], scope: str, record_ids: Sequence[str]) -> tuple[str, Parameters]:
    b = _Builder()
    ids = [document_id(kind, record_id) for record_id in record_ids]
    sql = (
        f"SELECT * FROM c WHERE c.pk = {b.param(scope)} AND c.type = {b.param(kind.name)}"  # noqa: S608
        f" AND ARRAY_CONTAINS({b.param(ids)}, c.id)"
    )
    return sql, b.parameters


def _condition(b: _Builder, kind: Kind[Any], condition: Condition) -> str:
    match condition:
        case Eq(field, None):
            return f"IS_NULL(c.{_property(field)})"
        case Eq(field, value):
            return f"c.{_property(field)} = {b.param(value)}"
        case NotEq(field, value) | Without(field, value):
            name = _property(field)
            return f"(NOT IS_NULL(c.{name}) AND c.{name} != {b.param(value)})"
        case In(field, values):
            return f"ARRAY_CONTAINS({b.param(list(values))}, c.{_property(field)})"
        case Contains(value):
            if kind.members_field is None:
                raise ValueError(f"a {kind.name} has no members list to search")
            return f"ARRAY_CONTAINS(c.{_property(kind.members_field)}, {b.param(value)})"
        case KeyBelow(key):
            return f"c.sort_key < {b.param(key)}"
        case KeyAbove(key):
            return f"c.sort_key > {b.param(key)}"
