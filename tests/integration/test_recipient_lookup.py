"""The compose screens' questions over real HTTP: who is inside Sigill, how the others identify, what levels mean."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from adaptive_cards.strings import text
from messaging.levels import DEFAULT_OPEN_MESSAGE
from sigill import logs
from tests.integration.harness import (
    ANNA,
    BERTIL,
    EVA,
    JAN,
    SOCIAL,
    Response,
    Server,
    free_port,
    server_settings,
    started,
)

OUTSIDER = "kund@example.org"
PROBLEM = "application/problem+json"


async def look_up(server: Server, as_user: str, addresses: object, loa: object = 2) -> Response:
    return await server.post("/recipients/lookup", as_user, json={"addresses": addresses, "loa": loa})


def methods(entry: dict[str, object]) -> list[tuple[object, object]]:
    listed = entry["methods"]
    assert isinstance(listed, list)
    return [(m["method"], m["needs"]) for m in listed]


async def test_staff_function_mailbox_and_recipient_account_are_registered(server: Server) -> None:
    found = await look_up(server, ANNA, [BERTIL, SOCIAL, JAN, OUTSIDER], loa=2)
    assert found.status == 200, found.body
    assert found.body["loa"] == 2
    by_address = {r["address"]: r for r in found.body["recipients"]}
    assert [r["address"] for r in found.body["recipients"]] == [BERTIL, SOCIAL, JAN, OUTSIDER]
    assert by_address[BERTIL] | {"methods": None} == {
        "address": BERTIL,
        "registered": True,
        "name": "Bertil Berg",
        "mailbox_kind": "personal",
        "methods": None,
    }
    assert by_address[BERTIL]["methods"] == []
    assert (by_address[SOCIAL]["registered"], by_address[SOCIAL]["mailbox_kind"]) == (True, "function")
    assert (by_address[JAN]["registered"], by_address[JAN]["name"]) == (True, "Jan Dahl, Dentalklinik AB")
    assert by_address[OUTSIDER]["registered"] is False
    assert by_address[OUTSIDER]["name"] is None


async def test_addresses_come_back_canonical_in_the_order_asked(server: Server) -> None:
    found = await look_up(server, ANNA, ["  Kund@Example.ORG ", "Bertil.Berg@Vasteras.Example"], loa=1)
    assert found.status == 200, found.body
    assert [(r["address"], r["registered"]) for r in found.body["recipients"]] == [
        (OUTSIDER, False),
        (BERTIL, True),
    ]


@pytest.mark.parametrize(
    ("loa", "expected"),
    [
        (1, [("email", None), ("sms", "phone"), ("eid", "personal_number"), ("siths", None)]),
        (2, [("sms", "phone"), ("eid", "personal_number"), ("siths", None)]),
        (3, [("eid", "personal_number"), ("siths", None)]),
    ],
)
async def test_a_link_recipient_gets_the_methods_that_reach_the_level(
    server: Server, loa: int, expected: list[tuple[str, str | None]]
) -> None:
    found = await look_up(server, ANNA, [OUTSIDER], loa=loa)
    assert found.status == 200, found.body
    (entry,) = found.body["recipients"]
    assert methods(entry) == expected
    # Only e-mail at LoA1 is assumed without being chosen; every method states the level it reaches.
    assert [m["method"] for m in entry["methods"] if m["default"]] == (["email"] if loa == 1 else [])
    assert all(m["loa"] >= loa for m in entry["methods"])


async def test_what_the_lookup_says_is_what_a_send_does(server: Server) -> None:
    found = await look_up(server, ANNA, [JAN, OUTSIDER], loa=2)
    sms = next(m for m in found.body["recipients"][1]["methods"] if m["method"] == "sms")
    assert sms["needs"] == "phone"
    sent = await server.send(
        ANNA,
        loa=2,
        recipients=[{"address": JAN}, {"address": OUTSIDER, "method": "sms", "phone": "0701234567"}],
    )
    assert sent.status == 201, sent.body
    assert [d["kind"] for d in sent.body["deliveries"]] == ["registered", "link"]
    without_phone = await server.send(ANNA, loa=2, recipients=[{"address": OUTSIDER, "method": "sms"}])
    assert (without_phone.status, without_phone.body["code"]) == (422, "phone_required")


async def test_another_organisations_recipients_are_not_revealed(server: Server) -> None:
    # Eva (Region Gävleborg) asks about Västerås' staff, function mailbox and recipient account: to her
    # organisation they are people who get a link, and nothing about them (names, kinds) comes back.
    found = await look_up(server, EVA, [BERTIL, SOCIAL, JAN], loa=3)
    assert found.status == 200, found.body
    for entry in found.body["recipients"]:
        assert (entry["registered"], entry["name"], entry["mailbox_kind"]) == (False, None, None)
        assert methods(entry) == [("eid", "personal_number"), ("siths", None)]
    assert "Bertil" not in found.raw.decode() and "Dentalklinik" not in found.raw.decode()
    # And the other way round: Eva is registered only in her own organisation.
    theirs = await look_up(server, ANNA, [EVA], loa=1)
    assert theirs.body["recipients"][0]["registered"] is False
    own = await look_up(server, EVA, [EVA], loa=1)
    assert (own.body["recipients"][0]["registered"], own.body["recipients"][0]["name"]) == (True, "Eva Ek")


async def test_an_invalid_address_is_a_problem_pointing_at_it(server: Server) -> None:
    found = await look_up(server, ANNA, [BERTIL, "inte en adress"], loa=2)
    assert found.status == 422
    assert found.headers["Content-Type"].startswith(PROBLEM)
    assert found.body["code"] == "recipient_address_invalid"
    assert found.body["pointer"] == "#/addresses/1"
    assert found.body["title"] == "En mottagaradress är inte en giltig e-postadress."


@pytest.mark.parametrize(
    ("body", "code", "pointer"),
    [
        ({"addresses": [], "loa": 1}, "addresses_missing", "#/addresses"),
        ({"addresses": [OUTSIDER] * 26, "loa": 1}, "too_many_addresses", "#/addresses"),
        ({"addresses": [OUTSIDER], "loa": 4}, "loa_invalid", "#/loa"),
        ({"addresses": [OUTSIDER], "loa": "2"}, "invalid_body", "#/loa"),
        ({"addresses": [OUTSIDER], "loa": True}, "invalid_body", "#/loa"),
        ({"addresses": OUTSIDER, "loa": 2}, "invalid_body", "#/addresses"),
        ({"addresses": [OUTSIDER, 7], "loa": 2}, "invalid_body", "#/addresses/1"),
        ({"addresses": ["a" * 250 + "@x.se"], "loa": 2}, "invalid_body", "#/addresses/0"),
        ({"addresses": [OUTSIDER]}, "invalid_body", "#/loa"),
        ({"addresses": [OUTSIDER], "loa": 2, "phone": "0701234567"}, "invalid_body", "#/phone"),
    ],
)
async def test_bad_input_is_refused_with_a_stable_code_and_a_pointer(
    server: Server, body: dict[str, object], code: str, pointer: str
) -> None:
    found = await server.post("/recipients/lookup", ANNA, json=body)
    assert found.status == 422, found.body
    assert found.headers["Content-Type"].startswith(PROBLEM)
    assert (found.body["code"], found.body["pointer"]) == (code, pointer)


async def test_malformed_json_and_no_token_are_refused(server: Server) -> None:
    # Not sent as JSON: refused as such, before anything is parsed.
    octets = await server.post(
        "/recipients/lookup", ANNA, data=b'{"addresses": ["kund@example.org"], "loa": 1}'
    )
    assert (octets.status, octets.body["code"]) == (415, "unsupported_media_type")
    async with server.session.post(
        f"{server.base}/api/v1/recipients/lookup",
        data=b'{"addresses": [',
        headers={"Authorization": f"Bearer {await server.token(ANNA)}", "Content-Type": "application/json"},
    ) as resp:
        assert resp.status == 400
        assert (await resp.json(content_type=None))["code"] == "malformed_json"
    anonymous = await look_up(server, None, [OUTSIDER])
    assert anonymous.status == 401
    assert anonymous.headers["Content-Type"].startswith(PROBLEM)


async def test_no_address_is_logged(server: Server) -> None:
    # Logging as `sigill serve --log-level DEBUG` sets it up: the most a server ever writes.
    stream = io.StringIO()
    logs.configure(structured=True, level="DEBUG", stream=stream)
    try:
        await look_up(server, ANNA, ["hemlig.person@example.org", BERTIL], loa=2)
        await look_up(server, ANNA, [BERTIL, "hemlig.person example.org"], loa=2)
    finally:
        logs.configure(structured=False, level="INFO")
    logged = stream.getvalue()
    assert "/recipients/lookup" in logged  # the capture works
    assert "hemlig" not in logged and "bertil" not in logged


async def test_levels_explain_each_level_in_swedish_by_default(server: Server) -> None:
    found = await server.get("/levels", ANNA)
    assert found.status == 200, found.body
    assert found.headers["Content-Language"] == "sv"
    assert "Accept-Language" in found.headers["Vary"]
    body = found.body
    assert body["language"] == "sv"
    assert [level["loa"] for level in body["levels"]] == [1, 2, 3]
    # The same words the Teams cards show: one source for both.
    for level in body["levels"]:
        assert level["name"] == text("sv", f"compose.loa.{level['loa']}")
        assert level["description"] == text("sv", f"compose.loa.{level['loa']}.help")
    assert "mobilnummer" in body["levels"][1]["description"]
    assert "personnummer" in body["levels"][2]["description"]
    assert [m["method"] for m in body["levels"][2]["methods"]] == ["eid", "siths"]
    assert body["method_names"]["sms"] == text("sv", "method.sms") == "Sms-kod"
    assert body["open_message"]["warning"] == text("sv", "compose.open_message.warning")
    assert "krypteras inte" in body["open_message"]["warning"]
    assert body["open_message"]["default_text"] == DEFAULT_OPEN_MESSAGE


@pytest.mark.parametrize(
    ("query", "accept", "language"),
    [
        ({"lang": "en"}, None, "en"),
        ({"lang": "sv"}, "en-GB,en;q=0.9", "sv"),
        (None, "en-GB,en;q=0.9,sv;q=0.8", "en"),
        (None, "sv-SE,sv;q=0.9,en;q=0.8", "sv"),
        (None, "de-DE,en;q=0.5,sv;q=0.6", "sv"),
        (None, "de-DE,fr;q=0.9", "sv"),
        (None, "en;q=0", "sv"),
        (None, "fr, EN-us;q=0.7", "en"),
    ],
)
async def test_levels_follow_lang_then_accept_language(
    server: Server, query: dict[str, str] | None, accept: str | None, language: str
) -> None:
    headers = {"Authorization": f"Bearer {await server.token(ANNA)}"}
    if accept is not None:
        headers["Accept-Language"] = accept
    async with server.session.get(f"{server.base}/api/v1/levels", params=query, headers=headers) as resp:
        assert resp.status == 200
        body = await resp.json()
        assert resp.headers["Content-Language"] == language
    assert body["language"] == language
    assert body["levels"][0]["name"] == text(language, "compose.loa.1")  # type: ignore[arg-type]
    assert body["open_message"]["warning"] == text(language, "compose.open_message.warning")  # type: ignore[arg-type]
    # What the recipient gets is Swedish whatever the sender's screen shows.
    assert body["open_message"]["default_text"] == DEFAULT_OPEN_MESSAGE


async def test_levels_refuse_an_unknown_language(server: Server) -> None:
    found = await server.get("/levels", ANNA, params={"lang": "de"})
    assert found.status == 422
    assert found.headers["Content-Type"].startswith(PROBLEM)
    assert found.body["code"] == "lang_invalid"


async def test_levels_show_the_organisations_own_default_open_message(server: Server) -> None:
    org = await server.components.store.organisation_by_domain("regiongavleborg.example")
    assert org is not None
    own = "Region Gävleborg har skickat dig ett säkert meddelande."
    org.default_open_message = own
    await server.components.store.update_organisation(org)
    try:
        found = await server.get("/levels", EVA)
        assert found.body["open_message"]["default_text"] == own
        theirs = await server.get("/levels", ANNA)
        assert theirs.body["open_message"]["default_text"] == DEFAULT_OPEN_MESSAGE
    finally:
        org.default_open_message = ""
        await server.components.store.update_organisation(org)


async def test_the_configured_cap_is_the_documented_and_enforced_one(tmp_path: Path) -> None:
    settings = server_settings("sqlite", tmp_path, free_port(), limits={"max_recipients": 3})
    async with started(settings) as running:
        async with running.session.get(f"{running.base}/api/v1/openapi.json") as resp:
            document = await resp.json()
        schema = document["components"]["schemas"]["LookupIn"]["properties"]["addresses"]
        assert (schema["minItems"], schema["maxItems"]) == (1, 3)
        three = await look_up(running, ANNA, [f"r{i}@example.org" for i in range(3)])
        assert three.status == 200, three.body
        four = await look_up(running, ANNA, [f"r{i}@example.org" for i in range(4)])
        assert (four.status, four.body["code"]) == (422, "too_many_addresses")
