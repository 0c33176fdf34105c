"""BankID: the relying-party API v6.0 (`/auth`, `/collect`, `/cancel`), the animated QR code and the autostart link.

The API is JSON over HTTPS with mutual TLS: BankID knows the relying party by its client certificate
(`identity.eid.http.client_tls`). An order is started with the end user's IP address (and, when the person is
known, `requirement.personalNumber`, so BankID itself refuses anyone else), then collected every two seconds until
it is `complete` or `failed`; `hintCode` says what the person is doing, and `identity.eid.messages` says what to
show them. On completion `completionData.user` names the person.

The animated QR code changes every second: `bankid.<qrStartToken>.<seconds>.<HMAC-SHA256(qrStartSecret,
seconds)>`, where seconds count from the moment the order was started, so a photographed code is useless a
moment later.

No personal number is ever logged or put in an error message.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass, field
from typing import Any, Final, Literal
from urllib.parse import quote

from identity.contact import normalize_personal_number
from identity.eid import messages
from identity.eid.http import ProviderHttp, ProviderResponse
from identity.eid.person import IdentifiedPerson
from identity.errors import EidRejected, EidUnavailable, InvalidPersonalNumber

log = logging.getLogger(__name__)

PRODUCTION_URL: Final = "https://appapi2.bankid.com/rp/v6.0"
TEST_URL: Final = "https://appapi2.test.bankid.com/rp/v6.0"

CollectStatus = Literal["pending", "failed", "complete"]
_STATUSES: Final = frozenset({"pending", "failed", "complete"})

# errorCode values that mean "try again later" rather than "our request is wrong".
_TRANSIENT: Final = frozenset({"requestTimeout", "internalError", "maintenance"})


@dataclass(frozen=True, slots=True)
class BankIdOrder:
    """A started order. `qr_start_secret` keys the QR code's HMAC and is never shown or logged."""

    order_ref: str
    auto_start_token: str
    qr_start_token: str
    qr_start_secret: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class BankIdCollect:
    """One answer of `/collect`: the status, the hint code, and on completion the person."""

    status: CollectStatus
    hint_code: str
    person: IdentifiedPerson | None = None


def qr_content(qr_start_token: str, qr_start_secret: str, seconds: int) -> str:
    """The content of the animated QR code `seconds` whole seconds after the order started."""
    if seconds < 0:
        raise ValueError("seconds since the order started cannot be negative")
    elapsed = str(seconds)
    code = hmac.new(qr_start_secret.encode(), elapsed.encode(), hashlib.sha256).hexdigest()
    return f"bankid.{qr_start_token}.{elapsed}.{code}"


def autostart_link(auto_start_token: str, *, redirect: str | None = None, universal: bool = False) -> str:
    """The link that opens BankID on this device.

    `universal` gives the https://app.bankid.com/ form (mobile browsers, which then return to `redirect`); the
    default `bankid:///` form suits a computer, where `redirect=null` keeps the app from opening a page.
    """
    token = quote(auto_start_token, safe="")
    back = quote(redirect, safe="") if redirect else "null"
    if universal:
        return f"https://app.bankid.com/?autostarttoken={token}&redirect={back}"
    return f"bankid:///?autostarttoken={token}&redirect={back}"


class BankIdClient:
    """Calls BankID's relying-party API at `base_url` (e.g. `PRODUCTION_URL`) through `http`."""

    def __init__(self, base_url: str, http: ProviderHttp) -> None:
        self._base = base_url.rstrip("/")
        self._http = http

    async def auth(self, end_user_ip: str, personal_number: str | None = None) -> BankIdOrder:
        """Start an authentication order; with `personal_number`, only that person can complete it."""
        payload: dict[str, Any] = {"endUserIp": end_user_ip}
        if personal_number:
            payload["requirement"] = {"personalNumber": normalize_personal_number(personal_number)}
        body = _ok(await self._http.post_json(f"{self._base}/auth", payload), "auth")
        try:
            return BankIdOrder(
                order_ref=_text(body, "orderRef"),
                auto_start_token=_text(body, "autoStartToken"),
                qr_start_token=_text(body, "qrStartToken"),
                qr_start_secret=_text(body, "qrStartSecret"),
            )
        except KeyError as exc:
            raise _out_of_protocol("auth") from exc

    async def collect(self, order_ref: str) -> BankIdCollect:
        """The order's status now. A completed or failed order can be collected once, then it is gone."""
        body = _ok(await self._http.post_json(f"{self._base}/collect", {"orderRef": order_ref}), "collect")
        status = body.get("status")
        if status not in _STATUSES or body.get("orderRef") != order_ref:
            raise _out_of_protocol("collect")
        hint = body.get("hintCode")
        hint_code = hint if isinstance(hint, str) else ""
        if status != "complete":
            return BankIdCollect(status, hint_code)
        return BankIdCollect("complete", hint_code, _person(body.get("completionData")))

    async def cancel(self, order_ref: str) -> None:
        """Cancel a pending order (the person's app stops waiting)."""
        _ok(await self._http.post_json(f"{self._base}/cancel", {"orderRef": order_ref}), "cancel")

    async def close(self) -> None:
        await self._http.close()


def _ok(response: ProviderResponse, call: str) -> dict[str, Any]:
    """The body of a 200 answer; BankID's error answers become errors with BankID's recommended message."""
    if response.status == 200 and isinstance(response.body, dict):
        return response.body
    if response.status == 200:
        raise _out_of_protocol(call)
    error_code = ""
    if isinstance(response.body, dict) and isinstance(response.body.get("errorCode"), str):
        error_code = response.body["errorCode"]
    # `details` is for developers and may echo our input; it is neither logged nor passed on.
    log.warning("BankID %s answered HTTP %d (%s)", call, response.status, error_code or "no errorCode")
    message = messages.bankid_error(error_code)
    if response.status >= 500 or error_code in _TRANSIENT:
        raise EidUnavailable(
            f"BankID {call}: {error_code or response.status}", message_sv=message.sv, message_en=message.en
        )
    if error_code in {"alreadyInProgress", "invalidParameters"}:
        raise EidRejected(
            f"BankID {call}: {error_code}",
            code=f"bankid_{_snake(error_code)}",
            message_sv=message.sv,
            message_en=message.en,
        )
    # unauthorized, notFound, methodNotAllowed, unsupportedMediaType: our configuration or our request is wrong.
    raise EidUnavailable(
        f"BankID {call}: {error_code or response.status}", message_sv=message.sv, message_en=message.en
    )


def _person(completion: Any) -> IdentifiedPerson:
    user = completion.get("user") if isinstance(completion, dict) else None
    if not isinstance(user, dict):
        raise _out_of_protocol("collect")
    try:
        personal_number = normalize_personal_number(_text(user, "personalNumber"))
    except (KeyError, InvalidPersonalNumber) as exc:
        raise _out_of_protocol("collect") from exc
    name = user.get("name")
    if not isinstance(name, str) or not name.strip():
        name = " ".join(str(user.get(part, "")) for part in ("givenName", "surname")).strip()
    return IdentifiedPerson(personal_number=personal_number, name=name)


def _text(body: dict[str, Any], key: str) -> str:
    value = body[key]
    if not isinstance(value, str) or not value:
        raise KeyError(key)
    return value


def _out_of_protocol(call: str) -> EidUnavailable:
    log.warning("BankID %s answered out of protocol", call)
    message = messages.bankid_error("")
    return EidUnavailable(
        f"BankID {call} answered out of protocol", message_sv=message.sv, message_en=message.en
    )


def _snake(camel: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in camel)
