"""The delivery lifecycle: every move and every guard, with no I/O."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from messaging.errors import Conflict
from messaging.lifecycle import answer_delivery, is_readable, open_delivery, recall_delivery
from store.records import Delivery, DeliveryStatus

SENT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
LATER = SENT + timedelta(hours=1)
LATEST = SENT + timedelta(hours=2)


def delivery(status: DeliveryStatus = "unopened") -> Delivery:
    return Delivery(
        org_id="org",
        delivery_id="d1",
        message_id="m1",
        sender_mailbox="anna@kommun.example",
        address="jan@klinik.example",
        kind="registered",
        sent_at=SENT,
        status=status,
        recipient_mailbox="jan@klinik.example",
    )


def test_opening_records_when_how_and_at_which_level() -> None:
    d = delivery()
    assert open_delivery(d, at=LATER, method="bankid", loa=3) is True
    assert (d.status, d.opened_at, d.opened_method, d.opened_loa) == ("opened", LATER, "bankid", 3)


@pytest.mark.parametrize("status", ["opened", "answered"])
def test_opening_again_keeps_the_first_open(status: DeliveryStatus) -> None:
    d = replace(delivery(status), opened_at=LATER, opened_method="sms", opened_loa=2)
    before = replace(d)
    assert open_delivery(d, at=LATEST, method="bankid", loa=3) is False
    assert d == before


def test_a_recalled_delivery_cannot_be_opened() -> None:
    d = delivery("recalled")
    before = replace(d)
    with pytest.raises(Conflict) as refused:
        open_delivery(d, at=LATER, method="bankid", loa=3)
    assert refused.value.code == "delivery_recalled"
    assert d == before
    assert not is_readable(d)


def test_an_unopened_delivery_is_recalled() -> None:
    d = delivery()
    recall_delivery(d, at=LATER)
    assert (d.status, d.recalled_at) == ("recalled", LATER)


@pytest.mark.parametrize("status", ["opened", "answered", "recalled"])
def test_only_an_unopened_delivery_can_be_recalled(status: DeliveryStatus) -> None:
    d = delivery(status)
    before = replace(d)
    with pytest.raises(Conflict) as refused:
        recall_delivery(d, at=LATER)
    assert refused.value.code == f"delivery_{status}"
    assert "återkallas" in refused.value.message_sv
    assert d == before


def test_answering_an_opened_delivery() -> None:
    d = replace(delivery("opened"), opened_at=LATER)
    answer_delivery(d, at=LATEST)
    assert (d.status, d.opened_at, d.answered_at) == ("answered", LATER, LATEST)


def test_answering_straight_from_the_notice_counts_as_opening() -> None:
    d = delivery()
    answer_delivery(d, at=LATER)
    assert (d.status, d.opened_at, d.answered_at) == ("answered", LATER, LATER)


def test_a_second_answer_keeps_the_time_of_the_first() -> None:
    d = delivery()
    answer_delivery(d, at=LATER)
    answer_delivery(d, at=LATEST)
    assert (d.status, d.answered_at) == ("answered", LATER)


def test_a_recalled_delivery_cannot_be_answered() -> None:
    d = delivery("recalled")
    before = replace(d)
    with pytest.raises(Conflict) as refused:
        answer_delivery(d, at=LATER)
    assert refused.value.code == "delivery_recalled"
    assert d == before


@pytest.mark.parametrize("status", ["unopened", "opened", "answered"])
def test_every_status_but_recalled_is_readable(status: DeliveryStatus) -> None:
    assert is_readable(delivery(status))
