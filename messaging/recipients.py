"""Deciding, per recipient, whether they are registered or get a link, and how a link recipient identifies."""

from __future__ import annotations

from dataclasses import dataclass

from identity.contact import normalize_mobile, normalize_personal_number
from identity.errors import IdentityError
from messaging.errors import InvalidRequest
from messaging.model import RecipientInput
from messaging.policy import (
    METHOD_LOA,
    METHOD_NAMES_SV,
    METHOD_NEEDS,
    default_method,
    is_method,
    method_reaches,
)
from messaging.validation import method_invalid, normalise_address
from store.records import IdentificationMethod, Mailbox


@dataclass(frozen=True, slots=True)
class ResolvedRecipient:
    address: str
    mailbox: Mailbox | None
    method: IdentificationMethod | None = None
    # The identifying datum in normalised form (E.164 number or 12-digit personal number).
    contact: str | None = None

    @property
    def registered(self) -> bool:
        return self.mailbox is not None


def resolve(recipient: RecipientInput, loa: int, mailbox: Mailbox | None) -> ResolvedRecipient:
    """`mailbox` is the organisation's mailbox at the recipient's address, if there is one."""
    address = normalise_address(recipient.address)
    if mailbox is not None:
        # Registered recipients identify with their own account; a method given is not needed.
        return ResolvedRecipient(address=address, mailbox=mailbox)
    method = recipient.method or default_method(loa)
    if method is None:
        raise InvalidRequest(
            "method_required",
            "Välj hur mottagaren ska identifiera sig (sms eller e-legitimation).",
            f"A recipient is not registered; a method is needed at LoA{loa}.",
        )
    if not is_method(method):
        raise method_invalid()
    if not method_reaches(method, loa):
        raise InvalidRequest(
            "method_below_loa",
            f"Identifiering med {METHOD_NAMES_SV[method]} räcker inte för tillitsnivå {loa}.",
            f"Method {method} reaches LoA{METHOD_LOA[method]}, below the message's LoA{loa}.",
        )
    return ResolvedRecipient(
        address=address, mailbox=None, method=method, contact=_contact(recipient, method)
    )


def _contact(recipient: RecipientInput, method: IdentificationMethod) -> str | None:
    need = METHOD_NEEDS[method]
    try:
        if need == "phone":
            if not recipient.phone:
                raise InvalidRequest(
                    "phone_required", "Ange mottagarens mobilnummer för sms.", "sms needs a phone number."
                )
            return normalize_mobile(recipient.phone)
        if need == "personal_number":
            if not recipient.personal_number:
                raise InvalidRequest(
                    "personal_number_required",
                    "Ange mottagarens personnummer för e-legitimation.",
                    "eid needs a personal identity number.",
                )
            return normalize_personal_number(recipient.personal_number)
    except IdentityError as exc:
        raise InvalidRequest(exc.code, exc.message_sv, exc.code.replace("_", " ")) from None
    return None
