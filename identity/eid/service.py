"""Identification with BankID or Freja eID, as the faces use it: start, collect until done, or cancel.

`EidService` hides the two protocols behind one shape. `start` returns a `Pending` the caller keeps on the server
side of the person's session (`to_record` / `from_record`); `collect` says where the identification stands, with
the message to show (BankID's recommended texts), the QR code's content for this second, and on completion the
person. Whether that person is the one the caller expected is the caller's decision: `EidResult.is_person`
compares, and a mismatch must open nothing (the provider was asked for that person too, so a mismatch means
something is badly wrong).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from identity.eid import bankid, messages
from identity.eid.bankid import BankIdClient
from identity.eid.freja import FAILED_STATUSES, FrejaClient
from identity.eid.person import IdentifiedPerson
from identity.errors import EidUnavailable

Status = Literal["pending", "failed", "complete"]


class EidMethod(StrEnum):
    BANKID = "bankid"
    FREJA = "freja"


@dataclass(frozen=True, slots=True)
class Pending:
    """An identification under way. The QR secret keys the animated QR code and never leaves the server."""

    method: EidMethod
    reference: str
    started_at: datetime
    auto_start_token: str = ""
    qr_start_token: str = ""
    qr_start_secret: str = field(default="", repr=False)

    def autostart_link(self, *, redirect: str | None = None, universal: bool = False) -> str | None:
        """The link that opens the BankID app on this device (None for Freja eID, which has no such link)."""
        if self.method is not EidMethod.BANKID or not self.auto_start_token:
            return None
        return bankid.autostart_link(self.auto_start_token, redirect=redirect, universal=universal)

    def to_record(self) -> dict[str, str]:
        return {
            "method": self.method.value,
            "reference": self.reference,
            "started_at": self.started_at.isoformat(),
            "auto_start_token": self.auto_start_token,
            "qr_start_token": self.qr_start_token,
            "qr_start_secret": self.qr_start_secret,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Pending:
        try:
            started_at = datetime.fromisoformat(str(record["started_at"]))
            reference = record["reference"]
            method = EidMethod(record["method"])
        except (KeyError, ValueError):
            raise ValueError("not a pending identification record") from None
        if not isinstance(reference, str) or not reference or started_at.tzinfo is None:
            raise ValueError("not a pending identification record")
        return cls(
            method=method,
            reference=reference,
            started_at=started_at,
            auto_start_token=str(record.get("auto_start_token", "")),
            qr_start_token=str(record.get("qr_start_token", "")),
            qr_start_secret=str(record.get("qr_start_secret", "")),
        )


@dataclass(frozen=True, slots=True)
class EidResult:
    """Where an identification stands: its status, the provider's hint, what to tell the person, and who."""

    status: Status
    hint: str
    message: messages.UserMessage
    qr_content: str | None = None
    person: IdentifiedPerson | None = None

    @property
    def personal_number(self) -> str | None:
        return self.person.personal_number if self.person is not None else None

    def is_person(self, personal_number: str) -> bool:
        """Whether the identification completed, and by the person with `personal_number`."""
        return (
            self.status == "complete" and self.person is not None and self.person.is_person(personal_number)
        )


class EidService:
    """BankID and Freja eID behind one interface; a method without a configured client is not offered."""

    def __init__(
        self,
        *,
        bankid_client: BankIdClient | None,
        freja_client: FrejaClient | None,
        clock: Callable[[], datetime],
    ) -> None:
        self._bankid = bankid_client
        self._freja = freja_client
        self._clock = clock

    def offers(self, method: EidMethod) -> bool:
        return (self._bankid if method is EidMethod.BANKID else self._freja) is not None

    async def start(
        self, method: EidMethod, personal_number_expected: str | None, end_user_ip: str
    ) -> Pending:
        """Start an identification; the provider is asked for `personal_number_expected` when it is given.

        Freja eID needs the personal number (it sends the request to that person's app).
        """
        if method is EidMethod.BANKID:
            order = await self._bankid_client().auth(end_user_ip, personal_number_expected)
            return Pending(
                method=method,
                reference=order.order_ref,
                started_at=self._clock(),
                auto_start_token=order.auto_start_token,
                qr_start_token=order.qr_start_token,
                qr_start_secret=order.qr_start_secret,
            )
        if not personal_number_expected:
            raise ValueError("Freja eID identifies a person named by personal number")
        auth_ref = await self._freja_client().init_authentication(personal_number_expected)
        return Pending(method=method, reference=auth_ref, started_at=self._clock())

    async def collect(self, pending: Pending, *, autostarted: bool = False) -> EidResult:
        """Ask the provider once; `autostarted` when the person opened BankID on this device."""
        if pending.method is EidMethod.BANKID:
            return await self._collect_bankid(pending, autostarted)
        return await self._collect_freja(pending)

    def qr_content(self, pending: Pending) -> str | None:
        """The BankID QR code's content for this second (the page renews it every second between collects)."""
        if pending.method is not EidMethod.BANKID or not pending.qr_start_secret:
            return None
        seconds = max(0, int((self._clock() - pending.started_at).total_seconds()))
        return bankid.qr_content(pending.qr_start_token, pending.qr_start_secret, seconds)

    async def cancel(self, pending: Pending) -> None:
        if pending.method is EidMethod.BANKID:
            await self._bankid_client().cancel(pending.reference)
        else:
            await self._freja_client().cancel(pending.reference)

    async def close(self) -> None:
        for client in (self._bankid, self._freja):
            if client is not None:
                await client.close()

    async def _collect_bankid(self, pending: Pending, autostarted: bool) -> EidResult:
        answer = await self._bankid_client().collect(pending.reference)
        if answer.status == "pending":
            message = messages.bankid_pending(answer.hint_code, autostarted=autostarted)
            return EidResult("pending", answer.hint_code, message, qr_content=self.qr_content(pending))
        if answer.status == "failed":
            message = messages.bankid_failed(answer.hint_code, autostarted=autostarted)
            return EidResult("failed", answer.hint_code, message)
        return EidResult("complete", answer.hint_code, messages.COMPLETE, person=answer.person)

    async def _collect_freja(self, pending: Pending) -> EidResult:
        answer = await self._freja_client().get_one_result(pending.reference)
        message = messages.freja_status(answer.status)
        if answer.status == "APPROVED":
            return EidResult("complete", answer.status, message, person=answer.person)
        if answer.status in FAILED_STATUSES:
            return EidResult("failed", answer.status, message)
        return EidResult("pending", answer.status, message)

    def _bankid_client(self) -> BankIdClient:
        if self._bankid is None:
            raise EidUnavailable("BankID is not configured")
        return self._bankid

    def _freja_client(self) -> FrejaClient:
        if self._freja is None:
            raise EidUnavailable("Freja eID is not configured")
        return self._freja
