"""Freja eID: the client against the simulator over real HTTP, the wire format, and signed results."""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import pytest
from aiohttp import web

from identity.eid.freja import FrejaClient, encode_request
from identity.errors import EidRejected, EidUnavailable, UntrustedEidResult
from identity.simulators.freja import FrejaSigner
from tests.unit.identity.conftest import Clock
from tests.unit.identity.eid.conftest import KARIN, TOLVAN, Sim, freja_client, serve, unused_url


async def test_an_authentication_waits_until_approved_then_names_the_person(
    freja: FrejaClient, sim: Sim
) -> None:
    auth_ref = await freja.init_authentication("19121212-1212")
    assert [(p.method, p.reference, p.requested) for p in sim.simulators.pending()] == [
        ("freja", auth_ref, TOLVAN)
    ]
    waiting = await freja.get_one_result(auth_ref)
    assert (waiting.status, waiting.person, waiting.final) == ("STARTED", None, False)

    sim.simulators.approve_person(TOLVAN)
    done = await freja.get_one_result(auth_ref)

    assert (done.status, done.final) == ("APPROVED", True)
    assert done.person is not None
    assert (done.person.personal_number, done.person.name) == (TOLVAN, "Tolvan Tolvansson")
    assert TOLVAN not in repr(done)


async def test_a_different_person_is_reported_for_the_caller_to_refuse(freja: FrejaClient, sim: Sim) -> None:
    auth_ref = await freja.init_authentication(TOLVAN)
    sim.simulators.approve_person(KARIN)
    done = await freja.get_one_result(auth_ref)
    assert done.person is not None
    assert done.person.personal_number == KARIN
    assert not done.person.is_person(TOLVAN)


async def test_declined_cancelled_and_expired_authentications_fail(
    freja: FrejaClient, sim: Sim, clock: Clock
) -> None:
    declined = await freja.init_authentication(TOLVAN)
    sim.simulators.decline(declined)
    assert (await freja.get_one_result(declined)).status == "CANCELED"

    cancelled = await freja.init_authentication(TOLVAN)
    await freja.cancel(cancelled)
    assert (await freja.get_one_result(cancelled)).status == "RP_CANCELED"

    expired = await freja.init_authentication(KARIN)
    clock.advance(minutes=2, seconds=1)
    result = await freja.get_one_result(expired)
    assert (result.status, result.final) == ("EXPIRED", True)
    assert sim.simulators.pending() == []


async def test_an_unknown_reference_is_refused(freja: FrejaClient) -> None:
    with pytest.raises(EidRejected) as refused:
        await freja.get_one_result("no-such-reference")
    assert refused.value.code == "freja_rejected"


async def test_a_result_signed_by_an_untrusted_certificate_is_refused(
    sim: Sim, other_signer: FrejaSigner
) -> None:
    client = freja_client(sim.freja_url, other_signer)
    try:
        auth_ref = await client.init_authentication(TOLVAN)
        sim.simulators.approve_person(TOLVAN)
        with pytest.raises(UntrustedEidResult, match="untrusted certificate"):
            await client.get_one_result(auth_ref)
    finally:
        await client.close()


@dataclass
class ScriptedFreja:
    """A Freja endpoint that records what it receives and answers what the test scripts."""

    signer: FrejaSigner
    received: list[tuple[str, str]] = field(default_factory=list)
    answer: dict[str, Any] = field(default_factory=dict)

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append((request.content_type, await request.text()))
        return web.json_response(self.answer)


@pytest.fixture
async def scripted(freja_signer: FrejaSigner) -> AsyncIterator[tuple[ScriptedFreja, FrejaClient]]:
    fake = ScriptedFreja(freja_signer)
    app = web.Application()
    app.router.add_post("/authentication/1.0/{call}", fake.handle)
    running = await serve(app)
    client = freja_client(running.base, freja_signer)
    yield fake, client
    await client.close()
    await running.stop()


def _decoded(body: str, name: str) -> Any:
    key, _, value = body.partition("=")
    assert key == name
    return json.loads(base64.b64decode(value, validate=True))


async def test_requests_are_sent_as_freja_expects(scripted: tuple[ScriptedFreja, FrejaClient]) -> None:
    fake, client = scripted
    fake.answer = {"authRef": "ref-1"}
    assert await client.init_authentication("19121212-1212") == "ref-1"
    fake.answer = {"authRef": "ref-1", "status": "DELIVERED_TO_MOBILE"}
    assert (await client.get_one_result("ref-1")).status == "DELIVERED_TO_MOBILE"
    fake.answer = {}
    await client.cancel("ref-1")

    (init_type, init_body), (_, result_body), (_, cancel_body) = fake.received
    init = _decoded(init_body, "initAuthRequest")
    assert init == {
        "userInfoType": "SSN",
        "userInfo": init["userInfo"],
        "minRegistrationLevel": "PLUS",
        "attributesToReturn": [
            {"attribute": "BASIC_USER_INFO"},
            {"attribute": "SSN"},
            {"attribute": "REGISTRATION_LEVEL"},
        ],
    }
    assert json.loads(base64.b64decode(init["userInfo"])) == {"country": "SE", "ssn": TOLVAN}
    assert init_type == "application/json"
    assert _decoded(result_body, "getOneAuthResultRequest") == {"authRef": "ref-1"}
    assert _decoded(cancel_body, "cancelAuthRequest") == {"authRef": "ref-1"}


def _details(signer: FrejaSigner, **changes: Any) -> str:
    claims: dict[str, Any] = {
        "authRef": "ref-1",
        "status": "APPROVED",
        "userInfoType": "SSN",
        "userInfo": json.dumps({"country": "SE", "ssn": TOLVAN}),
        "minRegistrationLevel": "PLUS",
        "requestedAttributes": {
            "basicUserInfo": {"name": "Tolvan", "surname": "Tolvansson"},
            "ssn": {"ssn": TOLVAN, "country": "SE"},
            "registrationLevel": "PLUS",
        },
        "timestamp": 1772442000000,
    }
    claims.update(changes)
    return signer.sign(claims)


async def test_the_person_comes_from_the_signed_details_not_the_unsigned_copy(
    scripted: tuple[ScriptedFreja, FrejaClient],
) -> None:
    fake, client = scripted
    fake.answer = {
        "authRef": "ref-1",
        "status": "APPROVED",
        "details": _details(fake.signer),
        "requestedAttributes": {"ssn": {"ssn": KARIN, "country": "SE"}},
    }
    result = await client.get_one_result("ref-1")
    assert result.person is not None
    assert result.person.personal_number == TOLVAN


@pytest.mark.parametrize(
    ("details", "reason"),
    [
        ({"authRef": "another-transaction"}, "another transaction"),
        ({"status": "CANCELED"}, "do not say approved"),
        (
            {
                "requestedAttributes": {
                    "ssn": {"ssn": TOLVAN, "country": "SE"},
                    "registrationLevel": "EXTENDED",
                }
            },
            "below",
        ),
        (
            {"requestedAttributes": {"basicUserInfo": {"name": "X", "surname": "Y"}}},
            "no Swedish personal number",
        ),
        (
            {"requestedAttributes": {"ssn": {"ssn": "191212121213", "country": "SE"}}},
            "invalid personal number",
        ),
    ],
)
async def test_signed_details_that_do_not_hold_are_refused(
    scripted: tuple[ScriptedFreja, FrejaClient], details: dict[str, Any], reason: str
) -> None:
    fake, client = scripted
    fake.answer = {"authRef": "ref-1", "status": "APPROVED", "details": _details(fake.signer, **details)}
    with pytest.raises(UntrustedEidResult, match=reason):
        await client.get_one_result("ref-1")


@pytest.mark.parametrize("details", [None, "", "not.a.jws", "e30.e30.c2ln"])
async def test_missing_or_malformed_details_are_refused(
    scripted: tuple[ScriptedFreja, FrejaClient], details: Any
) -> None:
    fake, client = scripted
    fake.answer = {"authRef": "ref-1", "status": "APPROVED", "details": details}
    with pytest.raises(UntrustedEidResult):
        await client.get_one_result("ref-1")


async def test_details_signed_with_another_algorithm_are_refused(
    scripted: tuple[ScriptedFreja, FrejaClient],
) -> None:
    fake, client = scripted
    # An HMAC "signature" with the trusted certificate's x5t: a forgery no RS256 check may accept.
    forged = jwt.encode(
        {"authRef": "ref-1", "status": "APPROVED"},
        "a-shared-secret-of-thirty-two-bytes",
        algorithm="HS256",
        headers={"x5t": fake.signer.x5t},
    )
    fake.answer = {"authRef": "ref-1", "status": "APPROVED", "details": forged}
    with pytest.raises(UntrustedEidResult, match="unexpected algorithm"):
        await client.get_one_result("ref-1")


async def test_an_answer_for_another_reference_is_out_of_protocol(
    scripted: tuple[ScriptedFreja, FrejaClient],
) -> None:
    fake, client = scripted
    fake.answer = {"authRef": "ref-2", "status": "STARTED"}
    with pytest.raises(EidUnavailable):
        await client.get_one_result("ref-1")


async def test_an_unreachable_freja_is_unavailable(freja_signer: FrejaSigner) -> None:
    client = freja_client(unused_url(), freja_signer)
    try:
        with pytest.raises(EidUnavailable):
            await client.init_authentication(TOLVAN)
    finally:
        await client.close()


async def test_no_personal_number_is_logged(
    freja: FrejaClient, sim: Sim, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    auth_ref = await freja.init_authentication(TOLVAN)
    sim.simulators.approve_person(TOLVAN)
    await freja.get_one_result(auth_ref)
    with pytest.raises(EidRejected):
        await freja.get_one_result("unknown")
    assert caplog.records
    assert TOLVAN not in caplog.text and "121212-1212" not in caplog.text


def test_encode_request_is_name_equals_base64_json() -> None:
    body = encode_request("getOneAuthResultRequest", {"authRef": "åäö"})
    assert _decoded(body, "getOneAuthResultRequest") == {"authRef": "åäö"}


def test_the_signer_file_is_private_and_stable(tmp_path: Path) -> None:
    path = tmp_path / "dev" / "freja.pem"
    first = FrejaSigner.open(path)
    again = FrejaSigner.open(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert first.x5t == again.x5t
    assert first.trusted_keys == again.trusted_keys
