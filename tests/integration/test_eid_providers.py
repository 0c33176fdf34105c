"""The e-identification providers of a development server: its own clients, its simulators, and /dev/eid.

Sigill's BankID, Freja eID and OpenID clients are built from the server's settings exactly as the portal builds
them, and call the simulators the server mounts under /dev/sim over real HTTP; a person (or a script) approves on
/dev/eid. Nothing here touches the store, so the server runs on SQLite only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from identity.eid.oidc import OidcService
from identity.eid.service import EidMethod, EidService
from sigill import eid
from tests.integration.harness import Server, free_port, run_server, server_settings

TOLVAN = "191212121212"
KARIN = "198112289874"


def utc_now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture(scope="module")
async def eid_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Server]:
    settings = server_settings("sqlite", tmp_path_factory.mktemp("eid"), free_port())
    async for running in run_server(settings):
        yield running


@pytest.fixture
async def service(eid_server: Server) -> AsyncIterator[EidService]:
    built = eid.build_eid_service(eid_server.settings, utc_now)
    yield built
    await built.close()


@pytest.fixture
async def oidc(eid_server: Server) -> AsyncIterator[OidcService]:
    built = eid.build_oidc_service(eid_server.settings, utc_now)
    assert built is not None
    yield built
    await built.close()


async def _approve(server: Server, **fields: str) -> tuple[int, dict[str, object]]:
    async with server.session.post(f"{server.base}/dev/eid/approve", json=fields) as response:
        return response.status, await response.json(content_type=None)


async def test_bankid_is_approved_by_personal_number_on_dev_eid(
    eid_server: Server, service: EidService
) -> None:
    pending = await service.start(EidMethod.BANKID, TOLVAN, "127.0.0.1")
    assert (await service.collect(pending)).status == "pending"

    status, body = await _approve(eid_server, personal_number="19121212-1212")
    assert (status, body) == (200, {"method": "bankid", "reference": pending.reference, "result": "godkand"})

    done = await service.collect(pending)
    assert done.status == "complete"
    assert done.is_person(TOLVAN)


async def test_freja_reports_a_different_person_for_the_caller_to_refuse(
    eid_server: Server, service: EidService
) -> None:
    pending = await service.start(EidMethod.FREJA, TOLVAN, "127.0.0.1")
    status, _ = await _approve(eid_server, personal_number=KARIN)
    assert status == 200
    done = await service.collect(pending)
    assert done.status == "complete"
    assert not done.is_person(TOLVAN)
    assert done.personal_number == KARIN


async def test_the_oldest_pending_order_is_approved_first(eid_server: Server, service: EidService) -> None:
    first = await service.start(EidMethod.FREJA, TOLVAN, "127.0.0.1")
    second = await service.start(EidMethod.BANKID, None, "127.0.0.1")
    await _approve(eid_server, personal_number=TOLVAN)
    assert (await service.collect(first)).status == "complete"
    assert (await service.collect(second)).status == "pending"
    await service.cancel(second)


async def test_a_declined_bankid_order_tells_the_person_so(eid_server: Server, service: EidService) -> None:
    pending = await service.start(EidMethod.BANKID, None, "127.0.0.1")
    async with eid_server.session.post(
        f"{eid_server.base}/dev/eid/decline", json={"reference": pending.reference}
    ) as response:
        assert response.status == 200
    failed = await service.collect(pending)
    assert (failed.status, failed.hint, failed.message.sv) == ("failed", "userCancel", "Åtgärden avbruten.")


async def test_siths_sign_in_is_completed_by_email_on_dev_eid(eid_server: Server, oidc: OidcService) -> None:
    start = await oidc.authorization_url(f"{eid_server.base}/r/siths/tillbaka")
    async with aiohttp.ClientSession() as browser:
        async with browser.get(start.url, allow_redirects=False) as response:
            assert response.status == 303
            sign_in_page = response.headers["Location"]
        status, body = await _approve(eid_server, email="Karin.Lind@Vardcentralen.example")
        assert (status, body["method"]) == (200, "siths")
        async with browser.get(sign_in_page, allow_redirects=False) as response:
            assert response.status == 302
            answer = parse_qs(urlsplit(response.headers["Location"]).query)
    identity = await oidc.complete(start, code=answer["code"][0], state=answer["state"][0])
    assert identity.email == "karin.lind@vardcentralen.example"


async def test_approving_when_nothing_waits_is_a_clear_404(eid_server: Server) -> None:
    for fields in ({"personal_number": TOLVAN}, {"email": "karin.lind@vardcentralen.example"}):
        status, body = await _approve(eid_server, **fields)
        assert status == 404
        assert body["code"] == "no_pending_identification"
        assert body["title"] == "Det finns ingen väntande identifiering att svara på."


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"personal_number": "191212121213"}, "personal_number_invalid"),
        ({}, "invalid_body"),
        ({"personal_number": TOLVAN, "email": "a@b.example"}, "invalid_body"),
    ],
)
async def test_bad_approvals_are_refused_and_change_nothing(
    eid_server: Server, service: EidService, fields: dict[str, str], code: str
) -> None:
    pending = await service.start(EidMethod.BANKID, None, "127.0.0.1")
    status, body = await _approve(eid_server, **fields)
    assert (status, body["code"]) == (422, code)
    assert TOLVAN not in str(body)
    assert (await service.collect(pending)).status == "pending"
    await service.cancel(pending)


async def test_the_page_lists_what_waits_and_approves_from_its_form(
    eid_server: Server, service: EidService
) -> None:
    pending = await service.start(EidMethod.FREJA, TOLVAN, "127.0.0.1")
    async with eid_server.session.get(f"{eid_server.base}/dev/eid") as response:
        assert response.status == 200
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
        html = await response.text()
    assert '<html lang="sv">' in html
    assert "<title>Väntande identifieringar – Sigill (utveckling)</title>" in html
    assert "Freja eID, startad" in html and pending.reference in html
    assert '<label for="value-1">Personnummer</label>' in html

    form = {"reference": pending.reference, "personal_number": TOLVAN}
    async with eid_server.session.post(
        f"{eid_server.base}/dev/eid/approve", data=form, allow_redirects=False
    ) as response:
        assert response.status == 303
        assert response.headers["Location"] == "/dev/eid?klart=godkand"
    async with eid_server.session.get(f"{eid_server.base}/dev/eid?klart=godkand") as response:
        html = await response.text()
    assert '<p role="status">Identifieringen är godkänd.</p>' in html
    assert "Ingen identifiering väntar just nu." in html
    assert (await service.collect(pending)).is_person(TOLVAN)


async def test_a_form_from_another_site_is_refused(eid_server: Server, service: EidService) -> None:
    pending = await service.start(EidMethod.BANKID, None, "127.0.0.1")
    async with eid_server.session.post(
        f"{eid_server.base}/dev/eid/approve",
        data={"personal_number": TOLVAN},
        headers={"Origin": "https://evil.example"},
    ) as response:
        assert response.status == 403
    assert (await service.collect(pending)).status == "pending"
    await service.cancel(pending)


async def test_the_simulators_speak_their_protocols_errors(eid_server: Server) -> None:
    simulators = f"{eid_server.base}/dev/sim"
    async with eid_server.session.post(f"{simulators}/bankid/rp/v6.0/auth", data="endUserIp=1") as response:
        assert response.status == 415
        assert (await response.json())["errorCode"] == "unsupportedMediaType"
    async with eid_server.session.post(
        f"{simulators}/freja/authentication/1.0/getOneResult", data="getOneAuthResultRequest=e30="
    ) as response:
        assert response.status == 400
        assert (await response.json())["code"] == 1100
    async with eid_server.session.get(f"{simulators}/oidc/.well-known/openid-configuration") as response:
        document = await response.json()
    assert document["issuer"] == f"{eid_server.base}/dev/sim/oidc"
    assert document["code_challenge_methods_supported"] == ["S256"]
