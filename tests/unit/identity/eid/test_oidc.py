"""SITHS through OpenID Connect: code + PKCE against the simulator over real HTTP, and every ID-token check."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from aiohttp import web

from identity.dev_issuer import DevIssuer
from identity.eid.oidc import LOA2, LOA3, LOA4, OidcService, OidcStart, pkce_challenge
from identity.errors import EidRejected, EidUnavailable, UntrustedEidResult
from tests.unit.identity.conftest import Clock, sign
from tests.unit.identity.eid.conftest import CLIENT_ID, Sim, oidc_service, serve, unused_url

REDIRECT = "http://127.0.0.1:9/r/siths/callback"


def test_pkce_challenge_is_rfc_7636s_example() -> None:
    # RFC 7636, appendix B.
    assert (
        pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


async def _browser_to_sign_in(start: OidcStart) -> str:
    """Follow the authorization URL as a browser would, up to the provider's sign-in page; its address."""
    async with aiohttp.ClientSession() as browser, browser.get(start.url, allow_redirects=False) as response:
        assert response.status == 303, await response.text()
        return response.headers["Location"]


async def _back_to_client(sign_in_page: str) -> dict[str, str]:
    """Ask the sign-in page again (the "Fortsätt" button); the query the provider redirects to the client with."""
    async with (
        aiohttp.ClientSession() as browser,
        browser.get(sign_in_page, allow_redirects=False) as response,
    ):
        assert response.status == 302, await response.text()
        location = response.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


async def _signed_in(
    oidc: OidcService, sim: Sim, email: str, acr: str = ""
) -> tuple[OidcStart, dict[str, str]]:
    start = await oidc.authorization_url(REDIRECT)
    page = await _browser_to_sign_in(start)
    sim.simulators.approve_email(email, acr=acr)
    return start, await _back_to_client(page)


async def test_the_authorization_url_asks_for_code_pkce_and_loa3(oidc: OidcService, sim: Sim) -> None:
    start = await oidc.authorization_url(REDIRECT)
    url = urlsplit(start.url)
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{sim.issuer}/authorize"
    assert query == {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": "openid email profile",
        "state": start.state,
        "nonce": start.nonce,
        "code_challenge": pkce_challenge(start.code_verifier),
        "code_challenge_method": "S256",
        "acr_values": "http://id.elegnamnden.se/loa/1.0/loa3",
    }
    assert len({start.state, start.nonce, start.code_verifier}) == 3
    assert start.code_verifier not in start.url
    assert start.state not in repr(start) and start.nonce not in repr(start)
    assert OidcStart.from_record(start.to_record()) == start


async def test_a_signed_in_person_is_named_by_the_email_claim(oidc: OidcService, sim: Sim) -> None:
    start = await oidc.authorization_url(REDIRECT)
    page = await _browser_to_sign_in(start)
    assert [(p.method, p.requested) for p in sim.simulators.pending()] == [("siths", "")]

    sim.simulators.approve_email("Karin.Lind@Vardcentralen.example")
    answer = await _back_to_client(page)
    assert answer["state"] == start.state

    identity = await oidc.complete(start, code=answer["code"], state=answer["state"])
    assert (identity.email, identity.name, identity.acr) == (
        "karin.lind@vardcentralen.example",
        "Karin Lind",
        LOA3,
    )
    assert identity.subject


async def test_the_sign_in_page_itself_lets_a_person_sign_in(oidc: OidcService, sim: Sim) -> None:
    start = await oidc.authorization_url(REDIRECT)
    page = await _browser_to_sign_in(start)
    async with aiohttp.ClientSession() as browser:
        async with browser.get(page) as response:
            html = await response.text()
            assert response.status == 200
            assert '<html lang="sv">' in html and "<title>" in html and "Logga in" in html
        async with browser.post(
            page,
            data={"email": "tolvan.tolvansson@skolhalsan.example", "action": "approve"},
            allow_redirects=False,
        ) as response:
            assert response.status == 303
            query = parse_qs(urlsplit(response.headers["Location"]).query)
    identity = await oidc.complete(start, code=query["code"][0], state=query["state"][0])
    assert identity.email == "tolvan.tolvansson@skolhalsan.example"


async def test_a_declined_sign_in_returns_access_denied(oidc: OidcService, sim: Sim) -> None:
    start = await oidc.authorization_url(REDIRECT)
    page = await _browser_to_sign_in(start)
    sim.simulators.decline(sim.simulators.pending()[0].reference)
    answer = await _back_to_client(page)
    assert (answer["error"], answer["state"]) == ("access_denied", start.state)
    assert "code" not in answer


async def test_an_id_token_with_another_nonce_is_refused(oidc: OidcService, sim: Sim) -> None:
    start, answer = await _signed_in(oidc, sim, "karin.lind@vardcentralen.example")
    # The same browser session's state, but the nonce of another sign-in: the token was not minted for this one.
    other = dataclasses.replace(start, nonce="a-nonce-of-another-sign-in")
    with pytest.raises(UntrustedEidResult, match="nonce"):
        await oidc.complete(other, code=answer["code"], state=answer["state"])


async def test_an_id_token_below_loa3_is_refused(oidc: OidcService, sim: Sim) -> None:
    start, answer = await _signed_in(oidc, sim, "karin.lind@vardcentralen.example", acr=LOA2)
    with pytest.raises(UntrustedEidResult, match="level of assurance"):
        await oidc.complete(start, code=answer["code"], state=answer["state"])


async def test_an_id_token_above_loa3_is_accepted(oidc: OidcService, sim: Sim) -> None:
    start, answer = await _signed_in(oidc, sim, "karin.lind@vardcentralen.example", acr=LOA4)
    identity = await oidc.complete(start, code=answer["code"], state=answer["state"])
    assert identity.acr == LOA4


async def test_another_state_is_refused_before_the_code_is_spent(oidc: OidcService, sim: Sim) -> None:
    start, answer = await _signed_in(oidc, sim, "karin.lind@vardcentralen.example")
    with pytest.raises(UntrustedEidResult, match="state"):
        await oidc.complete(start, code=answer["code"], state="forged-state")
    identity = await oidc.complete(start, code=answer["code"], state=answer["state"])
    assert identity.email == "karin.lind@vardcentralen.example"


async def test_a_code_is_exchanged_once(oidc: OidcService, sim: Sim) -> None:
    start, answer = await _signed_in(oidc, sim, "karin.lind@vardcentralen.example")
    await oidc.complete(start, code=answer["code"], state=answer["state"])
    with pytest.raises(EidRejected) as refused:
        await oidc.complete(start, code=answer["code"], state=answer["state"])
    assert refused.value.code == "oidc_code_refused"


async def test_a_code_without_its_pkce_verifier_is_refused(oidc: OidcService, sim: Sim) -> None:
    start, answer = await _signed_in(oidc, sim, "karin.lind@vardcentralen.example")
    stolen = dataclasses.replace(start, code_verifier="a-verifier-the-thief-made-up-of-forty-three-chars")
    with pytest.raises(EidRejected):
        await oidc.complete(stolen, code=answer["code"], state=answer["state"])


async def test_an_old_code_is_refused(oidc: OidcService, sim: Sim, clock: Clock) -> None:
    start, answer = await _signed_in(oidc, sim, "karin.lind@vardcentralen.example")
    clock.advance(seconds=61)
    with pytest.raises(EidRejected):
        await oidc.complete(start, code=answer["code"], state=answer["state"])


async def test_a_client_with_the_wrong_secret_is_refused(sim: Sim, clock: Clock) -> None:
    service = oidc_service(sim.issuer, clock, client_secret="not-the-secret")
    try:
        start, answer = await _signed_in(service, sim, "karin.lind@vardcentralen.example")
        with pytest.raises(EidUnavailable):
            await service.complete(start, code=answer["code"], state=answer["state"])
    finally:
        await service.close()


async def test_an_unregistered_redirect_is_shown_not_followed(oidc: OidcService) -> None:
    start = await oidc.authorization_url("https://attacker.example/steal")
    async with aiohttp.ClientSession() as browser, browser.get(start.url, allow_redirects=False) as response:
        assert response.status == 400
        assert "attacker.example" not in response.headers.get("Location", "")


async def test_an_unreachable_provider_is_unavailable(clock: Clock) -> None:
    service = oidc_service(unused_url(), clock)
    try:
        with pytest.raises(EidUnavailable):
            await service.authorization_url(REDIRECT)
    finally:
        await service.close()


@dataclass
class ScriptedProvider:
    """An OpenID provider whose token endpoint returns whatever ID token the test signed."""

    keys: DevIssuer
    issuer: str = ""
    id_token: str = ""
    discovery_issuer: str | None = None
    token_requests: list[dict[str, str]] = field(default_factory=list)

    async def discovery(self, _: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": self.discovery_issuer or self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
            }
        )

    async def token(self, request: web.Request) -> web.Response:
        self.token_requests.append({k: str(v) for k, v in (await request.post()).items()})
        return web.json_response({"id_token": self.id_token, "token_type": "Bearer", "access_token": "x"})

    async def jwks(self, _: web.Request) -> web.Response:
        return web.json_response(self.keys.jwks())


@pytest.fixture
async def provider(key_file: Path) -> AsyncIterator[ScriptedProvider]:
    scripted = ScriptedProvider(DevIssuer.open(key_file, issuer="unused"))
    app = web.Application()
    app.router.add_get("/.well-known/openid-configuration", scripted.discovery)
    app.router.add_post("/token", scripted.token)
    app.router.add_get("/jwks", scripted.jwks)
    running = await serve(app)
    scripted.issuer = running.base
    yield scripted
    await running.stop()


def _claims(provider: ScriptedProvider, start: OidcStart, clock: Clock, **changes: Any) -> dict[str, Any]:
    now = int(clock().timestamp())
    claims: dict[str, Any] = {
        "iss": provider.issuer,
        "aud": CLIENT_ID,
        "sub": "subject-1",
        "iat": now,
        "exp": now + 300,
        "nonce": start.nonce,
        "acr": LOA3,
        "email": "karin.lind@vardcentralen.example",
        "name": "Karin Lind",
    }
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


async def test_a_well_formed_token_from_the_scripted_provider_is_accepted(
    provider: ScriptedProvider, key_file: Path, clock: Clock
) -> None:
    service = oidc_service(provider.issuer, clock)
    try:
        start = await service.authorization_url(REDIRECT)
        provider.id_token = sign(key_file, _claims(provider, start, clock), kid=provider.keys.key_id)
        identity = await service.complete(start, code="code-1", state=start.state)
        assert identity.email == "karin.lind@vardcentralen.example"
        (request,) = provider.token_requests
        assert request == {
            "grant_type": "authorization_code",
            "code": "code-1",
            "redirect_uri": REDIRECT,
            "code_verifier": start.code_verifier,
            "client_id": CLIENT_ID,
        }
    finally:
        await service.close()


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"aud": "another-client"}, "another client"),
        ({"aud": [CLIENT_ID, "another-client"]}, "another party"),
        ({"iss": "https://another-issuer.example"}, "another issuer"),
        ({"exp": 0}, "expired"),
        ({"iat": 4102444800}, "future"),
        ({"nonce": None}, "lacks nonce"),
        ({"acr": None}, "level of assurance"),
        ({"acr": "http://id.elegnamnden.se/loa/1.0/loa2"}, "level of assurance"),
        ({"email": None}, "e-mail"),
        ({"email": "not-an-address"}, "e-mail"),
    ],
)
async def test_id_tokens_that_do_not_hold_are_refused(
    provider: ScriptedProvider, key_file: Path, clock: Clock, changes: dict[str, Any], reason: str
) -> None:
    service = oidc_service(provider.issuer, clock)
    try:
        start = await service.authorization_url(REDIRECT)
        provider.id_token = sign(
            key_file, _claims(provider, start, clock, **changes), kid=provider.keys.key_id
        )
        with pytest.raises(UntrustedEidResult, match=reason):
            await service.complete(start, code="code-1", state=start.state)
    finally:
        await service.close()


async def test_tokens_not_signed_by_the_providers_keys_are_refused(
    provider: ScriptedProvider, key_file: Path, entra_key_file: Path, clock: Clock
) -> None:
    service = oidc_service(provider.issuer, clock)
    try:
        start = await service.authorization_url(REDIRECT)
        claims = _claims(provider, start, clock)
        forgeries = [
            sign(entra_key_file, claims, kid=provider.keys.key_id),  # another key under the provider's kid
            sign(key_file, claims, kid="unknown-kid"),
            sign(key_file, claims, kid=provider.keys.key_id, algorithm="RS512"),
            "not-a-token",
        ]
        for forged in forgeries:
            provider.id_token = forged
            with pytest.raises(UntrustedEidResult):
                await service.complete(start, code="code-1", state=start.state)
    finally:
        await service.close()


async def test_a_discovery_document_for_another_issuer_is_refused(
    provider: ScriptedProvider, clock: Clock
) -> None:
    provider.discovery_issuer = "https://impostor.example"
    service = oidc_service(provider.issuer, clock)
    try:
        with pytest.raises(EidUnavailable, match="another issuer"):
            await service.authorization_url(REDIRECT)
    finally:
        await service.close()
