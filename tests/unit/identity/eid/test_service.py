"""EidService: one start / collect / cancel for BankID and Freja eID, as the portal will call it."""

from __future__ import annotations

import pytest

from identity.eid import bankid
from identity.eid.service import EidMethod, EidService, Pending
from identity.errors import EidRejected, EidUnavailable
from tests.unit.identity.conftest import Clock
from tests.unit.identity.eid.conftest import KARIN, TOLVAN, Sim


async def test_bankid_from_start_to_the_person(service: EidService, sim: Sim, clock: Clock) -> None:
    pending = await service.start(EidMethod.BANKID, "19121212-1212", "192.0.2.10")
    assert pending.started_at == clock()
    assert pending.qr_start_secret not in repr(pending)

    waiting = await service.collect(pending)
    assert (waiting.status, waiting.hint, waiting.message.key) == (
        "pending",
        "outstandingTransaction",
        "RFA1",
    )
    assert waiting.message.sv == "Starta BankID-appen."
    assert waiting.qr_content == bankid.qr_content(pending.qr_start_token, pending.qr_start_secret, 0)
    assert (await service.collect(pending, autostarted=True)).message.key == "RFA13"

    sim.simulators.approve_person(TOLVAN)
    done = await service.collect(pending)
    assert (done.status, done.message.sv, done.qr_content) == ("complete", "Identifieringen är klar.", None)
    assert done.personal_number == TOLVAN
    assert done.is_person("19121212-1212")
    assert not done.is_person("121212-1212")  # two digits of year: born 2012


async def test_the_qr_code_changes_every_second(service: EidService, clock: Clock) -> None:
    pending = await service.start(EidMethod.BANKID, None, "192.0.2.10")
    codes = []
    for _ in range(3):
        codes.append(service.qr_content(pending))
        clock.advance(seconds=1)
    assert codes == [bankid.qr_content(pending.qr_start_token, pending.qr_start_secret, s) for s in (0, 1, 2)]
    assert len(set(codes)) == 3


async def test_bankid_tells_the_person_what_went_wrong(service: EidService, sim: Sim) -> None:
    declined = await service.start(EidMethod.BANKID, None, "192.0.2.10")
    sim.simulators.decline(declined.reference)
    failed = await service.collect(declined)
    assert (failed.status, failed.message.key, failed.message.sv) == ("failed", "RFA6", "Åtgärden avbruten.")
    assert failed.person is None and not failed.is_person(TOLVAN)

    cancelled = await service.start(EidMethod.BANKID, TOLVAN, "192.0.2.10")
    await service.cancel(cancelled)
    with pytest.raises(EidRejected):
        await service.collect(cancelled)


async def test_a_mismatch_is_visible_to_the_caller(service: EidService, sim: Sim) -> None:
    for method in EidMethod:
        pending = await service.start(method, TOLVAN, "192.0.2.10")
        sim.simulators.approve_person(KARIN)
        done = await service.collect(pending)
        assert done.status == "complete"
        assert not done.is_person(TOLVAN)
        assert done.personal_number == KARIN


async def test_freja_from_start_to_the_person_and_its_failures(service: EidService, sim: Sim) -> None:
    pending = await service.start(EidMethod.FREJA, TOLVAN, "192.0.2.10")
    assert pending.autostart_link() is None
    waiting = await service.collect(pending)
    assert (waiting.status, waiting.hint, waiting.qr_content) == ("pending", "STARTED", None)
    assert waiting.message.sv == "Öppna Freja eID-appen och godkänn identifieringen."
    sim.simulators.approve_person(TOLVAN)
    assert (await service.collect(pending)).is_person(TOLVAN)

    declined = await service.start(EidMethod.FREJA, TOLVAN, "192.0.2.10")
    sim.simulators.decline(declined.reference)
    failed = await service.collect(declined)
    assert (failed.status, failed.message.sv) == ("failed", "Du avbröt identifieringen.")

    cancelled = await service.start(EidMethod.FREJA, TOLVAN, "192.0.2.10")
    await service.cancel(cancelled)
    assert (await service.collect(cancelled)).hint == "RP_CANCELED"


async def test_freja_needs_the_personal_number(service: EidService) -> None:
    with pytest.raises(ValueError, match="personal number"):
        await service.start(EidMethod.FREJA, None, "192.0.2.10")


async def test_a_pending_identification_survives_the_session_store(service: EidService, sim: Sim) -> None:
    pending = await service.start(EidMethod.BANKID, TOLVAN, "192.0.2.10")
    restored = Pending.from_record(pending.to_record())
    assert restored == pending
    assert restored.autostart_link() == f"bankid:///?autostarttoken={pending.auto_start_token}&redirect=null"
    sim.simulators.approve_person(TOLVAN)
    assert (await service.collect(restored)).is_person(TOLVAN)


@pytest.mark.parametrize(
    "record",
    [
        {},
        {"method": "bankid", "reference": "r"},
        {"method": "x", "reference": "r", "started_at": "2026-01-01T00:00Z"},
    ],
)
def test_a_damaged_record_is_refused(record: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="record"):
        Pending.from_record(record)


async def test_a_method_without_a_client_is_not_offered(clock: Clock) -> None:
    service = EidService(bankid_client=None, freja_client=None, clock=clock)
    assert not service.offers(EidMethod.BANKID) and not service.offers(EidMethod.FREJA)
    with pytest.raises(EidUnavailable):
        await service.start(EidMethod.BANKID, None, "192.0.2.10")
