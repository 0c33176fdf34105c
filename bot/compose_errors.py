"""Where a refused send's reason goes on the compose card: next to the field it is about.

messaging/ refuses a send with a stable code; this module only places it. A reason about one link recipient
(the method, the phone number, the personal identity number) is found by asking messaging's own per-recipient
rule (`messaging.recipients.resolve`) about each recipient in turn, so every recipient's problem shows at once,
by that recipient's fields. A reason that belongs to no field goes above the form.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from messaging.errors import InvalidRequest, MessagingError
from messaging.lookup import RecipientDescription
from messaging.model import RecipientInput
from messaging.policy import LEVELS
from messaging.recipients import resolve

# Card field of each code about the message as a whole.
FIELD_OF_CODE: Final[dict[str, str]] = {
    "subject_missing": "subject",
    "subject_invalid_characters": "subject",
    "subject_too_long": "subject",
    "body_too_long": "body",
    "loa_invalid": "loa",
    "recipients_missing": "recipients",
    "too_many_recipients": "recipients",
    "recipient_address_invalid": "recipients",
    "recipient_duplicate": "recipients",
    "open_message_too_long": "open_message",
    "open_message_has_personal_number": "open_message",
}
# Card field (before its recipient's index) of each code about one link recipient.
RECIPIENT_FIELD_OF_CODE: Final[dict[str, str]] = {
    "method_invalid": "method",
    "method_required": "method",
    "method_below_loa": "method",
    "phone_required": "phone",
    "phone_invalid": "phone",
    "phone_not_mobile": "phone",
    "personal_number_required": "personal_number",
    "personal_number_invalid": "personal_number",
}


def errors_for(
    error: MessagingError,
    inputs: Sequence[RecipientInput],
    loa: int | None,
    described: Sequence[RecipientDescription] | None,
) -> dict[str, str]:
    """Field id -> sentence for the card (field ids as adaptive_cards.views.ComposeView.errors names them)."""
    errors = recipient_errors(inputs, loa, described)
    field = FIELD_OF_CODE.get(error.code)
    if field is not None:
        errors[field] = error.message_sv
    elif error.code not in RECIPIENT_FIELD_OF_CODE or not errors:
        errors["form"] = error.message_sv
    return errors


def recipient_errors(
    inputs: Sequence[RecipientInput], loa: int | None, described: Sequence[RecipientDescription] | None
) -> dict[str, str]:
    """Each link recipient's problem at the level, by the index of its fields on the card."""
    if loa is None or loa not in LEVELS or described is None or len(described) != len(inputs):
        return {}
    errors: dict[str, str] = {}
    for index, (recipient, description) in enumerate(zip(inputs, described, strict=True)):
        if description.registered:
            continue
        try:
            resolve(recipient, loa, None)
        except InvalidRequest as exc:
            kind = RECIPIENT_FIELD_OF_CODE.get(exc.code)
            if kind is not None:
                errors[f"{kind}_{index}"] = exc.message_sv
    return errors
