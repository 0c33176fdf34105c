"""The associated data of a message's data key: what it binds, by seal format."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from messaging.sealing import SEAL_FORMAT, associated_data, message_key_ad
from store.records import Message


def _message(**changes: object) -> Message:
    message = Message(
        org_id="org-1",
        message_id="msg-1",
        thread_id="msg-1",
        sender_mailbox="anna@vasteras.example",
        sender_user_id="user-1",
        sent_at=datetime(2026, 3, 1, tzinfo=UTC),
        loa=3,
        reply_allowed=False,
        sealed_content=b"",
        wrapped_key=b"",
        seal_format=SEAL_FORMAT,
    )
    return dataclasses.replace(message, **changes)  # type: ignore[arg-type]


def test_a_message_before_seal_format_2_keeps_the_associated_data_it_was_sealed_with() -> None:
    assert message_key_ad(_message(seal_format=1)) == associated_data("org-1", "msg-1", "key")


@pytest.mark.parametrize(
    "change",
    [
        {"loa": 1},
        {"loa": 2},
        {"reply_allowed": True},
        {"sender_mailbox": "bertil@vasteras.example"},
        {"sender_user_id": "user-2"},
        {"message_id": "msg-2"},
        {"org_id": "org-2"},
    ],
)
def test_every_bound_field_changes_the_associated_data(change: dict[str, object]) -> None:
    assert message_key_ad(_message(**change)) != message_key_ad(_message())


def test_fields_cannot_trade_characters() -> None:
    one = _message(sender_mailbox="a@b.example", sender_user_id="x1")
    other = _message(sender_mailbox="a@b.examplex", sender_user_id="1")
    assert message_key_ad(one) != message_key_ad(other)


def test_fields_not_bound_leave_it_as_it_is() -> None:
    assert message_key_ad(_message(has_links=True, thread_id="t-9")) == message_key_ad(_message())
