"""The SQLite backend answers every listing from an index walk, never a table scan.

Not a backend contract (Cosmos DB plans its own queries): this guards the
promise that the first page of a 100,000-case mailbox costs a few rows read,
whatever the filters, by asking SQLite how it would run each listing.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from store.backend import Condition, Contains, Eq, In, KeyAbove, KeyBelow, Kind, NotEq, Order, Without
from store.factory import sqlite_store
from store.kinds import AUDIT_EVENT, CASE, DELIVERY, MAILBOX, MESSAGE, ORGANISATION, OUTBOX, RECIPIENT, STAFF
from store.sqlite import sql

NOT_DELETED = Without("status", "deleted")
# (kind, conditions, order) of every query the repositories run, first page and later pages.
LISTINGS: list[tuple[Kind[Any], list[Condition], Order]] = [
    (CASE, [Eq("mailbox", "b"), NOT_DELETED], "desc"),
    (CASE, [Eq("mailbox", "b"), Eq("status", "open")], "desc"),
    (CASE, [Eq("mailbox", "b"), NOT_DELETED, Eq("assignee_id", "me")], "desc"),
    (CASE, [Eq("mailbox", "b"), NOT_DELETED, NotEq("assignee_id", "me")], "desc"),
    (CASE, [Eq("mailbox", "b"), NOT_DELETED, Eq("assignee_id", None)], "desc"),
    (CASE, [Eq("mailbox", "b"), Eq("status", "open"), Eq("assignee_id", "me")], "desc"),
    (CASE, [Eq("mailbox", "b"), Eq("status", "open"), NotEq("assignee_id", "me")], "desc"),
    (CASE, [Eq("mailbox", "b"), Eq("status", "open"), Eq("assignee_id", None)], "desc"),
    (MESSAGE, [Eq("sender_mailbox", "b")], "desc"),
    (MESSAGE, [Eq("sender_mailbox", "b"), Eq("has_links", True)], "desc"),
    (DELIVERY, [Eq("recipient_mailbox", "b")], "desc"),
    (DELIVERY, [Eq("message_id", "m")], "asc"),
    (OUTBOX, [Eq("status", "pending")], "asc"),
    (OUTBOX, [], "asc"),
    (RECIPIENT, [], "asc"),
    (STAFF, [], "desc"),
    (STAFF, [Eq("email", "e")], "desc"),
    (STAFF, [Eq("entra_tenant_id", "t"), Eq("entra_object_id", "o")], "desc"),
    (RECIPIENT, [Eq("email", "e")], "desc"),
    (ORGANISATION, [Eq("domain", "d")], "asc"),
    (AUDIT_EVENT, [], "asc"),
]


@pytest.fixture(scope="module")
async def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plans") / "records.db"
    store = sqlite_store(path)
    await store.open()
    await store.close()
    return path


def _plan(path: Path, kind: Kind[Any], where: list[Condition], order: Order) -> list[str]:
    statement, params = sql.query(kind, "org", where, order, 21)
    with sqlite3.connect(path) as db:
        return [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {statement}", params)]


def _listing_id(kind: Kind[Any], where: list[Condition]) -> str:
    fields = [getattr(c, "field", type(c).__name__) for c in where]
    return "-".join(["sqlite", kind.name, *fields])


@pytest.mark.parametrize("later_page", [False, True], ids=["first-page", "next-page"])
@pytest.mark.parametrize(
    ("kind", "where", "order"), [pytest.param(*shape, id=_listing_id(*shape[:2])) for shape in LISTINGS]
)
def test_a_listing_walks_an_index_in_sort_key_order(
    database: Path, kind: Kind[Any], where: list[Condition], order: Order, later_page: bool
) -> None:
    cursor: list[Condition] = [KeyBelow("k") if order == "desc" else KeyAbove("k")] if later_page else []
    plan = _plan(database, kind, [*where, *cursor], order)
    assert len(plan) == 1, plan
    assert plan[0].startswith(f"SEARCH {kind.table} USING INDEX"), plan
    # Every equality is part of the index search, so no matching row is read only to be dropped.
    for field in ["org_id", *(c.field for c in where if isinstance(c, Eq))]:
        assert f"{field}=?" in plan[0], plan


def _partial_indexes(path: Path, table: str) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[1] for row in db.execute(f"PRAGMA index_list({table})") if row[4]}


@pytest.mark.parametrize("later_page", [False, True], ids=["first-page", "next-page"])
@pytest.mark.parametrize(
    "where",
    [
        pytest.param(where, id=_listing_id(CASE, where))
        for kind, where, _ in LISTINGS
        if kind is CASE and NOT_DELETED in where
    ],
)
def test_a_case_listing_walks_an_index_that_holds_no_deleted_case(
    database: Path, where: list[Condition], later_page: bool
) -> None:
    cursor: list[Condition] = [KeyBelow("k")] if later_page else []
    [step] = _plan(database, CASE, [*where, *cursor], "desc")
    index = step.split(" USING INDEX ")[1].split(" ")[0]
    assert index in _partial_indexes(database, CASE.table), step


@pytest.mark.parametrize(
    ("kind", "where"),
    [
        pytest.param(MAILBOX, [Contains("u")], id="sqlite-mailbox-members"),
        pytest.param(ORGANISATION, [Contains("t")], id="sqlite-organisation-tenants"),
        pytest.param(DELIVERY, [In("message_id", ("a", "b"))], id="sqlite-delivery-message_ids"),
    ],
)
def test_a_look_up_by_member_or_id_list_uses_an_index(
    database: Path, kind: Kind[Any], where: list[Condition]
) -> None:
    plan = _plan(database, kind, where, "asc")
    assert not any(step.startswith("SCAN") for step in plan), plan
