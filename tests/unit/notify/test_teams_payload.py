"""A Teams outbox payload becomes one target per person; a payload that is not one is refused for good."""

from __future__ import annotations

from typing import Any

import pytest

from notify.errors import BadPayload
from notify.ports import TeamsNotice, TeamsTarget
from notify.render import Renderer


def payload(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "kind": "teams",
        "sender": "Cecilia\nCeder",
        "loa": 2,
        "message_id": "msg-1",
        "notices": [
            {
                "user_id": "u-1",
                "delivery_id": "d-1",
                "mailbox_kind": "personal",
                "mailbox_name": "Anna Andersson",
            },
            {
                "user_id": "u-2",
                "delivery_id": "d-2",
                "mailbox_kind": "function",
                "mailbox_name": "Socialtjänsten",
            },
        ],
    }
    return base | changes


def test_each_person_is_a_target_named_by_delivery_and_user() -> None:
    targets = Renderer().teams(payload())

    assert targets == [
        TeamsTarget("d-1/u-1", "u-1", TeamsNotice("Cecilia Ceder", 2, "msg-1", "personal", "Anna Andersson")),
        TeamsTarget("d-2/u-2", "u-2", TeamsNotice("Cecilia Ceder", 2, "msg-1", "function", "Socialtjänsten")),
    ]


@pytest.mark.parametrize(
    "broken",
    [
        {"kind": "notice"},
        {"notices": "u-1"},
        {"notices": ["u-1"]},
        {"loa": "2"},
        {"loa": True},
        {"message_id": None},
        {"notices": [{"user_id": "u-1", "delivery_id": "d-1", "mailbox_kind": "personal"}]},
    ],
)
def test_a_payload_that_is_not_a_teams_notice_is_refused(broken: dict[str, Any]) -> None:
    with pytest.raises(BadPayload):
        Renderer().teams(payload(**broken))
