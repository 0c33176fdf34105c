"""A Freja eID simulator: initAuthentication, getOneResult and cancel, with signed results, on loopback.

Requests come as Freja expects them, one parameter `<name>=<base64 of JSON>`; errors are HTTP 400 with Freja's
numeric `code` and `message`. A transaction is STARTED until a person approves it (APPROVED, with `details` a JWS
signed RS256 by the simulator's key, its certificate named by the `x5t` header) or declines it (CANCELED); the
relying party may cancel it (RP_CANCELED); after two minutes it is EXPIRED. Results stay readable for ten minutes.

The signing key and its self-signed certificate live together in one PEM file (mode 0600), so the development
configuration can trust the certificate and tokens survive a restart.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qs, unquote

import jwt
from aiohttp import web
from jwt.algorithms import RSAAlgorithm

from crypto.certificates import self_signed_certificate_pem, trusted_signing_keys
from crypto.signing_keys import new_rsa_private_key_pem
from identity.contact import normalize_personal_number
from identity.errors import InvalidPersonalNumber
from identity.simulators.common import NoSuchPending, PendingIdentification
from identity.simulators.persons import SimulatedPerson

TRANSACTION_LIFETIME: Final = timedelta(minutes=2)
RESULT_RETENTION: Final = timedelta(minutes=10)
_LEVELS: Final = ("BASIC", "EXTENDED", "PLUS")
_ATTRIBUTES: Final = frozenset(
    {
        "BASIC_USER_INFO",
        "EMAIL_ADDRESS",
        "ALL_EMAIL_ADDRESSES",
        "ALL_PHONE_NUMBERS",
        "DATE_OF_BIRTH",
        "AGE",
        "SSN",
        "ADDRESSES",
        "RELYING_PARTY_USER_ID",
        "INTEGRATOR_SPECIFIC_USER_ID",
        "CUSTOM_IDENTIFIER",
        "REGISTRATION_LEVEL",
    }
)
_CERTIFICATE_MARK: Final = b"-----BEGIN CERTIFICATE-----"
_RS256: Final = RSAAlgorithm(RSAAlgorithm.SHA256)


class FrejaSigner:
    """The simulator's signing key and the certificate a relying party trusts for it."""

    def __init__(self, private_key_pem: bytes, certificate_pem: bytes) -> None:
        self.certificate_pem = certificate_pem
        self.trusted_keys = trusted_signing_keys(certificate_pem)
        self.x5t = next(iter(self.trusted_keys))
        self._key: Any = _RS256.prepare_key(private_key_pem)

    @classmethod
    def in_memory(cls) -> FrejaSigner:
        key = new_rsa_private_key_pem()
        return cls(key, self_signed_certificate_pem(key, "Freja eID simulator"))

    @classmethod
    def open(cls, path: Path) -> FrejaSigner:
        """The signer whose key and certificate are in `path`, creating both (mode 0600) on first use."""
        if not path.exists():
            _create(path)
        pem = path.read_bytes()
        key, mark, certificate = pem.partition(_CERTIFICATE_MARK)
        if not mark:
            raise ValueError(f"{path} holds no certificate")
        return cls(key, mark + certificate)

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"x5t": self.x5t})


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = new_rsa_private_key_pem()
    pem = key + self_signed_certificate_pem(key, "Freja eID simulator")
    # Written privately, then linked into place: when two processes start at once, one file wins for both.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


@dataclass
class _Transaction:
    auth_ref: str
    created_at: datetime
    personal_number: str
    min_level: str
    attributes: list[str] = field(default_factory=list)
    status: str = "STARTED"
    person: SimulatedPerson | None = None
    approved_at: datetime | None = None


class FrejaSimulator:
    """The transactions of one simulated Freja eID, in memory."""

    def __init__(
        self,
        signer: FrejaSigner,
        *,
        clock: Callable[[], datetime],
        new_token: Callable[[], str] | None = None,
    ) -> None:
        self.signer = signer
        self._clock = clock
        self._new_token = new_token or (lambda: uuid.uuid4().hex + uuid.uuid4().hex)
        self._transactions: dict[str, _Transaction] = {}

    def add_routes(self, app: web.Application, prefix: str) -> None:
        """Serve the API under `prefix` (e.g. "/sim/freja")."""
        app.router.add_post(f"{prefix}/authentication/1.0/initAuthentication", self._init)
        app.router.add_post(f"{prefix}/authentication/1.0/getOneResult", self._get_one_result)
        app.router.add_post(f"{prefix}/authentication/1.0/cancel", self._cancel)

    def pending(self) -> list[PendingIdentification]:
        self._expire()
        return [
            PendingIdentification("freja", t.auth_ref, t.created_at, t.personal_number)
            for t in self._transactions.values()
            if t.status == "STARTED"
        ]

    def approve(self, auth_ref: str, person: SimulatedPerson) -> None:
        transaction = self._started(auth_ref)
        transaction.status, transaction.person, transaction.approved_at = "APPROVED", person, self._clock()

    def decline(self, auth_ref: str) -> None:
        self._started(auth_ref).status = "CANCELED"

    def _started(self, auth_ref: str) -> _Transaction:
        self._expire()
        transaction = self._transactions.get(auth_ref)
        if transaction is None or transaction.status != "STARTED":
            raise NoSuchPending(auth_ref)
        return transaction

    def _expire(self) -> None:
        now = self._clock()
        for ref, transaction in list(self._transactions.items()):
            if now - transaction.created_at > RESULT_RETENTION:
                del self._transactions[ref]
            elif transaction.status == "STARTED" and now - transaction.created_at > TRANSACTION_LIFETIME:
                transaction.status = "EXPIRED"

    async def _init(self, request: web.Request) -> web.Response:
        body = await _request_body(request, "initAuthRequest")
        if isinstance(body, web.Response):
            return body
        if body.get("userInfoType") != "SSN":
            return _error(1001, "Invalid or missing userInfoType.")
        personal_number = _ssn(body.get("userInfo"))
        if personal_number is None:
            return _error(1002, "Invalid or missing userInfo.")
        level = body.get("minRegistrationLevel", "BASIC")
        if level not in _LEVELS:
            return _error(1007, "Invalid minimum registration level.")
        attributes = _attributes(body.get("attributesToReturn", []))
        if attributes is None:
            return _error(2002, "Invalid attributesToReturn parameter.")
        self._expire()
        transaction = _Transaction(self._new_token(), self._clock(), personal_number, level, attributes)
        self._transactions[transaction.auth_ref] = transaction
        return web.json_response({"authRef": transaction.auth_ref})

    async def _get_one_result(self, request: web.Request) -> web.Response:
        transaction = await self._transaction_of(request, "getOneAuthResultRequest")
        if isinstance(transaction, web.Response):
            return transaction
        answer: dict[str, Any] = {"authRef": transaction.auth_ref, "status": transaction.status}
        if transaction.status == "APPROVED":
            attributes = self._attributes_of(transaction)
            answer["requestedAttributes"] = attributes
            answer["details"] = self.signer.sign(self._details(transaction, attributes))
        return web.json_response(answer)

    async def _cancel(self, request: web.Request) -> web.Response:
        transaction = await self._transaction_of(request, "cancelAuthRequest")
        if isinstance(transaction, web.Response):
            return transaction
        if transaction.status != "STARTED":
            return _error(1100, "Invalid reference (for example, nonexistent or expired).")
        transaction.status = "RP_CANCELED"
        return web.json_response({})

    async def _transaction_of(self, request: web.Request, name: str) -> _Transaction | web.Response:
        body = await _request_body(request, name)
        if isinstance(body, web.Response):
            return body
        self._expire()
        auth_ref = body.get("authRef")
        transaction = self._transactions.get(auth_ref) if isinstance(auth_ref, str) else None
        if transaction is None:
            return _error(1100, "Invalid reference (for example, nonexistent or expired).")
        return transaction

    def _attributes_of(self, transaction: _Transaction) -> dict[str, Any]:
        person = transaction.person
        assert person is not None
        available: dict[str, tuple[str, Any]] = {
            "BASIC_USER_INFO": ("basicUserInfo", {"name": person.given_name, "surname": person.surname}),
            "SSN": ("ssn", {"ssn": person.personal_number, "country": "SE"}),
            "EMAIL_ADDRESS": ("emailAddress", person.email or None),
            "DATE_OF_BIRTH": ("dateOfBirth", _date_of_birth(person.personal_number)),
            "REGISTRATION_LEVEL": ("registrationLevel", "PLUS"),
        }
        attributes = {}
        for name in transaction.attributes:
            if name in available and available[name][1] is not None:
                key, value = available[name]
                attributes[key] = value
        return attributes

    def _details(self, transaction: _Transaction, attributes: dict[str, Any]) -> dict[str, Any]:
        assert transaction.approved_at is not None
        user_info = json.dumps({"country": "SE", "ssn": transaction.personal_number}, separators=(",", ":"))
        return {
            "authRef": transaction.auth_ref,
            "status": "APPROVED",
            "userInfoType": "SSN",
            "userInfo": user_info,
            "minRegistrationLevel": transaction.min_level,
            "requestedAttributes": attributes,
            "timestamp": int(transaction.approved_at.timestamp() * 1000),
        }


async def _request_body(request: web.Request, name: str) -> dict[str, Any] | web.Response:
    """The JSON object in `<name>=<base64>`, sent raw (as Freja's client does) or form-encoded."""
    text = (await request.read()).decode("utf-8", errors="replace").strip()
    if request.content_type == "application/x-www-form-urlencoded":
        values = parse_qs(text).get(name, [])
        value = values[0] if len(values) == 1 else ""
    else:
        key, _, raw = text.partition("=")
        value = unquote(raw) if key == name else ""
    try:
        body = json.loads(base64.b64decode(value, validate=True))
    except ValueError:
        return _error(1010, "JSON request cannot be parsed.")
    if not isinstance(body, dict):
        return _error(1010, "JSON request cannot be parsed.")
    return body


def _ssn(user_info: Any) -> str | None:
    if not isinstance(user_info, str):
        return None
    try:
        info = json.loads(base64.b64decode(user_info, validate=True))
    except ValueError:
        return None
    if not isinstance(info, dict) or info.get("country") != "SE" or not isinstance(info.get("ssn"), str):
        return None
    ssn: str = info["ssn"]
    if len(ssn) != 12 or not ssn.isdigit():
        return None
    try:
        return normalize_personal_number(ssn)
    except InvalidPersonalNumber:
        return None


def _attributes(requested: Any) -> list[str] | None:
    if not isinstance(requested, list):
        return None
    names = []
    for entry in requested:
        name = entry.get("attribute") if isinstance(entry, dict) else None
        if name not in _ATTRIBUTES:
            return None
        names.append(str(name))
    return names


def _date_of_birth(personal_number: str) -> str:
    day = int(personal_number[6:8])
    # A coordination number's day is the birth day plus 60.
    return f"{personal_number[:4]}-{personal_number[4:6]}-{day - 60 if day > 60 else day:02d}"


def _error(code: int, message: str) -> web.Response:
    return web.json_response({"code": code, "message": message}, status=400)
