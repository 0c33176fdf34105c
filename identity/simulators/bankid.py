"""A BankID simulator: the relying-party API v6.0 (`/auth`, `/collect`, `/cancel`) on loopback.

It answers as BankID does: JSON in and out, `errorCode` + `details` on HTTP 400 (`invalidParameters`,
`alreadyInProgress`) and 415 (`unsupportedMediaType`). An order is `pending` with hint `outstandingTransaction`
until a person approves it (`approve`) or declines it (`decline`: failed, `userCancel`); after three minutes it
fails with `expiredTransaction`. A new order for a personal number that already has one pending cancels both, as
BankID does (`alreadyInProgress` for the new one, failed `cancelled` for the old). A completed or failed order is
collected once and then forgotten; so is a cancelled one.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from aiohttp import web

from identity.contact import normalize_personal_number
from identity.errors import InvalidPersonalNumber
from identity.simulators.common import NoSuchPending, PendingIdentification
from identity.simulators.persons import SimulatedPerson

ORDER_LIFETIME: Final = timedelta(minutes=3)
# An order nobody collects any more is forgotten after this, so a long development session does not grow memory.
ORDER_RETENTION: Final = timedelta(minutes=10)


@dataclass
class _Order:
    order_ref: str
    created_at: datetime
    end_user_ip: str
    required_personal_number: str
    auto_start_token: str
    qr_start_token: str
    qr_start_secret: str
    status: str = "pending"
    hint_code: str = "outstandingTransaction"
    person: SimulatedPerson | None = None


class BankIdSimulator:
    """The orders of one simulated BankID, in memory."""

    def __init__(self, *, clock: Callable[[], datetime], new_token: Callable[[], str] | None = None) -> None:
        self._clock = clock
        self._new_token = new_token or (lambda: str(uuid.uuid4()))
        self._orders: dict[str, _Order] = {}

    def add_routes(self, app: web.Application, prefix: str) -> None:
        """Serve the API under `prefix` (e.g. "/sim/bankid/rp/v6.0")."""
        app.router.add_post(f"{prefix}/auth", self._auth)
        app.router.add_post(f"{prefix}/collect", self._collect)
        app.router.add_post(f"{prefix}/cancel", self._cancel)

    def pending(self) -> list[PendingIdentification]:
        self._expire()
        return [
            PendingIdentification("bankid", order.order_ref, order.created_at, order.required_personal_number)
            for order in self._orders.values()
            if order.status == "pending"
        ]

    def approve(self, order_ref: str, person: SimulatedPerson) -> None:
        order = self._pending_order(order_ref)
        order.status, order.hint_code, order.person = "complete", "", person

    def decline(self, order_ref: str) -> None:
        order = self._pending_order(order_ref)
        order.status, order.hint_code = "failed", "userCancel"

    def _pending_order(self, order_ref: str) -> _Order:
        self._expire()
        order = self._orders.get(order_ref)
        if order is None or order.status != "pending":
            raise NoSuchPending(order_ref)
        return order

    def _expire(self) -> None:
        now = self._clock()
        for order_ref, order in list(self._orders.items()):
            if now - order.created_at > ORDER_RETENTION:
                del self._orders[order_ref]
            elif order.status == "pending" and now - order.created_at > ORDER_LIFETIME:
                order.status, order.hint_code = "failed", "expiredTransaction"

    async def _auth(self, request: web.Request) -> web.Response:
        body = await _json_body(request)
        if isinstance(body, web.Response):
            return body
        end_user_ip = body.get("endUserIp")
        if not isinstance(end_user_ip, str) or not _is_ip(end_user_ip):
            return _error(400, "invalidParameters", "Incorrect endUserIp")
        required = _required_personal_number(body.get("requirement"))
        if required is None:
            return _error(400, "invalidParameters", "Incorrect requirement")
        if required and self._cancel_orders_for(required):
            return _error(400, "alreadyInProgress", "Order already in progress for pno")
        order = _Order(
            order_ref=self._new_token(),
            created_at=self._clock(),
            end_user_ip=end_user_ip,
            required_personal_number=required,
            auto_start_token=self._new_token(),
            qr_start_token=self._new_token(),
            qr_start_secret=self._new_token(),
        )
        self._orders[order.order_ref] = order
        return web.json_response(
            {
                "orderRef": order.order_ref,
                "autoStartToken": order.auto_start_token,
                "qrStartToken": order.qr_start_token,
                "qrStartSecret": order.qr_start_secret,
            }
        )

    def _cancel_orders_for(self, personal_number: str) -> bool:
        self._expire()
        found = False
        for order in self._orders.values():
            if order.status == "pending" and order.required_personal_number == personal_number:
                order.status, order.hint_code = "failed", "cancelled"
                found = True
        return found

    async def _collect(self, request: web.Request) -> web.Response:
        order = await self._order_of(request)
        if isinstance(order, web.Response):
            return order
        self._expire()
        answer: dict[str, Any] = {"orderRef": order.order_ref, "status": order.status}
        if order.status == "pending":
            answer["hintCode"] = order.hint_code
        elif order.status == "failed":
            answer["hintCode"] = order.hint_code
            del self._orders[order.order_ref]
        else:
            answer["completionData"] = _completion_data(order)
            del self._orders[order.order_ref]
        return web.json_response(answer)

    async def _cancel(self, request: web.Request) -> web.Response:
        order = await self._order_of(request)
        if isinstance(order, web.Response):
            return order
        del self._orders[order.order_ref]
        return web.json_response({})

    async def _order_of(self, request: web.Request) -> _Order | web.Response:
        body = await _json_body(request)
        if isinstance(body, web.Response):
            return body
        order_ref = body.get("orderRef")
        order = self._orders.get(order_ref) if isinstance(order_ref, str) else None
        if order is None:
            return _error(400, "invalidParameters", "No such order")
        return order


def _completion_data(order: _Order) -> dict[str, Any]:
    person = order.person
    assert person is not None
    return {
        "user": {
            "personalNumber": person.personal_number,
            "name": person.name,
            "givenName": person.given_name,
            "surname": person.surname,
        },
        "device": {"ipAddress": order.end_user_ip, "uhi": "c2ltdWxhdGVk"},
        "bankIdIssueDate": "2024-01-02",
        "stepUp": {"mrtd": False},
        "signature": base64.b64encode(b"<simulated-signature/>").decode(),
        "ocspResponse": base64.b64encode(b"simulated-ocsp-response").decode(),
    }


def _required_personal_number(requirement: Any) -> str | None:
    """The required personal number ("" when none), or None when the requirement is malformed."""
    if requirement is None:
        return ""
    if not isinstance(requirement, dict):
        return None
    number = requirement.get("personalNumber")
    if number is None:
        return ""
    # BankID wants exactly twelve digits, no separator.
    if not isinstance(number, str) or len(number) != 12 or not number.isdigit():
        return None
    try:
        return normalize_personal_number(number)
    except InvalidPersonalNumber:
        return None


async def _json_body(request: web.Request) -> dict[str, Any] | web.Response:
    if request.content_type != "application/json":
        return _error(415, "unsupportedMediaType", "Content-Type must be application/json")
    try:
        body = json.loads(await request.read())
    except ValueError:
        return _error(400, "invalidParameters", "Invalid JSON")
    if not isinstance(body, dict):
        return _error(400, "invalidParameters", "Invalid JSON")
    return body


def _error(status: int, error_code: str, details: str) -> web.Response:
    return web.json_response({"errorCode": error_code, "details": details}, status=status)


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
