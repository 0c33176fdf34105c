"""BankID RP API v6.0: the client against the simulator over real HTTP, the QR code, links, and mutual TLS."""

from __future__ import annotations

import logging
import ssl

import pytest
from aiohttp import web

from identity.eid.bankid import BankIdClient, autostart_link, qr_content
from identity.eid.http import ProviderHttp, client_tls
from identity.errors import EidRejected, EidUnavailable, InvalidPersonalNumber
from identity.simulators.bankid import BankIdSimulator
from identity.simulators.persons import person_with_number
from tests.unit.identity.conftest import Clock
from tests.unit.identity.eid.conftest import KARIN, TOLVAN, Sim, bankid_client, serve, unused_url

# BankID's documented example (qrStartToken, qrStartSecret); the codes for 1 and 30 seconds were computed
# independently with `printf 1 | openssl dgst -sha256 -hmac d28db9a7-4cde-429e-a983-359be676944c`.
QR_TOKEN = "67df3917-fa0d-44e5-b327-edcc928297f8"
QR_SECRET = "d28db9a7-4cde-429e-a983-359be676944c"


@pytest.mark.parametrize(
    ("seconds", "code"),
    [
        (0, "dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8"),
        (1, "949d559bf23403952a94d103e67743126381eda00f0b3cbddbf7c96b1adcbce2"),
        (30, "814d7fd38e2276625b6815152e3554c663acca689260c092203b48ca4e5c09a3"),
    ],
)
def test_qr_content_is_bankids_animated_code(seconds: int, code: str) -> None:
    assert qr_content(QR_TOKEN, QR_SECRET, seconds) == f"bankid.{QR_TOKEN}.{seconds}.{code}"


def test_qr_content_refuses_a_time_before_the_order() -> None:
    with pytest.raises(ValueError, match="negative"):
        qr_content(QR_TOKEN, QR_SECRET, -1)


def test_autostart_links_for_a_computer_and_for_a_phone() -> None:
    assert autostart_link("7c40b5c9-fa74") == "bankid:///?autostarttoken=7c40b5c9-fa74&redirect=null"
    assert (
        autostart_link("7c40b5c9-fa74", universal=True, redirect="https://sigill.example/r/a?b=1")
        == "https://app.bankid.com/?autostarttoken=7c40b5c9-fa74&redirect=https%3A%2F%2Fsigill.example%2Fr%2Fa%3Fb%3D1"
    )


async def test_an_order_waits_until_approved_then_names_the_person(bankid: BankIdClient, sim: Sim) -> None:
    order = await bankid.auth("192.0.2.10", "19121212-1212")
    assert [(p.method, p.reference, p.requested) for p in sim.simulators.pending()] == [
        ("bankid", order.order_ref, TOLVAN)
    ]
    assert order.qr_start_token and order.auto_start_token
    for _ in range(3):
        waiting = await bankid.collect(order.order_ref)
        assert (waiting.status, waiting.hint_code, waiting.person) == (
            "pending",
            "outstandingTransaction",
            None,
        )

    sim.simulators.approve_person(TOLVAN)
    done = await bankid.collect(order.order_ref)

    assert done.status == "complete"
    assert done.person is not None
    assert (done.person.personal_number, done.person.name) == (TOLVAN, "Tolvan Tolvansson")
    assert TOLVAN not in repr(done)
    # A completed order is collected once; after that BankID no longer knows it.
    with pytest.raises(EidRejected) as gone:
        await bankid.collect(order.order_ref)
    assert gone.value.code == "bankid_invalid_parameters"


async def test_a_different_person_completes_and_the_caller_sees_who(bankid: BankIdClient, sim: Sim) -> None:
    order = await bankid.auth("192.0.2.10", TOLVAN)
    sim.simulators.approve_person(KARIN)
    done = await bankid.collect(order.order_ref)
    assert done.person is not None
    assert done.person.personal_number == KARIN
    assert not done.person.is_person(TOLVAN)
    assert done.person.is_person("19811228-9874")


async def test_a_declined_order_fails_with_user_cancel(bankid: BankIdClient, sim: Sim) -> None:
    order = await bankid.auth("2001:db8::1")
    sim.simulators.decline(order.order_ref)
    failed = await bankid.collect(order.order_ref)
    assert (failed.status, failed.hint_code, failed.person) == ("failed", "userCancel", None)


async def test_a_cancelled_order_is_gone(bankid: BankIdClient, sim: Sim) -> None:
    order = await bankid.auth("192.0.2.10")
    await bankid.cancel(order.order_ref)
    assert sim.simulators.pending() == []
    with pytest.raises(EidRejected) as gone:
        await bankid.collect(order.order_ref)
    assert gone.value.code == "bankid_invalid_parameters"
    assert gone.value.message_sv == "Okänt fel. Försök igen."


async def test_a_second_order_for_the_same_person_stops_both(bankid: BankIdClient) -> None:
    first = await bankid.auth("192.0.2.10", TOLVAN)
    with pytest.raises(EidRejected) as refused:
        await bankid.auth("192.0.2.11", TOLVAN)
    assert refused.value.code == "bankid_already_in_progress"
    assert refused.value.message_sv.startswith("En identifiering eller underskrift för det här personnumret")
    cancelled = await bankid.collect(first.order_ref)
    assert (cancelled.status, cancelled.hint_code) == ("failed", "cancelled")


async def test_an_order_nobody_answers_expires_after_three_minutes(
    bankid: BankIdClient, sim: Sim, clock: Clock
) -> None:
    order = await bankid.auth("192.0.2.10")
    clock.advance(minutes=2, seconds=59)
    assert (await bankid.collect(order.order_ref)).status == "pending"
    clock.advance(seconds=2)
    expired = await bankid.collect(order.order_ref)
    assert (expired.status, expired.hint_code) == ("failed", "expiredTransaction")
    assert sim.simulators.pending() == []


async def test_a_bad_end_user_ip_is_refused_by_bankid(bankid: BankIdClient) -> None:
    with pytest.raises(EidRejected) as refused:
        await bankid.auth("not-an-address")
    assert refused.value.code == "bankid_invalid_parameters"


async def test_an_invalid_personal_number_never_leaves_sigill(bankid: BankIdClient, sim: Sim) -> None:
    with pytest.raises(InvalidPersonalNumber):
        await bankid.auth("192.0.2.10", "191212121213")
    assert sim.simulators.pending() == []


async def test_an_unreachable_bankid_is_unavailable() -> None:
    client = bankid_client(unused_url())
    with pytest.raises(EidUnavailable) as down:
        await client.auth("192.0.2.10")
    await client.close()
    assert down.value.code == "eid_unavailable"


async def test_a_bankid_in_maintenance_is_unavailable_with_rfa5() -> None:
    async def maintenance(_: web.Request) -> web.Response:
        return web.json_response({"errorCode": "maintenance", "details": "Down"}, status=503)

    async def html_error(_: web.Request) -> web.Response:
        return web.Response(status=502, text="<html>Bad gateway</html>", content_type="text/html")

    app = web.Application()
    app.router.add_post("/rp/v6.0/auth", maintenance)
    app.router.add_post("/rp/v6.0/collect", html_error)
    running = await serve(app)
    client = bankid_client(f"{running.base}/rp/v6.0")
    try:
        with pytest.raises(EidUnavailable) as down:
            await client.auth("192.0.2.10")
        assert down.value.message_sv == "Internt tekniskt fel. Försök igen."
        with pytest.raises(EidUnavailable):
            await client.collect("some-order")
    finally:
        await client.close()
        await running.stop()


async def test_no_personal_number_is_logged(
    bankid: BankIdClient, sim: Sim, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    first = await bankid.auth("192.0.2.10", TOLVAN)
    with pytest.raises(EidRejected):
        await bankid.auth("192.0.2.10", TOLVAN)
    await bankid.collect(first.order_ref)
    second = await bankid.auth("192.0.2.10", TOLVAN)
    sim.simulators.approve_person(TOLVAN)
    await bankid.collect(second.order_ref)
    assert caplog.records, "the refused order should have been logged"
    assert TOLVAN not in caplog.text and "121212-1212" not in caplog.text


async def test_mutual_tls_admits_only_the_relying_partys_certificate(
    sim: Sim, tls_files: dict[str, str]
) -> None:
    """BankID knows the relying party by its client certificate: without it, no order can be started."""
    app = web.Application()
    BankIdSimulator(clock=sim.clock).add_routes(app, "/rp/v6.0")
    running = await serve(app, ssl_context=_server_tls(tls_files))
    url = f"{running.base}/rp/v6.0"
    with_certificate = BankIdClient(
        url,
        ProviderHttp(
            "BankID", tls=client_tls(tls_files["client_cert"], tls_files["client_key"], tls_files["ca"])
        ),
    )
    without_certificate = BankIdClient(url, ProviderHttp("BankID", tls=client_tls(ca_file=tls_files["ca"])))
    try:
        order = await with_certificate.auth("192.0.2.10")
        assert (await with_certificate.collect(order.order_ref)).status == "pending"
        with pytest.raises(EidUnavailable):
            await without_certificate.auth("192.0.2.10")
    finally:
        await with_certificate.close()
        await without_certificate.close()
        await running.stop()


def _server_tls(files: dict[str, str]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=files["ca"])
    context.load_cert_chain(files["server_cert"], files["server_key"])
    context.verify_mode = ssl.CERT_REQUIRED
    return context


def test_any_valid_personal_number_can_approve_as_a_stand_in() -> None:
    assert person_with_number("19121212-1212").name == "Tolvan Tolvansson"
    stand_in = person_with_number("199001012385")
    assert (stand_in.personal_number, stand_in.name) == ("199001012385", "Test Testsson")
    with pytest.raises(InvalidPersonalNumber):
        person_with_number("199001012386")
