"""The SQL the SQLite backend runs, built from the record kinds.

Table and column names come from the `Kind` definitions in `store.kinds`,
never from callers, and are checked to be plain identifiers; every value is a
bound parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from store.backend import Condition, Contains, Eq, In, KeyAbove, KeyBelow, Kind, NotEq, Order, Without

SPINE = ("org_id", "id", "version", "sort_key", "body")


def _name(identifier: str) -> str:
    if not identifier.isidentifier():
        raise ValueError(f"{identifier!r} is not a column or table name")
    return identifier


@cache
def insert(table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(_name(c) for c in (*SPINE, *columns))
    marks = ", ".join("?" * (len(SPINE) + len(columns)))
    return f"INSERT INTO {_name(table)} ({names}) VALUES ({marks})"  # noqa: S608 - names from Kind


@cache
def update(table: str, columns: tuple[str, ...]) -> str:
    """Replace a record if, and only if, it still has the version it was read with."""
    sets = ", ".join(f"{_name(c)} = ?" for c in ("sort_key", "body", *columns))
    return (
        f"UPDATE {_name(table)} SET version = version + 1, {sets}"  # noqa: S608 - names from Kind
        " WHERE org_id = ? AND id = ? AND version = ?"
    )


@cache
def delete(table: str) -> str:
    return f"DELETE FROM {_name(table)} WHERE org_id = ? AND id = ? AND version = ?"  # noqa: S608


@cache
def insert_members(table: str) -> str:
    return f"INSERT INTO {_name(table)} (org_id, value, id) VALUES (?, ?, ?)"  # noqa: S608


@cache
def delete_members(table: str) -> str:
    return f"DELETE FROM {_name(table)} WHERE org_id = ? AND id = ?"  # noqa: S608


def members_table(kind: Kind[Any]) -> str:
    assert kind.members_field is not None
    return _name(f"{kind.table}_{kind.members_field}")


def select(kind: Kind[Any]) -> str:
    return f"SELECT body, version, sort_key FROM {_name(kind.table)}"  # noqa: S608 - names from Kind


def where(kind: Kind[Any], scope: str, conditions: Sequence[Condition]) -> tuple[str, list[Any]]:
    parts: list[str] = ["org_id = ?"]
    params: list[Any] = [scope]
    for condition in conditions:
        match condition:
            case Eq(field, None):
                parts.append(f"{_name(field)} IS NULL")
            case Eq(field, value):
                parts.append(f"{_name(field)} = ?")
                params.append(value)
            case NotEq(field, value):
                # != is never true for NULL, so "holds a value other than" comes for free.
                parts.append(f"{_name(field)} != ?")
                params.append(value)
            case Without(field, value):
                # A literal (checked to be a plain word), exactly as the partial indexes say it.
                parts.append(f"{_name(field)} != '{value}'")
            case In(field, values):
                parts.append(f"{_name(field)} IN ({', '.join('?' * len(values))})")
                params += values
            case Contains(value):
                members = members_table(kind)
                parts.append(f"id IN (SELECT id FROM {members} WHERE org_id = ? AND value = ?)")  # noqa: S608
                params += [scope, value]
            case KeyBelow(key):
                parts.append("sort_key < ?")
                params.append(key)
            case KeyAbove(key):
                parts.append("sort_key > ?")
                params.append(key)
    return " AND ".join(parts), params


def query(
    kind: Kind[Any], scope: str, conditions: Sequence[Condition], order: Order, limit: int
) -> tuple[str, list[Any]]:
    clause, params = where(kind, scope, conditions)
    direction = "DESC" if order == "desc" else "ASC"
    sql = f"{select(kind)} WHERE {clause} ORDER BY sort_key {direction} LIMIT ?"
    return sql, [*params, limit]
