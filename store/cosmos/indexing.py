"""The container's indexing policy.

Only the top-level properties that queries filter or sort on are indexed; the
record body (`/body/*`) is not, which keeps the request charge of every write
low (Cosmos DB charges per indexed term).

A listing filters on equality conditions and sorts on `sort_key`. The query
names those equality properties in its ORDER BY as well (it does not change
the order, since they hold one value), so it can be served from a composite
index that starts with them: the engine then reads the first `limit` entries
of one index range instead of sorting every matching document. Each shape
below is one composite index; `store.cosmos.queries` builds the ORDER BY the
same way, and a query whose shape is missing here fails loudly on Cosmos DB
("does not have a corresponding composite index"), as it does on the test server.
"""

from __future__ import annotations

from typing import Any

from store.backend import Order

# (equality-filtered properties after `type`, direction) of every listing the repositories run.
LISTING_SHAPES: tuple[tuple[tuple[str, ...], Order], ...] = (
    ((), "desc"),  # staff list
    ((), "asc"),  # audit trail, directory, mailboxes of a member, deliveries of many messages
    (("email",), "desc"),
    (("entra_tenant_id", "entra_object_id"), "desc"),
    (("domain",), "asc"),
    (("sender_mailbox",), "desc"),
    (("sender_mailbox", "has_links"), "desc"),
    (("message_id",), "asc"),
    (("recipient_mailbox",), "desc"),
    (("mailbox",), "desc"),
    (("mailbox", "status"), "desc"),
    (("mailbox", "assignee_id"), "desc"),
    (("mailbox", "status", "assignee_id"), "desc"),
    (("status",), "asc"),  # outbox items due
)

_DIRECTION = {"asc": "ascending", "desc": "descending"}


def order_by(equal: tuple[str, ...]) -> tuple[str, ...]:
    """The ORDER BY properties of a listing: type, its equality properties, then sort_key."""
    return ("type", *equal, "sort_key")


def composite_indexes() -> list[list[dict[str, str]]]:
    return [
        [{"path": f"/{name}", "order": _DIRECTION[order]} for name in order_by(equal)]
        for equal, order in LISTING_SHAPES
    ]


def indexing_policy() -> dict[str, Any]:
    return {
        "indexingMode": "consistent",
        "automatic": True,
        "includedPaths": [{"path": "/*"}],
        "excludedPaths": [{"path": "/body/*"}, {"path": '/"_etag"/?'}],
        "compositeIndexes": composite_indexes(),
    }


def _shape(policy: dict[str, Any]) -> tuple[frozenset[tuple[tuple[str, str], ...]], frozenset[str]]:
    composites = frozenset(
        tuple((str(part.get("path")), str(part.get("order", "ascending"))) for part in index)
        for index in policy.get("compositeIndexes") or []
    )
    excluded = frozenset(str(entry.get("path")) for entry in policy.get("excludedPaths") or [])
    return composites, excluded


def is_current(policy: dict[str, Any]) -> bool:
    """Whether a container's policy has every composite index and exclusion of ours."""
    composites, excluded = _shape(policy)
    wanted_composites, wanted_excluded = _shape(indexing_policy())
    return wanted_composites <= composites and wanted_excluded <= excluded
