"""Freja eID: the relying-party REST API for authentication (initAuthentication, getOneResult, cancel).

Each call is a POST whose body is one parameter, `<name>=<base64 of a JSON object>`, sent as Freja's own client
sends it. An authentication names the person by personal number (`userInfoType` "SSN", `userInfo` the base64 of
`{"country": "SE", "ssn": ...}`) and asks for a minimum registration level: PLUS is Freja eID+, the level
approved for LoA3. The person approves in the Freja eID app; `getOneResult` is polled until the status is final.

An approved result carries `details`, a JWS signed by Freja whose `x5t` header names the signing certificate.
The person is read only from those signed details, after the signature is verified with a certificate the
configuration trusts, and after checking that they speak of this very transaction (`authRef`) and of an
approval. The unsigned copy of the attributes beside them is ignored.

No personal number is ever logged or put in an error message.
"""

from __future__ import annotations

import base64
import hmac
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import jwt
from jwt.algorithms import RSAAlgorithm

from identity.contact import normalize_personal_number
from identity.eid.http import ProviderHttp, ProviderResponse
from identity.eid.person import IdentifiedPerson
from identity.errors import EidRejected, EidUnavailable, InvalidPersonalNumber, UntrustedEidResult

log = logging.getLogger(__name__)

PRODUCTION_URL: Final = "https://services.prod.frejaeid.com"
TEST_URL: Final = "https://services.test.frejaeid.com"

INIT_PATH: Final = "/authentication/1.0/initAuthentication"
RESULT_PATH: Final = "/authentication/1.0/getOneResult"
CANCEL_PATH: Final = "/authentication/1.0/cancel"

PENDING_STATUSES: Final = frozenset({"STARTED", "DELIVERED_TO_MOBILE"})
FAILED_STATUSES: Final = frozenset({"CANCELED", "RP_CANCELED", "EXPIRED", "REJECTED"})
REGISTRATION_LEVELS: Final = ("BASIC", "EXTENDED", "PLUS")
DEFAULT_ATTRIBUTES: Final = ("BASIC_USER_INFO", "SSN", "REGISTRATION_LEVEL")

_SIGNING_ALGORITHM: Final = "RS256"
_RS256: Final = RSAAlgorithm(RSAAlgorithm.SHA256)
# Freja sends the body as "name=value" under its client's content type, not URL-encoded.
_BODY_TYPE: Final = "application/json"


@dataclass(frozen=True, slots=True)
class FrejaResult:
    """One answer of getOneResult: the transaction status and, once approved, the person."""

    status: str
    person: IdentifiedPerson | None = None

    @property
    def final(self) -> bool:
        return self.status == "APPROVED" or self.status in FAILED_STATUSES


def encode_request(name: str, payload: Mapping[str, Any]) -> str:
    """The body of a Freja call: `name=` and the base64 of the compact JSON."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return f"{name}={base64.b64encode(text.encode()).decode('ascii')}"


class FrejaClient:
    """Calls Freja eID at `base_url` and believes only results signed by one of `trusted_keys` (x5t → PEM)."""

    def __init__(
        self,
        base_url: str,
        http: ProviderHttp,
        *,
        trusted_keys: Mapping[str, bytes],
        min_registration_level: str = "PLUS",
        attributes: Sequence[str] = DEFAULT_ATTRIBUTES,
    ) -> None:
        if min_registration_level not in REGISTRATION_LEVELS:
            raise ValueError(f"unknown registration level {min_registration_level!r}")
        if not trusted_keys:
            raise ValueError("Freja eID needs at least one trusted signing certificate")
        self._base = base_url.rstrip("/")
        self._http = http
        # Parsed once: a PEM handed to PyJWT would be parsed again for every result.
        self._keys: dict[str, Any] = {x5t: _RS256.prepare_key(pem) for x5t, pem in trusted_keys.items()}
        self._level = min_registration_level
        self._attributes = [{"attribute": name} for name in attributes]

    async def init_authentication(self, personal_number: str) -> str:
        """Start an authentication of the person with `personal_number`; returns Freja's `authRef`."""
        user_info = json.dumps(
            {"country": "SE", "ssn": normalize_personal_number(personal_number)}, separators=(",", ":")
        )
        request = {
            "userInfoType": "SSN",
            "userInfo": base64.b64encode(user_info.encode()).decode("ascii"),
            "minRegistrationLevel": self._level,
            "attributesToReturn": self._attributes,
        }
        body = await self._call(INIT_PATH, encode_request("initAuthRequest", request), "initAuthentication")
        auth_ref = body.get("authRef")
        if not isinstance(auth_ref, str) or not auth_ref:
            raise _out_of_protocol("initAuthentication")
        return auth_ref

    async def get_one_result(self, auth_ref: str) -> FrejaResult:
        """The transaction's status now; an approved one with the person from Freja's signed details."""
        request = encode_request("getOneAuthResultRequest", {"authRef": auth_ref})
        body = await self._call(RESULT_PATH, request, "getOneResult")
        status = body.get("status")
        if not isinstance(status, str) or body.get("authRef") != auth_ref:
            raise _out_of_protocol("getOneResult")
        if status != "APPROVED":
            return FrejaResult(status)
        return FrejaResult(status, self._signed_person(body.get("details"), auth_ref))

    async def cancel(self, auth_ref: str) -> None:
        """Cancel a pending authentication."""
        await self._call(CANCEL_PATH, encode_request("cancelAuthRequest", {"authRef": auth_ref}), "cancel")

    async def close(self) -> None:
        await self._http.close()

    async def _call(self, path: str, body: str, call: str) -> dict[str, Any]:
        response = await self._http.post_raw(f"{self._base}{path}", body, _BODY_TYPE)
        return _ok(response, call)

    def _signed_person(self, details: Any, auth_ref: str) -> IdentifiedPerson:
        claims = self._verified_details(details)
        if not hmac.compare_digest(str(claims.get("authRef", "")).encode(), auth_ref.encode()):
            raise UntrustedEidResult("Freja result details belong to another transaction")
        if claims.get("status") != "APPROVED":
            raise UntrustedEidResult("Freja result details do not say approved")
        attributes = claims.get("requestedAttributes")
        if not isinstance(attributes, dict):
            raise UntrustedEidResult("Freja result details carry no attributes")
        self._check_level(attributes.get("registrationLevel"))
        return IdentifiedPerson(personal_number=_personal_number(attributes), name=_name(attributes))

    def _verified_details(self, details: Any) -> dict[str, Any]:
        if not isinstance(details, str) or not details:
            raise UntrustedEidResult("Freja result has no signed details")
        try:
            header = jwt.get_unverified_header(details)
        except jwt.PyJWTError:
            raise UntrustedEidResult("Freja result details are not a JWS") from None
        if header.get("alg") != _SIGNING_ALGORITHM:
            raise UntrustedEidResult("Freja result details use an unexpected algorithm")
        key = self._keys.get(str(header.get("x5t", "")))
        if key is None:
            raise UntrustedEidResult("Freja result details are signed by an untrusted certificate")
        try:
            # The algorithm is fixed here, never taken from the header; details carry no exp or aud.
            claims: dict[str, Any] = jwt.decode(
                details, key, algorithms=[_SIGNING_ALGORITHM], options={"verify_aud": False, "require": []}
            )
        except jwt.PyJWTError:
            raise UntrustedEidResult("Freja result details have a bad signature") from None
        return claims

    def _check_level(self, level: Any) -> None:
        # Freja enforces the minimum itself; a lower level in a signed result means something is badly wrong.
        if level is None:
            return
        if level not in REGISTRATION_LEVELS or REGISTRATION_LEVELS.index(level) < REGISTRATION_LEVELS.index(
            self._level
        ):
            raise UntrustedEidResult("Freja result has a registration level below the minimum")


def _personal_number(attributes: dict[str, Any]) -> str:
    ssn = attributes.get("ssn")
    if not isinstance(ssn, dict) or ssn.get("country") != "SE":
        raise UntrustedEidResult("Freja result details carry no Swedish personal number")
    try:
        return normalize_personal_number(str(ssn.get("ssn", "")))
    except InvalidPersonalNumber:
        raise UntrustedEidResult("Freja result details carry an invalid personal number") from None


def _name(attributes: dict[str, Any]) -> str:
    info = attributes.get("basicUserInfo")
    if not isinstance(info, dict):
        return ""
    return " ".join(str(info.get(part, "")).strip() for part in ("name", "surname")).strip()


def _ok(response: ProviderResponse, call: str) -> dict[str, Any]:
    if response.status == 200 and isinstance(response.body, dict):
        return response.body
    if response.status in (400, 422) and isinstance(response.body, dict):
        code = response.body.get("code")
        # Freja's `message` describes our request; the code alone is logged.
        log.warning("Freja eID %s refused the request (code %s)", call, code)
        raise EidRejected(f"Freja eID {call}: error code {code}", code="freja_rejected")
    log.warning("Freja eID %s answered HTTP %d", call, response.status)
    raise EidUnavailable(f"Freja eID {call} answered HTTP {response.status}")


def _out_of_protocol(call: str) -> EidUnavailable:
    log.warning("Freja eID %s answered out of protocol", call)
    return EidUnavailable(f"Freja eID {call} answered out of protocol")
