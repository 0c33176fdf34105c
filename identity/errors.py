"""The exceptions of `identity/`.

    IdentityError                 (code: stable, machine-readable; message_sv: for people; str(): English, safe)
    ├── InvalidToken              a staff Bearer token was refused (expired, wrong audience, unknown tenant, ...)
    └── InvalidContactDetail      also a ValueError: recipient data that cannot be used as given
        ├── InvalidPhoneNumber    not a number, or not a mobile number ("phone_invalid", "phone_not_mobile")
        └── InvalidPersonalNumber not a valid personal identity or coordination number

No message ever contains the token, phone number or personal number that was refused: messages are shown to
callers and written to logs, and those values are secrets.
"""

from __future__ import annotations


class IdentityError(Exception):
    """Base of every error raised by `identity/`."""

    code: str = "identity_error"
    message_sv: str = "Identifieringen misslyckades."

    def __init__(self, detail: str = "", *, code: str | None = None, message_sv: str | None = None) -> None:
        if code is not None:
            self.code = code
        if message_sv is not None:
            self.message_sv = message_sv
        # str(exc) is the short English reason; it is safe to show and to log.
        super().__init__(detail or self.code.replace("_", " "))

    @property
    def detail(self) -> str:
        return str(self)


class InvalidToken(IdentityError):
    """A staff token was refused. The reason (e.g. "token expired") is safe to show; the token never is."""

    code = "token_invalid"
    message_sv = "Inloggningen kunde inte verifieras. Logga in igen."


class InvalidContactDetail(IdentityError, ValueError):
    """Recipient data (phone number, personal number) that cannot be used."""

    code = "contact_invalid"
    message_sv = "Uppgiften är inte giltig."


class InvalidPhoneNumber(InvalidContactDetail):
    code = "phone_invalid"
    message_sv = "Ange ett giltigt mobilnummer."


class InvalidPersonalNumber(InvalidContactDetail):
    code = "personal_number_invalid"
    message_sv = "Ange ett giltigt personnummer eller samordningsnummer (ÅÅÅÅMMDD-NNNN)."
