"""The exceptions of `identity/`.

    IdentityError                 (code: stable, machine-readable; message_sv: for people; str(): English, safe)
    ├── InvalidToken              a staff Bearer token was refused (expired, wrong audience, unknown tenant, ...)
    ├── InvalidContactDetail      also a ValueError: recipient data that cannot be used as given
    │   ├── InvalidPhoneNumber    not a number, or not a mobile number ("phone_invalid", "phone_not_mobile")
    │   ├── InvalidPersonalNumber not a valid personal identity or coordination number
    │   └── WeakPassword          a password the policy refuses (identity/accounts/passwords.py; the code says why)
    ├── EidError                  an e-identification (BankID, Freja eID, SITHS) did not happen; also message_en
    │   ├── EidUnavailable        the provider could not be reached or answered out of protocol ("eid_unavailable")
    │   ├── EidRejected           the provider refused the request: one already in progress, an unknown order, ...
    │   └── UntrustedEidResult    a result whose signature, issuer, audience, nonce, state or level does not hold
    └── OneTimeCodeRefused        no one-time code can be sent now (identity/one_time_codes.py)
        ├── CodeLocked            too many wrong codes: the subject is locked out until `until`
        └── CodeRateLimited       codes were sent too often: the next one may go at `retry_at`

No message ever contains the token, phone number or personal number that was refused: messages are shown to
callers and written to logs, and those values are secrets.
"""

from __future__ import annotations

from datetime import datetime


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


class WeakPassword(InvalidContactDetail):
    """A new password the policy refuses: too short or long, a common password, the account's own address."""

    code = "password_weak"
    message_sv = "Välj ett annat lösenord."


class EidError(IdentityError):
    """An e-identification could not be carried out; `message_sv` / `message_en` are for the person waiting."""

    code = "eid_failed"
    message_sv = "Identifieringen misslyckades. Försök igen."
    message_en = "The identification failed. Please try again."

    def __init__(
        self,
        detail: str = "",
        *,
        code: str | None = None,
        message_sv: str | None = None,
        message_en: str | None = None,
    ) -> None:
        super().__init__(detail, code=code, message_sv=message_sv)
        if message_en is not None:
            self.message_en = message_en


class EidUnavailable(EidError):
    """The provider could not be reached, timed out, or answered in a way its protocol does not allow."""

    code = "eid_unavailable"
    message_sv = "Tjänsten för e-legitimation svarar inte just nu. Försök igen om en stund."
    message_en = "The e-identification service is not answering right now. Please try again shortly."


class EidRejected(EidError):
    """The provider refused the request (the code and messages say why, in the provider's recommended words)."""

    code = "eid_rejected"


class UntrustedEidResult(EidError):
    """A result that must not be believed: a bad signature, another issuer or audience, a replayed state, ..."""

    code = "eid_result_untrusted"


class OneTimeCodeRefused(IdentityError):
    """No one-time code can be sent now; nothing was sent and nothing changed."""

    code = "code_refused"
    message_sv = "Ingen ny kod kan skickas just nu. Vänta en stund och försök igen."


class CodeLocked(OneTimeCodeRefused):
    """Too many wrong codes: no code is sent or accepted until `until`."""

    code = "code_locked"
    message_sv = "Du har angett fel kod för många gånger. Vänta en stund och försök igen."

    def __init__(self, until: datetime) -> None:
        super().__init__("too many wrong codes; locked for a while")
        self.until = until


class CodeRateLimited(OneTimeCodeRefused):
    """Codes were sent too often; the next one may be sent at `retry_at`."""

    code = "code_rate_limited"
    message_sv = "En ny kod kan inte skickas riktigt än. Vänta en stund och försök igen."

    def __init__(self, retry_at: datetime) -> None:
        super().__init__("codes were sent too often")
        self.retry_at = retry_at
